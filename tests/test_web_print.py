"""The packet page's Print button against a real IPP printer on loopback (ippeveprinter): printed, refused, not set up."""
from __future__ import annotations

import html
import json
import re

from starlette.testclient import TestClient

from test_web import packet, pdf_text
from webkit import PATIENT, USER, Clock, make_app, signed_in


def result_of(page: str) -> str:
    found = re.search(r'<div id="print-result">\s*<p class="result \w+">\s*(.*?)\s*</p>', page, re.S)
    return " ".join(html.unescape(found.group(1)).split()) if found else ""


def client_for(tmp_path, printer: str | None) -> tuple[TestClient, str]:
    client = TestClient(make_app(tmp_path / "instance", Clock(), printer=printer))
    return client, signed_in(client)


def test_the_packet_prints_as_the_staff_user_with_a_neutral_job_name(tmp_path, printer):
    client, token = client_for(tmp_path, printer.uri)
    response = client.post("/packet/print", data=packet(token, two_sided="yes"))
    assert response.status_code == 200
    said = result_of(response.text)
    assert re.fullmatch(rf"Printed on {re.escape(printer.uri)}: \d+ pages, on both sides of the paper\. "
                        r"Collect them from the printer\.", said), said
    [job] = printer.jobs(1)
    downloaded = client.post("/packet/pdf", data=packet(token)).content
    assert pdf_text(job.pdf.read_bytes()) == pdf_text(downloaded)
    assert PATIENT["mrn"] in pdf_text(job.pdf.read_bytes())
    assert job.attributes["IPP_SIDES"] == "two-sided-long-edge"
    assert job.attributes["IPP_JOB_ORIGINATING_USER_NAME"] == USER
    assert job.name == "handouts packet 1 of 1"
    for part in PATIENT["name"].split():
        assert part not in json.dumps(job.attributes)
    audit = [json.loads(line) for line in (tmp_path / "instance" / "audit.jsonl").read_text().splitlines()]
    assert [(entry["action"], entry.get("result")) for entry in audit if entry["action"] == "print"] == \
        [("print", "printed")]


def test_two_sided_on_a_one_sided_printer_is_refused_before_anything_is_sent(tmp_path, simplex_printer):
    client, token = client_for(tmp_path, simplex_printer.uri)
    response = client.post("/packet/print", data=packet(token, two_sided="yes"))
    assert response.status_code == 503
    assert result_of(response.text) == (
        f"Not printed: printer {simplex_printer.uri}: the 'Both sides of the paper' tick: expected a printer that prints on "
        "both sides, found one that prints only one-sided (sides-supported); nothing was sent; print one-sided "
        "(without the 'Both sides of the paper' tick), or choose a printer that prints on both sides")
    assert simplex_printer.jobs() == []
    one_sided = client.post("/packet/print", data=packet(token))
    assert result_of(one_sided.text).startswith(f"Printed on {simplex_printer.uri}:")
    assert simplex_printer.jobs(1)[0].attributes["IPP_SIDES"] == "one-sided"


def test_a_page_without_a_printer_says_so(tmp_path):
    client, token = client_for(tmp_path, None)
    assert "Printing is not set up for this page." in client.get("/").text
    response = client.post("/packet/print", data=packet(token))
    assert response.status_code == 409
    assert result_of(response.text).startswith("Printing is not set up for this page")
