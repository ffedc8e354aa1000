"""One packet's email: a rendered packet, its request, clinic and email options in; queued, sent once, and what became of it out."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import model
from .content.addresses import address_problem
from .delivery.message import compose, letter_for, message_id, password, sender_address
from .delivery.outbox import Outbox
from .delivery.smtp import Mailer, SmtpMailer, SmtpSettings
from .errors import DeliveryError, MailSettingError
from .sending import MEGABYTE, EmailOptions, message_key, redacted, size_text

SENT, ALREADY_SENT, DEFERRED, REFUSED = "sent", "already sent", "deferred", "refused"


@dataclass(frozen=True)
class EmailResult:
    """What became of one message: STATUS is sent, already sent (the same packet to the same address
    earlier: never sent twice), deferred (it waits in the outbox) or refused (the server said no)."""

    status: str
    reason: str = ""              # the server's words, with the recipient's address taken out
    file: Path | None = None      # where the message is now

    @property
    def delivered(self) -> bool:
        return self.status in (SENT, ALREADY_SENT)


def send_packet(pdf: bytes, request: model.PacketRequest, clinic: model.Clinic, titles: tuple[str, ...],
                options: EmailOptions, smtp: SmtpSettings, mailer: Mailer | None = None) -> EmailResult:
    """Queue PDF (the packet of REQUEST, whose handouts are TITLES) in OPTIONS.outbox for REQUEST.email and
    try it once. Raises MailSettingError for an address, option or packet that cannot work, SmtpError when
    the server cannot be used at all (the message waits in the outbox), OutboxBusy while another run sends."""
    address = request.email or ""
    if found := address_problem(address):
        raise MailSettingError("email", "one address such as name@example.org", found)
    sender = sender_address(options.sender, str(clinic.name) if clinic.name else None)
    if sender is None:
        raise MailSettingError("from", "an address such as handouts@clinic.example.org", f"'{options.sender}'")
    reply_to = sender_address(options.reply_to, None) if options.reply_to else None
    secret = password(request.patient) if options.encrypt else None
    if options.encrypt and secret is None:
        raise MailSettingError("dob", "a date of birth: it is the packet's password", "none")
    if len(pdf) > options.max_size_mb * MEGABYTE:
        raise MailSettingError("handouts", f"a packet of at most {size_text(options.max_size_mb * MEGABYTE)} to attach",
                               size_text(len(pdf)), "send fewer handouts in one message")
    key = message_key(pdf, address)
    name = f"{request.patient.mrn}-{key[:12]}.eml"
    with Outbox(options.outbox) as outbox:
        if outbox.was_sent(key):
            outbox.settle(name)
            return EmailResult(ALREADY_SENT, file=outbox.sent_path(name))
        if (reply := outbox.failed_reply(name)) is not None:
            return EmailResult(REFUSED, redacted(reply, address), outbox.failed_path(name))
        letter = letter_for(request, pdf, titles, sender, reply_to or sender, options.subject,
                            message_id(key, sender), secret)
        outbox.put(name, compose(letter, clinic).as_bytes())
        mailer = mailer or SmtpMailer(smtp)
        try:
            mailer.send(outbox.read(name), sender.addr_spec, address)
        except DeliveryError as error:
            if error.temporary:
                return EmailResult(DEFERRED, redacted(str(error), address), outbox.queued_path(name))
            return EmailResult(REFUSED, redacted(str(error), address), outbox.mark_failed(name, str(error)))
        finally:
            mailer.close()
        outbox.mark_sent(name, key, {"mrn": request.patient.mrn, "message_id": letter.message_id})
        return EmailResult(SENT, file=outbox.sent_path(name))
