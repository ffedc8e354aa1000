"""Options that several commands share: content, dates, encodings, and the mail server."""
from __future__ import annotations

import os
from pathlib import Path

import click

from .content.dates import ORDERS

_content = click.option("--content", type=click.Path(exists=True, file_okay=False, path_type=Path),
                        default=Path("content"), show_default=True, help="Folder of handout YAML.")
_content_clinic = click.option("--clinic", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                               help="Clinic profile YAML (default: the nearest clinic.yaml in the content folder "
                                    "or a folder above it).")
_jobs = click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: one per CPU).")
_allow_expired = click.option("--allow-expired", is_flag=True,
                              help="Build content whose next_review date has passed (refused otherwise).")
_date_order = click.option("--date-order", type=click.Choice(ORDERS, case_sensitive=False),
                           help="Also read dates written with '/' or '.': MDY month first (12/4/2026 is "
                                "December 4), DMY day first (4.12.2026). YYYY-MM-DD is always read.")


def _text_encoding(context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
    from .content.csvread import AN_ENCODING, is_text_encoding
    if value and not is_text_encoding(value):
        raise click.BadParameter(f"expected {AN_ENCODING}, found '{value}'")
    return value


_encoding = click.option("--encoding", metavar="NAME", callback=_text_encoding,
                         help="The CSV manifest's encoding (utf-8, cp1252, utf-16, ...). Default: from its "
                              "byte-order mark, else UTF-8, else Windows-1252 with a warning.")


def _regular_file(context: click.Context, parameter: click.Parameter, value: Path | None) -> Path | None:
    """Refuse a pipe or a device before anything reads it: reading one waits for a writer, or never ends."""
    from .content.limits import not_a_file
    found = not_a_file(value) if value is not None else None
    if found:
        raise click.BadParameter(f"expected a regular file, found {found}")
    return value


def mail_options(required: bool):
    """The mail server and message options, shared by `email` and `serve` (where they are optional)."""
    options = [
        click.option("--smtp-host", required=required, help="Mail server (127.0.0.1 for one on this machine)."),
        click.option("--smtp-port", type=click.IntRange(1, 65535), default=None,
                     help="Mail server port (default: 465 with --ssl, else 587)."),
        click.option("--starttls", is_flag=True, help="Require STARTTLS (it is used whenever the server offers it anyway)."),
        click.option("--ssl", "implicit_tls", is_flag=True, help="Implicit TLS: the connection starts encrypted (port 465)."),
        click.option("--smtp-user", help="Log in as USER; the password comes from HANDOUTS_SMTP_PASSWORD."),
        click.option("--cafile", type=click.Path(exists=True, dir_okay=False), envvar="HANDOUTS_SMTP_CAFILE",
                     help="Trust the certificate authority in this PEM file instead of the system's "
                          "(a private server's); or HANDOUTS_SMTP_CAFILE."),
        click.option("--from", "sender", required=required, metavar="ADDRESS",
                     help="Sender: handouts@clinic.example.org, or 'Clinic <handouts@clinic.example.org>'."),
        click.option("--reply-to", metavar="ADDRESS", help="Where replies go (default: the sender)."),
        click.option("--subject", help="Subject (default: 'Your care instructions from CLINIC', in the row's language)."),
        click.option("--encrypt", is_flag=True,
                     help="Protect each attachment with AES-256; the password is the date of birth as YYYYMMDD."),
    ]

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


def smtp_settings(smtp_host: str, smtp_port: int | None, starttls: bool, implicit_tls: bool, smtp_user: str | None,
                  cafile: str | None):
    from .delivery.smtp import SmtpSettings
    if starttls and implicit_tls:
        raise click.UsageError("--starttls and --ssl: give one (--ssl for a port that starts with TLS)")
    tls = "ssl" if implicit_tls else "starttls" if starttls else "auto"
    return SmtpSettings(smtp_host, smtp_port or (465 if implicit_tls else 587), tls, smtp_user,
                        os.environ.get("HANDOUTS_SMTP_PASSWORD"), cafile)
