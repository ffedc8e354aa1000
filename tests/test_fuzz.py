"""Mutated content files and manifests, fed to check, build and batch: never a traceback, only exit
status 0, 1 or 2, no PDF after a failure, every problem on one `PATH:LINE: ` line, and no patient's name
in any output."""
from __future__ import annotations

import csv
import random
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import main

REPO = Path(__file__).resolve().parent.parent
SEED = 20261130
CONTENT_CASES = 300            # about half a minute each on the project's 2-core machine
MANIFEST_CASES = 200
# Summary and report lines a command may print besides `PATH:LINE: ...` problems and warnings.
SUMMARIES = re.compile(r"^(\d+ problems? in \d+ files?; no PDF written|\d+ handouts? OK.*"
                       r"|\d+ packets? written, .*|Report: .*|Print file: .*|Error: .*|Usage: .*|Try .*"
                       r"|Stopped: .*)$")
NAMES = ["Zorbalina Quuxington", "Ximena Zalduendo", "Wolfgang Yzerbeek", "Trần Văn Đức"]
# Characters that YAML, CSV and the text model treat specially, and some that no one should type.
SPICE = ['"', "'", ":", "-", "#", "&a", "*a", "{", "}", "[", "]", "|", ">", "!", "%", "@", "`", ",", ";", "\t",
         "\r", "\n", "\x00", "\x07", "\u200b", "\u202e", "é", "ß", "\ufeff", "{{", "}}", "{{ patient.name }}",
         "**", "*", "  ", "\\", "~", "0", "-1", "1e9", "null", "yes", "2026-02-30", "12/4/2026", "x" * 300]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """DATA with one to four random edits: a byte, a spice string, a line dropped, doubled or swapped, a
    cut, a separator dropped or changed."""
    for _ in range(rng.randint(1, 4)):
        lines = data.split(b"\n")
        kind = rng.randrange(9)
        separators = [index for index, byte in enumerate(data) if byte in b",;\t:"]
        if kind >= 7 and separators:
            at = rng.choice(separators)
            data = data[:at] + (b"" if kind == 7 else rng.choice([b",", b";", b"\t", b" "])) + data[at + 1:]
            continue
        at = rng.randrange(len(data) + 1)
        if kind == 0:
            data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]
        elif kind == 1:
            data = data[:at] + rng.choice(SPICE).encode("utf-8") + data[at:]
        elif kind == 2 and len(lines) > 1:
            del lines[rng.randrange(len(lines))]
            data = b"\n".join(lines)
        elif kind == 3:
            line = rng.randrange(len(lines))
            lines.insert(line, lines[line])
            data = b"\n".join(lines)
        elif kind == 4 and len(lines) > 2:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif kind == 5:
            data = data[:at]
        else:
            data = data[:at] + data[at + rng.randint(1, 20):]
    return data


def assert_well_behaved(result, files_before: set[Path], out: Path, secrets: list[str] = ()) -> None:
    """The promises every command keeps whatever its input."""
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"traceback: {result.exception!r}"
    assert result.exit_code in (0, 1, 2), result.exit_code
    pdfs = {path for path in out.rglob("*.pdf")} if out.exists() else set()
    if result.exit_code == 1 and files_before is not None:
        assert pdfs <= files_before, "a PDF was written by a run that failed"
    assert not [path for path in out.rglob(".*.part")] if out.exists() else True
    for line in result.stderr.splitlines():
        assert re.match(r"^[^\n]+:[1-9]\d*: ", line) or SUMMARIES.match(line) \
            or re.match(r"^[^\n]+: (warning: )?[a-z]", line), f"not a PATH:LINE: line: {line!r}"
    shown = result.stdout + result.stderr + "".join(
        path.read_text(encoding="utf-8", errors="replace") for path in out.rglob("*.csv")) + \
        " ".join(str(path) for path in out.rglob("*"))
    for secret in secrets:
        for word in secret.split():
            assert word not in shown, f"a patient's name ({word!r}) is in the output"


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("content")
    for name in ("kyphoplasty-care-after.yaml", "kyphoplasty-before.yaml", "clinic.yaml", "riverside-logo.png",
                 "jargon.yaml"):
        shutil.copy(REPO / "content" / name, folder / name)
    shutil.copy(REPO / "tests" / "data" / "all_blocks.yaml", folder / "all-blocks.yaml")
    shutil.copy(REPO / "tests" / "data" / "spine.png", folder / "spine.png")
    return folder


def test_mutated_content_files_never_crash_check_or_build(tmp_path, content):
    rng = random.Random(SEED)
    sources = [content / "kyphoplasty-care-after.yaml", content / "all-blocks.yaml"]
    outcomes = {0: 0, 1: 0, 2: 0}
    for case in range(CONTENT_CASES):
        folder = tmp_path / f"case-{case}"
        folder.mkdir()
        shutil.copy(content / "spine.png", folder / "spine.png")
        source = rng.choice(sources)
        handout = folder / "handout.yaml"
        handout.write_bytes(mutate(source.read_bytes(), rng))
        out = folder / "out"
        command = rng.choice(["check", "build"])
        extra = ["-o", str(out)] if command == "build" else []
        result = CliRunner().invoke(main, [command, str(handout), "--clinic", str(content / "clinic.yaml"), *extra])
        assert_well_behaved(result, set(), out)
        outcomes[result.exit_code] += 1
    print(f"content: {CONTENT_CASES} cases, exit status 0/1/2: {outcomes[0]}/{outcomes[1]}/{outcomes[2]}")
    # The mutator must reach both sides, or this test proves little.
    assert outcomes[0] >= 5 and outcomes[1] >= CONTENT_CASES // 3, outcomes


def _manifest_rows(rng: random.Random) -> tuple[list[list[str]], list[str]]:
    rows, names = [], []
    for number in range(rng.randint(1, 4)):
        name = rng.choice(NAMES)
        names.append(name)
        rows.append([f"F-{number}", name, "1948-03-14", rng.choice(["en", "es", ""]),
                     rng.choice(["kyphoplasty-care-after", "kyphoplasty-before;kyphoplasty-care-after"]),
                     "2026-12-03", "Nurse note"])
    return rows, names


def test_mutated_manifests_never_crash_batch_or_leak_a_name(tmp_path, content):
    rng = random.Random(SEED + 1)
    outcomes = {0: 0, 1: 0, 2: 0}
    for case in range(MANIFEST_CASES):
        rows, names = _manifest_rows(rng)
        folder = tmp_path / f"case-{case}"
        folder.mkdir()
        path = folder / "patients.csv"
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file, delimiter=rng.choice([",", ",", ";", "\t"]))
            writer.writerow(["mrn", "name", "dob", "language", "handouts", "followup_date", "notes"])
            writer.writerows(rows)
        data = mutate(path.read_bytes(), rng)
        encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252"])
        path.write_bytes(data.decode("utf-8", errors="replace").encode(encoding, errors="replace"))
        out = folder / "packets"
        result = CliRunner().invoke(main, ["batch", str(path), "-o", str(out), "--content", str(content),
                                           "--clinic", str(content / "clinic.yaml"), "--jobs", "1"])
        assert_well_behaved(result, None, out, names)
        outcomes[result.exit_code] += 1
    assert outcomes[0] >= 5 and outcomes[1] >= 5, outcomes
    print(f"manifests: {MANIFEST_CASES} cases, exit status 0/1/2: {outcomes[0]}/{outcomes[1]}/{outcomes[2]}")
