"""Pages per minute handed to a printer on loopback: a batch of fictional packets printed with `handouts batch --printer`.

python benchmarks/print_batch.py [--packets 300] [--cups] [--wait]

Starts an IPP Everywhere printer (ippeveprinter, from cups-ipp-utils; its job command only keeps a copy of
each document, so the figure is what this tool and the IPP exchange cost, not a paper speed) and, with
--cups, a cupsd with a driverless queue in front of it. The packets are made first (`handouts batch`
without a printer); the timed run then finds them unchanged and prints each one as its own job. The rate
is the one the command prints: pages handed over per minute of printing (making the packets excluded).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from make_manifest import write_manifest  # noqa: E402
from printers import Cups, IppEvePrinter  # noqa: E402


def handouts(*arguments: str, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "handouts", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=3600, cwd=REPO,
                          env={**os.environ, **(env or {})})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=300)
    parser.add_argument("--cups", action="store_true", help="print through a CUPS queue, not straight over IPP")
    parser.add_argument("--wait", action="store_true", help="follow each job until the printer says completed")
    chosen = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        manifest = here / "patients.csv"
        write_manifest(chosen.packets, manifest)
        made = handouts("batch", str(manifest), "-o", str(here / "out"), "--content", str(REPO / "content"))
        if made.returncode != 0:
            sys.exit(made.stderr or made.stdout)
        printer = IppEvePrinter(here / "printer")
        cups = Cups(here / "cups") if chosen.cups else None
        try:
            target = cups.add_queue("Bench", printer) if cups else printer.uri
            env = {"CUPS_SERVER": cups.server} if cups else {}
            started = time.perf_counter()
            done = handouts("batch", str(manifest), "-o", str(here / "out"), "--content", str(REPO / "content"),
                            "--printer", target, "--wait" if chosen.wait else "--no-wait", env=env)
            seconds = time.perf_counter() - started
            line = next((text for text in done.stdout.splitlines() if text.startswith("Print:")), done.stderr)
            arrived = len(printer.jobs(chosen.packets, seconds=120))
        finally:
            if cups:
                cups.close()
            printer.close()
        rate = re.search(r"\(([\d,]+) pages per minute\)", line)
        print(f"{chosen.packets} packets, {'CUPS queue' if cups else 'IPP straight'}, "
              f"{'--wait' if chosen.wait else '--no-wait'}: {line}")
        print(f"  jobs that reached the printer: {arrived}; whole command {seconds:.1f} s; "
              f"pages per minute: {rate.group(1) if rate else '?'}")
        if done.returncode != 0:
            sys.exit(f"exit status {done.returncode}: {done.stderr[-2000:]}")


if __name__ == "__main__":
    main()
