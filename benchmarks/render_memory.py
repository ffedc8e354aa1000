"""Memory of one process rendering many PDFs from many threads, as a web server would: RSS after every tenth.

python benchmarks/render_memory.py [--renders N] [--threads N]

Prints a line per tenth of the renders: renders done, RSS in KB, Python's allocated blocks. The renders
cycle through both kyphoplasty handouts, letter and A4, standard and large print, for a different patient
each time, with more visit dates than the layout cache holds: layouts are laid out, reused and dropped
all along, so a cache that grew without bound, or a render that kept anything, would show as a climb.
"""
from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

VISITS = 40        # distinct visit dates: more than the layout cache's 16 layouts


def rss_kb() -> int:
    """This process's resident set now (Linux /proc), in KB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(renders: int, threads: int) -> list[tuple[int, int, int]]:
    """(renders done, RSS KB, allocated blocks) after each tenth of RENDERS made by THREADS threads."""
    import handouts
    both = [handouts.load_handout(REPO / "content" / name)
            for name in ("kyphoplasty-before.yaml", "kyphoplasty-care-after.yaml")]
    clinic = handouts.load_clinic(REPO / "content" / "clinic.yaml")

    def one(number: int) -> int:
        patient = handouts.Patient(name=f"Test Patient {number}", mrn=f"M-{number:06d}",
                                dob=date(1930, 1, 1) + timedelta(days=number % 20000),
                                followup_date=date(2026, 12, 1) + timedelta(days=number % VISITS))
        paper = "a4" if number % 3 == 0 else "letter"
        return len(handouts.render_handout(both[number % 2], clinic, patient, paper=paper,
                                           large_print=number % 5 == 0).data)

    step = max(1, renders // 10)
    points = []
    with ThreadPoolExecutor(threads) as pool:
        for start in range(0, renders, step):
            list(pool.map(one, range(start, min(start + step, renders))))
            points.append((min(start + step, renders), rss_kb(), sys.getallocatedblocks()))
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=8)
    options = parser.parse_args()
    for done, rss, blocks in measure(options.renders, options.threads):
        print(done, rss, blocks)


if __name__ == "__main__":
    main()
