"""The `handouts` command: options in, one library call, messages and exit status out."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import HandoutError

EXIT_CONTENT = 1

_paths = click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
_clinic = click.option("--clinic", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                       help="Clinic profile YAML (default: content/clinic.yaml when present).")


def _fail(error: HandoutError) -> None:
    click.echo(str(error), err=True)
    sys.exit(EXIT_CONTENT)


def _clinic_or_default(clinic: Path | None) -> Path | None:
    from .build import default_clinic_path
    return clinic if clinic is not None else default_clinic_path()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="handouts")
def main() -> None:
    """Printable patient handouts from YAML content.

    \b
    Example:
      handouts build content/ -o out/
    """


@main.command()
@_paths
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the PDFs.")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter", show_default=True)
@_clinic
def build(paths: tuple[Path, ...], out_dir: Path, paper: str, clinic: Path | None) -> None:
    """Build a PDF per handout: OUT/<id>.<language>.pdf.

    PATHS are handout YAML files or folders (every handout below them).

    \b
    Example:
      handouts build content/kyphoplasty-care-after.yaml -o out/ --paper a4
    """
    from .build import build as build_handouts
    try:
        written = build_handouts(paths, out_dir, paper, _clinic_or_default(clinic))
    except HandoutError as error:
        _fail(error)
    for result in written:
        pages = "page" if result.pages == 1 else "pages"
        click.echo(f"{result.path}  {result.pages} {pages}  {result.size / 1024:.1f} KB")


@main.command()
@_paths
@_clinic
def check(paths: tuple[Path, ...], clinic: Path | None) -> None:
    """Validate handouts without writing anything; exit status 1 on any problem.

    \b
    Example:
      handouts check content/
    """
    from .build import check as check_handouts
    try:
        handouts = check_handouts(paths, _clinic_or_default(clinic))
    except HandoutError as error:
        _fail(error)
    noun = "handout" if len(handouts) == 1 else "handouts"
    click.echo(f"{len(handouts)} {noun} OK")


@main.command(name="list")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def list_(paths: tuple[Path, ...]) -> None:
    """List handouts: id, kind, language, version, reviewed and title.

    PATHS default to content/.

    \b
    Example:
      handouts list content/
    """
    from .loading import load_handouts
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
