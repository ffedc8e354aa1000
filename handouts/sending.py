"""Sending: a manifest and email options in; each row's packet built, its message queued in the outbox and sent, a summary out."""
from __future__ import annotations

import dataclasses
import hashlib
import re
import time
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path
from typing import Callable

from .batch import FAILED, BatchOptions, BatchSummary, RowResult, report_name, run_batch
from .catalogue import Catalogue, load_catalogue
from .delivery.outputs import refuse_batch_clashes
from .content.addresses import address_problem
from .errors import ContentError, DeliveryError, MailSettingError, NotSent, PathWarning, SmtpError, Told, Worded
from .delivery.message import compose, letter_for, message_id, password, sender_address
from .delivery.smtp import Mailer, SmtpMailer, SmtpSettings
from .model import plain
from .delivery.outbox import SENT_LOG, Outbox

MEGABYTE = 1_000_000
_STOP_POLL_SECONDS = 0.1      # a signal handler does not cut a sleep short: the wait between rounds asks this often


@dataclass(frozen=True)
class EmailOptions:
    sender: str                           # "a@b.org" or "Clinic <a@b.org>"
    outbox: Path = Path("out/outbox")
    reply_to: str | None = None
    subject: str | None = None            # None: one in each patient's language
    encrypt: bool = False
    dry_run: bool = False
    max_size_mb: float = 10.0
    attempts: int = 3
    retry_wait: float = 5.0               # seconds before the second attempt, doubled before each later one


@dataclass
class EmailSummary:
    outbox: Path
    dry_run: bool
    batch: BatchSummary | None = None
    queued: int = 0                       # messages written to the outbox by this run
    sent: int = 0
    already_sent: int = 0                 # by an earlier run: the same packet to the same address
    skipped: int = 0                      # rows without an address
    row_errors: int = 0                   # no packet, or a row that cannot be sent (address, size, password)
    temporary: int = 0                    # still in the outbox after every attempt
    permanent: int = 0                    # in failed/, refused by the server in this run or an earlier one
    seconds: float = 0.0                  # sending only; the packets' time is in batch
    stopped: bool = False                 # asked to stop before the last row or message: the rest waits

    @property
    def sent_log(self) -> Path:
        return self.outbox / SENT_LOG

    @property
    def not_sent(self) -> int:
        """Messages a row asked for that have not reached the server (a dry run sends none by design)."""
        return self.row_errors + self.temporary + self.permanent

    @property
    def messages_per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        """What the run did, as its closing lines: the packets, the messages, the outbox."""
        made = self.batch
        lines = [f"Packets: {made.written} written, {made.unchanged} unchanged, {made.failed} failed "
                 f"in {made.seconds:.1f} s"] if made is not None else []
        if self.dry_run:
            lines.append(f"Dry run: {self.queued} messages written to {self.outbox}, none sent; "
                         f"{self.already_sent} already sent, {self.skipped} skipped, {self.row_errors} row errors, "
                         f"{self.permanent} permanent failures")
        else:
            lines.append(f"Email: {self.sent} sent, {self.already_sent} already sent, {self.skipped} skipped, "
                         f"{self.temporary} temporary failures, {self.permanent} permanent failures, "
                         f"{self.row_errors} row errors; {self.sent} messages in {self.seconds:.1f} s "
                         f"({self.messages_per_second:.1f} messages per second)")
        return lines + [f"Outbox: {self.outbox}"]


@dataclass(frozen=True)
class _Queued:
    line: int
    mrn: str
    name: str
    key: str
    address: str
    message_id: str


Report = Callable[[str], None]
# A problem as the library tells it: a batch row's line, or a Told its caller words (str() is neutral).
Problem = Callable[[str | Told], None]
Stop = Callable[[], bool]


def send_packets(manifest_path: Path, batch_options: BatchOptions, options: EmailOptions, smtp: SmtpSettings,
                 on_problem: Problem | None = None, on_note: Report | None = None,
                 mailer: Mailer | None = None, stop: Stop | None = None) -> EmailSummary:
    """Make or reuse each row's packet, queue one message per row with an address, and send what is queued.

    ON_PROBLEM hears every problem (a row that cannot be sent, a message not sent) and ON_NOTE every row
    skipped, as they are found: every row is checked, and its problems told, before the first connection.
    Once STOP, asked before each row and each message, says yes: the packet or message in progress is
    finished (a message sent is logged), nothing more is queued or sent, and the summary says stopped."""
    problem = on_problem or (lambda text: None)
    note = on_note or (lambda text: None)
    stop = stop or (lambda: False)
    catalogue = load_catalogue(batch_options)
    report = batch_options.out_dir / report_name(batch_options.shard)
    refuse_batch_clashes(manifest_path, catalogue, batch_options, report)       # before the outbox is made
    sender, reply_to = _check_options(options, smtp, catalogue)
    mailer = mailer or SmtpMailer(smtp)          # a bad CA file is found now, before any packet is made
    summary = EmailSummary(options.outbox, options.dry_run)
    with Outbox(options.outbox) as outbox:
        results: list[RowResult] = []

        def on_row(result: RowResult) -> None:
            for message in result.warnings + result.errors:
                problem(message)
            results.append(result)

        summary.batch = run_batch(manifest_path, batch_options, on_row, problem, catalogue, stop)
        letters = _Letters(manifest_path, batch_options.out_dir, catalogue, options, sender, reply_to, outbox)
        queue = []
        for result in results:
            if stop():
                break
            if (queued := letters.queue(result, summary, problem, note)) is not None:
                queue.append(queued)
        summary.queued = len(queue)
        if stop():
            # Rows not reached have no message yet, so the outbox cannot be judged against them; and a
            # stop asked for before the first message is sent means none is.
            summary.stopped = True
            return summary
        names = {queued.name for queued in queue}
        for name in outbox.queued():
            if name not in names:
                problem(PathWarning(outbox.queued_path(name), "no row of this run has this packet and address "
                                    "(one of them changed, or it is from another manifest); it is not sent",
                                    "delete it if it is no longer wanted"))
        if queue and not options.dry_run:
            _deliver(queue, outbox, mailer, sender.addr_spec, manifest_path, options, summary, problem, stop)
    return summary


def _check_options(options: EmailOptions, smtp: SmtpSettings, catalogue: Catalogue) -> tuple[Address, Address]:
    """The sender and Reply-To addresses, named after the clinic, once every option is known to work."""
    clinic_name = str(catalogue.clinic.name) if catalogue.clinic.name else None
    sender = sender_address(options.sender, clinic_name)
    if sender is None:
        raise MailSettingError("from", "an address such as handouts@clinic.example.org, or "
                               "'Clinic name <handouts@clinic.example.org>'", f"'{options.sender}'")
    reply_to = None
    if options.reply_to:
        reply_to = sender_address(options.reply_to, clinic_name)
        if reply_to is None:
            raise MailSettingError("reply_to", "an address such as desk@clinic.example.org",
                                   f"'{options.reply_to}'")
    if options.subject is not None and ("\n" in options.subject or "\r" in options.subject):
        raise MailSettingError("subject", "one line of text", "a line break")
    if smtp.user is not None and not smtp.password:
        raise MailSettingError("smtp_user", Worded("the password{where_password}"), "none", Worded("{keep_password}"))
    return sender, reply_to or sender


class _Letters:
    """Each row checked, its message written to the outbox, unless it was sent or refused before."""

    def __init__(self, manifest_path: Path, packets: Path, catalogue: Catalogue, options: EmailOptions,
                 sender: Address, reply_to: Address, outbox: Outbox):
        self.manifest_path = manifest_path
        self.packets = packets
        self.catalogue = catalogue
        self.options = options
        self.sender = sender
        self.reply_to = reply_to
        self.outbox = outbox

    def queue(self, result: RowResult, summary: EmailSummary, problem: Problem, note: Report) -> _Queued | None:
        request = result.request
        if result.status == FAILED or request is None:
            summary.row_errors += 1          # batch has told its problems already
            return None
        if not request.email:
            summary.skipped += 1
            note(f"row {result.line}  {result.mrn}  skipped: no email address")
            return None
        packet = self.packets / result.file
        secret = password(request.patient) if self.options.encrypt else None
        problems = self._problems(result, request.email, packet.stat().st_size, secret)
        if problems:
            summary.row_errors += 1
            for message in problems:
                problem(message)
            return None
        pdf = packet.read_bytes()
        key = message_key(pdf, request.email)
        name = f"{result.mrn}-{key[:12]}.eml"
        if self.outbox.was_sent(key):
            self.outbox.settle(name)
            summary.already_sent += 1
            return None
        reply = self.outbox.failed_reply(name)
        if reply is not None:
            summary.permanent += 1
            problem(NotSent(self.manifest_path, result.line, result.mrn, redacted(reply, request.email),
                            self.outbox.failed_path(name), temporary=False))
            return None
        queued = _Queued(result.line, result.mrn, name, key, request.email, message_id(key, self.sender))
        letter = letter_for(request, pdf, self._titles(request.handouts, request.language), self.sender,
                            self.reply_to, self.options.subject, queued.message_id, secret)
        self.outbox.put(name, compose(letter, self.catalogue.clinic).as_bytes())
        return queued

    def _problems(self, result: RowResult, address: str, size: int, secret: str | None) -> list[ContentError]:
        where = (self.manifest_path, result.line)
        problems = []
        found = address_problem(address)
        if found:
            problems.append(ContentError(*where, key="email", expected="one address such as name@example.org",
                                         found=found, fix="correct it in the manifest"))
        if self.options.encrypt and secret is None:
            problems.append(ContentError(*where, key="dob", found="an empty cell",
                                         expected=Worded("a date of birth: with {encrypt} it is the packet's password"),
                                         fix="fill it in, or give this patient the packet another way; "
                                             "it is never sent unencrypted"))
        limit = self.options.max_size_mb * MEGABYTE
        if size > limit:
            problems.append(ContentError(*where, key="handouts",
                                         expected=f"a packet of at most {size_text(limit)} to attach",
                                         found=size_text(size),
                                         fix=Worded("send fewer handouts in one message, or raise {max_size} "
                                                    "if the mail server takes larger messages")))
        return problems

    def _titles(self, handout_ids: tuple[str, ...], language: str) -> tuple[str, ...]:
        values = self.catalogue.clinic.values()
        return tuple(plain(self.catalogue.pick(handout_id, language).title, values, "")
                     for handout_id in handout_ids)


def message_key(pdf: bytes, address: str) -> str:
    """This packet to this address: the same bytes to the same address are never sent twice."""
    packet = hashlib.sha256(pdf).hexdigest()
    return hashlib.sha256(f"{packet}\0{address.strip().lower()}".encode()).hexdigest()


def size_text(size: float) -> str:
    if size >= MEGABYTE:
        return f"{size / MEGABYTE:.1f}".removesuffix(".0") + " MB"
    return f"{size / 1000:.0f} KB"


def redacted(reply: str, address: str) -> str:
    """A server's reply as it may be shown: servers often repeat the recipient's address in it."""
    return re.sub(re.escape(address), "recipient", reply, flags=re.IGNORECASE)


def _deliver(queue: list[_Queued], outbox: Outbox, mailer: Mailer, sender: str, manifest_path: Path,
             options: EmailOptions, summary: EmailSummary, problem: Problem, stop: Stop) -> None:
    """Send the queue, in rounds: what failed for a while is tried again after a wait that doubles.
    Once STOP says yes, what this run has not tried waits in the outbox; what it tried and failed is told."""
    started = time.perf_counter()
    remaining = queue
    failures: dict[str, DeliveryError] = {}
    try:
        for attempt in range(1, max(1, options.attempts) + 1):
            if attempt > 1 and _stopped_while_waiting(options.retry_wait * 2 ** (attempt - 2), stop):
                summary.stopped = True
                break
            failures = _round(remaining, outbox, mailer, sender, manifest_path, summary, problem, stop)
            remaining = [queued for queued in remaining if queued.name in failures]
            if not remaining or summary.stopped:
                break
    except SmtpError as error:
        raise dataclasses.replace(error, waiting=len(queue) - summary.sent - summary.permanent,
                                  outbox=outbox.path) from None
    finally:
        mailer.close()
        summary.seconds = time.perf_counter() - started
    for queued in remaining:
        summary.temporary += 1
        reason = redacted(str(failures[queued.name]), queued.address)
        problem(NotSent(manifest_path, queued.line, queued.mrn, reason, outbox.queued_path(queued.name),
                        temporary=True, attempts=options.attempts))


def _stopped_while_waiting(seconds: float, stop: Stop) -> bool:
    """Wait SECONDS, unless STOP says yes first; whether it did."""
    end = time.monotonic() + seconds
    while not stop():
        left = end - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(left, _STOP_POLL_SECONDS))
    return True


def _round(queue: list[_Queued], outbox: Outbox, mailer: Mailer, sender: str, manifest_path: Path,
           summary: EmailSummary, problem: Problem, stop: Stop) -> dict[str, DeliveryError]:
    """One attempt at each message, until STOP says yes; the temporary failures, by file name."""
    failures: dict[str, DeliveryError] = {}
    try:
        for index, queued in enumerate(queue):
            if stop():
                # Between messages: the one before is sent and logged, or failed and told.
                summary.stopped = True
                break
            try:
                mailer.send(outbox.read(queued.name), sender, queued.address)
            except DeliveryError as error:
                if error.unreachable:
                    # No connection: trying each message in turn would only wait out the same timeout again.
                    failures.update((later.name, error) for later in queue[index:])
                    break
                if error.temporary:
                    failures[queued.name] = error
                    continue
                moved = outbox.mark_failed(queued.name, str(error))
                summary.permanent += 1
                problem(NotSent(manifest_path, queued.line, queued.mrn, redacted(str(error), queued.address),
                                moved, temporary=False, attempts=1))
                continue
            outbox.mark_sent(queued.name, queued.key,
                             {"row": queued.line, "mrn": queued.mrn, "message_id": queued.message_id})
            summary.sent += 1
    finally:
        mailer.close()            # a fresh connection for the next round, which may come after a long wait
    return failures
