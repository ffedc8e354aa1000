"""Packets for the page: a packet request in; its PDF and page images out, made in worker processes (one per core), or in a thread when there are none."""
from __future__ import annotations

import asyncio
import gc
import os
from contextlib import suppress
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from .. import model, packets, workers
from ..batch import BatchOptions
from ..catalogue import Catalogue, load_catalogue
from ..errors import HandoutError
from .forms import WORDS
from .previews import page_images

JOB_SECONDS = 60.0            # a packet takes well under a second; a call this long is a stuck pool
# A worker's catalogue, loaded once when it starts: the same content and checks as the page's own.
_catalogue: Catalogue | None = None


@dataclass(frozen=True)
class Made:
    """A packet's PDF and page count; or, when only layout could find it, what is wrong (in the page's words)
    and the patient setting it is about ("" for the handouts)."""

    data: bytes = b""
    pages: int = 0
    problem: str = ""
    setting: str = ""
    images: dict[int, bytes] = field(default_factory=dict)     # the first pages' images, by index from 0


@dataclass(frozen=True)
class Job:
    handouts: tuple[tuple[str, str], ...]      # (id, language) in the packet's order
    patient: model.Patient
    paper: str
    large_print: bool
    language: str
    cover: bool
    notes: str | None
    images: int = 0                            # how many first pages to make images of, with the PDF


def _load(options: BatchOptions) -> None:
    """A worker's start: the content loaded and one packet drawn (fonts read, layouts cached), then all of it
    set aside from the garbage collector, which would otherwise walk it again on every full collection."""
    global _catalogue
    _catalogue = load_catalogue(options)
    first = next(iter(sorted(_catalogue.by_id)), None)
    if first is not None:
        handout = _catalogue.pick(first, "en")
        make(Job(((handout.id, handout.language.lower()),), model.Patient(name="Warm Up", mrn="W-1"), "letter",
                 False, handout.language, False, None, 1))
    gc.freeze()


def make(job: Job, catalogue: Catalogue | None = None) -> Made:
    """JOB's packet through the library API; in a worker, with the catalogue it loaded."""
    catalogue = catalogue or _catalogue
    chosen = [catalogue.by_id[handout_id][language] for handout_id, language in job.handouts]
    try:
        rendered = packets.render_packet(chosen, catalogue.clinic, job.patient, paper=job.paper,
                                         large_print=job.large_print, language=job.language, cover=job.cover,
                                         notes=job.notes)
    except HandoutError as error:
        # Said here: an error object need not survive the trip back from a worker process.
        return Made(problem=error.text(WORDS), setting=getattr(error, "setting", ""))
    # The first screen's images in the same job: the packet is at hand, and one opening serves them all.
    return Made(rendered.data, rendered.pages, images=page_images(rendered.data, range(job.images)) if job.images else {})


class Renderer:
    """WORKERS processes, started together by `start()` from the thread that serves (a worker ends with the
    thread that started it); with none, packets are made in a thread of the server's pool. Either way the
    event loop never waits on a packet, and rendering uses every core, which threads alone (Python's
    global lock) cannot."""

    def __init__(self, catalogue: Catalogue, options: BatchOptions, workers_count: int = 0):
        self.catalogue = catalogue
        self._options = options
        self._count = workers_count
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self._count <= 0 or self._pool is not None:
            return
        # spawn, never fork: the server has threads, and a fork copies whatever locks they hold.
        self._pool = workers.pool(self._count, _load, self._options, method="spawn")
        warm = [self._pool.submit(os.getpid) for _ in range(self._count)]
        for future in warm:
            future.result()

    def close(self) -> None:
        pool = self._pool
        if pool is not None:
            if all(process.is_alive() for process in pool._processes.values()):
                pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
            else:
                self._end(pool)         # a pool with a dead worker may never finish shutting down

    def job(self, request: model.PacketRequest, cover: bool, images: int = 0) -> Job:
        chosen = tuple((handout.id, handout.language.lower()) for handout in
                       (self.catalogue.pick(handout_id, request.language) for handout_id in request.handouts))
        return Job(chosen, request.patient, request.paper, request.large_print, request.language, cover,
                   request.notes, images)

    async def make(self, request: model.PacketRequest, cover: bool, images: int = 0) -> Made:
        """REQUEST's packet (with a cover when COVER), and images of its first IMAGES pages."""
        job = self.job(request, cover, images)
        if self._count <= 0:
            return await run_in_threadpool(make, job, self.catalogue)
        return await self._in_worker(make, job)

    async def page_images(self, pdf: bytes, indexes: list[int]) -> dict[int, bytes]:
        """Pages INDEXES of PDF as JPEGs (see previews.page_images), made where packets are."""
        if self._count <= 0:
            return await run_in_threadpool(page_images, pdf, indexes)
        return await self._in_worker(page_images, pdf, indexes)

    async def _in_worker(self, function, *args):
        """FUNCTION(*ARGS) in a worker. A worker that died (killed, out of memory) breaks the pool for good,
        and one killed while sending its answer can leave the pool waiting on half of it, never saying it
        broke: so a pool with a dead worker, or a call past JOB_SECONDS, is ended (its processes killed) and
        a new one made, from this thread (the event loop's, which lasts as long as the server), and the
        call tried once more there."""
        for attempt in (1, 2):
            pool = self._pool
            if pool is not None and not all(process.is_alive() for process in pool._processes.values()):
                self._end(pool)
                pool = None
            if pool is None:
                pool = self._pool = workers.pool(self._count, _load, self._options, method="spawn")
            try:
                return await asyncio.wait_for(asyncio.wrap_future(pool.submit(function, *args)), JOB_SECONDS)
            except (BrokenProcessPool, asyncio.TimeoutError):
                self._end(pool)
                if attempt == 2:
                    raise

    def _end(self, pool: ProcessPoolExecutor) -> None:
        """End POOL without waiting on it: its processes killed, its threads left to see that and stop."""
        if self._pool is pool:
            self._pool = None
        for process in list(pool._processes.values()):     # the executor offers no way to kill its workers
            process.kill()
        # Its thread may be stuck reading half an answer from a killed worker: with this process's own end
        # of that pipe closed too, nobody can write the rest, the read ends, and so does the thread.
        with suppress(OSError, AttributeError):
            pool._result_queue._writer.close()
        pool.shutdown(wait=False, cancel_futures=True)


def cores() -> int:
    """Worker processes for `serve`: one per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1

