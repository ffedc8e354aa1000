"""The `handouts` command: options in, one library call, messages and exit status out."""
from __future__ import annotations

import os
import sys
import warnings
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__
from .cli_options import (_allow_expired, _content, _content_clinic, _date_order, _encoding, _jobs, _regular_file,
                          mail_options, smtp_settings)
from .cli_print import check_batch_printer, print_batch, printer_option, wait_limit_option
from .errors import HandoutError, Told, one_line

if TYPE_CHECKING:
    from .progress import Progress

EXIT_CONTENT = 1

_paths = click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
_clinic = click.option("--clinic", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                       help="Clinic profile YAML (default: the nearest clinic.yaml in each handout's folder "
                            "or a folder above it).")

def _today() -> date:
    """The day review dates are judged on: SOURCE_DATE_EPOCH's day when it is set (the reproducible-builds
    convention; the tests set it so they pass on any date), else the machine's."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc).date()
    return date.today()


class _Flags(dict):
    """The library names what a caller can change by what it does (errors.OPTIONS); here, by its flag
    (smtp_user: --smtp-user), or by the environment variable this command also reads."""

    def __missing__(self, option: str) -> str:
        return "--" + option.replace("_", "-")


FLAGS = _Flags(print_run="'handouts batch'", email="the manifest's email column", dob="the manifest's dob column",
               handouts="the manifest's handouts column", email_run="'handouts email'", list="run 'handouts list'",
               password="HANDOUTS_SMTP_PASSWORD", where_cafile=" (or HANDOUTS_SMTP_CAFILE)",
                where_password=" in the environment variable HANDOUTS_SMTP_PASSWORD",
                keep_password="set it in the environment (never on the command line, where other users and the "
                              "shell history see it)")


def _said(message: Told | str) -> str:
    """What the library told, in this command's words."""
    return message.text(FLAGS) if isinstance(message, Told) else message


def _fail(error: HandoutError) -> None:
    click.echo(_said(error), err=True)
    sys.exit(EXIT_CONTENT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="handouts")
def main() -> None:
    """Printable patient handouts from YAML content.

    \b
    Example:
      handouts build content/ -o out/
    """
    if not sys.warnoptions:
        warnings.simplefilter("ignore")     # Python's warnings (Pillow's on an odd picture) are not for staff


@main.command()
@_paths
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the PDFs.")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter", show_default=True)
@_clinic
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="Fill a placeholder for one patient: patient.name, patient.mrn, patient.dob, procedure.date, "
                   "procedure.surgeon, procedure.levels, followup.date, followup.with. Dates as YYYY-MM-DD "
                   "(or see --date-order).")
@_date_order
@_allow_expired
@click.option("--large-print", is_flag=True,
              help="Large print: 18 pt body, 24 pt headings, bold for emphasis, bigger tick boxes; "
                   "written as <id>.<language>.large.pdf.")
def build(paths: tuple[Path, ...], out_dir: Path, paper: str, clinic: Path | None, settings: tuple[str, ...],
          date_order: str | None, allow_expired: bool, large_print: bool) -> None:
    """Build a PDF per handout: OUT/<id>.<language>.pdf (OUT/<mrn>.<id>.<language>.pdf for one patient).

    PATHS are handout YAML files or folders (every handout below them). Placeholders without a
    value print as lines to write on.

    \b
    Examples:
      handouts build content/kyphoplasty-care-after.yaml -o out/ --paper a4
      handouts build content/ --large-print
      handouts build content/kyphoplasty-care-after.yaml --set patient.name="Ana Pérez" \\
          --set patient.mrn=A-1001 --set followup.date=2026-12-03
    """
    from .building import build as build_handouts
    from .content import patient_from_settings
    try:
        patient = patient_from_settings(settings, date_order)
        written = build_handouts(paths, out_dir, paper, clinic, patient, allow_expired, large_print,
                                 on_warning=lambda warning: click.echo(_said(warning), err=True), today=_today())
    except HandoutError as error:
        _fail(error)
    for result in written:
        pages = "page" if result.pages == 1 else "pages"
        click.echo(f"{result.path}  {result.pages} {pages}  {result.size / 1024:.1f} KB")


@main.command()
@_paths
@_clinic
@click.option("--strict", is_flag=True, help="Count warnings as problems (exit status 1).")
@click.option("--warn-grade", type=click.FloatRange(1, 50), default=6.0, show_default=True,
              help="Reading grade above which a handout gets a warning.")
@click.option("--max-grade", type=click.FloatRange(1, 50), default=8.0, show_default=True,
              help="Reading grade above which a handout is a problem.")
@click.option("--jargon", "jargon_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Jargon list to use  [default: jargon.yaml beside each handout]")
def check(paths: tuple[Path, ...], clinic: Path | None, strict: bool, warn_grade: float, max_grade: float,
          jargon_path: Path | None) -> None:
    """Validate handouts without writing anything, and report how easy each one is to read.

    For each handout and section: the Flesch–Kincaid grade and SMOG (for Spanish also INFLESZ), the
    longest sentence and the share of words of three or more syllables. Warnings: a grade above
    --warn-grade, jargon from jargon.yaml, a missing summary, action or discharge warning box, vague
    headings, stale translations, passed review dates, and a folder with no clinic profile. Exit status 1
    on any problem.

    \b
    Example:
      handouts check content/ --strict
    """
    from .building import check as check_handouts
    from .content.readability import Limits
    if warn_grade > max_grade:
        raise click.BadParameter(f"{warn_grade:g} is above --max-grade {max_grade:g}", param_hint="--warn-grade")
    try:
        checked = check_handouts(paths, clinic, limits=Limits(warn_grade, max_grade),
                                 jargon_path=jargon_path, today=_today())
    except HandoutError as error:
        _fail(error)
    for level in checked.levels:
        handout = level.handout
        click.echo(f"{handout.path}:{handout.title.line}: {handout.title}: {level.measures.summary()}")
        for section in level.sections:
            click.echo(f"{handout.path}:{section.heading.line}:   {section.heading}: {section.measures.summary()}")
    problems = list(checked.problems)
    warnings = list(checked.warnings)
    if strict:
        problems += [warning.as_problem() for warning in warnings]
        warnings = []
    for finding in sorted(warnings + problems, key=lambda finding: (str(finding.path), finding.line)):
        click.echo(_said(finding), err=True)
    noun = "handout" if len(checked.handouts) == 1 else "handouts"
    warned = f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else ""
    if problems:
        click.echo(f"{len(checked.handouts)} {noun} checked: {len(problems)} "
                   f"problem{'s' if len(problems) != 1 else ''}{warned}", err=True)
        sys.exit(EXIT_CONTENT)
    click.echo(f"{len(checked.handouts)} {noun} OK{warned}")


@main.command(name="list")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def list_(paths: tuple[Path, ...]) -> None:
    """List handouts: id, kind, language, version, reviewed and title.

    PATHS default to content/.

    \b
    Example:
      handouts list content/
    """
    from .content import load_handouts
    from .model import plain
    try:
        handouts = load_handouts(paths or (Path("content"),))
    except HandoutError as error:
        _fail(error)
    header = ("ID", "KIND", "LANGUAGE", "VERSION", "REVIEWED", "TITLE")
    rows = [header] + [(h.id, h.kind, h.language, h.version or "-",
                        h.reviewed.isoformat() if h.reviewed else "-", plain(h.title, {}, "___"))
                       for h in handouts]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])


@main.command()
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path), callback=_regular_file)
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the packets and batch-report.csv.")
@_content_clinic
@_content
@_jobs
@click.option("--cover", is_flag=True, help="Start each packet with a cover page and a checklist of its handouts.")
@click.option("--print-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also put every packet, in manifest order, into this one PDF for a single print job.")
@click.option("--duplex", is_flag=True, help="Two-sided: in the print file, every packet starts on a new sheet; "
                                            "with --printer, jobs print on both sides (else on one).")
@click.option("--shard", default="1/1", show_default=True, metavar="K/N",
              help="Only the rows of shard K of N (a stable split by MRN), for running N copies at once.")
@click.option("--force", is_flag=True, help="Rebuild every packet, even those whose inputs have not changed.")
@click.option("-v", "--verbose", is_flag=True, help="A line per row, with the patient's name (health information).")
@printer_option
@click.option("--wait/--no-wait", default=False, show_default=True,
              help="With --printer: follow each job until the printer says it has printed.")
@wait_limit_option
@_date_order
@_encoding
@_allow_expired
def batch(manifest: Path, out_dir: Path, clinic: Path | None, content: Path, jobs: int | None, cover: bool,
          print_file: Path | None, duplex: bool, shard: str, force: bool, verbose: bool, printer: str | None,
          wait: bool, wait_limit: float, date_order: str | None, encoding: str | None, allow_expired: bool) -> None:
    """Make one packet per manifest row: OUT/<mrn>.pdf, and OUT/batch-report.csv.

    MANIFEST is a CSV (header row; UTF-8 as Excel's "CSV UTF-8" saves it, UTF-16 "Unicode Text", or
    Windows-1252, with a warning; see --encoding) or a YAML list with the
    columns mrn, name and handouts (ids separated by ';'), and optionally dob, email, language,
    procedure_date, surgeon, levels, followup_date, followup_with, notes, paper, large_print (yes or
    no). Dates are YYYY-MM-DD, or with --date-order MDY or DMY also 12/4/2026 or 4.12.2026.

    A bad row is reported and skipped; the others are still made. Exit status 1 if any row failed.

    With --printer, each packet (or the print file) is then sent to the printer as its own job;
    OUT/print.log keeps what was printed, so a rerun prints only the rest (--force: all again).

    \b
    Examples:
      handouts batch examples/patients.csv -o out/packets --cover --print-file out/print.pdf --duplex
      handouts batch examples/patients.csv -o out/packets --cover --duplex --printer FrontDesk
    """
    from .batch import BatchOptions, parse_shard, run_batch
    from .progress import Progress
    from .stopping import StopSignals
    try:
        shard_numbers = parse_shard(shard)
    except ValueError as error:
        raise click.BadParameter(one_line(str(error)), param_hint="--shard") from None
    if duplex and print_file is None and printer is None:
        raise click.UsageError("--duplex is for the print file or the printer: give --print-file or --printer too")
    options = BatchOptions(out_dir=out_dir, content=content, clinic_path=clinic,
                           jobs=jobs or os.cpu_count() or 1, cover=cover, print_file=print_file, duplex=duplex,
                           shard=shard_numbers, force=force, allow_expired=allow_expired, today=_today(),
                           date_order=date_order, encoding=encoding)
    printing = check_batch_printer(printer, duplex, wait, wait_limit) if printer else None
    progress = Progress(manifest, lambda text: click.echo(text, err=True, nl=False)) if sys.stderr.isatty() else None
    results: list = []
    on_row = _row_teller(progress, verbose, results)
    not_printed = 0
    try:
        with StopSignals() as stop:
            try:
                summary = run_batch(manifest, options, on_row, on_warning=lambda warning: _message(progress, _said(warning)),
                                    stop=stop)
            finally:
                if progress is not None:
                    progress.finish()
            _batch_lines(summary)
            if printing is not None and not summary.stopped:
                not_printed = print_batch(manifest, out_dir, results, summary, printing, force, stop)
    except HandoutError as error:
        _fail(error)
    _batch_end(summary, stop, print_file is not None, not_printed)


def _row_teller(progress: Progress | None, verbose: bool, results: list):
    """What batch does with each row's result: its problems told, the row kept (for printing), progress."""
    def on_row(result) -> None:
        for message in result.warnings + result.errors:
            _message(progress, _said(message))
        results.append(result)
        if verbose:
            pages = f"{result.pages} pages" if result.pages else ""
            _message(progress, f"row {result.line}  {result.mrn}  {result.status}  {pages}  {result.name}".rstrip(),
                     err=False)
        if progress is not None:
            progress.update()
    return on_row


def _batch_lines(summary) -> None:
    packets = "packet" if summary.written == 1 else "packets"
    click.echo(f"{summary.written} {packets} written, {summary.unchanged} unchanged, {summary.failed} failed; "
               f"{summary.pages} pages in {summary.seconds:.1f} s "
               f"({summary.packets_per_second:.1f} packets per second)")
    click.echo(f"Report: {summary.report}")
    if summary.print_file is not None:
        made = summary.print_file
        click.echo(f"Print file: {made.path}  {made.pages} pages ({made.blank_pages} blank)  "
                   f"{made.size / 1024 / 1024:.1f} MB")


def _batch_end(summary, stop, print_file_asked: bool, not_printed: int) -> None:
    if summary.stopped:
        click.echo(stop.message(summary.written, summary.unchanged, summary.report, print_file_asked), err=True)
        sys.exit(stop.exit_status)
    if stop():
        click.echo(f"Stopped by {stop.name} while printing: run the command again to print the rest", err=True)
        sys.exit(stop.exit_status)
    if summary.failed or not_printed:
        sys.exit(EXIT_CONTENT)


def _message(progress: Progress | None, text: str, err: bool = True) -> None:
    if progress is not None:
        progress.clear()
    click.echo(text, err=err)


@main.command()
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path), callback=_regular_file)
@click.option("--packets", type=click.Path(file_okay=False, path_type=Path), default=Path("out/packets"),
              show_default=True, help="Folder of the packets: made there, or reused as 'handouts batch' left them.")
@_content
@_content_clinic
@click.option("--cover", is_flag=True, help="Packets with a cover page (as 'handouts batch --cover' made them).")
@_jobs
@mail_options(required=True)
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), default=Path("out/outbox"),
              show_default=True, help="Folder of messages waiting (sent/ and failed/ below it).")
@click.option("--dry-run", is_flag=True, help="Write the messages to the outbox; send nothing.")
@click.option("--max-size", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              metavar="MB", help="Largest packet to attach, in MB (1,000,000 bytes).")
@click.option("--retry-wait", type=click.FloatRange(min=0), default=5.0, show_default=True, metavar="SECONDS",
              help="Wait before trying a temporary failure again (3 attempts; the wait doubles).")
@_date_order
@_encoding
@_allow_expired
def email(manifest: Path, packets: Path, content: Path, clinic: Path | None, cover: bool, jobs: int | None,
          smtp_host: str, smtp_port: int | None, starttls: bool, implicit_tls: bool, smtp_user: str | None,
          cafile: str | None, sender: str, reply_to: str | None, subject: str | None, encrypt: bool,
          outbox: Path, dry_run: bool, max_size: float, retry_wait: float, date_order: str | None,
          encoding: str | None, allow_expired: bool) -> None:
    """Email each manifest row's packet to the row's address: one message per row that has one.

    Every message is written to the outbox first, then sent; a rerun sends only what is left, and
    never the same packet to the same address twice. Output names rows and MRNs, never patients or
    addresses. Exit status 1 if any message was not sent.

    \b
    Example, with a test server that prints what it gets (python -m aiosmtpd -n -l 127.0.0.1:8025):
      handouts email examples/patients.csv --smtp-host 127.0.0.1 --smtp-port 8025 \\
          --from "Riverside Spine Center <handouts@riverside-spine.example.org>"
    """
    from .batch import BatchOptions
    from .sending import EmailOptions, send_packets
    from .stopping import StopSignals
    smtp = smtp_settings(smtp_host, smtp_port, starttls, implicit_tls, smtp_user, cafile)
    batch_options = BatchOptions(out_dir=packets, content=content, clinic_path=clinic,
                                 jobs=jobs or os.cpu_count() or 1, cover=cover, allow_expired=allow_expired,
                                 today=_today(), date_order=date_order, encoding=encoding)
    options = EmailOptions(sender, outbox, reply_to, subject, encrypt, dry_run, max_size, retry_wait=retry_wait)
    try:
        with StopSignals() as stop:
            summary = send_packets(manifest, batch_options, options, smtp, stop=stop,
                                   on_problem=lambda told: click.echo(_said(told), err=True), on_note=click.echo)
    except HandoutError as error:
        _fail(error)
    for line in summary.lines():
        click.echo(line)
    if summary.stopped:
        click.echo(stop.sending_message(summary.sent, summary.sent_log), err=True)
        sys.exit(stop.exit_status)
    if summary.not_sent:
        sys.exit(EXIT_CONTENT)


# The web page's commands: last, as they use this module's words and exit codes.
from .cli_web import serve, users  # noqa: E402
from .cli_print import print_  # noqa: E402

main.add_command(print_)
main.add_command(serve)
main.add_command(users)
