"""Sign-in and the packet page: requests in; pages, previews, the packet PDF and the email result out, each step audited."""
from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from ..building import overdue
from ..packets import PATIENT_TEXTS
from ..emailing import EmailResult, send_packet
from ..errors import HandoutError, MailSettingError, OutboxBusy, OutboxError, SmtpError
from ..printing import Document, PrintOptions, print_documents
from .app import posted, session_of, set_session, site_of
from .forms import LABELS, LANGUAGE_NAMES, WORDS, PacketForm, handout_rows, read_packet_form, titles
from .previews import image_size
from .renderer import Made
from .users import LOCK_AFTER, could_be_a_name


def page(request: Request, template: str, status: int = 200, **context) -> Response:
    site = site_of(request)
    session = session_of(request)
    clinic = site.catalogue.clinic
    context.update(user=session.user if session else None, csrf=session.csrf if session else "",
                   clinic_name=str(clinic.name) if clinic.name else "", max_rows=site.options.max_batch_rows)
    return site.templates.TemplateResponse(request, template, context, status_code=status)


# --- signing in and out -----------------------------------------------------------------------------
async def sign_in_page(request: Request) -> Response:
    site = site_of(request)
    session = session_of(request)
    if session is not None and session.user:
        return RedirectResponse("/", 303)
    # A fresh token each time the page is shown: one kept from an earlier visit could run out as she types.
    set_session(request, site.signer.new(None, site.options.clock()))
    return page(request, "signin.html", username="", error="")


async def refused(request: Request, error: HTTPException) -> Response:
    """A refusal (403, 411, 413) as a page, or as text for htmx, which shows it in the page's alert."""
    if request.headers.get("hx-request") == "true":
        return PlainTextResponse(error.detail, error.status_code)
    return page(request, "problem.html", error.status_code, message=error.detail)


async def sign_in(request: Request) -> Response:
    site = site_of(request)
    try:
        form = await posted(request)
    except HTTPException as error:
        if error.status_code != 403:
            raise
        # A sign-in page left open too long: show it again, ready, rather than a bare refusal.
        set_session(request, site.signer.new(None, site.options.clock()))
        return page(request, "signin.html", 403, username="",
                     error="The sign-in page had been open too long. Sign in again.")
    name = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    known = could_be_a_name(name)
    # Only a name a user could have is counted (or recorded): a long or odd one would fill memory, and is
    # more often a password typed in the wrong field.
    wait = site.lockout.begin(name) if known else 0.0
    if wait:
        await site.audit.note(name, "sign-in refused", reason="locked")
        return page(request, "signin.html", 429, username=name,
                     error=f"This user is locked for a minute after {LOCK_AFTER} failed sign-ins. "
                           f"Try again in {math.ceil(wait)} seconds.")
    checked = None                          # an error on the way is no failure, but ends the attempt too
    try:
        right = known and await run_in_threadpool(site.users.check, name, password)
        checked = right
    finally:
        if known:
            site.lockout.end(name, checked)   # whatever happened: an attempt left open would count for ever
    if not right:
        await site.audit.note(name if known and site.users.key(name) else "-", "sign-in refused",
                              reason="wrong user name or password")
        return page(request, "signin.html", 401, username=name,
                     error="The user name or password is not right. Check them and try again.")
    await site.audit.note(name, "sign-in")
    # A new session and token, never the ones from before; it carries the password's key, so a new
    # password or the user's removal ends it.
    set_session(request, site.signer.new(name, site.options.clock(), site.users.key(name) or ""))
    return RedirectResponse("/", 303)


async def sign_out(request: Request) -> Response:
    site = site_of(request)
    await posted(request)
    session = session_of(request)
    await site.audit.note(session.user, "sign-out")
    site.ended.end(session, site.options.clock())       # the cookie, copied or not, no longer opens anything
    set_session(request, None)
    return RedirectResponse("/signin", 303)


# --- the packet page --------------------------------------------------------------------------------
# Pages whose images come with the packet: those Chromium asks for at once (the first eagerly, the next as
# within about 1,250 px of the window), counted on this page at 1280 by 900.
FIRST_SCREEN = 3
# A patient setting the library names, as the form field that holds it (the model's field names are the form's).
_FIELDS = {**dict(PATIENT_TEXTS), "notes": "notes"}


@dataclass
class Shown:
    """What the packet page shows below the form: page images, or the email's result."""

    images: list[str] | None = None           # each page image's address
    size: tuple[int, int] = (0, 0)            # their width and height in pixels
    email: EmailResult | None = None
    email_problem: str = ""
    printed: str = ""                         # what the printer did, in a sentence
    print_problem: str = ""


def _packet(request: Request, form: PacketForm | None = None, shown: Shown | None = None,
            status: int = 200) -> Response:
    site = site_of(request)
    catalogue = site.catalogue
    rows = handout_rows(catalogue)
    form = form or PacketForm(values={"language": "en", "paper": "letter", "large_print": "no"})
    languages = sorted({language for row in rows for language in row["languages"]})
    fragment = request.headers.get("hx-request") == "true"
    return page(request, "packet_form.html" if fragment else "packet.html", status, page="packet", form=form,
                shown=shown or Shown(), handouts=rows, titles={row["id"]: row["title"] for row in rows}, labels=LABELS,
                kinds=sorted({row["kind"] for row in rows}), languages=languages, language_names=LANGUAGE_NAMES,
                email_ready=site.email_options() is not None, printer=site.options.printer,
                two_sided=form.values.get("two_sided", "yes" if site.options.print_duplex else "no") == "yes")


async def packet_page(request: Request) -> Response:
    return _packet(request)


async def _read(request: Request, need_email: bool = False) -> PacketForm:
    form = await posted(request)
    picked = [str(value) for value in form.getlist("pick")]
    return read_packet_form({key: str(value) for key, value in form.items()}, picked, site_of(request).catalogue,
                            need_email)


async def _made(request: Request, form: PacketForm, images: int = 0) -> Made | None:
    """FORM's packet (and images of its first IMAGES pages), or None after adding what only layout found."""
    if not form.ok:
        return None
    site = site_of(request)
    if not site.options.allow_expired:
        # Judged on today's date, not the day the page started: a page left running for months must not
        # go on handing out content whose review date has passed.
        chosen = [site.catalogue.pick(handout_id, form.request.language) for handout_id in form.request.handouts]
        for late in overdue(chosen, site.today()):
            form.add_error("handouts", f"{late.path.name}: {late.detail(WORDS)}")
        if "handouts" in form.errors:
            form.request = None
            return None
    made = await site.renderer.make(form.request, form.cover, images)
    if made.problem:
        form.add_error(_FIELDS.get(made.setting, "handouts"), made.problem)
        form.request = None
        return None
    return made


@dataclass
class HeldPreview:
    """A preview's packet, and its page images as they are made: the first screen's with the packet, the
    rest all together once the browser asks for one of them (the page is open in PDFium once for them)."""

    pdf: bytes
    images: dict[int, bytes]
    rest: asyncio.Future | None = None


async def preview(request: Request) -> Response:
    site = site_of(request)
    form = await _read(request)
    made = await _made(request, form, images=FIRST_SCREEN)
    if made is None:
        return _packet(request, form, status=422)
    user = session_of(request).user
    await site.audit.note(user, "preview", form.request.patient.mrn, form.request.handouts)
    # The pages come as images the browser asks for (the first at once, the rest as they scroll near),
    # from the packet held in memory under a random key: no patient data in their addresses.
    key = site.previews.put(user, HeldPreview(made.data, dict(made.images)))
    width, height = image_size(form.request.paper)
    shown = Shown(images=[f"/preview/{key}/{number}" for number in range(1, made.pages + 1)], size=(width, height))
    return _packet(request, form, shown)


async def preview_page(request: Request) -> Response:
    site = site_of(request)
    held: HeldPreview | None = site.previews.get(session_of(request).user, request.path_params["key"])
    index = request.path_params["page"] - 1
    if held is not None and index not in held.images:
        if held.rest is None:
            # Only the event loop's thread touches HeldPreview: no lock needed between these lines.
            held.rest = asyncio.ensure_future(site.renderer.page_images(held.pdf, list(range(len(held.images), 999))))
        held.images.update(await asyncio.shield(held.rest))
    image = held.images.get(index) if held is not None else None
    if image is None:
        return Response("This preview is no longer held; press Preview again.", status_code=404)
    return Response(image, media_type="image/jpeg")


async def download(request: Request) -> Response:
    form = await _read(request)
    made = await _made(request, form)
    if made is None:
        return _packet(request, form, status=422)
    mrn = form.request.patient.mrn
    await site_of(request).audit.note(session_of(request).user, "download", mrn, form.request.handouts)
    # Named by MRN, never by name: the file lands in a Downloads folder others may see.
    return Response(made.data, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{mrn}.pdf"'})


async def email(request: Request) -> Response:
    site = site_of(request)
    form = await _read(request, need_email=True)
    options = site.email_options()
    if options is None:
        return _packet(request, form, Shown(email_problem="Email is not set up for this page: "
                                                          "ask whoever runs it to give it a mail server."), 409)
    made = await _made(request, form)
    if made is None:
        return _packet(request, form, status=422)
    ask = form.request
    user = session_of(request).user
    # One message at a time, and never a queue of waiting threads: a mail server that hangs would hold
    # every thread the page has, and with them every page.
    if not site.email_lock.acquire(blocking=False):
        return _packet(request, form, Shown(email_problem="Not sent: another message is being sent from this "
                                                          "page just now. Press Send by email again in a moment."), 503)

    def send() -> EmailResult:
        return send_packet(made.data, ask, site.catalogue.clinic, titles(site.catalogue, ask), options,
                           site.options.smtp)
    try:
        result = await _in_thread_then_free(send, site.email_lock)
    except MailSettingError as error:
        await site.audit.note(user, "email", ask.patient.mrn, ask.handouts, result="not sent: setting")
        if error.option in LABELS:
            form.add_error(error.option, error.text(WORDS).split(": ", 1)[-1])
            return _packet(request, form, status=422)
        return _packet(request, form, Shown(email_problem=f"Not sent: {error.text(WORDS)}"), 409)
    except (SmtpError, OutboxBusy, OutboxError) as error:
        await site.audit.note(user, "email", ask.patient.mrn, ask.handouts, result="not sent: " + _kind(error))
        return _packet(request, form, Shown(email_problem=f"Not sent: {error.text(WORDS)}"), 503)
    await site.audit.note(user, "email", ask.patient.mrn, ask.handouts, result=result.status)
    return _packet(request, form, Shown(email=result))


async def _in_thread_then_free(work, slot):
    """WORK() run in a worker thread, and SLOT (a lock or semaphore the caller took) released when it ends."""
    def run():
        try:
            return work()
        finally:
            slot.release()
    return await run_in_threadpool(run)


def _kind(error: Exception) -> str:
    return {SmtpError: "mail server", OutboxBusy: "outbox busy", OutboxError: "outbox"}[type(error)]


# A nurse waits at the page while the printer works: long enough for a queue of a few jobs, never for ever.
PRINT_WAIT_SECONDS = 120


async def print_packet(request: Request) -> Response:
    site = site_of(request)
    form = await _read(request)
    form.values["two_sided"] = "yes" if (await posted(request)).get("two_sided") else "no"
    if site.options.printer is None:
        return _packet(request, form, Shown(print_problem="Printing is not set up for this page: ask whoever runs "
                                                          "it to give it a printer."), 409)
    made = await _made(request, form)
    if made is None:
        return _packet(request, form, status=422)
    ask, user = form.request, session_of(request).user
    options = PrintOptions(site.options.printer, user, form.values["two_sided"] == "yes", wait=True,
                           wait_limit=PRINT_WAIT_SECONDS)
    # A few jobs at once, never a queue of waiting threads: a printer that hangs must not hold every page.
    if not site.print_slots.acquire(blocking=False):
        return _packet(request, form, Shown(print_problem="Not printed: other packets are being printed from this "
                                                          "page just now. Press Print again in a moment."), 503)
    problems: list = []

    def send():
        return print_documents([Document(f"MRN {ask.patient.mrn}", made.data)], options,
                               on_problem=problems.append, fix="see to the printer, then press Print again")
    try:
        summary = await _in_thread_then_free(send, site.print_slots)
    except HandoutError as error:
        await site.audit.note(user, "print", ask.patient.mrn, ask.handouts, result="not printed: printer")
        return _packet(request, form, Shown(print_problem=f"Not printed: {error.text(WORDS)}"), 503)
    if problems:
        await site.audit.note(user, "print", ask.patient.mrn, ask.handouts, result="not printed")
        return _packet(request, form, Shown(print_problem=problems[0].text(WORDS)), 503)
    await site.audit.note(user, "print", ask.patient.mrn, ask.handouts, result="printed")
    sides = "both sides" if options.duplex else "one side"
    done = "Printed on" if summary.printed else "Handed to"
    unknown = "" if summary.printed else " The printer keeps no record to say it has printed: check the tray."
    return _packet(request, form, Shown(printed=f"{done} {site.options.printer}: {summary.pages} pages, on "
                                                f"{sides} of the paper. Collect them from the printer.{unknown}"))
