"""Worker processes: each ends when the process that started it ends, and leaves a stop to it."""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

_PR_SET_PDEATHSIG = 1          # from <linux/prctl.h>
_POLL_SECONDS = 0.5


def pool(jobs: int, then: Callable[..., None], *args: object, method: str | None = None) -> ProcessPoolExecutor:
    """JOBS worker processes, each started with THEN(*ARGS), that end with this process (on Linux, with the
    thread that starts them). METHOD: "spawn" where the caller runs threads; by default fork where there is one."""
    # fork starts workers with what this process has loaded; where there is none (Windows), spawn.
    method = method or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method), initializer=start,
                               initargs=(os.getpid(), then, *args))


def start(parent: int, then: Callable[..., None], *args: object) -> None:
    """A pool worker's initializer: end with process PARENT, leave Ctrl-C to it, then THEN(*ARGS).

    A terminal's Ctrl-C reaches every process of the group; PARENT stops the batch after the packets in
    progress, which a worker with its own KeyboardInterrupt would drop. SIGTERM gets its default back: the
    pool ends the other workers with it when one of them has died, and a worker forked while the caller
    catches SIGTERM (the command does, to stop between rows) would otherwise only note it and wait on."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker killed while it held the result queue's lock leaves the others waiting for that lock forever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    end_with(parent)
    then(*args)


def end_with(parent: int) -> None:
    """End this process when process PARENT ends, even by SIGKILL, which gives PARENT no chance to say so.

    A forked worker waits for its next task on a pipe whose writing end the other workers hold too, so
    PARENT's death does not end that wait: the orphan would run on, holding the caller's output pipes
    open, and whoever waits for their end would wait forever."""
    if not _kernel_kills_orphan():
        threading.Thread(target=_watch, args=(parent,), name="end-with-parent", daemon=True).start()
    if os.getppid() != parent:     # PARENT died before the above was in place
        os._exit(1)


def _kernel_kills_orphan() -> bool:
    """Linux: the kernel sends this process SIGKILL the moment the thread that forked it ends (the
    pool forks from the thread that submits, which is the one running the batch until it is done)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    """Elsewhere: an orphan gets a new parent (init, or a subreaper), which a glance twice a second sees.
    Windows keeps a dead parent's id, but gives a spawned worker a handle on its parent, which ends with it."""
    process = multiprocessing.parent_process()
    if os.name == "nt" and process is not None:
        process.join()
    else:
        while os.getppid() == parent:
            time.sleep(_POLL_SECONDS)
    os._exit(1)
