"""Bad content: one `PATH:LINE: expected ..., found ...` line per problem, exit status 1, no PDF."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main

HEAD = "id: x\ntitle: A title\nkind: general\n"
SECTION = HEAD + "sections:\n  - heading: H\n    blocks:\n"

BILLION_LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else ', '.join(['x'] * 9)}]\n"
    for previous, name in zip([None, "a", "b", "c", "d", "e", "f", "g"], "abcdefgh"))

CASES = {
    "unclosed quote": (
        'id: x\ntitle: "unclosed\nkind: general\n',
        ["2: expected a closing quote for the text that starts on this line, found the end of the file; "
         "add the missing quote"]),
    "bad indentation": (
        "id: x\ntitle: ok\n  kind: general\n",
        ["3: expected a new key lined up with the keys above it, or quoted text, found a ':' that YAML "
         "cannot place; check this line's indentation, or put text that contains ': ' in quotes"]),
    "unclosed bracket": (
        "id: x\ntitle: [a, b\nkind: general\n",
        ["2: invalid YAML: expected ',' or ']' to close the flow sequence that starts on this line, found ':'; "
         "check the indentation and quotes on this line and the one before"]),
    "tab indentation": (
        "id: x\nsections:\n\t- heading: a\n",
        ["3: expected spaces for indentation, found a tab character; indent with spaces, not tabs"]),
    "not UTF-8": (
        b"id: x\ntitle: caf\xe9\n",
        ["2: expected UTF-8 text, found the byte 0xe9; save the file as UTF-8"]),
    "empty file": (
        "",
        ["1: expected a handout (id, title, kind, sections), found an empty file"]),
    "only comments": (
        "# to do\n",
        ["1: expected a handout (id, title, kind, sections), found an empty file"]),
    "list at the top": (
        "- id: x\n- title: y\n",
        ["1: expected a handout (a mapping of keys), found a list"]),
    "list where a section belongs": (
        HEAD + "sections:\n  - [heading, blocks]\n",
        ["5: expected a section (a mapping of keys), found a list"]),
    "duplicate key": (
        "id: x\ntitle: a\ntitle: b\nkind: general\nsections:\n  - heading: h\n    blocks: [paragraph: p]\n",
        ["3: expected each key once, found 'title' again (first on line 2); remove one of them"]),
    "misspelled key": (
        "id: x\ntitel: a\nkind: general\nsections:\n  - heading: h\n    blocks: [paragraph: p]\n",
        ["1: expected 'title' in a handout, found no such key",
         "2: expected a key of a handout (id, title, kind, sections, language, version, reviewed, "
         "next_review, summary, source_hash), found 'titel'; did you mean 'title'?"]),
    "misspelled block": (
        SECTION + "      - bulets: [a, b]\n",
        ["7: expected a block type (paragraph, bullets, steps, checklist, warning, note, table, fill_in, "
         "signature, image, qr, page_break), found 'bulets'; did you mean 'bullets'?"]),
    "wrong type": (
        HEAD + "sections: hello\n",
        ["4: expected sections (a list), found text 'hello'"]),
    "number where text belongs": (
        SECTION + "      - paragraph: 42\n",
        ["7: expected paragraph text, found the number 42; put it in quotes to use it as text"]),
    "unquoted version": (
        'id: x\ntitle: a\nkind: general\nversion: 1.0\nsections:\n  - heading: h\n    blocks: [paragraph: p]\n',
        ['4: expected a version as text, found the number 1.0; put it in quotes, e.g. version: "1.0"']),
    "two types in one block": (
        SECTION + "      - paragraph: p\n        note: n\n",
        ["7: expected one block type per block, found 2 (paragraph, note); "
         "put each in its own list entry starting with '- '"]),
    "the same block key twice": (
        SECTION + "      - paragraph: One.\n        paragraph: Two.\n",
        ["7: expected each key once, found 'paragraph' twice in one block; "
         "start the second one with '- ' to make it a block of its own"]),
    "empty value": (
        SECTION + "      - paragraph:\n",
        ["7: expected paragraph text, found an empty value"]),
    "bad kind": (
        "id: x\ntitle: a\nkind: dischrge\nsections:\n  - heading: h\n    blocks: [paragraph: p]\n",
        ["3: expected a kind: one of pre-procedure, discharge, general, found text 'dischrge'; "
         "did you mean 'discharge'?"]),
    "bad warning level": (
        SECTION + "      - warning: {level: danger, text: Careful}\n",
        ["7: expected a warning level: one of caution, urgent, emergency, found text 'danger'"]),
    "nesting too deep": (
        SECTION + "      - bullets:\n          - text: one\n            items:\n              - text: two\n"
                  "                items:\n                  - text: three\n                    items: [four]\n",
        ["13: expected lists nested at most 3 levels deep, found a level 4 list; "
         "move these entries up a level or into a block of their own"]),
    "ragged table": (
        SECTION + "      - table:\n          header: [Medicine, When]\n          rows:\n"
                  "            - [Aspirin, Morning]\n            - [Ibuprofen]\n",
        ["11: expected 2 cells in each row, as many as the header, found 1 cell; "
         "add or remove cells (use \"\" for an empty one)"]),
    "unknown placeholder": (
        SECTION + "      - paragraph: |\n          Hello.\n          Call {{ clinic.phon }} today.\n",
        ["9: expected a known placeholder such as {{ clinic.phone }}, found {{ clinic.phon }}; "
         "did you mean {{ clinic.phone }}?"]),
    "missing image": (
        SECTION + "      - image: {src: pictures/spine.png, alt: The spine}\n",
        ["7: expected an image file at {dir}/pictures/spine.png, found no such file; "
         "paths are relative to the YAML file"]),
    "image without alt text": (
        SECTION + "      - image: {src: ../spine.png}\n",
        ["7: expected 'alt' in an image, found no such key"]),
    "character no font has": (
        SECTION + '      - paragraph: "A sign \U00013000 here"\n',
        ["7: expected characters that Noto Sans or DejaVu Sans can draw, found '\U00013000' (U+13000); "
         "replace it with a character the fonts have"]),
    "alias bomb": (
        BILLION_LAUGHS,
        ["5: expected at most 20,000 values, found more once alias *d is expanded; "
         "write the content out instead of nesting aliases"]),
    "second document": (
        "id: x\n---\nid: y\n",
        ["2: expected one handout per file, found a second document after '---'; put each handout in its own file"]),
    "control character": (
        SECTION + "      - paragraph: Bell\x07 here\n",
        ["7: expected printable text, found the control character U+0007; delete it (it is invisible in most editors)"]),
    "escaped control character": (
        SECTION + '      - paragraph: "Bell\\a here"\n',
        ["7: expected characters that Noto Sans or DejaVu Sans can draw, found the control character U+0007; "
         "replace it with a character the fonts have"]),
    "brackets nested hundreds deep": (
        "id: " + "[" * 400 + "]" * 400 + "\n",
        ["1: expected at most 40 levels of nesting, found far deeper nesting"]),
    "a number YAML cannot use": (
        SECTION + "      - image: {src: ../spine.png, alt: Spine, width: .inf}\n",
        ["7: expected a width in inches (a number from 0.5 to 6.5), found the number .inf"]),
    "not really an image": (
        SECTION + "      - image: {src: notes.png, alt: Notes}\n",
        ["7: expected a readable PNG or JPEG image, found a file that is not an image; export the picture again"]),
    "merge key": (
        SECTION + "      - warning: &w {level: caution, text: Careful}\n      - warning: {<<: *w, title: Again}\n",
        ["8: expected the keys of a warning written out, found a merge key (<<); merge keys are not supported; "
         "copy the keys in"]),
    "lone braces": (
        SECTION + '      - paragraph: "Call {{ clinic.phone } today"\n',
        ["7: expected a placeholder written {{ name }}, found a lone '{{'; close it, or remove the braces"]),
    "emphasis YAML reads as an alias": (
        SECTION + "      - paragraph: **Rest** your back.\n",
        ["7: expected text, found a value that YAML reads as syntax because it starts with *, {{, @, `, % or &; "
         "put the whole text in quotes"]),
    "right-to-left text": (
        SECTION + "      - paragraph: \"שלום\"\n",
        ["7: expected left-to-right text, found right-to-left script (Hebrew or Arabic); "
         "right-to-left handouts are not supported yet"]),
    "long text repeated through aliases": (
        SECTION + "      - paragraph: &s " + "word " * 5000 + "\n      - bullets: [" + ", ".join(["*s"] * 300) + "]\n",
        ["8: expected at most 1,000,000 characters, found more once alias *s is expanded; "
         "write the content out instead of repeating long aliases"]),
    "QR address too long": (
        SECTION + "      - qr: {url: 'https://example.org/" + "a" * 500 + "'}\n",
        ["7: expected a URL of at most 400 characters, short enough for a QR code, found 520 characters; "
         "use a shorter link"]),
    "table cell taller than a page": (
        SECTION + "      - paragraph: Before.\n      - table:\n          header: [A, B]\n          rows:\n"
                  "            - [x, \"" + "many words " * 450 + "\"]\n",   # 4,950 characters: under the limit
        ["9: expected a block that fits on one page, found one that is taller than a page and cannot be split "
         "(a long table cell, picture or box entry); split it into shorter paragraphs, rows or entries"]),
    "too many columns": (
        SECTION + "      - table:\n          header: [" + ", ".join(f"Column{n}" for n in range(14)) + "]\n"
                  "          rows:\n            - [" + ", ".join("x" * 1 for _ in range(14)) + "]\n",
        ["8: expected columns whose longest words fit across the page (6.8 in), found 14 columns needing 13.8 in; "
         "use fewer columns, or shorter words in the narrowest ones"]),
    "every problem at once": (
        "id: Bad_Id\ntitle: a\nkind: general\nsections:\n  - heading: h\n    blocks:\n"
        "      - paragraph: 7\n      - steps: []\n",
        ["1: expected an id of lowercase letters, digits and dashes, found text 'Bad_Id'; "
         "for example kyphoplasty-care-after",
         "7: expected paragraph text, found the number 7; put it in quotes to use it as text",
         "8: expected steps with at least one entry, found an empty list"]),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_content_is_reported_with_its_line_and_nothing_is_written(name, write, tmp_path):
    source, expected = CASES[name]
    path = write("handout.yaml", source)
    (tmp_path / "spine.png").write_bytes((Path(__file__).parent / "data" / "spine.png").read_bytes())
    (path.parent / "notes.png").write_text("these are notes, not a picture")
    out = tmp_path / "out"

    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])

    lines = [f"{path}:{line.replace('{dir}', str(path.parent))}" for line in expected]
    noun = "problem" if len(lines) == 1 else "problems"
    assert result.exit_code == 1
    assert result.stderr.splitlines() == lines + [f"{len(lines)} {noun} in 1 file; no PDF written"]
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_check_reports_the_same_problems_and_writes_nothing(write, tmp_path):
    path = write("handout.yaml", SECTION + "      - bulets: [a]\n")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:7: expected a block type")
    assert sorted(p.name for p in tmp_path.rglob("*.pdf")) == []


def test_one_bad_file_stops_the_whole_build_and_keeps_earlier_pdfs(write, tmp_path):
    good = write("good.yaml", SECTION + "      - paragraph: Fine.\n")
    write("bad.yaml", SECTION.replace("id: x", "id: y") + "      - paragraph: {{ nope }}\n")
    out = tmp_path / "out"
    first = CliRunner().invoke(main, ["build", str(good), "-o", str(out)])
    assert first.exit_code == 0, first.output
    before = (out / "x.en.pdf").read_bytes()

    result = CliRunner().invoke(main, ["build", str(good.parent), "-o", str(out)])

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{good.parent / 'bad.yaml'}:7: expected paragraph text, found a mapping; "
        "YAML reads an unquoted {{ as a mapping: put the whole text in quotes")
    assert sorted(p.name for p in out.iterdir()) == ["x.en.pdf"]
    assert (out / "x.en.pdf").read_bytes() == before


def test_problems_in_several_files_are_all_reported(write, tmp_path):
    write("a.yaml", SECTION + "      - paragraph: 1\n")
    write("b.yaml", SECTION.replace("id: x", "id: z") + "      - nte: hi\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "content")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "2 problems in 2 files; no PDF written"


def test_the_same_id_twice_is_an_error(write, tmp_path):
    write("a.yaml", SECTION + "      - paragraph: One.\n")
    second = write("b.yaml", SECTION + "      - paragraph: Two.\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "content")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{second}:1: expected one handout with id 'x' in language 'en', found a second one "
        f"(the first is {tmp_path / 'content' / 'a.yaml'}); give one of them another id")


def test_a_bad_clinic_profile_gets_the_same_kind_of_error(write, tmp_path):
    handout = write("handout.yaml", SECTION + "      - paragraph: Fine.\n")
    clinic = write("clinic.yaml", "name: Test Clinic\nphnoe: 555\n")
    result = CliRunner().invoke(main, ["build", str(handout), "--clinic", str(clinic), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{clinic}:2: expected a key of a clinic profile (name, phone, after_hours_phone, emergency_number, "
        "address, website, logo, logo_alt, color), found 'phnoe'; did you mean 'phone'?")
    assert not (tmp_path / "out").exists()


def test_a_clinic_profile_is_checked_for_what_the_fonts_cannot_draw_as_a_handout_is(write, tmp_path):
    handout = write("handout.yaml", SECTION + "      - paragraph: Fine.\n")
    clinic = write("clinic.yaml", 'name: "מרפאה"\nphone: "\U00013000"\n')
    result = CliRunner().invoke(main, ["build", str(handout), "--clinic", str(clinic), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{clinic}:2: expected characters that Noto Sans or DejaVu Sans can draw, found '\U00013000' (U+13000); "
        "replace it with a character the fonts have",
        f"{clinic}:1: expected left-to-right text, found right-to-left script (Hebrew or Arabic); "
        "right-to-left handouts are not supported yet",
        "2 problems in 1 file; no PDF written"]
    assert not (tmp_path / "out").exists()
