"""The benchmark runs and prints its table (a smoke run with small counts; timings are not asserted)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_benchmark_prints_its_table():
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--packets", "3",
                             "--batch-rows", "4", "--batch-runs", "1", "--process-runs", "1", "--text-runs", "1",
                             "--memory-rows", "4", "--render-memory", "10", "--web-users", "2",
                             "--web-alone", "2", "--web-rounds", "1"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[2:4] == ["| measure | value |", "| --- | --- |"]
    measures = [line.split(" | ")[0].lstrip("| ") for line in lines[4:]]
    assert [measure.split(" ")[0] for measure in measures] == ["ms", "ms", "batch", "batch", "print", "`handouts",
                                                              "`handouts", "`handouts", "KB", "ms", "peak",
                                                              "memory", "memory", "web", "web", "web"]
    assert all(line.count("|") == 3 and "not measured" not in line for line in lines[4:])


def test_the_tagging_benchmark_compares_three_ways_in_one_process():
    # This checkout given as the "before" code: its package is copied and imported under another name.
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "tagging.py"), "--runs", "1",
                             "--handout", "kyphoplasty-care-after", "--before", str(REPO)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(" | ")[1] for line in lines[2:5]] == ["tagged", "untagged", "before tagging"]
    assert all(float(cell.strip(" |")) > 0 for line in lines[2:5] for cell in line.split(" | ")[2:])
    assert [line for line in lines if line.startswith("tagged against")] == ["tagged against untagged:",
                                                                           "tagged against before tagging:"]
