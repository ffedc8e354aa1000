"""Limits: picture bombs, too-long paths and texts, and non-files, refused at their line with nothing written."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.render import furniture
from handouts import content
from handouts.cli import main

REPO = Path(__file__).resolve().parent.parent
SPINE = Path(__file__).parent / "data" / "spine.png"
HEAD = "id: x\ntitle: A title\nkind: general\n"
SECTION = HEAD + "sections:\n  - heading: H\n    blocks:\n"
BIG = "save a smaller copy; 2000 pixels across prints sharp across the page"


def text_of(length: int) -> str:
    """Words, LENGTH characters long, starting and ending with a letter."""
    return ("abcd " * (length // 5 + 1))[:length - 1] + "x"


def invoke(*arguments: str):
    return CliRunner().invoke(main, [str(argument) for argument in arguments])


def assert_refused(result, lines: list[str], files: int = 1, out: Path | None = None) -> None:
    noun = "problem" if len(lines) == 1 else "problems"
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == lines + [f"{len(lines)} {noun} in {files} file{'s' if files > 1 else ''}; "
                                                  "no PDF written"]
    assert "Traceback" not in result.output
    assert out is None or not out.exists() or list(out.iterdir()) == []


@pytest.fixture(scope="session")
def pictures(tmp_path_factory) -> Path:
    """A folder with real picture bombs: single-colour 1-bit PNGs of 20000×20000 (about 100 KB) and
    10000×10000 pixels (Pillow warns about the one and refuses the other), and one just over the limit."""
    from PIL import Image
    folder = tmp_path_factory.mktemp("pictures")
    for name, size in (("bomb.png", (20000, 20000)), ("warns.png", (10000, 10000)), ("over.png", (5000, 5001)),
                       ("limit.png", (5000, 5000))):
        Image.new("1", size, 1).save(folder / name)
    return folder


# --- item 6: pictures that are bombs ----------------------------------------------------------------
def _with_bombs(pictures: Path, write) -> tuple[Path, Path]:
    handout = write("handout.yaml", SECTION + "      - image: {src: bomb.png, alt: A bomb}\n"
                                              "      - image: {src: warns.png, alt: Too many pixels}\n")
    clinic = write("clinic.yaml", "name: Test Clinic\nlogo: bomb.png\n")
    for name in ("bomb.png", "warns.png"):
        (handout.parent / name).symlink_to(pictures / name)
    return handout, clinic


def _bomb_lines(handout: Path, clinic: Path) -> list[str]:
    return [f"{clinic}:2: logo: expected a picture of at most 25 megapixels, found 20000×20000 (400.0 megapixels); "
            f"{BIG}",
            f"{handout}:7: image: expected a picture of at most 25 megapixels, found 20000×20000 (400.0 megapixels); "
            f"{BIG}",
            f"{handout}:8: image: expected a picture of at most 25 megapixels, found 10000×10000 (100.0 megapixels); "
            f"{BIG}"]


@pytest.mark.parametrize("command", ["check", "build"])
def test_picture_bombs_are_refused_at_their_line_without_a_warning(command, pictures, write, tmp_path):
    handout, clinic = _with_bombs(pictures, write)
    out = tmp_path / "out"
    extra = ["-o", out] if command == "build" else []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = invoke(command, handout, *extra)
    assert_refused(result, _bomb_lines(handout, clinic), files=2, out=out)
    assert [str(warning.message) for warning in caught] == []


def test_picture_bombs_are_refused_in_a_batch(pictures, write, tmp_path):
    handout, clinic = _with_bombs(pictures, write)
    manifest = tmp_path / "patients.csv"
    manifest.write_text("mrn,name,handouts\nA-1,Ana Test,x\n", encoding="utf-8")
    out = tmp_path / "out"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = invoke("batch", manifest, "-o", out, "--content", handout.parent, "--jobs", "1")
    assert_refused(result, _bomb_lines(handout, clinic), files=2, out=out)
    assert [str(warning.message) for warning in caught] == []


def test_the_pixel_limit_is_25_megapixels(pictures, write):
    handout = write("handout.yaml", SECTION + "      - image: {src: over.png, alt: One row too many}\n"
                                              "      - image: {src: limit.png, alt: Just right}\n")
    for name in ("over.png", "limit.png"):
        (handout.parent / name).symlink_to(pictures / name)
    result = invoke("check", handout)
    assert_refused(result, [f"{handout}:7: image: expected a picture of at most 25 megapixels, found 5000×5001 "
                            f"(25.0 megapixels); {BIG}"])


# --- item 7: anything that becomes a path -----------------------------------------------------------
def test_an_id_too_long_for_a_file_name_is_refused_by_check(write, tmp_path):
    handout = write("handout.yaml", SECTION.replace("id: x", "id: " + "a" * 65) + "      - paragraph: Fine.\n")
    result = invoke("check", handout)
    assert_refused(result, [f"{handout}:1: id: expected an id of at most 64 characters (it names the PDF files), "
                            "found 65 characters; shorten it"])


def test_the_longest_id_and_language_make_a_file_name_build_can_write(write, tmp_path):
    language = "es-" + "-".join(["abcdefgh"] * 3) + "-abcde"       # 35 characters
    longest = "a" * 64
    handout = write("handout.yaml", f"id: {longest}\ntitle: A title\nkind: general\nlanguage: {language}\n"
                                    "sections:\n  - heading: H\n    blocks:\n      - paragraph: Fine.\n")
    out = tmp_path / "out"
    result = invoke("build", handout, "-o", out, "--large-print", "--set", "patient.mrn=" + "A" * 20)
    assert result.exit_code == 0, result.output
    assert [path.name for path in out.iterdir()] == [f"{'A' * 20}.{longest}.{language}.large.pdf"]

    too_long = write("handout.yaml", f"id: {longest}\ntitle: A title\nkind: general\nlanguage: {language}x\n"
                                     "sections:\n  - heading: H\n    blocks:\n      - paragraph: Fine.\n")
    assert_refused(invoke("check", too_long), [f"{too_long}:4: language: expected a language tag of at most 35 "
                                               "characters, found 36 characters; for example en or es-MX"])


@pytest.mark.parametrize("src, problem", [
    ("x" * 300 + ".png", "expected a path of at most 255 characters, found 304 characters; give the picture a "
                         "shorter name, in a folder near the YAML file"),
    ("pictures/" + "é" * 200 + ".png", "expected folder and file names of at most 255 bytes (UTF-8), found a name of "
                                       "404 bytes; give the picture a shorter name"),
    ("spine\\a.png", "expected a path without control characters, found U+0007; type the path again"),
], ids=["path too long", "name too long in bytes", "control character"])
@pytest.mark.parametrize("where", ["image", "logo"])
def test_a_picture_path_the_system_cannot_open_is_refused_at_its_line(src, problem, where, write, tmp_path):
    if where == "image":
        path = write("handout.yaml", SECTION + f'      - image: {{src: "{src}", alt: A picture}}\n')
        line, arguments = 7, ["check", path]
    else:
        handout = write("handout.yaml", SECTION + "      - paragraph: Fine.\n")
        path = write("clinic.yaml", f'name: Test Clinic\nlogo: "{src}"\n')
        line, arguments = 2, ["check", handout, "--clinic", path]
    assert_refused(invoke(*arguments), [f"{path}:{line}: {where}: {problem}"])


# --- item 8: long text --------------------------------------------------------------------------------
FIELDS = {
    # name: (YAML with {text} where the long value goes, its line, key, limit)
    "paragraph": (SECTION + '      - paragraph: "{text}"\n', 7, "paragraph", 5000),
    "summary": (HEAD + 'summary: "{text}"\nsections:\n  - heading: H\n    blocks: [paragraph: p]\n', 4, "summary",
                5000),
    "bullet": (SECTION + '      - bullets: ["{text}"]\n', 7, "bullets", 5000),
    "nested entry": (SECTION + '      - steps:\n          - text: "{text}"\n', 8, "text", 5000),
    "checklist entry": (SECTION + '      - checklist: {{title: T, items: ["{text}"]}}\n', 7, "items", 5000),
    "note": (SECTION + '      - note: "{text}"\n', 7, "note", 5000),
    "warning text": (SECTION + '      - warning: {{level: caution, text: "{text}"}}\n', 7, "text", 5000),
    "table cell": (SECTION + '      - table: {{header: [A], rows: [["{text}"]]}}\n', 7, "rows", 5000),
    "table header": (SECTION + '      - table: {{header: ["{text}"], rows: [[a]]}}\n', 7, "header", 200),
    "title": ('id: x\ntitle: "{text}"\nkind: general\nsections:\n  - heading: H\n    blocks: [paragraph: p]\n', 2,
              "title", 200),
    "heading": (HEAD + 'sections:\n  - heading: "{text}"\n    blocks: [paragraph: p]\n', 5, "heading", 200),
    "box title": (SECTION + '      - note: {{title: "{text}", text: Fine.}}\n', 7, "title", 200),
    "fill-in label": (SECTION + '      - fill_in: ["{text}"]\n', 7, "fill_in", 200),
    "signature role": (SECTION + '      - signature: ["{text}"]\n', 7, "signature", 200),
    "alt text": (SECTION + '      - image: {{src: spine.png, alt: "{text}"}}\n', 7, "alt", 1000),
    "caption": (SECTION + '      - qr: {{url: "https://example.org/a", caption: "{text}"}}\n', 7, "caption", 1000),
}
FIXES = {5000: "split it into shorter paragraphs, entries or rows", 1000: "shorten it; say the rest in a paragraph",
         200: "shorten it"}


@pytest.mark.parametrize("field", FIELDS)
def test_a_text_over_its_limit_is_refused_at_its_line_and_one_at_it_is_not(field, write, tmp_path):
    source, line, key, limit = FIELDS[field]
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "spine.png").write_bytes(SPINE.read_bytes())
    handout = write("handout.yaml", source.format(text=text_of(limit)))
    content.load_handout(handout)

    handout = write("handout.yaml", source.format(text=text_of(limit + 1)))
    out = tmp_path / "out"
    assert_refused(invoke("build", handout, "-o", out),
                   [f"{handout}:{line}: {key}: expected text of at most {limit:,} characters, "
                    f"found {limit + 1:,} characters; {FIXES[limit]}"], out=out)


def test_clinic_details_and_jargon_have_the_short_limit(write):
    handout = write("handout.yaml", SECTION + "      - paragraph: The bones of the spine.\n")
    clinic = write("clinic.yaml", f'name: "{text_of(201)}"\nphone: (555) 010-4400\n')
    jargon = write("jargon.yaml", f'en:\n  vertebrae: "{text_of(201)}"\n')
    result = invoke("check", handout, "--clinic", clinic, "--jargon", jargon)
    assert_refused(result, [f"{clinic}:1: name: expected text of at most 200 characters, found 201 characters; "
                            "shorten it"])
    result = invoke("check", handout, "--clinic", write("clinic.yaml", "name: Test Clinic\n"), "--jargon", jargon)
    assert_refused(result, [f"{jargon}:2: vertebrae: expected text of at most 200 characters, found 201 characters; "
                            "shorten it"])


@pytest.mark.parametrize("name", ["patient.name", "procedure.surgeon", "procedure.levels", "followup.with"])
def test_a_set_value_over_200_characters_is_refused_without_showing_it(name, write, tmp_path):
    handout = write("handout.yaml", SECTION + "      - paragraph: Fine.\n")
    out = tmp_path / "out"
    value = text_of(201)
    result = invoke("build", handout, "-o", out, "--set", "patient.mrn=A-1", "--set", f"{name}={value}")
    assert result.exit_code == 1
    assert result.stderr == (f"--set {name}: expected a value of at most 200 characters, found 201 characters; "
                             "shorten it\n")
    assert "abcd" not in result.output
    assert not out.exists()
    # A name has the manifest's own limit, 100 characters; the other texts may use all 200.
    longest = 100 if name == "patient.name" else 200
    assert invoke("build", handout, "-o", out, "--set", "patient.mrn=A-1",
                  "--set", f"{name}={text_of(longest)}").exit_code == 0


def test_a_set_name_is_held_to_the_manifest_s_limit_without_showing_it(write, tmp_path):
    handout = write("handout.yaml", SECTION + "      - paragraph: Fine.\n")
    out = tmp_path / "out"
    result = invoke("build", handout, "-o", out, "--set", "patient.mrn=A-1", "--set", f"patient.name={text_of(101)}")
    assert result.exit_code == 1
    assert result.stderr == "--set patient.name: expected a name of at most 100 characters, found 101\n"
    assert not out.exists()


def test_a_file_over_a_million_bytes_is_refused_before_it_is_read(write, tmp_path):
    handout = write("handout.yaml", SECTION + "      - paragraph: Fine.\n# " + "x" * 1_000_000 + "\n")
    size = handout.stat().st_size
    assert_refused(invoke("check", handout), [f"{handout}:1: expected a file of at most 1,000,000 bytes, found "
                                              f"{size:,} bytes; check that it is the right file; split a very long "
                                              "handout into several"])


def test_a_line_too_long_to_hold_any_valid_text_is_refused_before_the_yaml_is_parsed(write):
    handout = write("handout.yaml", SECTION.replace("heading: H", "heading: " + "word " * 180_000))
    assert_refused(invoke("check", handout), [f"{handout}:5: expected lines of at most 32,000 bytes (a text holds "
                                              "at most 5,000 characters), found a line of 900,013 bytes; split the "
                                              "text into shorter paragraphs, entries or rows"])


def test_fitting_a_long_title_measures_only_a_few_prefixes(monkeypatch):
    measured = []

    def width(text: str, size: float, bold: bool = False) -> float:
        measured.append(text)
        return len(text) * size * 0.5

    monkeypatch.setattr(furniture, "text_width", width)
    assert furniture.fit("word " * 20_000, 300, 10) == "word " * 11 + "word…"
    assert len(measured) < 40
    assert max(len(text) for text in measured[1:]) <= 2 * 61


# --- item 11: one file named twice, and paths that are not files ---------------------------------------
def test_one_file_named_twice_is_one_handout(write, tmp_path, monkeypatch):
    handout = write("handout.yaml", SECTION + "      - paragraph: Fine.\n")
    (tmp_path / "link.yaml").symlink_to(handout)
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "content/handout.yaml", handout, "link.yaml", "content")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("1 handout OK")
    assert "a second one" not in result.output


@contextmanager
def fifo(path: Path, text: str):
    """A named pipe at PATH with a writer waiting to send TEXT: code that reads the pipe gets TEXT
    (and succeeds) instead of hanging; code that refuses it leaves the writer to be let go here."""
    os.mkfifo(path)

    def send() -> None:
        try:
            with open(path, "w", encoding="utf-8") as pipe:
                pipe.write(text)
        except OSError:
            pass                  # the reader looked and closed the pipe

    writer = threading.Thread(target=send, daemon=True)
    writer.start()
    try:
        yield path
    finally:
        reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)   # lets a writer still waiting finish
        writer.join(10)
        os.close(reader)


def test_a_named_pipe_as_a_handout_or_clinic_profile_is_refused(write, tmp_path):
    handout = write("handout.yaml", SECTION + "      - paragraph: Fine.\n")
    refused = "expected a regular file, found a named pipe (FIFO); name a file saved on disk"
    with fifo(tmp_path / "pipe.yaml", SECTION + "      - paragraph: Fine.\n") as pipe:
        assert_refused(invoke("check", pipe), [f"{pipe}:1: {refused}"])
    with fifo(tmp_path / "clinic.yaml", "name: Test Clinic\n") as pipe:
        assert_refused(invoke("build", handout, "--clinic", pipe, "-o", tmp_path / "out"), [f"{pipe}:1: {refused}"],
                       out=tmp_path / "out")


def test_a_named_pipe_as_a_picture_is_refused(write, tmp_path):
    handout = write("handout.yaml", SECTION + "      - image: {src: pipe.png, alt: A pipe}\n")
    with fifo(handout.parent / "pipe.png", "not a picture"):
        assert_refused(invoke("check", handout), [f"{handout}:7: expected an image file at "
                                                  f"{handout.parent / 'pipe.png'}, "
                                                  "found a named pipe (FIFO)"])


def test_a_named_pipe_as_a_manifest_is_refused(tmp_path):
    with fifo(tmp_path / "patients.csv", "mrn,name,handouts\n") as pipe:
        result = invoke("batch", pipe, "-o", tmp_path / "out", "--content", REPO / "content")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == \
        "Error: Invalid value for 'MANIFEST': expected a regular file, found a named pipe (FIFO)"
    assert not (tmp_path / "out").exists()


def _small_memory() -> None:
    # Reading /dev/zero to its end would take all the memory there is: stop at a gigabyte instead.
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_as_a_handout_is_refused(tmp_path):
    result = subprocess.run([sys.executable, "-m", "handouts", "check", "/dev/zero"], cwd=REPO, capture_output=True,
                            text=True, preexec_fn=_small_memory, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["/dev/zero:1: expected a regular file, found a device; name a file saved on "
                                          "disk",
                                          "1 problem in 1 file; no PDF written"]
