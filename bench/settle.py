"""Benchmark: settle one full year of the 10M-row benchmark store, against a bare DuckDB
GROUP BY of the same rows per contract x indicator x month, in the same process.

    uv run python bench/load.py            # builds bench/out/bench.duckdb (10M rows)
    uv run python bench/settle.py [--db bench/out/bench.duckdb] [--year 2025]

The settle runs on a copy of the store (so the benchmark can be repeated); printed: seconds,
settlements and lines written, lines/s, and the ratio settle / GROUP BY.
"""

import argparse
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from etl import settle  # noqa: E402
from etl.access import cli_actor  # noqa: E402

GOAL_RATIO = 2.0


def bare_group_by(db: Path, year: int) -> tuple[float, int]:
    """The same rows summed per contract x indicator x month by DuckDB alone."""
    started = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        """
        SELECT contract_id, indicator_id, period, count(*), sum(coalesce(n, 1)), sum(value),
               sum(value * coalesce(n, 1)), sum(numerator), sum(denominator), sum(excluded)
        FROM observation_current WHERE period_start BETWEEN ? AND ?
        GROUP BY ALL
        """,
        [date(year - 1, 1, 1), date(year, 12, 31)],
    ).fetchall()
    con.close()
    return time.perf_counter() - started, len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", type=Path, default=REPO / "bench" / "out" / "bench.duckdb")
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    if not args.db.exists():
        print(f"{args.db} is missing: run bench/load.py first", file=sys.stderr)
        return 1
    work = args.db.with_name("settle-bench.duckdb")
    shutil.copyfile(args.db, work)
    with duckdb.connect(str(work), read_only=True) as con:
        rows, contracts = con.execute(
            "SELECT (SELECT count(*) FROM observation), (SELECT count(*) FROM contract_current)"
        ).fetchall()[0]
    print(f"store: {rows:,} rows, {contracts:,} contracts; settling {args.year}".replace(",", " "))

    baseline, groups = bare_group_by(work, args.year)
    started = time.perf_counter()
    report = settle.settle(work, cli_actor("bench"), year=args.year)
    seconds = time.perf_counter() - started
    with duckdb.connect(str(work), read_only=True) as con:
        lines = con.execute("SELECT count(*) FROM settlement_line").fetchall()[0][0]
    again_started = time.perf_counter()
    again = settle.settle(work, cli_actor("bench"), year=args.year)
    again_seconds = time.perf_counter() - again_started

    print(f"duckdb GROUP BY           {baseline:8.2f} s  ({groups:,} groups)".replace(",", " "))
    print(
        f"vaikuttavuus settle       {seconds:8.2f} s  ({len(report.outcomes):,} settlements, "
        f"{lines:,} lines, {lines / seconds:,.0f} lines/s)".replace(",", " ")
    )
    print(
        f"settle again (no change)  {again_seconds:8.2f} s  "
        f"({again.count('unchanged'):,} unchanged)".replace(",", " ")
    )
    print(f"ratio settle / GROUP BY: {seconds / baseline:.2f} (goal <= {GOAL_RATIO})")
    work.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
