"""Laying out a handout once and reusing it for the next patients: each copy must read exactly as
if it had been laid out for that patient alone."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from handouts import content
from handouts import model
from handouts.render import layout
from handouts.render.document import Packet, render_packet

REPO = Path(__file__).resolve().parent.parent
CARE_AFTER = REPO / "content" / "kyphoplasty-care-after.yaml"
BEFORE = REPO / "content" / "kyphoplasty-before.yaml"


@pytest.fixture
def fresh_layouts(monkeypatch):
    """An empty layout cache for this test, so nothing laid out by another test is reused."""
    monkeypatch.setattr(layout, "cache", layout.LayoutCache(size=4))
    return layout.cache


def text_of(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def patient(number: int, followup: date) -> model.Patient:
    return model.Patient(name=f"Zelda Testcase{number}", mrn=f"Q-{number}", dob=date(1950, 1, number),
                         followup_date=followup, followup_with=f"Dr. Example{number}")


def test_a_reused_layout_prints_the_second_patient_and_nothing_of_the_first(fresh_layouts):
    handout = content.load_handout(CARE_AFTER)
    clinic = content.load_clinic(REPO / "content" / "clinic.yaml")
    render_packet(Packet((handout,), patient(1, date(2026, 12, 3))), clinic)
    second = text_of(render_packet(Packet((handout,), patient(2, date(2027, 1, 8))), clinic).data)
    assert "Zelda Testcase2" in second and "Q-2" in second
    assert "Friday, January 8, 2027 with Dr. Example2" in second
    assert "Testcase1" not in second and "Dr. Example1" not in second and "December 3, 2026" not in second


def test_a_copy_made_from_a_reused_layout_is_byte_for_byte_the_copy_made_alone(fresh_layouts, monkeypatch):
    handout = content.load_handout(CARE_AFTER)
    clinic = content.load_clinic(REPO / "content" / "clinic.yaml")
    same_visit = date(2026, 12, 3)
    for number in range(1, 4):
        reused = render_packet(Packet((handout,), patient(number, same_visit)), clinic).data
    monkeypatch.setattr(layout, "cache", layout.LayoutCache(size=4))
    alone = render_packet(Packet((handout,), patient(3, same_visit)), clinic).data
    assert reused == alone


@pytest.mark.parametrize("name", ["all_blocks.yaml", "stress.yaml"])
def test_every_kind_of_block_draws_the_same_from_a_reused_layout(fresh_layouts, monkeypatch, name):
    handout = content.load_handout(REPO / "tests" / "data" / name)
    clinic = content.load_clinic(REPO / "content" / "clinic.yaml")
    for large_print in (False, True):
        for number in range(1, 3):
            reused = render_packet(Packet((handout,), patient(number, date(2026, 12, 3)), large_print=large_print),
                                   clinic).data
        monkeypatch.setattr(layout, "cache", layout.LayoutCache(size=4))
        alone = render_packet(Packet((handout,), patient(2, date(2026, 12, 3)), large_print=large_print), clinic).data
        assert reused == alone


def test_packets_with_a_cover_notes_and_two_handouts_reuse_layouts_without_mixing_them(fresh_layouts, monkeypatch):
    handouts = (content.load_handout(BEFORE), content.load_handout(CARE_AFTER))
    clinic = content.load_clinic(REPO / "content" / "clinic.yaml")
    packets = [Packet(handouts, patient(1, date(2026, 12, 3)), cover=True, notes="Bring your walker."),
               Packet(handouts, patient(2, date(2026, 12, 3)), notes="No driving for a week."),
               Packet(handouts, patient(3, date(2026, 12, 3)), notes="Bring your walker."),
               Packet(handouts[::-1], patient(4, date(2026, 12, 3)))]
    reused = [render_packet(packet, clinic).data for packet in packets]
    for packet, data in zip(packets, reused):
        monkeypatch.setattr(layout, "cache", layout.LayoutCache(size=4))
        assert render_packet(packet, clinic).data == data
    assert "No driving for a week." in text_of(reused[1]) and "Bring your walker." not in text_of(reused[1])
    assert "Bring your walker." in text_of(reused[2]) and "No driving" not in text_of(reused[2])
    outline = [entry.title for entry in PdfReader(io.BytesIO(reused[3])).outline if not isinstance(entry, list)]
    assert outline == [handouts[1].title, handouts[0].title]


def test_an_edited_handout_is_laid_out_again(fresh_layouts, write):
    clinic = content.load_clinic(REPO / "content" / "clinic.yaml")
    text = CARE_AFTER.read_text(encoding="utf-8")
    path = write("care-after.yaml", text)
    first = content.load_handout(path)
    render_packet(Packet((first,), patient(1, date(2026, 12, 3))), clinic)
    write("care-after.yaml", text.replace("Your next visit is on", "Your next clinic visit is on"))
    edited = content.load_handout(path)
    again = text_of(render_packet(Packet((edited,), patient(1, date(2026, 12, 3))), clinic).data)
    assert "Your next clinic visit is on" in again


def test_the_cache_keeps_at_most_its_size_whatever_the_number_of_patients(fresh_layouts):
    handout = content.load_handout(CARE_AFTER)
    clinic = content.load_clinic(REPO / "content" / "clinic.yaml")
    for day in range(1, 11):
        render_packet(Packet((handout,), patient(day, date(2026, 12, day))), clinic)
    assert len(fresh_layouts._held) == 4
