"""Messages per second of `handouts email` to a local SMTP sink: python benchmarks/email_rate.py [N] [--runs R] [--encrypt].

Makes an N-row manifest (200 by default) with an address on every row, builds the packets first with
`handouts batch` (timed on its own), starts an aiosmtpd server on 127.0.0.1 that accepts and drops
every message, then runs `handouts email` R times, each with an empty outbox, and prints its summary.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from make_manifest import write_manifest

REPO = Path(__file__).resolve().parent.parent


class Sink:
    def __init__(self) -> None:
        self.messages = 0
        self.octets = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.octets += len(envelope.content)
        return "250 OK"


def with_addresses(path: Path) -> None:
    """Give every row of the manifest at PATH a (fictional) email address."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    rows[0].append("email")
    for number, row in enumerate(rows[1:]):
        row.append(f"patient{number:06d}@example.org")
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)


def handouts(*arguments: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    # From the repository folder, so this checkout's code runs whatever is installed.
    done = subprocess.run([sys.executable, "-m", "handouts", *arguments], cwd=REPO, capture_output=True, text=True)
    return done, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--encrypt", action="store_true")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        manifest = work / "patients.csv"
        write_manifest(arguments.count, manifest)
        with_addresses(manifest)
        packets = work / "packets"
        built, seconds = handouts("batch", str(manifest), "-o", str(packets), "--content", str(REPO / "content"),
                                  "--jobs", str(os.cpu_count() or 1))
        if built.returncode != 0:
            sys.exit(built.stderr)
        print(f"packets: {arguments.count} built beforehand in {seconds:.1f} s ({os.cpu_count()} jobs)")

        sink = Sink()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            for run in range(1, arguments.runs + 1):
                before = sink.messages
                done, wall = handouts("email", str(manifest), "--packets", str(packets), "--content",
                                      str(REPO / "content"), "--jobs", "1", "--smtp-host", "127.0.0.1",
                                      "--smtp-port", str(port), "--from", "handouts@riverside-spine.example.org",
                                      "--outbox", str(work / f"outbox-{run}"),
                                      *(["--encrypt"] if arguments.encrypt else []))
                line = next((text for text in done.stdout.splitlines() if text.startswith("Email:")), done.stderr)
                rate = re.search(r"\(([\d.]+) messages per second\)", line)
                print(f"run {run}: exit {done.returncode}; the server took {sink.messages - before} messages; "
                      f"{rate.group(1) if rate else '?'} messages per second while sending; "
                      f"{wall:.1f} s for the whole command (start-up, packet check, composing and sending)")
                print(f"  {line}")
        finally:
            controller.stop()
        print(f"average message: {sink.octets / max(1, sink.messages) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
