"""The `handouts print` command, and what `handouts batch --printer` adds: options in, the printing library called, lines and exit status out."""
from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path

import click

from .errors import HandoutError, one_line

_PAPERS = click.Choice(["letter", "a4"], case_sensitive=False)
_PRINTER_HELP = "A CUPS queue (as 'lpstat -e' lists it) or a printer's ipp:// or ipps:// address."
printer_option = click.option("--printer", metavar="NAME|URI", help=_PRINTER_HELP)
wait_limit_option = click.option("--wait-limit", type=click.FloatRange(min=1), default=600, show_default=True,
                                 metavar="SECONDS",
                                 help="With --wait: cancel and report a job not printed within this time.")


def staff_user() -> str:
    """Who asks for the jobs, as the printer shows them: the computer's user, never the patient."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "handouts"


@click.command("print")
@click.argument("pdfs", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--printer", metavar="NAME|URI", required=True, help=_PRINTER_HELP)
@click.option("--duplex/--simplex", default=None,
              help="Print on both sides, or on one. Default: as the printer is set.")
@click.option("--copies", type=click.IntRange(min=1, max=99), default=1, show_default=True)
@click.option("--media", type=_PAPERS, help="Paper size. Default: the size each PDF was made for.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Follow each job until the printer says it has printed.")
@wait_limit_option
def print_(pdfs: tuple[Path, ...], printer: str, duplex: bool | None, copies: int, media: str | None,
           wait: bool, wait_limit: float) -> None:
    """Print each PDF as its own job on PRINTER.

    The printer is asked first what it can do; an option it cannot do (two-sided on a one-sided
    printer, a paper it has not got) is refused before anything is sent. Jobs are named
    "handouts packet K of N" and owned by this computer's user. Exit status 1 if any PDF did not print.

    \b
    Examples:
      handouts print out/packets/1234.pdf --printer FrontDesk --duplex
      handouts print out/packets/*.pdf --printer ipp://192.168.1.40/ipp/print --media a4
    """
    from .cli import EXIT_CONTENT, _fail, _said
    from .printing import PrintOptions, print_documents, read_document
    from .stopping import StopSignals
    # pypdf's warnings about a damaged file quote its bytes, which may be a patient's: the message below says it.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    documents = []
    for path in pdfs:
        try:
            documents.append(read_document(str(path), path.read_bytes()))
        except (ValueError, OSError) as error:
            click.echo(one_line(f"{path}: expected a PDF to print, found {error}; nothing was sent"), err=True)
            sys.exit(EXIT_CONTENT)
    options = PrintOptions(printer, staff_user(), duplex, copies, media and media.lower(), wait, wait_limit)
    try:
        with StopSignals() as stop:
            summary = print_documents(documents, options, on_problem=lambda told: click.echo(_said(told), err=True),
                                      stop=stop, fix="see to the printer, then print it again",
                                      on_note=lambda text: click.echo(text, err=True))
    except HandoutError as error:
        _fail(error)
    for line in summary.lines():
        click.echo(line)
    if summary.stopped:
        click.echo(f"Stopped by {stop.name}: the rest was not sent", err=True)
        sys.exit(stop.exit_status)
    if summary.not_printed:
        sys.exit(EXIT_CONTENT)


def check_batch_printer(printer: str, duplex: bool, wait: bool, wait_limit: float):
    """The print options of a batch, once its printer is known to take them: before any packet is made."""
    from .cli import _fail
    from .printing import PrintOptions, check_printer
    from .delivery.printer import open_printer
    options = PrintOptions(printer, staff_user(), duplex, wait=wait, wait_limit=wait_limit)
    try:
        check_printer(open_printer(printer), options, set())
    except HandoutError as error:
        _fail(error)
    return options


def print_batch(manifest: Path, out_dir: Path, results: list, summary, options, force: bool, stop) -> int:
    """Print what a batch made (its print file, else each packet); the number of documents not printed."""
    from .cli import _said
    from .delivery.printlog import PrintLog
    from .printing import Document, batch_documents, print_documents
    from dataclasses import replace
    if summary.print_file is not None:
        made = summary.print_file.path
        documents = [Document(str(made), made.read_bytes(), {"print_file": str(made)})]
    else:
        documents = batch_documents(manifest, out_dir, results)
    fix = "see to the printer, then run the same command again: it prints only what is left"
    try:
        with PrintLog(out_dir) as log:
            printed = print_documents(documents, replace(options, force=force), log,
                                      on_problem=lambda told: click.echo(_said(told), err=True), stop=stop, fix=fix,
                                      on_note=lambda text: click.echo(text, err=True))
    except HandoutError as error:        # the packets are made: said, and the batch's own end still follows
        click.echo(_said(error), err=True)
        return len(documents)
    for line in printed.lines():
        click.echo(line)
    if printed.already:
        click.echo(f"Print log: {log.path} ({printed.already} printed by an earlier run, not printed again)")
    return printed.not_printed
