"""Run a command and report the peak of the summed RSS of it and all its child processes (Linux /proc).

python benchmarks/tree_memory.py [--every SECONDS] [--trace FILE] -- COMMAND ..."""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def tree_rss_kb(pid: int) -> int:
    """Resident memory of PID and every descendant, in KB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
        pending += _children(current)
    return total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=float, default=0.1)
    parser.add_argument("--trace", type=Path, help="write 'seconds,kb' samples here")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak, samples = 0, []
    while process.poll() is None:
        rss = tree_rss_kb(process.pid)
        peak = max(peak, rss)
        samples.append((time.perf_counter() - started, rss))
        time.sleep(args.every)
    if args.trace:
        args.trace.write_text("".join(f"{t:.2f},{kb}\n" for t, kb in samples))
    print(f"peak {peak / 1024:.1f} MB over {time.perf_counter() - started:.1f} s, exit {process.returncode}")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
