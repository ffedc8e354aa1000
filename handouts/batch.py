"""Batch: a manifest, content folder and clinic profile in; one packet PDF per row, a report and a print file out."""
from __future__ import annotations

import gc
import hashlib
import json
import time
from collections import deque
from contextlib import suppress
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from . import __version__, model, workers
from .delivery import outputs
from .errors import ContentErrors, HandoutError, HandoutWarning, OutputError
from .content.manifest import Manifest, Row
from .render.document import Packet, render_packet
from .render.fonts import lacking
from .catalogue import Catalogue, choose, load_catalogue
from .delivery.printfile import PrintFile, PrintSummary
from .delivery.report import Report, RowResult

WRITTEN, UNCHANGED, FAILED = "written", "unchanged", "failed"
_FINGERPRINT_PREFIX = "handouts-inputs:"
_WINDOW_PER_JOB = 4           # rows in flight per worker: enough to keep it busy, few enough to stay flat


@dataclass(frozen=True)
class BatchOptions:
    out_dir: Path = Path("out")
    content: Path = Path("content")
    clinic_path: Path | None = None
    jobs: int = 1
    cover: bool = False
    print_file: Path | None = None
    duplex: bool = False
    shard: tuple[int, int] = (1, 1)
    force: bool = False
    allow_expired: bool = False
    today: date | None = None       # review dates are judged on this day; None: the machine's date
    date_order: str | None = None   # MDY or DMY: the manifest's dates may also be 12/4/2026; None: ISO only
    encoding: str | None = None     # a CSV manifest's codec; None: found from its bytes


@dataclass
class BatchSummary:
    manifest: Path
    report: Path
    warnings: list[HandoutWarning] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    pages: int = 0
    seconds: float = 0.0
    print_file: PrintSummary | None = None
    stopped: bool = False         # asked to stop before the last row: the report lists the rows done

    @property
    def packets_per_second(self) -> float:
        return (self.written + self.unchanged) / self.seconds if self.seconds else 0.0


def parse_shard(text: str) -> tuple[int, int]:
    """"K/N" -> (K, N), 1 <= K <= N; ValueError otherwise."""
    k, slash, n = text.partition("/")
    if not slash or not k.strip().isdigit() or not n.strip().isdigit() or not 1 <= int(k) <= int(n):
        raise ValueError(f"expected K/N with 1 <= K <= N, such as 2/4, found '{text}'")
    return int(k), int(n)


def in_shard(row: Row, shard: tuple[int, int]) -> bool:
    """A stable split: the same MRN always lands in the same shard, whatever the row order."""
    k, n = shard
    digest = hashlib.sha256(row.shard_key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def report_name(shard: tuple[int, int]) -> str:
    k, n = shard
    return "batch-report.csv" if n == 1 else f"batch-report-{k}-of-{n}.csv"


# --- one packet, in a worker ------------------------------------------------------------------------
# ReportLab's PDF documents are full of reference cycles, which only Python's full collection frees;
# left to itself that runs rarely, and a worker's memory climbs for its first thousand packets.
_COLLECT_EVERY = 100


class _Maker:
    """Makes the packets of one batch: its catalogue, and the characters all its packets' font subsets share."""

    def __init__(self, catalogue: Catalogue, characters: str):
        self.catalogue, self.characters, self.made = catalogue, characters, 0

    def make(self, request: model.PacketRequest, handouts: tuple[tuple[str, str], ...], cover: bool,
             target: str, fingerprint: str) -> int:
        """Render one packet and write it to TARGET; returns its page count."""
        chosen = tuple(self.catalogue.by_id[handout_id][language] for handout_id, language in handouts)
        packet = Packet(chosen, request.patient, request.language, cover, request.notes, request.large_print)
        rendered = render_packet(packet, self.catalogue.clinic, request.paper,
                                 keywords=_FINGERPRINT_PREFIX + fingerprint, shared_characters=self.characters)
        outputs.write_atomically(Path(target), rendered.data)
        self.made += 1
        if self.made % _COLLECT_EVERY == 0:
            gc.collect()
        return rendered.pages


# A pool worker's maker, set in that process only: a one-job batch keeps its own, and leaves nothing behind.
_worker: _Maker | None = None


def _start_worker(catalogue: Catalogue, characters: str) -> None:
    global _worker
    _worker = _Maker(catalogue, characters)
    gc.freeze()       # what is loaded now lives as long as the worker: no collection need look at it again


def _make_packet(*arguments) -> int:      # in a pool worker
    return _worker.make(*arguments)


# --- the batch --------------------------------------------------------------------------------------
@dataclass
class _Job:
    row: Row
    result: RowResult | None = None           # known without rendering: a bad row, or an unchanged packet
    target: Path | None = None
    chosen: tuple[tuple[str, str], ...] = ()  # (id, language) of each handout, in the row's order
    fingerprint: str = ""
    warnings: tuple[HandoutWarning, ...] = ()
    future: Future | None = None


def run_batch(manifest_path: Path, options: BatchOptions, on_row: Callable[[RowResult], None] | None = None,
              on_warning: Callable[[HandoutWarning], None] | None = None, catalogue: Catalogue | None = None,
              stop: Callable[[], bool] | None = None) -> BatchSummary:
    """Make the packet of every manifest row in this shard; ON_WARNING hears of manifest-wide warnings
    before the first row, ON_ROW of each row as it finishes. CATALOGUE, when the caller has already
    loaded it from OPTIONS, saves loading the content twice. Once STOP, asked before each row, says yes:
    the packets in progress are finished, the report lists the rows done, and no print file is written."""
    started = time.perf_counter()
    catalogue = catalogue if catalogue is not None else load_catalogue(options)
    outputs.refuse_batch_clashes(manifest_path, catalogue, options, options.out_dir / report_name(options.shard))
    manifest = Manifest(manifest_path, catalogue.by_id, options.date_order, options.encoding, lacking=lacking)
    rows = _peeked(row for row in manifest.rows() if in_shard(row, options.shard))
    next(rows)     # reads the header first: a bad header stops the batch before anything is written
    summary = BatchSummary(manifest_path, options.out_dir / report_name(options.shard),
                           warnings=[*catalogue.warnings, *manifest.warnings])
    for warning in summary.warnings:
        if on_warning is not None:
            on_warning(warning)
    # Temporary files of killed runs; a live run writing to the same folder (another shard) locks its own.
    folders = [options.out_dir, *([options.print_file.parent] if options.print_file else [])]
    outputs.remove_stale(*folders)
    report, print_file = _open(options, summary.report)
    characters = catalogue.characters()
    jobs = max(1, options.jobs)
    executor = None
    try:
        if jobs > 1:
            executor = workers.pool(jobs, _start_worker, catalogue, characters)
        here = _Maker(catalogue, characters) if executor is None else None    # one job: in this process
        for result in _results(rows, catalogue, options, executor, here, jobs, stop or (lambda: False), summary):
            _count(summary, result)
            report.add(result)
            if print_file is not None and result.status != FAILED:
                print_file.add(options.out_dir / result.file, result.mrn)
            if on_row is not None:
                on_row(result)
    except BaseException:
        with suppress(OutputError):
            report.close()           # the rows done, as far as they go
        if print_file is not None:
            print_file.abort()
        raise
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        outputs.remove_stale(*folders)   # a worker killed in the middle of a packet leaves its temporary file
    report.close()
    if print_file is not None and summary.stopped:
        print_file.abort()           # a print job short of packets is too easily taken for the whole batch
    elif print_file is not None:
        summary.print_file = print_file.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _open(options: BatchOptions, report_path: Path) -> tuple[Report, PrintFile | None]:
    """The report and the print file, each a temporary file until the batch ends."""
    report = Report(report_path)
    try:
        return report, (PrintFile(options.print_file, options.duplex) if options.print_file else None)
    except OutputError:
        report.abort()
        raise


def _peeked(rows: Iterator[Row]) -> Iterator[Row]:
    """ROWS, preceded by a None that is yielded once the first row (and so the header) has been read."""
    first = next(rows, None)
    yield None
    if first is not None:
        yield first
        yield from rows


def _count(summary: BatchSummary, result: RowResult) -> None:
    counter = result.status if result.status in (WRITTEN, UNCHANGED) else "failed"
    setattr(summary, counter, getattr(summary, counter) + 1)
    summary.pages += result.pages


def _results(rows: Iterator[Row], catalogue: Catalogue, options: BatchOptions, executor: ProcessPoolExecutor | None,
             here: _Maker | None, jobs: int, stop: Callable[[], bool], summary: BatchSummary) -> Iterator[RowResult]:
    """A result per row, in manifest order, made by EXECUTOR's workers (or HERE), at most a few rows per worker
    in flight; once STOP says yes, only those in flight, less any whose worker was stopped with the batch."""
    window: deque[_Job] = deque()
    for row in rows:
        if stop():
            summary.stopped = True
            break
        job = _prepare(row, catalogue, options)
        if job.result is None:
            if executor is None:
                job.result = _run_here(here, job, options)
            else:
                job.future = _submit(executor, job, options)
        window.append(job)
        while window and (window[0].result is not None or len(window) > jobs * _WINDOW_PER_JOB):
            job = window.popleft()
            if not _stopped_with_batch(job, stop, summary):
                yield _finish(job)
    while window:
        job = window.popleft()
        if not _stopped_with_batch(job, stop, summary):
            yield _finish(job)


def _stopped_with_batch(job: _Job, stop: Callable[[], bool], summary: BatchSummary) -> bool:
    """JOB's worker died because the batch is being stopped (a signal to the process group reaches the
    workers too, as soon as the batch), so the row is left for the rerun, not reported as failed. Asked
    whenever a worker is found dead, wherever in the run: the stop may come after the last row was sent."""
    lost = job.result is None and job.future is not None and isinstance(job.future.exception(), BrokenProcessPool)
    if lost and stop():
        summary.stopped = True
        return True
    return False


def _prepare(row: Row, catalogue: Catalogue, options: BatchOptions) -> _Job:
    warnings = list(row.warnings)
    request = row.request
    if request is None:
        return _Job(row, RowResult(row.line, row.mrn, FAILED, errors=tuple(row.errors),
                                   warnings=tuple(warnings)))
    chosen = choose(row, catalogue, warnings)
    target = options.out_dir / f"{request.patient.mrn}.pdf"
    job = _Job(row, None, target, tuple((h.id, h.language.lower()) for h in chosen),
               _fingerprint(request, chosen, catalogue, options), tuple(warnings))
    if not options.force:
        pages = _pages_if_unchanged(target, job.fingerprint)
        if pages:
            job.result = _result(job, UNCHANGED, pages)
    return job


def _result(job: _Job, status: str, pages: int = 0, error: str | None = None) -> RowResult:
    request = job.row.request
    return RowResult(job.row.line, job.row.mrn, status, pages, job.target.name if status != FAILED else "",
                     errors=(error,) if error else (), warnings=job.warnings,
                     name=(request.patient.name or "") if request else "", request=request)


def _laid_out_error(job: _Job, error: HandoutError) -> str:
    """One line naming the manifest row first: its values are what made this packet fail."""
    problems = [str(problem) for problem in error.errors] if isinstance(error, ContentErrors) else [str(error)]
    return f"{job.row.path}:{job.row.line}: this row's packet could not be made: " + " | ".join(problems)


def _arguments(job: _Job, options: BatchOptions) -> tuple:
    return (job.row.request, job.chosen, options.cover, str(job.target), job.fingerprint)


def _submit(executor: ProcessPoolExecutor, job: _Job, options: BatchOptions) -> Future | None:
    try:
        return executor.submit(_make_packet, *_arguments(job, options))
    except BrokenProcessPool:
        job.result = _result(job, FAILED, error=_stopped(job))
        return None


def _run_here(here: _Maker, job: _Job, options: BatchOptions) -> RowResult:
    try:
        pages = here.make(*_arguments(job, options))
    except OutputError:
        raise          # the folder's fault, not the row's: every row after it would fail the same way
    except HandoutError as error:
        return _result(job, FAILED, error=_laid_out_error(job, error))
    return _result(job, WRITTEN, pages)


def _finish(job: _Job) -> RowResult:
    if job.result is not None:
        return job.result
    try:
        pages = job.future.result()
    except BrokenProcessPool:
        return _result(job, FAILED, error=_stopped(job))
    except OutputError:
        raise
    except HandoutError as error:
        return _result(job, FAILED, error=_laid_out_error(job, error))
    return _result(job, WRITTEN, pages)


def _stopped(job: _Job) -> str:
    return (f"{job.row.path}:{job.row.line}: the worker process making this packet stopped "
            "(killed or out of memory); no file was written; run the batch again")


def _fingerprint(request: model.PacketRequest, chosen: list[model.Handout], catalogue: Catalogue,
                 options: BatchOptions) -> str:
    """A digest of everything a packet is made from: the row, the handouts' files, the clinic, the engine."""
    inputs = {
        "engine": __version__,
        "row": {key: value for key, value in asdict(request).items() if key != "row"},
        "handouts": [catalogue.digest(handout) for handout in chosen],
        "clinic": catalogue.clinic_digest,
        "cover": options.cover,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


def _pages_if_unchanged(target: Path, fingerprint: str) -> int:
    """The page count of TARGET if it was made from the same inputs, else 0."""
    if not target.is_file():
        return 0
    try:
        reader = PdfReader(target)
        keywords = (reader.metadata or {}).get("/Keywords", "")
        return len(reader.pages) if keywords == _FINGERPRINT_PREFIX + fingerprint else 0
    except (OSError, PdfReadError, ValueError, KeyError):
        return 0
