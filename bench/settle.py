"""Benchmark: `vaikuttavuus settle --year 2025` against its floor, a Python process that
imports duckdb and runs a bare GROUP BY of the same rows per contract x indicator x month, in
the same run; then the same settle again with nothing changed, against the first.

    uv run python bench/load.py              # builds bench/out/bench.duckdb (10M rows)
    uv run python bench/settle.py [--year 2025] [--skip-large]

Two stores: a 2M-row store of the 1 000 benchmark contracts, built here once
(bench/out/settle-2m/), and the 10M-row store of bench/load.py when it exists. Each settle
runs as the command users run (`python -m etl.cli settle`, a process of its own) on a copy of
the store, so the benchmark can be repeated. Printed: each figure beside its floor, the ratio,
the goal, and the load average before and after (run it alone: anything running beside it
makes the figures worthless). Exit status 0 even when a goal is missed ("GOAL MISSED").
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
GOAL_RATIO = 2.0
GOAL_AGAIN = 0.1

FLOOR = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute('''
    SELECT contract_id, indicator_id, period, count(*), sum(coalesce(n, 1)), sum(value),
           sum(value * coalesce(n, 1)), sum(numerator), sum(denominator), sum(excluded)
    FROM observation_current WHERE period_start BETWEEN ? AND ?
    GROUP BY ALL
''', [f"{int(sys.argv[2]) - 1}-01-01", f"{sys.argv[2]}-12-31"]).fetchall()
"""


def timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def cli(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "etl.cli", "--db", str(db), *args]


def small_store(rows: int) -> Path:
    """The benchmark contracts with `rows` record-level rows, loaded once."""
    work = OUT / f"settle-{rows // 1_000_000}m"
    db = work / "store.duckdb"
    if db.exists():
        return db
    work.mkdir(parents=True, exist_ok=True)
    csv, contracts = work / "rows.csv", work / "contracts"
    subprocess.run(
        [sys.executable, "sample_data/generate.py", "--rows", str(rows), "--out", str(csv),
         "--contracts-dir", str(contracts)],
        cwd=REPO, check=True,
    )  # fmt: skip
    quiet = {"stdout": subprocess.DEVNULL, "cwd": REPO, "check": True}
    subprocess.run(cli(db, "init"), **quiet)  # type: ignore[call-overload]
    files = sorted(str(p) for p in contracts.glob("*.toml"))
    subprocess.run(cli(db, "contracts", "add", *files), **quiet)  # type: ignore[call-overload]
    subprocess.run(cli(db, "load", str(csv), "--by", "bench"), **quiet)  # type: ignore[call-overload]
    csv.unlink()
    return db


def bench_store(label: str, db: Path, year: int) -> list[str]:
    work = db.with_name("settle-bench.duckdb")
    shutil.copyfile(db, work)
    work.with_name(work.name + ".lock").unlink(missing_ok=True)
    floor, _ = timed([sys.executable, "-c", FLOOR, str(work), str(year)])
    first, said = timed(cli(work, "settle", "--year", str(year)))
    again, said_again = timed(cli(work, "settle", "--year", str(year)))
    floor_after, _ = timed([sys.executable, "-c", FLOOR, str(work), str(year)])
    work.unlink(missing_ok=True)
    floor = min(floor, floor_after)
    ratio, again_ratio = first / floor, again / first
    lines = [
        f"{label}",
        f"  floor: python + import duckdb + GROUP BY  {floor:7.2f} s",
        f"  vaikuttavuus settle --year {year}        {first:7.2f} s   ratio {ratio:5.2f}  "
        f"goal <= {GOAL_RATIO}{'' if ratio <= GOAL_RATIO else '  GOAL MISSED'}",
        f"  settle again, nothing changed         {again:7.2f} s   x first {again_ratio:5.2f}  "
        f"goal <= {GOAL_AGAIN}{'' if again_ratio <= GOAL_AGAIN else '  GOAL MISSED'}",
        f"  said: {said.strip().splitlines()[-1] if said.strip() else ''}",
        f"  said again: {said_again.strip().splitlines()[-1] if said_again.strip() else ''}",
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--skip-large", action="store_true", help="only the 2M-row store")
    args = parser.parse_args()
    stores = [("1 000 contracts, 2M rows", small_store(2_000_000))]
    large = OUT / "bench.duckdb"
    if large.exists() and not args.skip_large:
        stores.append(("bench store of bench/load.py (10M rows)", large))
    before = os.getloadavg()
    print(f"load average before: {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}")
    for label, db in stores:
        print("\n".join(bench_store(label, db, args.year)), flush=True)
    after = os.getloadavg()
    print(f"load average after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
