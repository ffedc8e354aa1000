"""What tagging costs: ms and KB per PDF of every handout in content/, tagged and not, in one process.

python benchmarks/tagging.py [--runs N] [--repo PATH] [--handout NAME ...]

Each handout is rendered personalized (a different patient each time, as in a batch) N times after a
warm-up, the two ways interleaved so that the machine's other work falls on both alike; the median of
each is printed, with the size of the PDF. Times are this process's CPU time (time.process_time), so
that other programs on the machine count as little as they can. "Fresh layout" empties the layout cache before each render
(the first packet of a handout, or a handout that prints each patient's visit date in its text);
"reused layout" is every later patient's copy. Run with --repo on another checkout (one older than
tagging has only the public API, whose PDFs are untagged) to compare with it: the same script, the
same handouts, that checkout's code.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
HANDOUTS = ("kyphoplasty-before", "kyphoplasty-before.es", "kyphoplasty-care-after", "kyphoplasty-care-after.es")


def measure(repo: Path, runs: int, names: tuple[str, ...] = HANDOUTS) -> list[tuple[str, str, float, float, float]]:
    """(handout, way, ms with a fresh layout, ms with the layout reused, KB) for each handout and way."""
    sys.path.insert(0, str(repo))
    import handouts
    from handouts import model
    from handouts.render import document, layout
    clinic = handouts.load_clinic(repo / "content" / "clinic.yaml")
    tagging = "tagged" in document.render_packet.__code__.co_varnames
    ways = {"tagged": True, "untagged": False} if tagging else {"before tagging": None}
    rows = []
    for name in names:
        handout = handouts.load_handout(repo / "content" / f"{name}.yaml")
        times: dict[tuple[str, bool], list[float]] = {(way, fresh): [] for way in ways for fresh in (True, False)}
        sizes: dict[str, int] = {}
        for number in range(runs + 3):
            patient = model.Patient(name=f"Test Patient {number}", mrn=f"B-{number:06d}", dob=date(1948, 3, 14))
            for way, tagged in ways.items():
                for fresh in (True, False):
                    if fresh:
                        layout.cache = layout.LayoutCache()
                    packet = document.Packet((handout,), patient, handout.language)
                    options = {} if tagged is None else {"tagged": tagged}
                    started = time.process_time()
                    pdf = document.render_packet(packet, clinic, **options)
                    if number >= 3:         # the first three are a warm-up
                        times[way, fresh].append((time.process_time() - started) * 1000)
                    sizes[way] = len(pdf.data)
        rows += [(name, way, statistics.median(times[way, True]), statistics.median(times[way, False]),
                  sizes[way] / 1024) for way in ways]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="renders measured per handout, way and layout")
    parser.add_argument("--repo", type=Path, default=HERE, help="the checkout to measure (default: this one)")
    parser.add_argument("--handout", action="append", choices=HANDOUTS, help="only this one (again for more)")
    options = parser.parse_args()
    rows = measure(options.repo.resolve(), options.runs, tuple(options.handout or HANDOUTS))
    print("| handout | PDF | CPU ms, fresh layout | CPU ms, reused layout | KB |")
    print("| --- | --- | --- | --- | --- |")
    for name, way, fresh, reused, size in rows:
        print(f"| {name} | {way} | {fresh:.1f} | {reused:.1f} | {size:.1f} |")
    by_way: dict[str, list] = {}
    for row in rows:
        by_way.setdefault(row[1], []).append(row)
    if "tagged" in by_way:
        for column, label in ((2, "fresh layout"), (3, "reused layout"), (4, "size")):
            ratios = [tagged[column] / untagged[column] - 1 for tagged, untagged in zip(by_way["tagged"],
                                                                                        by_way["untagged"])]
            print(f"\ntagging's cost, {label}: " + ", ".join(f"{ratio:+.1%}" for ratio in ratios))


if __name__ == "__main__":
    main()
