"""A batch in memory: a manifest (a file or an upload) and a catalogue in; each row's result and packet bytes, a ZIP and a print file out, nothing written to disk."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .catalogue import Catalogue, choose
from .content.manifest import Manifest
from .content.upload import Upload
from .delivery.printfile import PrintFile
from .delivery.report import RowResult
from .errors import ContentError, ContentErrors, HandoutError, HandoutWarning
from .render.document import Packet, render_packet
from .render.fonts import lacking

MADE, FAILED = "made", "failed"
# A fixed time for every ZIP entry: the same packets always give the same ZIP, whatever the day.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass
class PackedBatch:
    """Each row's result in manifest order, and the packets made, by file name (MRN.pdf)."""

    results: list[RowResult] = field(default_factory=list)
    packets: dict[str, bytes] = field(default_factory=dict)
    warnings: list[HandoutWarning] = field(default_factory=list)
    print_file: bytes | None = None

    @property
    def made(self) -> int:
        return sum(result.status == MADE for result in self.results)

    @property
    def failed(self) -> int:
        return sum(result.status == FAILED for result in self.results)

    def zip(self) -> bytes:
        """The packets in one ZIP, each named by its MRN as `handouts batch` names them."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:     # PDFs are compressed already
            for name, data in self.packets.items():
                archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data)
        return out.getvalue()


def pack_batch(manifest: Path | Upload, catalogue: Catalogue, *, cover: bool = False, print_file: bool = False,
               duplex: bool = False, date_order: str | None = None, encoding: str | None = None,
               max_rows: int | None = None, stop: Callable[[], bool] | None = None) -> PackedBatch:
    """Make every row's packet of MANIFEST in memory, in order; with PRINT_FILE, also one PDF of them all
    (a blank page after each odd-length packet when DUPLEX). Raises ContentErrors for a manifest that cannot
    be read at all, or one of more than MAX_ROWS rows (counted before any packet is made)."""
    source = Manifest(manifest, catalogue.by_id, date_order, encoding, lacking=lacking)
    rows = list(source.rows())
    if max_rows is not None and len(rows) > max_rows:
        raise ContentErrors([ContentError(manifest, rows[max_rows].line, expected=f"at most {max_rows} rows",
                                          found=f"{len(rows)}", fix="split the manifest into smaller ones")])
    packed = PackedBatch(warnings=[*catalogue.warnings, *source.warnings])
    characters = catalogue.characters()
    joined = PrintFile(None, duplex) if print_file else None
    for row in rows:
        if stop is not None and stop():
            break
        warnings: list = list(row.warnings)
        if row.request is None:
            packed.results.append(RowResult(row.line, row.mrn, FAILED, errors=tuple(row.errors),
                                            warnings=tuple(warnings)))
            continue
        request = row.request
        packet = Packet(tuple(choose(row, catalogue, warnings)), request.patient, request.language, cover,
                        request.notes, request.large_print)
        try:
            rendered = render_packet(packet, catalogue.clinic, request.paper, shared_characters=characters)
        except HandoutError as error:
            problems = [str(problem) for problem in error.errors] if isinstance(error, ContentErrors) else [str(error)]
            made = f"{manifest}:{row.line}: this row's packet could not be made: " + " | ".join(problems)
            packed.results.append(RowResult(row.line, row.mrn, FAILED, errors=(made,), warnings=tuple(warnings),
                                            request=request))
            continue
        name = f"{request.patient.mrn}.pdf"
        packed.packets[name] = rendered.data
        if joined is not None:
            joined.add(rendered.data, request.patient.mrn)
        packed.results.append(RowResult(row.line, row.mrn, MADE, rendered.pages, name, warnings=tuple(warnings),
                                        request=request))
    if joined is not None:
        joined.close()
        packed.print_file = joined.data if packed.packets else None
    return packed
