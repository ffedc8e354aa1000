"""Many threads of one process: every PDF byte for byte the one made alone, and nothing of the process changed."""
from __future__ import annotations

import gc
import io
import os
import random
import stat
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

import handouts
from handouts import batch, content, model
from handouts.delivery import outputs
from handouts.render import document, fonts, furniture, layout
from handouts.render.document import Packet

REPO = Path(__file__).resolve().parent.parent
BEFORE = REPO / "content" / "kyphoplasty-before.yaml"
CARE_AFTER = REPO / "content" / "kyphoplasty-care-after.yaml"
CLINIC = REPO / "content" / "clinic.yaml"
SPANISH = tuple(content.load_handout(REPO / "content" / f"kyphoplasty-{name}.es.yaml") for name in ("before", "care-after"))
PATIENTS = 40
THREADS = 8
# What a batch shares between its packets' font subsets; a packet made with it must not change the others.
SHARED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,:;-()éñ·…"


def patient(number: int) -> model.Patient:
    """Fictional patient NUMBER; visits repeat across patients, so some renders ask for the same layout at once."""
    return model.Patient(name=f"Testina Threadworth{number}", mrn=f"T-{number:04d}",
                         dob=date(1940 + number % 30, 1 + number % 12, 1 + number % 28),
                         procedure_date=date(2026, 11, 20 + number % 2), surgeon="Dr. Ada Example",
                         followup_date=date(2026, 12, 1 + number % 3), followup_with=f"Dr. Example{number % 2}")


def calls(before: model.Handout, care_after: model.Handout, clinic: model.Clinic) -> list[tuple[str, object]]:
    """(what, call) for each PDF: both handouts for every patient (in Spanish for every third, for a clinic
    with no profile for every seventh), on letter, A4 and in large print, and for every fourth patient a
    packet of both with a cover, some with the subsets a batch shares."""
    made = []
    for number in range(PATIENTS):
        person = patient(number)
        paper = "a4" if number % 5 == 1 else "letter"
        large = number % 5 == 2
        # Every third patient gets the Spanish handouts, and every seventh a clinic with no profile (no logo,
        # write-in lines): different fonts, words and pictures drawn side by side in the threads.
        pair = SPANISH if number % 3 == 2 else (before, care_after)
        profile = model.Clinic() if number % 7 == 3 else clinic
        for handout in pair:
            made.append((f"{handout.id}.{handout.language} {person.mrn} {paper}{' large' if large else ''}",
                         lambda handout=handout, person=person, paper=paper, large=large, profile=profile:
                         handouts.render_handout(handout, profile, person, paper=paper, large_print=large)))
        if number % 4 == 0:
            shared = SHARED if number % 8 == 0 else ""
            packet = Packet((before, care_after), person, cover=True, notes=f"Bring your walker, {number}.",
                            large_print=number % 12 == 8)
            made.append((f"packet {person.mrn}{' shared' if shared else ''}",
                         lambda packet=packet, paper=paper, shared=shared:
                         handouts.render_packet(packet.handouts, clinic, packet.patient, paper=paper, cover=True,
                                                notes=packet.notes, large_print=packet.large_print)
                         if not shared else document.render_packet(packet, clinic, paper, shared_characters=shared)))
    return made


@pytest.fixture
def eager_switching():
    """Threads handed the interpreter every microsecond instead of every 5 ms, so a race has many chances to show."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_eight_threads_make_every_pdf_byte_for_byte_as_made_alone(eager_switching, monkeypatch):
    before, care_after = content.load_handout(BEFORE), content.load_handout(CARE_AFTER)
    clinic = content.load_clinic(CLINIC)
    made = calls(before, care_after, clinic)
    alone = [call().data for _, call in made]
    # The threads start cold, as a server's do: the logo and every layout are first made among them.
    furniture._logo.cache_clear()
    monkeypatch.setattr(layout, "cache", layout.LayoutCache())
    order = list(range(len(made)))
    random.Random(8).shuffle(order)        # neighbours in the list ask for the same layouts: spread them out
    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        together = dict(zip(order, pool.map(lambda index: made[index][1]().data, order)))
    seconds = time.perf_counter() - started
    different = [made[index][0] for index in range(len(made)) if together[index] != alone[index]]
    assert different == [], f"{len(different)} of {len(made)} PDFs differ when made in {THREADS} threads"
    assert len(made) == 2 * PATIENTS + PATIENTS // 4
    print(f"{len(made)} PDFs compared, {THREADS} threads, {seconds:.1f} s")


def test_threads_drawing_a_new_logo_at_once_all_see_its_transparency(eager_switching):
    """ReportLab decodes a picture on its first use and clears its mask while it does: the logo every
    render shares must come decoded, or a thread drawing it meanwhile embeds it without its mask."""
    logo = REPO / "content" / "riverside-logo.png"
    missing = 0
    for _ in range(100):
        furniture._logo.cache_clear()
        reader, _ = furniture._logo(str(logo), logo.stat().st_mtime_ns, logo.stat().st_size)
        start = threading.Barrier(THREADS)
        masks = []

        def draw():
            start.wait()
            reader.getRGBData()               # what Canvas.drawImage asks first, then for the mask
            masks.append(reader._dataA is not None)
        threads = [threading.Thread(target=draw) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        missing += masks.count(False)
    assert missing == 0, f"{missing} of {100 * THREADS} draws of the logo found no mask"


def _pdf_in(font: str, text: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setFont(font, 12)
    canvas.drawString(72, 700, text)
    canvas.save()
    return buffer.getvalue()


def test_pdfs_saved_at_once_embed_the_same_font_subsets_as_saved_alone(eager_switching):
    """Saving a PDF makes its font subsets by reading the font file through one shared read position:
    eight PDFs saved at once, each with other characters, must embed what each embeds alone."""
    fonts.register()
    texts = ["".join(chr(code) for code in range(0x41 + n, 0x41 + n + 40)) + "áéíóúñ¿¡" * (n % 3)
             for n in range(THREADS)]
    alone = [_pdf_in(fonts.MAIN, text) for text in texts]
    failed = 0
    for _ in range(60):
        start, made = threading.Barrier(THREADS), [b""] * THREADS

        def save(number: int) -> None:
            start.wait()
            try:
                made[number] = _pdf_in(fonts.MAIN, texts[number])
            except IndexError:           # what a read at another thread's position looks like, when it shows
                made[number] = b"error"
        threads = [threading.Thread(target=save, args=(number,)) for number in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        failed += sum(mine != theirs for mine, theirs in zip(made, alone))
    assert failed == 0, f"{failed} of {60 * THREADS} PDFs saved at once differ from the same PDF saved alone"


def test_a_render_changes_nothing_process_wide_and_reads_no_process_wide_setting():
    handout, clinic = content.load_handout(CARE_AFTER), content.load_clinic(CLINIC)
    a85 = rl_config.useA85
    first = document.render(handout, clinic, "letter", patient(1)).data
    assert rl_config.useA85 == a85
    try:
        for setting in (0, 1):          # a caller's own ReportLab setting never changes our PDFs
            rl_config.useA85 = setting
            assert document.render(handout, clinic, "letter", patient(1)).data == first
    finally:
        rl_config.useA85 = a85


def test_a_batch_in_this_process_leaves_no_worker_state_behind(tmp_path):
    clinic = content.load_clinic(CLINIC)
    handout = content.load_handout(CARE_AFTER)
    alone = document.render(handout, clinic, "letter", patient(2)).data
    manifest = tmp_path / "m.csv"
    manifest.write_text("mrn,name,handouts\nA-1,Ana Test,kyphoplasty-before\n", encoding="utf-8")
    frozen = gc.get_freeze_count()
    summary = batch.run_batch(manifest, batch.BatchOptions(out_dir=tmp_path / "out", content=REPO / "content",
                                                           clinic_path=CLINIC, jobs=1, today=date(2026, 12, 1)))
    assert summary.written == 1
    assert gc.get_freeze_count() == frozen and batch._worker is None
    # The batch's shared font subsets were its packets' own: a render after it is the render before it.
    assert document.render(handout, clinic, "letter", patient(2)).data == alone


def test_files_get_the_mode_of_the_umask_without_the_umask_being_touched(tmp_path, monkeypatch):
    mask = os.umask(0o027)            # set by the test, as a server might before its threads start
    try:
        def refuse(_):
            raise AssertionError("os.umask changes the mask for every thread at once")
        monkeypatch.setattr(os, "umask", refuse)
        outputs.write_atomically(tmp_path / "a.pdf", b"%PDF")
        outputs.replace_with(tmp_path / "private.eml", b"mail", outputs.PRIVATE)
    finally:
        monkeypatch.undo()
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "a.pdf").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "private.eml").stat().st_mode) == 0o600
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.pdf", "private.eml"]
