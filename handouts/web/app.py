"""The web app: serve options in; a Starlette application (routes, templates, static files, the guard) out."""
from __future__ import annotations

import hmac
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..batch import BatchOptions
from ..catalogue import Catalogue, load_catalogue
from ..delivery.smtp import SmtpSettings
from ..sending import EmailOptions
from .audit import AuditLog
from .guard import NEW_SESSION_KEY, SESSION_KEY, Guard
from .instance import Instance
from .sessions import Ended, Session, Signer
from .renderer import Renderer
from .store import Held
from .users import Lockout, Users

HERE = Path(__file__).parent
UPLOAD_LIMIT = 1_000_000      # bytes a post may carry: below the size at which a form part would spill to disk
MAX_BATCH_ROWS = 500
MAX_BATCHES = 8               # held at once, all users together: each may be hundreds of packets
MAX_PREVIEWS = 200            # held at once: a packet each, about 100 KB


@dataclass(frozen=True)
class ServeOptions:
    instance: Path = Path("instance")
    content: Path = Path("content")
    clinic: Path | None = None
    smtp: SmtpSettings | None = None              # None: the page has no email
    email: EmailOptions | None = None             # its outbox is the instance's, whatever it says
    upload_limit: int = UPLOAD_LIMIT
    max_batch_rows: int = MAX_BATCH_ROWS
    workers: int = 0                              # processes that render packets; 0: a thread of the server's
    allow_expired: bool = False
    printer: str | None = None                    # a CUPS queue or an ipp:// URI; None: the page does not print
    print_duplex: bool = False                    # the page's two-sided box starts ticked
    today: date | None = None                     # review dates are judged on this day; None: the clock's, each time
    clock: Callable[[], float] = time.time        # the tests' clock: sessions and lockouts run on it


@dataclass
class Site:
    """What every page shares: options, the instance's files, users, the loaded handouts."""

    options: ServeOptions
    instance: Instance
    users: Users
    lockout: Lockout
    signer: Signer
    audit: AuditLog
    catalogue: Catalogue
    templates: Jinja2Templates
    renderer: Renderer
    batches: Held
    previews: Held
    ended: Ended = field(default_factory=Ended)
    email_lock: threading.Lock = field(default_factory=threading.Lock)
    print_slots: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(4))

    def today(self) -> date:
        """The day review dates are judged on, asked again for each packet: a page runs for months."""
        return self.options.today or _day(self.options.clock)

    def accepts(self, session: Session) -> bool:
        """A signed-in SESSION is still good: not signed out, and its user there with the same password."""
        return session not in self.ended and self.users.key(session.user) == session.key

    def email_options(self) -> EmailOptions | None:
        if self.options.email is None or self.options.smtp is None:
            return None
        return replace(self.options.email, outbox=self.instance.outbox)


def create_app(options: ServeOptions) -> Guard:
    """The app for OPTIONS. Raises HandoutError (content that does not validate, an instance folder that
    cannot be made) before anything is served."""
    from . import batchpage, pages
    instance = Instance(options.instance)
    loading = BatchOptions(content=options.content, clinic_path=options.clinic, allow_expired=options.allow_expired,
                           today=options.today or _day(options.clock))
    catalogue = load_catalogue(loading)
    site = Site(options, instance, Users(instance.users), Lockout(options.clock), Signer(instance.secret()),
                AuditLog(instance.audit, options.clock), catalogue,
                _templates(), Renderer(catalogue, loading, options.workers),
                Held(options.clock, MAX_BATCHES), Held(options.clock, MAX_PREVIEWS))
    routes = [
        Route("/", pages.packet_page, methods=["GET"]),
        Route("/signin", pages.sign_in_page, methods=["GET"]),
        Route("/signin", pages.sign_in, methods=["POST"]),
        Route("/signout", pages.sign_out, methods=["POST"]),
        Route("/packet/preview", pages.preview, methods=["POST"]),
        Route("/preview/{key}/{page:int}", pages.preview_page, methods=["GET"]),
        Route("/packet/pdf", pages.download, methods=["POST"]),
        Route("/packet/email", pages.email, methods=["POST"]),
        Route("/packet/print", pages.print_packet, methods=["POST"]),
        Route("/batch", batchpage.batch_page, methods=["GET"]),
        Route("/batch", batchpage.run, methods=["POST"]),
        Route("/batch/download", batchpage.download, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(app):
        site.renderer.start()          # from the thread that serves: the workers end with it
        try:
            yield
        finally:
            site.renderer.close()

    inner = Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: pages.refused})
    inner.state.site = site
    return Guard(inner, site.signer, options.clock, site.accepts)


def _day(clock: Callable[[], float]) -> date:
    return datetime.fromtimestamp(clock()).date()        # the clinic's own day: the machine's time zone


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.auto_reload = False        # the package's templates do not change while it runs
    return templates


def site_of(request: Request) -> Site:
    return request.app.state.site


def session_of(request: Request) -> Session | None:
    return request.scope.get(SESSION_KEY)


def set_session(request: Request, session: Session | None) -> None:
    """Send SESSION's cookie with this response (None: end the session)."""
    request.scope[NEW_SESSION_KEY] = session
    request.scope[SESSION_KEY] = session


async def posted(request: Request) -> FormData:
    """The form of a post, once its size and its CSRF token are checked: 413 over the cap, 403 without the
    token this session was given (another site's page cannot know it)."""
    site = site_of(request)
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise HTTPException(411, "A form post must say its length.")
    if int(length) > site.options.upload_limit:
        raise HTTPException(413, f"The upload is larger than {site.options.upload_limit // 1_000_000} MB. Split the "
                                 "manifest into smaller files and upload each one.")
    form = await request.form(max_files=1, max_fields=200, max_part_size=site.options.upload_limit)
    session = session_of(request)
    token = form.get("csrf")
    if session is None or not isinstance(token, str) or not hmac.compare_digest(token.encode(), session.csrf.encode()):
        raise HTTPException(403, "This form has expired or did not come from this site. Reload the page and try again.")
    return form
