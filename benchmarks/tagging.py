"""What tagging costs: ms and KB per PDF of every handout in content/, tagged, untagged and before tagging.

python benchmarks/tagging.py [--runs N] [--before PATH] [--handout NAME ...]

Each handout is rendered personalized (a different patient each time, as in a batch) N times after a
warm-up, every way interleaved in a new order each round so that the machine's other work falls on all
alike; the median of each is printed, with the size of the PDF. Times are this process's CPU time
(time.process_time). "Fresh layout" empties the layout cache before each render (the first packet of a
handout, or a handout that prints each patient's visit date in its text); "reused layout" is every
later patient's copy, measured in renders one after another (measured with a fresh render before each
reused one, the reused times of one way moved by up to 20% from run to run).

--before PATH names a checkout of the code before tagging: its package is copied into a temporary
folder as handouts_before and rendered in this same process, interleaved with the rest (separate
processes here differed by 10 to 20% from run to run, more than the cost measured). The two packages
share ReportLab's registered fonts; this checkout registers them first, and the one thing its fonts add
to a PDF (unused codes dropped from the ToUnicode maps) is switched off while the older code renders,
so that each renders as it does alone.
"""
from __future__ import annotations

import argparse
import importlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
HANDOUTS = ("kyphoplasty-before", "kyphoplasty-before.es", "kyphoplasty-care-after", "kyphoplasty-care-after.es")


class Way:
    """One way of rendering: a package (this checkout's or the older one's) and its options."""

    def __init__(self, label: str, package: str, repo: Path, options: dict):
        self.label, self.repo, self.options = label, repo, options
        self.older = package != "handouts"
        self.handouts = importlib.import_module(package)
        self.model = importlib.import_module(f"{package}.model")
        self.document = importlib.import_module(f"{package}.render.document")
        self.layout = importlib.import_module(f"{package}.render.layout")
        self.clinic = self.handouts.load_clinic(repo / "content" / "clinic.yaml")

    def render(self, handout, number: int, fresh: bool) -> tuple[float, int]:
        """CPU ms and bytes of HANDOUT rendered for patient NUMBER."""
        if fresh:
            self.layout.cache = self.layout.LayoutCache()
        patient = self.model.Patient(name=f"Test Patient {number}", mrn=f"B-{number:06d}", dob=date(1948, 3, 14))
        packet = self.document.Packet((handout,), patient, handout.language)
        started = time.process_time()
        pdf = self.document.render_packet(packet, self.clinic, **self.options)
        return (time.process_time() - started) * 1000, len(pdf.data)


def ways(before: Path | None, folder: Path) -> list[Way]:
    """The tagged and untagged ways of this checkout, and the code BEFORE tagging when given."""
    sys.path.insert(0, str(HERE))
    found = [Way("tagged", "handouts", HERE, {"tagged": True}), Way("untagged", "handouts", HERE, {"tagged": False})]
    found[0].handouts.render.fonts.register()       # first: the fonts both packages draw with are this one's
    if before is not None:
        shutil.copytree(before / "handouts", folder / "handouts_before")
        (folder / "fonts").symlink_to(before / "fonts")      # found next to the package, as in a checkout
        sys.path.insert(0, str(folder))
        found.append(Way("before tagging", "handouts_before", before, {}))
    return found


def measure(found: list[Way], runs: int, names: tuple[str, ...]) -> list[tuple[str, str, float, float, float]]:
    """(handout, way, ms with a fresh layout, ms with the layout reused, KB) for each handout and way."""
    fonts = found[0].handouts.render.fonts
    drop_unused = fonts._without_unused_codes
    shuffle = random.Random(18).shuffle
    rows = []
    for name in names:
        handouts = [way.handouts.load_handout(way.repo / "content" / f"{name}.yaml") for way in found]
        times: dict[tuple[str, bool], list[float]] = {(way.label, fresh): [] for way in found for fresh in (True, False)}
        sizes: dict[str, int] = {}
        # Fresh layouts first, then reused ones one after another, as in a batch; the ways in a new
        # order each round, so that none always follows another's render.
        for fresh in (True, False):
            order = list(zip(found, handouts))
            for number in range(runs + 3):
                shuffle(order)
                for way, handout in order:
                    fonts._without_unused_codes = _nothing if way.older else drop_unused
                    spent, sizes[way.label] = way.render(handout, number, fresh)
                    if number >= 3:         # the first three are a warm-up
                        times[way.label, fresh].append(spent)
        fonts._without_unused_codes = drop_unused
        rows += [(name, way.label, statistics.median(times[way.label, True]),
                  statistics.median(times[way.label, False]), sizes[way.label] / 1024) for way in found]
    return rows


def _nothing(*_) -> None:
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="renders measured per handout, way and layout")
    parser.add_argument("--before", type=Path, help="a checkout of the code before tagging, to compare with")
    parser.add_argument("--handout", action="append", choices=HANDOUTS, help="only this one (again for more)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        found = ways(options.before.resolve() if options.before else None, Path(folder))
        rows = measure(found, options.runs, tuple(options.handout or HANDOUTS))
    print("| handout | PDF | CPU ms, fresh layout | CPU ms, reused layout | KB |")
    print("| --- | --- | --- | --- | --- |")
    for name, way, fresh, reused, size in rows:
        print(f"| {name} | {way} | {fresh:.1f} | {reused:.1f} | {size:.1f} |")
    by_way: dict[str, list] = {}
    for row in rows:
        by_way.setdefault(row[1], []).append(row)
    for other in ("untagged", "before tagging"):
        if other not in by_way:
            continue
        print(f"\ntagged against {other}:")
        for column, label in ((2, "fresh layout"), (3, "reused layout"), (4, "size")):
            ratios = [tagged[column] / base[column] - 1 for tagged, base in zip(by_way["tagged"], by_way[other])]
            print(f"  {label}: " + ", ".join(f"{ratio:+.1%}" for ratio in ratios))


if __name__ == "__main__":
    main()
