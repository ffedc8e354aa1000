"""Mail: a patient's packet, row and clinic in; an email message with the packet attached out, and SMTP that delivers it."""
from __future__ import annotations

import html
import io
import ipaddress
import smtplib
import ssl
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, localtime, parseaddr
from typing import Protocol

from pypdf import PdfReader, PdfWriter

from .. import model
from ..content.addresses import address_problem
from ..errors import DeliveryError, MailSettingError, SmtpError, Worded
from ..locales import for_language

ENCRYPTION = "AES-256"


def sender_address(text: str, display_name: str | None) -> Address | None:
    """A sender as given ("Clinic <a@b.org>" or "a@b.org"), named DISPLAY_NAME when it has no name; None if invalid."""
    name, spec = parseaddr(text)
    if not spec or address_problem(spec):
        return None
    local, _, domain = spec.rpartition("@")
    return Address(display_name=name or display_name or "", username=local, domain=domain)


def password(patient: model.Patient) -> str | None:
    """The packet's password: the date of birth as YYYYMMDD, which the patient knows and the message never says."""
    return patient.dob.strftime("%Y%m%d") if patient.dob else None


def encrypted(pdf: bytes, secret: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=secret, algorithm=ENCRYPTION)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the message ------------------------------------------------------------------------------------
def attachment_name(handout_ids: tuple[str, ...], language: str) -> str:
    """A readable file name from what the handouts are about ("Kyphoplasty-instructions.pdf"), never whose."""
    word = for_language(language).email.instructions
    topics = {handout_id.split("-")[0] for handout_id in handout_ids}
    return f"{topics.pop().capitalize()}-{word}.pdf" if len(topics) == 1 else f"{word.capitalize()}.pdf"


@dataclass(frozen=True)
class Letter:
    """Everything one message says, before it is written out as MIME."""

    sender: Address
    to: str
    reply_to: Address | None
    subject: str | None           # None: the default, in the patient's language
    message_id: str
    patient_name: str
    language: str
    titles: tuple[str, ...]
    attachment: bytes
    attachment_name: str
    encrypted: bool


def compose(letter: Letter, clinic: model.Clinic) -> EmailMessage:
    """A plain-text and an HTML part that say what is attached and how to reach the clinic, and the packet."""
    words = for_language(letter.language).email
    signer = str(clinic.name) if clinic.name else words.team.capitalize()
    greeting = words.greeting.format(name=letter.patient_name)
    listed = words.attached.format(clinic=signer, file=letter.attachment_name)
    phones = " ".join(sentence.format(phone=value) for sentence, value in
                      ((words.phone, clinic.phone), (words.after_hours, clinic.after_hours_phone),
                       (words.emergency, clinic.emergency_number)) if value)
    after = [words.keep, words.password if letter.encrypted else "", phones, words.not_for_you, signer]
    after = [paragraph for paragraph in after if paragraph]

    message = EmailMessage(policy=policy.SMTP)
    message["From"] = letter.sender
    message["To"] = letter.to
    if letter.reply_to:
        message["Reply-To"] = letter.reply_to
    message["Subject"] = letter.subject or (words.subject.format(clinic=clinic.name) if clinic.name
                                            else words.subject_plain)
    message["Date"] = format_datetime(localtime())
    message["Message-ID"] = letter.message_id
    message.set_content(_plain(greeting, listed, letter.titles, after), cte="quoted-printable")
    message.add_alternative(_html(letter.language, greeting, listed, letter.titles, after), subtype="html",
                            cte="quoted-printable")
    message.add_attachment(letter.attachment, maintype="application", subtype="pdf",
                           filename=letter.attachment_name)
    message["Content-Language"] = letter.language      # after the parts: set_content drops Content-* headers
    return message


def _plain(greeting: str, listed: str, titles: tuple[str, ...], after: list[str]) -> str:
    handouts = "\n".join(f"  - {title}" for title in titles)
    return "\n\n".join([greeting, listed, handouts, *after]) + "\n"


def _html(language: str, greeting: str, listed: str, titles: tuple[str, ...], after: list[str]) -> str:
    escape = html.escape
    items = "".join(f"  <li>{escape(title)}</li>\n" for title in titles)
    paragraphs = "".join(f"<p>{escape(paragraph)}</p>\n" for paragraph in after)
    return (f'<!DOCTYPE html>\n<html lang="{escape(language)}">\n<head><meta charset="utf-8"></head>\n'
            '<body style="font-family: sans-serif; font-size: 16px; line-height: 1.5">\n'
            f"<p>{escape(greeting)}</p>\n<p>{escape(listed)}</p>\n<ul>\n{items}</ul>\n{paragraphs}</body>\n</html>\n")


def message_id(key: str, sender: Address) -> str:
    """The same for the same packet and address on every run, so a receiving server can drop a repeat.
    Short, so the header stays on one line: some readers keep the space of a folded Message-ID."""
    return f"<{key[:24]}@{sender.domain}>"


# --- sending ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str = "auto"             # "auto": STARTTLS whenever offered; "starttls": required; "ssl": implicit TLS
    user: str | None = None
    password: str | None = None
    cafile: str | None = None     # a CA to trust besides the system's (a private or test server)
    timeout: float = 30.0

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


class Mailer(Protocol):
    """Delivers one message; raises DeliveryError when the server does not take it, SmtpError when no
    message can go (TLS, login)."""

    def send(self, data: bytes, sender: str, recipient: str) -> None: ...

    def close(self) -> None: ...


def is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SmtpMailer:
    """One SMTP connection, opened on the first message and reopened after it is lost."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._client: smtplib.SMTP | None = None
        try:
            self._context = ssl.create_default_context(cafile=settings.cafile)
        except (ssl.SSLError, OSError) as error:
            raise MailSettingError("cafile", "a PEM file of CA certificates",
                                   f"one that cannot be used ({getattr(error, 'strerror', None) or error})",
                                   "give the certificate of the authority that signed the server's") from None

    def send(self, data: bytes, sender: str, recipient: str) -> None:
        client = self._client or self._connect()
        try:
            client.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = error.recipients.get(recipient, (None, b""))
            raise self._refused(code, reply) from None
        except smtplib.SMTPSenderRefused as error:
            if error.smtp_code < 500 or error.smtp_code == 552:     # 552: this message is too large
                raise self._refused(error.smtp_code, error.smtp_error) from None
            # The sender is refused for every message alike: moving them all to failed/ would help no one.
            raise SmtpError(self.settings.server, f"the server refused the sender {sender} "
                            f"({error.smtp_code} {_text(error.smtp_error)})",
                            Worded("check {from}, and whether this server needs {smtp_user}")) from None
        except smtplib.SMTPResponseException as error:
            raise self._refused(error.smtp_code, error.smtp_error) from None
        except TimeoutError:
            self._drop()
            raise DeliveryError(f"the server did not answer within {self.settings.timeout:.0f} s") from None
        except (smtplib.SMTPServerDisconnected, OSError):
            self._drop()
            raise DeliveryError("the connection closed before the server accepted the message") from None

    def _refused(self, code: int | None, reply: bytes | str) -> DeliveryError:
        if code == 421:           # the server is closing this connection
            self._drop()
        return DeliveryError(_text(reply), code, temporary=code is None or code < 500)

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()

    def _drop(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except OSError:
                pass
        self._client = None

    def _connect(self) -> smtplib.SMTP:
        settings, context = self.settings, self._context
        try:
            if settings.tls == "ssl":
                client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
            else:
                client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            try:
                self._secure_and_log_in(client, context)
            except BaseException:
                client.close()
                raise
        except ssl.SSLCertVerificationError as error:
            raise SmtpError(settings.server, f"the server's certificate cannot be trusted ({error.verify_message})",
                            Worded("give the certificate authority that signed it with "
                                   "{cafile}{where_cafile}")) from None
        except ssl.SSLError as error:
            raise SmtpError(settings.server, f"TLS failed ({error.reason or error})",
                            Worded("check {smtp_port}: {ssl} is for a port that starts with TLS (465), "
                                   "STARTTLS for one that starts plain (587)")) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(f"cannot connect to {settings.server}: {error.smtp_code} {_text(error.smtp_error)}",
                                temporary=True, unreachable=True) from None
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            raise DeliveryError(f"cannot connect to {settings.server}: {reason}", unreachable=True) from None
        self._client = client
        return client

    def _secure_and_log_in(self, client: smtplib.SMTP, context: ssl.SSLContext) -> None:
        settings = self.settings
        client.ehlo()
        secure = settings.tls == "ssl"
        if not secure and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
            secure = True
        if not secure and settings.tls == "starttls":
            raise SmtpError(settings.server, "the server does not offer STARTTLS",
                            Worded("use {ssl} if its port starts with TLS, or a server that offers STARTTLS"))
        if settings.user is None:
            return
        if not secure and not is_loopback(settings.host):
            raise SmtpError(settings.server, "refusing to send the password over a connection without TLS",
                            Worded("use a server that offers STARTTLS, or {ssl}; only a server on this machine "
                                   "(127.0.0.1, localhost) may take a password without TLS"))
        try:
            client.login(settings.user, settings.password or "")
        except smtplib.SMTPAuthenticationError as error:
            raise SmtpError(settings.server, f"the server refused the login of {settings.user} "
                            f"({error.smtp_code} {_text(error.smtp_error)})",
                            Worded("check {smtp_user} and {password}")) from None
        except smtplib.SMTPNotSupportedError:
            raise SmtpError(settings.server, "the server offers no login (AUTH)",
                            Worded("leave out {smtp_user}")) from None
        except smtplib.SMTPException as error:        # no login method both sides know
            raise SmtpError(settings.server, f"the login failed ({error})",
                            "ask the mail server's administrator which login it takes") from None


def _text(reply: bytes | str) -> str:
    return (reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)).replace("\n", " ").strip()

