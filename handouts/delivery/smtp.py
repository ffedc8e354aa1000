"""SMTP: a message's bytes, sender and recipient in; delivered to the clinic's mail server, or why not, out."""
from __future__ import annotations

import ipaddress
import smtplib
import ssl
from dataclasses import dataclass
from typing import Protocol

from ..errors import DeliveryError, MailSettingError, SmtpError, Worded


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

