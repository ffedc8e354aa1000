"""The staff page in Debian's Chromium: a packet by mouse and by keyboard alone, axe-core on every page, the CSP."""
from __future__ import annotations

import re
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from webkit import BOTH, PASSWORD, PATIENT, REPO, USER, make_app, served

# Debian's own Chromium, never a Playwright download (the test machines are offline); these flags keep it
# from calling out to Google's services while the tests run.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
HANDOUTS = BOTH.split(";")
# Field labels as a nurse sees them, in the page's order, with PATIENT's keys.
LABELS = [("name", "Patient name"), ("mrn", "MRN"), ("dob", "Date of birth"), ("procedure_date", "Procedure date"),
          ("surgeon", "Surgeon"), ("levels", "Levels treated"), ("followup_date", "Follow-up date"),
          ("followup_with", "Follow-up with")]
# PATIENT's follow-up date (2026-12-17) as the care-after handout prints it, read from its PDF with pypdf.
FOLLOW_UP_IN_WORDS = "Thursday, December 17, 2026"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
# The focused element: its id, and its outline (how this site shows where the focus is).
FOCUSED = """() => { const e = document.activeElement;
  return {id: e.id, tag: e.tagName, text: (e.textContent || "").trim().slice(0, 40),
          outline: getComputedStyle(e).outlineStyle}; }"""
# The first preview image decoded: the CSP's img-src lets the previews show, not only be in the page.
IMAGE_SHOWN = "() => { const i = document.querySelector('#preview img'); return i && i.complete && i.naturalWidth; }"


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        # Fail, never skip: CI installs chromium, so a missing browser is a broken machine, not an option.
        pytest.fail("chromium is not installed (apt-get install chromium); these tests do not skip")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with served(make_app(tmp_path_factory.mktemp("web-browser") / "instance")) as url:
        yield url


@pytest.fixture
def problems():
    """What the browser said went wrong: CSP refusals in its console and uncaught script errors."""
    return []


@pytest.fixture
def page(browser, problems, request):
    """A page in a fresh context (no cookies) at the width parametrized, 1280 px unless told."""
    context = browser.new_context(viewport={"width": getattr(request, "param", 1280), "height": 900},
                                  accept_downloads=True)
    opened = context.new_page()
    # Only CSP messages: a 401 or 422 answer is also logged as a console error, and is the page working.
    opened.on("console", lambda message: problems.append(message.text)
              if re.search(r"content.security.policy", message.text, re.IGNORECASE) else None)
    opened.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    yield opened
    context.close()


def sign_in(page, password=PASSWORD):
    page.get_by_label("User name").fill(USER)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def fill_packet(page):
    for handout_id in HANDOUTS:
        # A checkbox's name holds its handout's id (in the small print under the title).
        page.get_by_role("checkbox", name=re.compile(re.escape(handout_id))).check()
    for key, label in LABELS:
        page.get_by_label(label, exact=True).fill(PATIENT[key])


def preview_alts(page) -> list[str]:
    """The preview's page images, once shown: their alt texts, in order."""
    page.locator("#preview img").first.wait_for()
    page.wait_for_function(IMAGE_SHOWN)
    return page.locator("#preview img").evaluate_all("images => images.map(image => image.alt)")


def check_packet(download, alts: list[str]) -> None:
    """The downloaded packet: named by MRN alone, as many pages as previewed, the patient printed in it."""
    name = download.suggested_filename
    assert name == f"{PATIENT['mrn']}.pdf"
    for part in re.findall(r"\w+", PATIENT["name"]):
        assert part.lower() not in name.lower(), f"{name!r} gives away part of the patient's name"
    reader = PdfReader(download.path())
    count = len(reader.pages)
    assert count > 1 and alts == [f"Page {n} of {count}" for n in range(1, count + 1)]
    text = "\n".join(pdf_page.extract_text() for pdf_page in reader.pages)
    for wanted in (PATIENT["name"], PATIENT["mrn"], FOLLOW_UP_IN_WORDS):
        assert wanted in text, f"{wanted!r} is not in the PDF"


def test_preview_and_download_with_the_mouse(page, base_url, problems):
    page.goto(f"{base_url}/signin")
    sign_in(page)
    page.wait_for_url(f"{base_url}/")
    fill_packet(page)
    page.get_by_role("button", name="Preview").click()
    alts = preview_alts(page)
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download PDF").click()
    check_packet(downloading.value, alts)
    assert problems == []


# --- the keyboard alone ---------------------------------------------------------------------------------
def tab_to(page, element_id: str, limit: int = 60) -> None:
    """Press Tab until ELEMENT_ID has the focus; every stop on the way must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["outline"] != "none", f"no visible focus on {focused}"
        if focused["id"] == element_id:
            return
    raise AssertionError(f"{limit} presses of Tab never reached #{element_id}")


def keyed(value: str) -> str:
    """VALUE as typed: a date input in Chromium takes digits for its mm, dd and yyyy parts in turn."""
    found = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", value)
    return found.group(2) + found.group(3) + found.group(1) if found else value


def test_preview_and_download_with_the_keyboard_alone(page, base_url, problems):
    page.goto(f"{base_url}/signin")
    tab_to(page, "username")
    page.keyboard.type(USER)
    tab_to(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/")
    for handout_id in HANDOUTS:
        tab_to(page, f"pick-{handout_id}")
        page.keyboard.press("Space")
    for key, _ in LABELS:
        tab_to(page, f"f-{key}")
        page.keyboard.type(keyed(PATIENT[key]))
    assert [page.input_value(f"#f-{key}") for key, _ in LABELS] == [PATIENT[key] for key, _ in LABELS]
    tab_to(page, "preview-button")
    page.keyboard.press("Enter")
    alts = preview_alts(page)
    # htmx swaps the whole form: the focus must come back to the button pressed, not fall to the page's top.
    focused = page.evaluate(FOCUSED)
    assert focused["id"] == "preview-button" and focused["outline"] != "none", focused
    tab_to(page, "download-button")
    with page.expect_download() as downloading:
        page.keyboard.press("Enter")
    check_packet(downloading.value, alts)
    assert problems == []


# --- every page: axe-core, the CSP -----------------------------------------------------------------------
def every_page(page, base_url):
    """Walk PAGE through each page of the site and each state it can show, yielding a name at each."""
    page.goto(f"{base_url}/signin")
    yield "sign-in"
    # A wrong password for USER is undone by the right one next, so the lockout never builds up.
    sign_in(page, password="not the password")
    page.locator("#signin-error").wait_for()
    yield "sign-in with a wrong password"
    sign_in(page)
    page.wait_for_url(f"{base_url}/")
    yield "packet, empty"
    page.get_by_role("button", name="Preview").click()
    page.locator("#error-summary").wait_for()
    yield "packet with field errors"
    fill_packet(page)
    page.get_by_role("button", name="Preview").click()
    preview_alts(page)
    yield "packet with a preview"
    page.get_by_role("link", name="Batch").click()
    page.wait_for_url(f"{base_url}/batch")
    yield "batch"
    page.get_by_label("Manifest file").set_input_files(REPO / "examples" / "patients.csv")
    page.get_by_role("button", name="Make packets").click()
    # Its rows that fail on purpose must show as a report, not stop the batch.
    page.get_by_role("heading", name=re.compile("^Report for patients.csv")).wait_for()
    assert page.locator("tr.failed").count() > 0
    yield "batch with a report"


def violations_of(page) -> list[str]:
    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [f"{violation['id']}: {violation['help']} at {[node['target'] for node in violation['nodes']]}"
            for violation in found]


@pytest.mark.parametrize("page", [1280, 400], indirect=True, ids=["desktop", "narrow"])
def test_every_page_passes_axe(page, base_url, problems):
    seen = []
    for state in every_page(page, base_url):
        seen.append(state)
        found = violations_of(page)
        assert not found, f"{state}: " + "\n".join(found)
        # WCAG 1.4.10 (reflow), which axe cannot see: nothing wider than the window, so no sideways scrolling.
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{state}: the page is {width[0]} px wide in a {width[1]} px window"
    assert len(seen) == 7
    assert problems == []


def test_the_csp_holds_on_every_page(page, base_url, problems):
    response = page.goto(f"{base_url}/signin")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    states = list(every_page(page, base_url))
    assert len(states) == 7 and problems == [], problems
    # The policy is enforced, and a refusal would be caught above: a script put in the page is refused.
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        ran = page.evaluate("""() => { const s = document.createElement("script");
            s.textContent = "window.inlineRan = true"; document.head.append(s); return window.inlineRan === true; }""")
    assert ran is False
    assert any("Content Security Policy" in problem for problem in problems)


# --- what scripts must stop or say ------------------------------------------------------------------
ANNOUNCED = "() => document.getElementById('announce').textContent"


def test_a_date_typed_in_part_stops_the_preview_and_says_so(page, base_url, problems):
    page.goto(f"{base_url}/signin")
    sign_in(page)
    page.wait_for_url(f"{base_url}/")
    fill_packet(page)
    page.locator("#f-followup_date").fill("")
    page.locator("#f-followup_date").press_sequentially("1217")       # month and day, no year yet
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.get_by_role("button", name="Preview").click()
    note = page.locator("#p-f-followup_date")
    note.wait_for()
    assert note.text_content() == "Problem: expected a whole date (month, day and year), found part of one"
    assert page.evaluate(FOCUSED)["id"] == "f-followup_date" and posts == []
    assert "p-f-followup_date" in page.locator("#f-followup_date").get_attribute("aria-describedby")
    page.get_by_role("button", name="Download PDF").click()
    page.wait_for_timeout(300)
    assert posts == []                         # Download stops too: no packet with a blank follow-up line
    page.locator("#f-followup_date").fill(PATIENT["followup_date"])
    page.get_by_role("button", name="Preview").click()
    preview_alts(page)
    page.wait_for_function(ANNOUNCED)          # the page count is read out, from a region already there
    assert re.fullmatch(r"\d+ pages, as they will print\.", page.evaluate(ANNOUNCED))
    assert problems == []


def test_enter_in_the_search_box_filters_and_sends_nothing(page, base_url):
    page.goto(f"{base_url}/signin")
    sign_in(page)
    page.wait_for_url(f"{base_url}/")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.get_by_label("Search by title or id").fill("care")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert posts == [] and page.get_by_label("Search by title or id").input_value() == "care"
    assert page.locator("#shown-count").text_content() == "1 handout"
    assert page.locator("#pick-list li:not([hidden])").count() == 1
