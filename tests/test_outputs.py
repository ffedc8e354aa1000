"""Where commands write: never over an input or another output; one line, not a traceback, when the disk says no."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from handouts.cli import main

REPO = Path(__file__).resolve().parent.parent
ROWS = ("A-1,Ana,kyphoplasty-before", "A-2,Bo,kyphoplasty-care-after")


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    """TMP_PATH as the current folder, holding content/ (a copy of the repository's) and m.csv (two rows)."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    write_manifest(tmp_path / "m.csv", *ROWS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_manifest(path: Path, *rows: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(("mrn,name,email,handouts", *(_with_email(row) for row in rows))) + "\n",
                    encoding="utf-8")
    return path


def _with_email(row: str) -> str:
    mrn, name, handouts = row.split(",")
    return f"{mrn},{name},{mrn.lower()}@example.org,{handouts}"


def invoke(*args: object):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def batch(*args: object, jobs: int = 1):
    return invoke("batch", *args, "--jobs", jobs)


def email(manifest: object, packets: object, *args: object):
    return invoke("email", manifest, "--packets", packets, "--outbox", "outbox", "--jobs", "1", "--dry-run",
                  "--smtp-host", "127.0.0.1", "--from", "handouts@example.org", *args)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def parts(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*.part"))


def assert_one_line(result, line: str) -> None:
    """Exit status 1 and LINE, the only thing on stderr: no traceback."""
    assert isinstance(result.exception, SystemExit), result.exception
    assert (result.exit_code, result.stderr) == (1, line + "\n")


# --- no output replaces an input -----------------------------------------------------------------
def _link(name: str, to: str) -> str:
    Path(name).symlink_to(to)
    return name


def _hard_link(name: str, to: str) -> str:
    os.link(to, name)
    return name


@pytest.mark.parametrize("print_file, message", [
    (lambda: "m.csv", "m.csv: cannot write the print file there: it is the manifest; choose another file"),
    (lambda: str(Path("m.csv").resolve()), "{}: cannot write the print file there: it is the manifest (m.csv); "
                                           "choose another file"),
    (lambda: _link("link.pdf", "m.csv"), "link.pdf: cannot write the print file there: it is the manifest (m.csv); "
                                         "choose another file"),
    (lambda: "content/clinic.yaml", "content/clinic.yaml: cannot write the print file there: it is the clinic "
                                    "profile; choose another file"),
    (lambda: _hard_link("hard.pdf", "content/clinic.yaml"),
     "hard.pdf: cannot write the print file there: it is the clinic profile (content/clinic.yaml); "
     "choose another file"),
    (lambda: "content/riverside-logo.png", "content/riverside-logo.png: cannot write the print file there: it is the "
                                           "clinic's logo; choose another file"),
    (lambda: "content/../content/kyphoplasty-before.yaml", "content/../content/kyphoplasty-before.yaml: cannot write "
     "the print file there: it is a handout (content/kyphoplasty-before.yaml); choose another file"),
    (lambda: "packets", "packets: cannot write the print file there: it is the packets folder; choose another file"),
    (lambda: str(Path("packets").resolve()), "{}: cannot write the print file there: it is the packets folder "
                                             "(packets); choose another file"),
], ids=["manifest", "manifest-absolute", "manifest-symlink", "clinic", "clinic-hard-link", "logo", "handout",
        "packets-folder", "packets-folder-absolute"])
def test_the_print_file_never_replaces_an_input_and_nothing_is_written(here, print_file, message):
    target = print_file()
    before = snapshot(here)
    result = batch("m.csv", "-o", "packets", "--print-file", target)
    assert_one_line(result, message.format(target))
    assert snapshot(here) == before
    assert not (here / "packets").exists()


def test_a_manifest_where_the_report_goes_is_refused_by_batch_and_email(here):
    manifest = write_manifest(here / "out" / "batch-report.csv", *ROWS)
    before = manifest.read_bytes()
    message = ("out/batch-report.csv: cannot write the report there: it is the manifest; "
               "choose another folder for the packets")
    assert_one_line(batch("out/batch-report.csv", "-o", "out"), message)
    assert_one_line(email("out/batch-report.csv", "out"), message)
    assert manifest.read_bytes() == before
    assert sorted(path.name for path in here.iterdir()) == ["content", "m.csv", "out"]     # no outbox made


def profile_named(here: Path, name: str) -> Path:
    """A copy of the clinic profile, and its logo, in out/ under NAME."""
    (here / "out").mkdir()
    shutil.copy(here / "content" / "riverside-logo.png", here / "out")
    return Path(shutil.copy(here / "content" / "clinic.yaml", here / "out" / name)).relative_to(here)


def test_batch_refuses_a_packets_folder_where_a_packet_could_replace_an_input(here):
    profile = profile_named(here, "A-1.pdf")
    before = snapshot(here)
    assert_one_line(batch("m.csv", "-o", "out", "--clinic", profile),
                    "out/A-1.pdf: cannot write a packet there: it is the clinic profile; "
                    "choose another folder for the packets")
    assert snapshot(here) == before


def test_build_refuses_to_write_a_pdf_over_an_input(here):
    profile = profile_named(here, "kyphoplasty-before.en.pdf")
    before = snapshot(here)
    assert_one_line(invoke("build", "content/kyphoplasty-before.yaml", "-o", "out", "--clinic", profile),
                    "out/kyphoplasty-before.en.pdf: cannot write the PDF there: it is the clinic profile; "
                    "choose another folder")
    assert snapshot(here) == before


# --- output that cannot be written ---------------------------------------------------------------
@pytest.fixture
def read_only_folder(here) -> Path:
    """A folder no file can be made in. As root, which writes through permissions, an immutable folder
    (chattr +i), which holds even for root; as anyone else, mode 0555."""
    folder = here / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    elif shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        undo = ["chattr", "-i", str(folder)]
    else:
        pytest.skip("running as root without chattr +i on this file system: no folder is read-only to root")
    try:
        (folder / "probe").touch()
    except OSError:
        pass
    else:
        subprocess.run(undo)
        pytest.skip("the folder stayed writable")
    yield folder
    subprocess.run(undo, check=True)


INTO = [lambda folder: batch("m.csv", "-o", folder), lambda folder: email("m.csv", folder)]


@pytest.mark.parametrize("make_packets", INTO, ids=["batch", "email"])
def test_a_read_only_packets_folder_is_one_line(read_only_folder, make_packets):
    result = make_packets(read_only_folder)
    reason = "Operation not permitted" if os.geteuid() == 0 else "Permission denied"
    assert_one_line(result, f"{read_only_folder}/batch-report.csv: cannot write the report: {reason}")
    assert list(read_only_folder.iterdir()) == []


@pytest.mark.parametrize("make_packets", INTO, ids=["batch", "email"])
def test_a_packets_folder_under_a_file_is_one_line(here, make_packets):
    (here / "afile").write_text("not a folder\n")
    result = make_packets("afile/sub")
    assert_one_line(result, "afile/sub/batch-report.csv: cannot write the report: Not a directory")


@pytest.fixture
def small_disk(here):
    """small_disk(kilobytes) -> a folder on a tmpfs of that size, unmounted after the test."""
    mounted = []

    def mount(kilobytes: int) -> Path:
        folder = here / f"disk-{len(mounted)}"
        folder.mkdir()
        try:
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(folder)],
                                  capture_output=True, text=True)
        except FileNotFoundError:
            pytest.skip("no mount command here to make a small file system with")
        if done.returncode != 0:
            pytest.skip(f"not allowed to mount a small tmpfs here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=True)


def fill(folder: Path) -> None:
    """Write to FOLDER until its file system is full."""
    handle = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(handle, bytes(4096))
    except OSError:
        pass
    finally:
        os.close(handle)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_full_disk_for_the_packets_stops_the_batch_with_one_line_and_no_temporary_file(small_disk, jobs):
    disk = small_disk(64)
    fill(disk)
    assert_one_line(batch("m.csv", "-o", disk / "packets", jobs=jobs),
                    f"{disk}/packets/A-1.pdf: cannot write the PDF: No space left on device")
    assert parts(disk) == []


def test_a_disk_that_fills_during_the_batch_keeps_the_whole_packets_made_before(here, small_disk):
    disk = small_disk(64)      # two packets fit, the third does not
    write_manifest(here / "m.csv", *ROWS, *(f"A-{n},Cy,kyphoplasty-before" for n in range(3, 7)))
    assert_one_line(batch("m.csv", "-o", disk), f"{disk}/A-3.pdf: cannot write the PDF: No space left on device")
    assert parts(disk) == []
    assert sorted(path.name for path in disk.glob("*.pdf")) == ["A-1.pdf", "A-2.pdf"]
    for packet in disk.glob("*.pdf"):
        assert len(PdfReader(packet, strict=True).pages) > 0


def test_a_full_disk_for_the_print_file_is_one_line_and_the_report_lists_the_packets(here, small_disk):
    disk = small_disk(32)      # smaller than the print file of the two packets
    result = batch("m.csv", "-o", "packets", "--print-file", disk / "print.pdf")
    assert_one_line(result, f"{disk}/print.pdf: cannot write the print file: No space left on device")
    assert list(disk.iterdir()) == []
    assert (here / "packets" / "batch-report.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "2,A-1,written,6,A-1.pdf,,", "3,A-2,written,5,A-2.pdf,,"]


# --- every output path of every command ----------------------------------------------------------
BEFORE_ES = "kyphoplasty-before.es.pdf"        # build's first PDF of content/: files in name order


def build_into(folder: object):
    return invoke("build", "content", "-o", folder, "--clinic", "content/clinic.yaml")


def print_file_at(target: object):
    return batch("m.csv", "-o", "packets", "--print-file", target)


def outbox_at(folder: object):
    return invoke("email", "m.csv", "--packets", "packets", "--outbox", folder, "--jobs", "1", "--dry-run",
                  "--smtp-host", "127.0.0.1", "--from", "handouts@example.org")


@pytest.mark.parametrize("run, message", [
    (lambda: build_into("afile/out"), f"afile/out/{BEFORE_ES}: cannot write the PDF: Not a directory"),
    (lambda: print_file_at("afile/print.pdf"), "afile/print.pdf: cannot write the print file: Not a directory"),
    (lambda: outbox_at("afile/outbox"),
     "afile/outbox: cannot write to the outbox: Not a directory; check the folder's space and permissions"),
], ids=["build", "batch-print-file", "email-outbox"])
def test_an_output_path_through_a_file_is_one_line(here, run, message):
    (here / "afile").write_text("not a folder\n")
    assert_one_line(run(), message)
    assert parts(here) == []


@pytest.mark.parametrize("run, message", [
    (lambda folder: build_into(folder), "{folder}/" + BEFORE_ES + ": cannot write the PDF: {reason}"),
    (lambda folder: print_file_at(folder / "print.pdf"), "{folder}/print.pdf: cannot write the print file: {reason}"),
    (lambda folder: outbox_at(folder / "outbox"),
     "{folder}/outbox: cannot write to the outbox: {reason}; check the folder's space and permissions"),
], ids=["build", "batch-print-file", "email-outbox"])
def test_an_output_path_in_a_read_only_folder_is_one_line(read_only_folder, run, message):
    reason = "Operation not permitted" if os.geteuid() == 0 else "Permission denied"
    assert_one_line(run(read_only_folder), message.format(folder=read_only_folder, reason=reason))
    assert list(read_only_folder.iterdir()) == []


def test_a_full_disk_for_the_pdfs_is_one_line_and_no_temporary_file(small_disk):
    disk = small_disk(64)
    fill(disk)
    assert_one_line(build_into(disk / "pdfs"), f"{disk}/pdfs/{BEFORE_ES}: cannot write the PDF: No space left on device")
    assert parts(disk) == []
