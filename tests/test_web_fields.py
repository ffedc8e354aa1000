"""The packet form's checks in the manifest's words, escaping, the instance folder, and what the logs never hold."""
from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from handouts.content.manifest import Manifest
from handouts.render.fonts import lacking
from test_web import errors_of, packet
from webkit import BOTH, PATIENT, USER, Clock, make_app, sign_in, signed_in


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path / "instance", Clock())


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app)


# Each field with a value the manifest refuses, and the words it refuses it with.
BAD = [
    ("name", "", "expected the patient's name, found an empty cell"),
    ("mrn", "", "expected the patient's MRN, found an empty cell"),
    ("mrn", "Ana Pérez", "expected an MRN of letters, digits and dashes, at most 20 characters, found 9 characters, "
                         "with a space and a letter outside A-Z; it names the packet file, so nothing else is allowed"),
    ("dob", "1890-01-01", "expected a date of birth between 1900 and today, found a date outside that range"),
    ("procedure_date", "2026-13-40", None),
    ("followup_date", "2026-12-01", "expected a follow-up on or after the procedure date, found one before it"),
    ("surgeon", "x" * 101, None),
    ("levels", "T12" * 30, None),
    ("followup_with", "د. أحمد", None),
    ("notes", "word " * 1200, None),
    ("language", "not a language", "expected a language code such as en or es, found another value"),
    ("paper", "legal", "expected paper: letter or a4, found another value"),
    ("handouts", "kyphoplasty-recovery", "expected ids of handouts in the content folder, found "
                                         "'kyphoplasty-recovery'; did you mean 'kyphoplasty-care-after'?"),
]


def manifest_says(tmp_path: Path, cells: dict[str, str]) -> dict[str, list[str]]:
    """What `handouts batch` says of a manifest row with these CELLS: each problem by its column."""
    columns = list(cells)
    path = tmp_path / "manifest.yaml"
    path.write_text("- " + "\n  ".join(f"{key}: {json.dumps(cells[key])}" for key in columns) + "\n", encoding="utf-8")
    row = next(Manifest(path, ["kyphoplasty-before", "kyphoplasty-care-after"], lacking=lacking).rows())
    said: dict[str, list[str]] = {}
    for error in row.errors:
        said.setdefault(error.key, []).append(str(error).split(f"{error.key}: ", 1)[1])
    return said


@pytest.mark.parametrize("field, value, words", BAD, ids=[f"{field}-{index}" for index, (field, _, _) in enumerate(BAD)])
def test_each_problem_shows_beside_its_field_in_the_manifests_words(client, tmp_path, field, value, words):
    token = signed_in(client)
    form = packet(token, **{field: value})
    response = client.post("/packet/preview", data=form)
    assert response.status_code == 422
    shown = errors_of(response.text)
    cells = {key: form[key] for key in PATIENT if key != "notes" or form[key]} | {"handouts": form["handouts"]}
    assert shown == manifest_says(tmp_path, cells)
    assert list(shown) == [field]
    if words is not None:
        assert shown[field] == [words]
    # The summary at the top names the field by its label and links to it.
    assert 'id="error-summary"' in response.text and 'role="alert"' in response.text


def test_no_handout_chosen_is_said_in_the_pages_words(client):
    token = signed_in(client)
    response = client.post("/packet/preview", data=packet(token, handouts=""))
    assert errors_of(response.text) == {"handouts": ["expected at least one handout, found none; "
                                                     "tick one or more in the list"]}


def test_ticked_handouts_count_when_no_order_came_with_them(client):
    token = signed_in(client)
    form = packet(token, handouts="")
    response = client.post("/packet/pdf", data={**form, "pick": ["kyphoplasty-care-after"]})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"


def test_a_bad_value_never_comes_back_unescaped(client):
    token = signed_in(client)
    hostile = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    response = client.post("/packet/preview", data=packet(token, name=hostile, surgeon=hostile, mrn="x y"))
    assert response.status_code == 422
    assert "<img src=x" not in response.text and "<script>alert" not in response.text
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in response.text


def test_the_instance_folder_and_its_files_are_private(client, tmp_path):
    token = signed_in(client)
    client.post("/packet/preview", data=packet(token))
    instance = tmp_path / "instance"
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    names = sorted(path.name for path in instance.iterdir())
    assert names == ["audit.jsonl", "session-secret", "users.json"]
    for name in names:
        assert stat.S_IMODE((instance / name).stat().st_mode) == 0o600, name
    users = (instance / "users.json").read_text()
    assert "correct horse" not in users and '"nurse1": "scrypt$32768$8$1$' in users


def test_no_patient_name_or_birth_date_in_the_access_log_or_the_audit_log(client, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="handouts.web")
    token = signed_in(client)
    assert client.post("/packet/preview", data=packet(token)).status_code == 200
    assert client.post("/packet/pdf", data=packet(token)).status_code == 200
    assert client.post("/packet/preview", data=packet(token, mrn="")).status_code == 422
    upload = "mrn,name,dob,handouts\nB-7,Zoë Brontë,1950-01-02,kyphoplasty-before\n".encode()
    assert client.post("/batch", data={"csrf": token}, files={"manifest": ("list.csv", upload)}).status_code == 200
    access = caplog.text
    audit = (tmp_path / "instance" / "audit.jsonl").read_text(encoding="utf-8")
    for private in ("Ana", "Pérez", "Zoë", "Brontë", "1948", "1950-01-02", "T12", "Dr. Lee"):
        assert private not in access and private not in audit, private
    assert "POST /packet/pdf 200" in access and f"user={USER}" in access
    entries = [json.loads(line) for line in audit.splitlines()]
    assert [entry["action"] for entry in entries] == ["sign-in", "preview", "download", "batch"]
    assert entries[1] | {"time": ""} == {"time": "", "user": USER, "action": "preview", "mrn": "A-1001",
                                         "handouts": BOTH.split(";")}
    assert entries[3]["packets"] == [{"mrn": "B-7", "handouts": ["kyphoplasty-before"]}] and entries[3]["made"] == 1
    assert entries[0]["time"] == "2027-01-15T08:00:00+00:00"       # the app's clock, not the machine's


def test_a_refused_sign_in_is_audited_without_the_password(client, tmp_path):
    sign_in(client, password="my secret guess 1")
    audit = (tmp_path / "instance" / "audit.jsonl").read_text(encoding="utf-8")
    assert "my secret guess" not in audit
    assert json.loads(audit)["action"] == "sign-in refused"


def test_an_upload_over_the_cap_is_refused_and_leaves_nothing(client, tmp_path):
    token = signed_in(client)
    big = b"mrn,name,handouts\n" + b"A-1,Ana,kyphoplasty-before\n" * 40_000
    assert len(big) > 1_000_000
    response = client.post("/batch", data={"csrf": token}, files={"manifest": ("big.csv", big)})
    assert response.status_code == 413
    assert "The upload is larger than 1 MB." in response.text
    audit = (tmp_path / "instance" / "audit.jsonl").read_text(encoding="utf-8")
    assert '"batch"' not in audit
    assert sorted(path.name for path in (tmp_path / "instance").iterdir()) == ["audit.jsonl", "session-secret",
                                                                              "users.json"]


def test_the_ticks_decide_what_is_in_and_the_kept_order_where(client):
    token = signed_in(client)
    form = packet(token, mrn="", handouts="kyphoplasty-care-after;kyphoplasty-before")
    both = client.post("/packet/preview", data={**form, "pick": ["kyphoplasty-before", "kyphoplasty-care-after"]})
    assert 'name="handouts" id="handouts-order" value="kyphoplasty-care-after;kyphoplasty-before"' in both.text
    # Unticked since the order was kept (a page without its script): it goes, whatever the order says.
    one = client.post("/packet/preview", data={**form, "pick": ["kyphoplasty-before"]})
    assert 'name="handouts" id="handouts-order" value="kyphoplasty-before"' in one.text
