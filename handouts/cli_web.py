"""The web page's commands, `handouts serve` and `handouts users`: options in, the staff page served or its users changed."""
from __future__ import annotations

import dataclasses
import logging
import os
import sys
from pathlib import Path

import click

from .cli_options import _allow_expired, _content, _content_clinic, mail_options, smtp_settings
from .errors import HandoutError

_instance = click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=Path("instance"),
                         show_default=True, help="Folder of the page's users, session secret, audit log and outbox.")
_WEB_EXTRA = "the web page needs its packages: python -m pip install -e '.[web]'"


def _fail(error: HandoutError) -> None:
    from .cli import _fail as fail
    fail(error)


@click.command()
@_instance
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this machine's own should sit behind HTTPS.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@_content
@_content_clinic
@mail_options(required=False)
@click.option("--max-size", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              metavar="MB", help="Largest packet to attach, in MB (1,000,000 bytes).")
@_allow_expired
@click.option("--printer", metavar="NAME|URI",
              help="The printer of the page's Print button: a CUPS queue or an ipp:// or ipps:// address.")
@click.option("--duplex", is_flag=True, help="Start the page's 'Both sides of the paper' box ticked.")
def serve(instance: Path, host: str, port: int, content: Path, clinic: Path | None, smtp_host: str | None,
          smtp_port: int | None, starttls: bool, implicit_tls: bool, smtp_user: str | None, cafile: str | None,
          sender: str | None, reply_to: str | None, subject: str | None, encrypt: bool, max_size: float,
          allow_expired: bool, printer: str | None, duplex: bool) -> None:
    """Serve the staff web page: choose handouts, fill in a patient, preview, download and email packets,
    and make batches from an uploaded manifest.

    Email works when --smtp-host and --from are given (the same options as 'handouts email'); messages
    wait in INSTANCE/outbox. The Print button works when --printer is given; jobs are owned by the
    signed-in staff user. Add a user first with 'handouts users add NAME'.

    \b
    Example:
      handouts users add nurse1
      handouts serve --smtp-host 127.0.0.1 --smtp-port 8025 --from handouts@clinic.example.org \\
          --printer FrontDesk --duplex
    """
    try:
        import uvicorn
        from .web.app import ServeOptions, create_app
        from .web.renderer import cores
    except ImportError as error:
        raise click.ClickException(f"{_WEB_EXTRA} ({error.name} is missing)") from None
    from .sending import EmailOptions
    from .delivery.smtp import is_loopback
    if bool(smtp_host) != bool(sender):
        raise click.UsageError("--smtp-host and --from: give both for email from the page, or neither")
    smtp = smtp_settings(smtp_host, smtp_port, starttls, implicit_tls, smtp_user, cafile) if smtp_host else None
    if smtp is not None:
        # A nurse waits at the page: a server that does not answer is told in 15 seconds, not 30.
        smtp = dataclasses.replace(smtp, timeout=15.0)
    email = EmailOptions(sender, reply_to=reply_to, subject=subject, encrypt=encrypt, max_size_mb=max_size) \
        if sender else None
    from .cli import _today
    # Review dates are judged on each request's day; SOURCE_DATE_EPOCH, when set, fixes that day.
    fixed = _today() if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit() else None
    options = ServeOptions(instance=instance, content=content, clinic=clinic, smtp=smtp, email=email,
                           allow_expired=allow_expired, today=fixed, workers=cores(), printer=printer,
                           print_duplex=duplex)
    try:
        app = create_app(options)
        names = app.state.site.users.names()
    except HandoutError as error:
        _fail(error)
    if not names:
        click.echo(f"No users yet in {instance}: add one first with 'handouts users add NAME --instance {instance}'",
                   err=True)
        sys.exit(1)
    if not is_loopback(host):
        click.echo(f"warning: serving on {host}, reachable from other machines: put the page behind HTTPS (a reverse "
                   "proxy such as Caddy or nginx) so passwords and patient data never cross the network in clear",
                   err=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    click.echo(f"Serving the staff page on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    # The page logs each request itself (never a query or a body); uvicorn's own access log is off.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", server_header=False,
                proxy_headers=True, forwarded_allow_ips="127.0.0.1")


@click.group()
def users() -> None:
    """Add, remove and list the staff users of the web page.

    \b
    Example:
      handouts users add nurse1
      echo 'a long passphrase' | handouts users add nurse2 --password-stdin
    """


@users.command("add")
@click.argument("name")
@_instance
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def users_add(name: str, instance: Path, password_stdin: bool) -> None:
    """Add user NAME, or give NAME a new password. The password is asked twice (or read from standard
    input) and stored only as a scrypt hash."""
    from .web.instance import Instance
    from .web.users import Users
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    try:
        store = Users(Instance(instance).users)
        known = name in store.names()
        store.add(name, password)
    except HandoutError as error:
        _fail(error)
    click.echo(f"User {name} {'has a new password' if known else 'added'} in {instance}")


@users.command("remove")
@click.argument("name")
@_instance
def users_remove(name: str, instance: Path) -> None:
    """Remove user NAME: they can no longer sign in."""
    from .web.instance import Instance
    from .web.users import Users
    try:
        removed = Users(Instance(instance).users).remove(name)
    except HandoutError as error:
        _fail(error)
    if not removed:
        click.echo(f"{instance}: no user {name}; 'handouts users list' shows them", err=True)
        sys.exit(1)
    click.echo(f"User {name} removed from {instance}")


@users.command("list")
@_instance
def users_list(instance: Path) -> None:
    """List the users, one per line."""
    from .web.instance import Instance
    from .web.users import Users
    try:
        names = Users(Instance(instance).users).names()
    except HandoutError as error:
        _fail(error)
    for name in names:
        click.echo(name)
    if not names:
        click.echo(f"No users in {instance}", err=True)
