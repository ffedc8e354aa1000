"""Run a command and report the peak memory of it and all its child processes together (Linux /proc).

PSS counts a page shared by forked workers once, split between them; the RSS sum counts it in each.

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


def tree_memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of PID and every descendant, summed, in KB."""
    pss = rss = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            continue
        pending += _children(current)
    return pss, rss


def run_measured(command: list[str], every: float = 0.1, env: dict | None = None,
                 samples: list | None = None) -> tuple[int, int]:
    """Run COMMAND to its end, sampling its process tree every EVERY seconds; (peak PSS, peak RSS) in KB.
    Raises CalledProcessError if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env)
    peak_pss = peak_rss = 0
    while process.poll() is None:
        pss, rss = tree_memory_kb(process.pid)
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        if samples is not None:
            samples.append((time.perf_counter() - started, pss, rss))
        time.sleep(every)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return peak_pss, peak_rss


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=float, default=0.1)
    parser.add_argument("--trace", type=Path, help="write 'seconds,kb' samples here")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    started = time.perf_counter()
    samples: list = []
    try:
        peak_pss, peak_rss = run_measured(command, args.every, samples=samples)
        status = 0
    except subprocess.CalledProcessError as error:
        peak_pss = max((pss for _, pss, _ in samples), default=0)
        peak_rss = max((rss for _, _, rss in samples), default=0)
        status = error.returncode
    if args.trace:
        args.trace.write_text("".join(f"{t:.2f},{pss},{rss}\n" for t, pss, rss in samples))
    print(f"peak PSS {peak_pss / 1024:.1f} MB, peak RSS sum {peak_rss / 1024:.1f} MB, "
          f"over {time.perf_counter() - started:.1f} s, exit {status}")
    return status


if __name__ == "__main__":
    sys.exit(main())
