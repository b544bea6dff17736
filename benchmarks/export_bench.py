"""Export writer against a bare openpyxl write-only loop (issue 4 benchmark; not in `make test`).

    .venv/bin/python benchmarks/export_bench.py [--rows 100000] [--repeat 3]

Writes the same 100,000 worker-month rows × 12 columns twice — once with `dashboards.xlsx`
(typed columns, header styles, RAG fills, every text through `safe_text`), once with a plain
`ws.append(values)` loop — alternating runs, each in a fresh process so peak memory (maximum
resident set size) is measured separately. Targets: ≤ 1.3 × the bare loop's time, ≤ 150 MB peak.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEAMS = [f"Team {n}" for n in range(40)]
SERVICES = ["Safeguarding & Family Support", "Initial Response / MASH", "Corporate Parenting"]
ROLES = ["Social worker", "ASYE social worker", "Senior practitioner"]
OUTCOMES = ["Compliant", "Not compliant", "Excused (sickness)", "Not expected"]


def rows(count: int):
    """Worker-month rows: 7 text, 1 month, 3 whole numbers, 1 rate."""
    for n in range(count):
        worker, month = divmod(n, 12)
        expected = 1 + n % 3
        compliant = n % (expected + 1)
        yield (
            f"Worker{worker} Surname{worker % 997}",
            TEAMS[worker % len(TEAMS)],
            SERVICES[worker % len(SERVICES)],
            ROLES[worker % len(ROLES)],
            "Permanent" if n % 5 else "Agency",
            datetime.date(2025, month + 1, 1),
            expected,
            compliant,
            compliant / expected,
            n % 4,
            OUTCOMES[n % 4],
            "Not held: worker absent" if n % 7 == 0 else "",
        )


def run_bare(count: int, out) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Workers")
    sheet.append(
        ["Name", "Team", "Service", "Role", "Employment", "Month", "Expected"]
        + ["Compliant", "Rate", "Excused", "Outcome", "Notes"]
    )
    for values in rows(count):
        sheet.append(values)
    book.save(out)


def run_writer(count: int, out) -> None:
    from dashboards.xlsx import Colour, Column, Kind, Styled, WorkbookWriter

    colours = {0: Colour.GREEN, 1: Colour.RED, 2: Colour.GREY, 3: None}
    book = WorkbookWriter(title="Benchmark")
    sheet = book.sheet(
        "Workers",
        [
            Column("Name", width=26),
            Column("Team", width=24),
            Column("Service", width=24),
            Column("Role", width=20),
            Column("Employment", width=12),
            Column("Month", Kind.MONTH, width=10),
            Column("Expected", Kind.INT, width=8),
            Column("Compliant", Kind.INT, width=8),
            Column("Rate", Kind.PERCENT, width=8),
            Column("Excused", Kind.INT, width=8),
            Column("Outcome", width=16, styled=True),
            Column("Notes", width=30),
        ],
    )
    append = sheet.append
    for n, values in enumerate(rows(count)):
        append((*values[:10], Styled(values[10], colours[n % 4]), values[11]))
    book.save(out)


def child(kind: str, count: int) -> None:
    """One measured run, printed as JSON: seconds and peak resident memory in MB."""
    runner = run_bare if kind == "bare" else run_writer
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        runner(count, out)
        seconds = time.perf_counter() - started
        size = out.tell()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "bytes": size}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=["bare", "writer"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows)
        return

    from openpyxl import LXML

    results: dict[str, list[dict]] = {"bare": [], "writer": []}
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="oversight.settings")
    for _ in range(args.repeat):
        for kind in ("bare", "writer"):
            output = subprocess.run(  # noqa: S603 (this script, fixed arguments)
                [sys.executable, __file__, "--child", kind, "--rows", str(args.rows)],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            ).stdout
            results[kind].append(json.loads(output))
    bare = statistics.median(r["seconds"] for r in results["bare"])
    writer = statistics.median(r["seconds"] for r in results["writer"])
    peak = max(r["peak_mb"] for r in results["writer"])
    bare_peak = max(r["peak_mb"] for r in results["bare"])
    ratio = writer / bare
    print(f"Export of {args.rows:,} rows × 12 columns (median of {args.repeat}, lxml: {LXML})")
    print(f"{'':28}{'time':>10}{'peak RSS':>12}{'file':>10}")
    print(
        f"{'bare openpyxl write-only':28}{bare:>9.2f}s{bare_peak:>10.0f}MB"
        f"{results['bare'][0]['bytes'] / 1e6:>8.1f}MB"
    )
    print(
        f"{'dashboards.xlsx writer':28}{writer:>9.2f}s{peak:>10.0f}MB"
        f"{results['writer'][0]['bytes'] / 1e6:>8.1f}MB"
    )
    print(
        f"ratio {ratio:.2f} × (target ≤ 1.30: {'met' if ratio <= 1.3 else 'NOT met'}); "
        f"peak {peak:.0f} MB (target ≤ 150: {'met' if peak <= 150 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
