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
