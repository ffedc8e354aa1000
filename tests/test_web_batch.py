"""The batch page: an uploaded manifest's report in the batch's words, the packets as a ZIP and one print file, held in memory for their user."""
from __future__ import annotations

import csv
import html
import io
import re
import zipfile

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from starlette.testclient import TestClient

from handouts.cli import main
from webkit import CONTENT, REPO, Clock, csrf_of, make_app, signed_in

PATIENTS = REPO / "examples" / "patients.csv"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(tmp_path, clock):
    return make_app(tmp_path / "instance", clock, max_batch_rows=30)


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app)


def upload(client: TestClient, token: str, name: str, data: bytes, **fields):
    return client.post("/batch", data={"csrf": token, **fields}, files={"manifest": (name, data)})


def report_rows(page: str) -> list[tuple[str, str, str, str, list[str]]]:
    """(row, MRN, result, pages, problems) per row of the report table."""
    rows = []
    for body in re.findall(r'<tr class="(?:made|failed)">(.*?)</tr>', page, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        problems = [html.unescape(text) for text in re.findall(r'<span class="tag">Problem:</span> (.*?)</p>', cells[4], re.S)]
        rows.append((cells[0], html.unescape(cells[1]), cells[2], cells[3], problems))
    return rows


def test_the_report_says_what_handouts_batch_says_of_each_row(client, tmp_path):
    token = signed_in(client)
    response = upload(client, token, "patients.csv", PATIENTS.read_bytes())
    assert response.status_code == 200
    shown = report_rows(response.text)
    result = CliRunner().invoke(main, ["batch", str(PATIENTS), "-o", str(tmp_path / "out"), "--content", str(CONTENT),
                                       "--jobs", "1"])
    assert result.exit_code == 1            # the example has bad rows on purpose
    with open(tmp_path / "out" / "batch-report.csv", encoding="utf-8") as file:
        batch = list(csv.DictReader(file))
    assert [row[0] for row in shown] == [row["row"] for row in batch]
    # A row whose MRN failed its check has none to show: it is named by its row number.
    assert [row[1] for row in shown] == [row["mrn"] or '<span class="meta">none valid</span>' for row in batch]
    assert [row[2] for row in shown] == ["Made" if row["status"] == "written" else "Failed" for row in batch]
    assert [row[3] for row in shown] == [row["pages"] for row in batch]
    # The same words, each naming the uploaded file where the batch names its path.
    assert [row[4] for row in shown] == [[part.replace(str(PATIENTS), "patients.csv") for part in row["error"].split(" | ")]
                                         if row["error"] else [] for row in batch]
    made = sum(row["status"] == "written" for row in batch)
    assert f"{made} packets made, {len(batch) - made} rows failed." in response.text


def test_the_zip_holds_each_packet_named_by_mrn_and_the_print_file_all_of_them(client):
    token = signed_in(client)
    page = upload(client, token, "patients.csv", PATIENTS.read_bytes(), duplex="yes").text
    made = [(mrn, int(pages)) for _, mrn, result, pages, _ in report_rows(page) if result == "Made"]
    key = re.search(r'name="batch" value="([^"]+)"', page).group(1)
    archive = client.post("/batch/download", data={"csrf": token, "batch": key, "what": "zip"})
    assert archive.headers["content-disposition"] == 'attachment; filename="packets.zip"'
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        assert opened.namelist() == [f"{mrn}.pdf" for mrn, _ in made]
        for mrn, pages in made:
            pdf = PdfReader(io.BytesIO(opened.read(f"{mrn}.pdf")))
            assert len(pdf.pages) == pages and mrn in pdf.pages[0].extract_text()
    printed = client.post("/batch/download", data={"csrf": token, "batch": key, "what": "print"})
    assert printed.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(printed.content))
    assert len(pdf.pages) == sum(pages + pages % 2 for _, pages in made)        # two-sided: odd packets padded
    assert [item.title for item in pdf.outline] == [mrn for mrn, _ in made]


def test_a_yaml_manifest_works_as_in_handouts_batch(client):
    token = signed_in(client)
    data = "- mrn: C-1\n  name: Zoë Brontë\n  handouts: kyphoplasty-care-after\n  language: es\n".encode()
    rows = report_rows(upload(client, token, "list.yaml", data, cover="yes").text)
    assert [(row[1], row[2]) for row in rows] == [("C-1", "Made")]


def test_a_manifest_that_cannot_be_read_says_why(client):
    token = signed_in(client)
    response = upload(client, token, "list.csv", b"name,handouts\nAna,kyphoplasty-before\n")
    assert response.status_code == 422
    assert ("<li>list.csv:1: expected a header row with the columns mrn, name, handouts, found no mrn column; "
            "the first row names the columns</li>") in html.unescape(response.text)
    assert 'name="batch"' not in response.text


def test_too_many_rows_are_refused_before_any_packet_is_made(client, tmp_path):
    token = signed_in(client)
    rows = "".join(f"A-{n},Patient {n},kyphoplasty-before\n" for n in range(31))
    response = upload(client, token, "many.csv", ("mrn,name,handouts\n" + rows).encode())
    assert response.status_code == 422
    assert "many.csv:32: expected at most 30 rows, found 31; split the manifest into smaller ones" in \
        html.unescape(response.text)
    assert '"batch"' not in (tmp_path / "instance" / "audit.jsonl").read_text()


def test_no_file_chosen_is_said(client):
    token = signed_in(client)
    response = client.post("/batch", data={"csrf": token}, files={"manifest": ("", b"")})
    assert response.status_code == 422
    assert "Manifest: expected a CSV or YAML file, found none; choose the file to upload" in html.unescape(response.text)


def test_packets_are_for_their_user_and_for_15_minutes_only(client, app, clock):
    token = signed_in(client)
    page = upload(client, token, "patients.csv", PATIENTS.read_bytes()).text
    key = re.search(r'name="batch" value="([^"]+)"', page).group(1)
    other = TestClient(app)
    app.state.site.users.add("nurse2", "another long passphrase")
    other_token = csrf_of(other.get("/signin").text)
    other.post("/signin", data={"csrf": other_token, "username": "nurse2", "password": "another long passphrase"})
    other_token = csrf_of(other.get("/").text)
    refused = other.post("/batch/download", data={"csrf": other_token, "batch": key, "what": "zip"})
    assert refused.status_code == 410 and "no longer held" in refused.text
    clock.advance(14 * 60)
    assert client.post("/batch/download", data={"csrf": token, "batch": key, "what": "zip"}).status_code == 200
    clock.advance(60 + 1)
    client.get("/")                          # the session is still alive: each request restarts its clock
    gone = client.post("/batch/download", data={"csrf": token, "batch": key, "what": "zip"})
    assert gone.status_code == 410
