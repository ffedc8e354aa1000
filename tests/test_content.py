"""The two kyphoplasty handouts: valid, complete against their sources, and in the project's own words."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from handouts import content
from handouts import model
from handouts.cli import main
from pdfcheck import all_text

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
FACTS = yaml.safe_load((Path(__file__).parent / "data" / "seed_facts.yaml").read_text(encoding="utf-8"))
IDS = ["kyphoplasty-before", "kyphoplasty-care-after"]


@pytest.fixture(scope="module")
def pdf_texts(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["build", str(REPO / "content"), "-o", str(out),
                                       "--clinic", str(REPO / "content" / "clinic.yaml")])
    assert result.exit_code == 0, result.output
    return {handout_id: all_text(out / f"{handout_id}.en.pdf").lower() for handout_id in IDS}


@pytest.mark.parametrize("fact", FACTS, ids=[f"{f['handout']}: {f['fact'][:50]}" for f in FACTS])
def test_every_seed_fact_is_in_its_handout(fact, pdf_texts):
    text = pdf_texts[fact["handout"]]
    missing = [phrase for phrase in fact["must_contain"] if " ".join(phrase.lower().split()) not in text]
    assert not missing, f"{fact['fact']!r}: {missing} not in {fact['handout']}"


def _blocks(handout: model.Handout):
    return [block for section in handout.sections for block in section.blocks]


def test_the_pre_procedure_handout_has_its_checklist_steps_and_risks():
    handout = content.load_handout(REPO / "content" / "kyphoplasty-before.yaml")
    kinds = {type(block) for block in _blocks(handout)}
    assert handout.kind == "pre-procedure" and handout.summary
    assert {model.Checklist, model.Steps, model.Warning} <= kinds


def test_the_discharge_handout_has_caution_and_emergency_boxes(pdf_texts):
    handout = content.load_handout(REPO / "content" / "kyphoplasty-care-after.yaml")
    levels = {block.level for block in _blocks(handout) if isinstance(block, model.Warning)}
    assert handout.kind == "discharge" and handout.summary
    assert {"caution", "emergency"} <= levels
    assert any(isinstance(block, model.Checklist) for block in _blocks(handout))
    assert any(isinstance(block, model.FillIn) for block in _blocks(handout))
    text = pdf_texts["kyphoplasty-care-after"]
    assert "call 911" in text
    assert "(555) 010-4400" in text          # whom to call comes from the clinic profile


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed pages are not beside this checkout")
def test_no_sentence_of_the_seed_pages_is_copied(pdf_texts):
    seed_words = _words(" ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))))
    seed_runs = {tuple(seed_words[i:i + 9]) for i in range(len(seed_words) - 8)}
    for handout_id, text in pdf_texts.items():
        words = _words(text)
        copied = [" ".join(words[i:i + 9]) for i in range(len(words) - 8) if tuple(words[i:i + 9]) in seed_runs]
        assert not copied, f"{handout_id} repeats the seed's wording: {copied[:3]}"


def test_the_shipped_content_passes_the_strict_check():
    result = CliRunner().invoke(main, ["check", str(REPO / "content"), "--strict"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("handout_id", IDS)
def test_the_english_handouts_read_at_grade_6_or_below(handout_id):
    from handouts.content import readability
    level = readability.measure(content.load_handout(REPO / "content" / f"{handout_id}.yaml"))
    assert level.measures.flesch_kincaid <= 6
    assert level.measures.smog <= 9


@pytest.mark.parametrize("handout_id", IDS)
def test_the_spanish_handouts_are_fairly_easy_on_the_inflesz_scale(handout_id):
    from handouts.content import readability
    handout = content.load_handout(REPO / "content" / f"{handout_id}.es.yaml")
    assert handout.language == "es"
    assert readability.measure(handout).measures.inflesz >= 65
