"""The performance table: speed, size and memory of the engine, measured here and printed as Markdown.

python benchmarks/run.py [--packets N] [--batch-rows N] [--process-runs N] [--text-runs N] [--memory-rows N]
                         [--render-memory N]

Every figure is a median over runs, measured on the machine it runs on:
- ms per packet: one personalized copy of the care-after handout, rendered in this process after a
  warm-up, a different patient name each time (p50 and p95), and the same per page;
- batch: `handouts batch` of N one-handout rows with --jobs 2, as a whole command, packets per second:
  every row a different patient with the same visit date, and every row a different visit date
  (which prints in the handout's text, so no row can reuse another's layout);
- print file: the --print-file of N such packets, in MB;
- whole process: `handouts build` of one handout, and `handouts --help`, from start to exit, with
  Python's bytecode cache on as after an ordinary install (this benchmark drops PYTHONDONTWRITEBYTECODE),
  and `handouts build` once more with it off;
- KB: the care-after handout as `handouts build` writes it, fonts embedded, with and without a patient;
- long text: loading and laying out, in this process, 2,000, 4,000 and 8,000 words in paragraphs at the
  5,000-character limit, with what each 1,000 words more costs between those lengths: the same cost at
  each step is time in proportion to the text;
- memory: peak PSS of `handouts batch` (the command and its workers together) over N rows with a print
  file, and how much it grew after the first tenth of the run;
- memory over renders: RSS of one process rendering N PDFs from 8 threads, as a web server calling the
  library would (benchmarks/render_memory.py), after each tenth of them: flat once the caches are full;
- web preview: `handouts serve` on loopback, a personalized two-handout packet previewed, from the request to
  the first screen of page images (3, as Chromium asks) and to every page's image: alone (p50, p95), and
  20 signed-in users pressing Preview at the same moment, 5 times (benchmarks/web_preview.py).
"""
from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

HANDOUT = REPO / "content" / "kyphoplasty-care-after.yaml"
CLINIC = REPO / "content" / "clinic.yaml"
ENV = {**{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
       "PYTHONPATH": str(REPO)}
NO_BYTECODE = {**ENV, "PYTHONDONTWRITEBYTECODE": "1"}


def render_times(count: int) -> list[float]:
    from handouts import content
    from handouts import model
    from handouts.render.document import Packet, render_packet
    handout = content.load_handout(HANDOUT)
    clinic = content.load_clinic(CLINIC)

    def one(number: int) -> float:
        patient = model.Patient(name=f"Test Patient {number}", mrn=f"B-{number:06d}", dob=date(1948, 3, 14),
                                followup_date=date(2026, 12, 3))
        started = time.perf_counter()
        render_packet(Packet((handout,), patient, "en"), clinic)
        return (time.perf_counter() - started) * 1000

    for number in range(min(5, count)):
        one(number)          # warm-up: fonts registered, caches filled
    return [one(number) for number in range(count)]


LONG_TEXT_WORDS = ("rest", "walk", "call", "your", "doctor", "if", "the", "pain", "gets", "worse", "after", "surgery")


def long_text_ms(folder: Path, words: int, runs: int) -> float:
    """Median ms to load and lay out, in this process, a handout of WORDS words in paragraphs as long as
    the length limit allows; other words each run, so no layout is reused."""
    from handouts import content
    from handouts.content import limits
    from handouts import model
    from handouts.render.document import render
    limit = limits.MAX_BODY
    times = []
    for run in range(runs):
        chooser = random.Random(f"{words}-{run}")
        paragraphs, current = [], ""
        for number in range(words):
            word = chooser.choice(LONG_TEXT_WORDS) + ("." if number % 12 == 11 else "")
            if current and len(current) + 1 + len(word) > limit:
                paragraphs.append(current)
                current = ""
            current = f"{current} {word}" if current else word
        paragraphs.append(current)
        path = folder / f"long-{words}-{run}.yaml"
        path.write_text("id: long\ntitle: Long text\nkind: general\nsections:\n  - heading: Text\n    blocks:\n"
                        + "".join(f"      - paragraph: \"{paragraph}\"\n" for paragraph in paragraphs),
                        encoding="utf-8")
        started = time.perf_counter()
        render(content.load_handout(path), model.Clinic(), "letter")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _per_words(times: dict[int, float]) -> str:
    """"14.0 / 26.0 / 50.0 (each 1,000 words more: 6.0 / 6.0 ms)" for ms by word count: the same cost
    for each step is time in proportion to the text (beyond the fixed cost of any handout)."""
    counts, ms = list(times), list(times.values())
    steps = " / ".join(f"{(ms[i + 1] - ms[i]) * 1000 / (counts[i + 1] - counts[i]):.1f}" for i in range(len(ms) - 1))
    return " / ".join(f"{value:.1f}" for value in ms) + f" (each 1,000 words more: {steps} ms)"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def write_manifest(rows: int, path: Path, visits_differ: bool = False) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["mrn", "name", "dob", "handouts", "followup_date"])
        for number in range(rows):
            visit = date.fromordinal(date(2026, 12, 3).toordinal() + number) if visits_differ else date(2026, 12, 3)
            writer.writerow([f"B-{number:06d}", f"Test Patient {number}", "1948-03-14", "kyphoplasty-care-after",
                             visit.isoformat()])


def command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "handouts", *arguments]


def batch_rate(rows: int, folder: Path, visits_differ: bool = False, *extra: str) -> float:
    manifest = folder / f"rows-{rows}-{visits_differ}.csv"
    write_manifest(rows, manifest, visits_differ)
    out = folder / f"packets-{time.perf_counter_ns()}"
    started = time.perf_counter()
    subprocess.run(command("batch", str(manifest), "-o", str(out), "--content", str(REPO / "content"), "--jobs", "2",
                           *extra), check=True, env=ENV, capture_output=True)
    return rows / (time.perf_counter() - started)


def print_file_mb(rows: int, folder: Path) -> float:
    target = folder / "print.pdf"
    batch_rate(rows, folder, False, "--print-file", str(target))
    return target.stat().st_size / 1024 / 1024


def process_ms(arguments: list[str], runs: int, env: dict = ENV) -> float:
    subprocess.run(command(*arguments), check=True, env=env, capture_output=True)   # writes the bytecode cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command(*arguments), check=True, env=env, capture_output=True)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def sizes_kb(folder: Path) -> tuple[float, float]:
    generic, personal = folder / "generic", folder / "personal"
    subprocess.run(command("build", str(HANDOUT), "-o", str(generic), "--clinic", str(CLINIC)),
                   check=True, env=ENV, capture_output=True)
    subprocess.run(command("build", str(HANDOUT), "-o", str(personal), "--clinic", str(CLINIC),
                           "--set", "patient.name=Test Patient", "--set", "patient.mrn=B-1",
                           "--set", "patient.dob=1948-03-14"), check=True, env=ENV, capture_output=True)
    return ((generic / "kyphoplasty-care-after.en.pdf").stat().st_size / 1024,
            (personal / "B-1.kyphoplasty-care-after.en.pdf").stat().st_size / 1024)


def peak_memory_mb(rows: int, folder: Path) -> tuple[float, float]:
    """Peak PSS of the batch, and how much higher it is than the highest sample of the run's first tenth."""
    from tree_memory import run_measured
    manifest = folder / f"memory-{rows}.csv"
    write_manifest(rows, manifest)
    samples: list = []
    peak_pss, _ = run_measured(command("batch", str(manifest), "-o", str(folder / "memory-packets"), "--content",
                                       str(REPO / "content"), "--jobs", "2",
                                       "--print-file", str(folder / "memory-print.pdf")), every=0.2, env=ENV,
                               samples=samples)
    end = samples[-1][0] if samples else 0
    early = max((pss for seconds, pss, _ in samples if seconds <= end / 10), default=peak_pss)
    return peak_pss / 1024, (peak_pss - early) / 1024


def render_memory_mb(renders: int) -> list[tuple[int, float]]:
    """(renders done, RSS in MB) after each tenth of RENDERS in a process of their own."""
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "render_memory.py"), "--renders", str(renders)],
                          check=True, env=ENV, capture_output=True, text=True)
    return [(int(count), int(rss) / 1024) for count, rss, _ in (line.split() for line in done.stdout.splitlines())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=300, help="packets rendered in process for ms per packet")
    parser.add_argument("--batch-rows", type=int, default=1000, help="rows of the batch run")
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--process-runs", type=int, default=7, help="runs of each whole-process measurement")
    parser.add_argument("--text-runs", type=int, default=5, help="runs of each long-text measurement")
    parser.add_argument("--memory-rows", type=int, default=10_000, help="rows of the memory run; 0 skips it")
    parser.add_argument("--render-memory", type=int, default=5000, help="renders of the in-process memory run")
    parser.add_argument("--web-users", type=int, default=20, help="users previewing at once; 0 skips the web run")
    parser.add_argument("--web-alone", type=int, default=20, help="previews one after another")
    parser.add_argument("--web-rounds", type=int, default=5, help="times the users press Preview at once")
    options = parser.parse_args()
    # `python -m handouts` imports from the current folder first: measure this checkout, wherever run from.
    os.chdir(REPO)

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        times = render_times(options.packets)
        rates = [batch_rate(options.batch_rows, folder) for _ in range(options.batch_runs)]
        varied = [batch_rate(options.batch_rows, folder, True) for _ in range(options.batch_runs)]
        print_mb = print_file_mb(options.batch_rows, folder)
        build = ["build", str(HANDOUT), "-o", str(folder / "one"), "--clinic", str(CLINIC)]
        build_ms = process_ms(build, options.process_runs)
        help_ms = process_ms(["--help"], options.process_runs)
        uncached_ms = process_ms(build, options.process_runs, NO_BYTECODE)
        generic_kb, personal_kb = sizes_kb(folder)
        long_text_ms(folder, 100, 1)          # warm-up: fonts registered
        paragraphs = {words: long_text_ms(folder, words, options.text_runs) for words in (2000, 4000, 8000)}
        memory = peak_memory_mb(options.memory_rows, folder) if options.memory_rows else None
        rendering = render_memory_mb(options.render_memory)
    web = None
    if options.web_users:
        import web_preview
        web = web_preview.measure(options.web_alone, options.web_users, options.web_rounds)

    from handouts import __version__
    pages = 5
    print(f"handouts {__version__} on {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, {platform.machine()}")
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| ms per packet ({pages}-page care-after, personalized), p50 / p95 of {len(times)} | "
          f"{statistics.median(times):.1f} / {percentile(times, 0.95):.1f} |")
    print(f"| ms per page, p50 | {statistics.median(times) / pages:.2f} |")
    print(f"| batch of {options.batch_rows} packets, --jobs 2, median of {len(rates)} | "
          f"{statistics.median(rates):.0f} packets/s |")
    print(f"| batch of {options.batch_rows} packets, every row a different visit date, median of {len(varied)} | "
          f"{statistics.median(varied):.0f} packets/s |")
    print(f"| print file of {options.batch_rows} packets | {print_mb:.1f} MB |")
    print(f"| `handouts build` of one handout, whole process, median of {options.process_runs} | {build_ms:.0f} ms |")
    print(f"| `handouts --help`, whole process, median of {options.process_runs} | {help_ms:.0f} ms |")
    print(f"| `handouts build`, whole process, no bytecode cache, median of {options.process_runs} | "
          f"{uncached_ms:.0f} ms |")
    print(f"| KB per PDF (generic / personalized) | {generic_kb:.1f} / {personal_kb:.1f} |")
    print(f"| ms to load and lay out 2,000 / 4,000 / 8,000 words in paragraphs of at most 5,000 characters, "
          f"median of {options.text_runs} | {_per_words(paragraphs)} |")
    if memory is not None:
        print(f"| peak memory, batch of {options.memory_rows} rows with a print file (PSS) | {memory[0]:.1f} MB |")
        print(f"| memory growth after the first tenth of that batch | {memory[1]:.1f} MB |")
    else:
        print("| peak memory | not measured |")
    print(f"| memory over {options.render_memory:,} renders in one process, 8 threads: RSS after each tenth | "
          f"{' / '.join(f'{mb:.0f}' for _, mb in rendering)} MB "
          f"(growth after the first tenth: {rendering[-1][1] - rendering[0][1]:.1f} MB) |")
    if web is not None:
        print(f"| web preview of a personalized two-handout packet, alone: s to the first screen / to every page, "
              f"p50 and p95 | {web['alone_first_screen_p50']:.2f}, {web['alone_first_screen_p95']:.2f} / "
              f"{web['alone_all_pages_p50']:.2f}, {web['alone_all_pages_p95']:.2f} |")
        print(f"| web preview, {web['users']} users at once ({web['crowd_samples']} previews): s to the first screen, "
              f"p50 / p95 / slowest | {web['crowd_first_screen_p50']:.2f} / {web['crowd_first_screen_p95']:.2f} / "
              f"{web['crowd_first_screen_max']:.2f} |")
        print(f"| web preview, {web['users']} users at once, each scrolling through every page: s to every page, "
              f"p50 / p95 | {web['crowd_scrolling_all_pages_p50']:.2f} / {web['crowd_scrolling_all_pages_p95']:.2f} |")


if __name__ == "__main__":
    main()
