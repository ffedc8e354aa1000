"""Write a manifest of N fictional patients (CSV) for batch measurements: python benchmarks/make_manifest.py N FILE."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

FIRST = ["Ana", "Seán", "Nguyễn Thị", "Jürgen", "José", "Zoë", "Françoise", "Björn", "María José", "Đặng Thu"]
LAST = ["Pérez", "O'Brien", "Ánh", "Müller", "Ramírez", "Brontë", "Lefèvre", "Ångström", "Peña", "Hà"]
HANDOUTS = ["kyphoplasty-care-after", "kyphoplasty-before;kyphoplasty-care-after", "kyphoplasty-before"]


def write_manifest(count: int, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["mrn", "name", "dob", "language", "handouts", "procedure_date", "surgeon", "levels",
                         "followup_date", "followup_with"])
        for number in range(count):
            name = f"{FIRST[number % 10]} {LAST[(number // 10) % 10]}"
            writer.writerow([f"B-{number:06d}", name, f"19{40 + number % 20}-0{1 + number % 9}-1{number % 10}",
                             "en", HANDOUTS[number % 3], "2026-12-01", "Dr. Grace Lee", "T12",
                             f"2026-12-{10 + number % 18}", "Dr. Grace Lee"])


if __name__ == "__main__":
    write_manifest(int(sys.argv[1]), Path(sys.argv[2]))
