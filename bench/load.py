"""Benchmark: `vaikuttavuus load` of a large record-level Finnish CSV against DuckDB's own
`CREATE TABLE AS SELECT * FROM read_csv(...)` of the same file, in the same run.

    uv run python bench/load.py [--rows 10000000] [--work bench/out] [--repeat 1]

Both run as child processes of this script, one after the other, on the same file (already
in the page cache, since it was just written), `--repeat` times each (the fastest run of
each is compared); each one's wall time, CPU time (user + system) and peak resident memory
(from wait4) are printed beside the floor's, with rows/s, the ratio ours / DuckDB and the
goal, and the machine's load average before and after: on a shared machine the ratio of the
same run is the figure to compare, and CPU time says what the work itself cost. A missed
goal is printed as GOAL MISSED; the exit status is 0 unless a run failed.
"""

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL_RATIO = 1.5
GOAL_MEMORY_GIB = 1.0

BASELINE = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[2]])
con.close()
"""


@dataclass(frozen=True)
class Run:
    label: str
    seconds: float
    cpu_seconds: float
    peak_bytes: int
    returncode: int
    output: str


def timed(label: str, command: list[str]) -> Run:
    """Run a child process; its wall time, CPU time and peak RSS (ru_maxrss is in KiB on
    Linux)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(label, seconds, cpu, usage.ru_maxrss * 1024, process.returncode, output)


def generate(rows: int, work: Path) -> tuple[Path, Path]:
    csv = work / f"rows-{rows}.csv"
    contracts = work / "bench_contracts"
    if not csv.exists() or not any(contracts.glob("*.toml")):
        subprocess.run(
            [
                sys.executable, "sample_data/generate.py", "--rows", str(rows), "--out", str(csv),
                "--contracts-dir", str(contracts),
            ],
            cwd=REPO,
            check=True,
        )  # fmt: skip
    return csv, contracts


def prepare_store(db: Path, contracts: Path) -> None:
    for path in (db, db.with_name(db.name + ".lock")):
        path.unlink(missing_ok=True)
    cli = [sys.executable, "-m", "etl.cli", "--db", str(db)]
    subprocess.run([*cli, "init"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    files = sorted(str(p) for p in contracts.glob("*.toml"))
    subprocess.run(
        [*cli, "contracts", "add", *files], cwd=REPO, check=True, stdout=subprocess.DEVNULL
    )


def gib(size: int) -> str:
    return f"{size / 2**30:.2f} GiB"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} cores)"


def fastest(runs: list[Run]) -> Run:
    return min(runs, key=lambda run: run.seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest counts")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    csv, contracts = generate(args.rows, args.work)
    size = csv.stat().st_size
    print(f"file: {csv.name}, {args.rows:,} rows, {size / 2**20:.0f} MiB".replace(",", " "))
    before = load_average()
    print(f"load average before: {before}")

    floors, ours_runs = [], []
    for _ in range(max(args.repeat, 1)):
        baseline_db = args.work / "baseline.duckdb"
        baseline_db.unlink(missing_ok=True)
        floor = timed(
            "duckdb CTAS read_csv", [sys.executable, "-c", BASELINE, str(baseline_db), str(csv)]
        )
        baseline_db.unlink(missing_ok=True)
        if floor.returncode != 0:
            print(floor.output)
            return 1
        floors.append(floor)
        store = args.work / "bench.duckdb"
        prepare_store(store, contracts)
        ours = timed(
            "vaikuttavuus load",
            [sys.executable, "-m", "etl.cli", "--db", str(store), "load", "--quiet", str(csv)],
        )
        print(ours.output.strip())
        if ours.returncode != 0:
            return 1
        ours_runs.append(ours)
    after = load_average()
    floor, ours = fastest(floors), fastest(ours_runs)

    print(
        f"{'run':<22} {'seconds':>8} {'CPU s':>7} {'rows/s':>12} {'MiB/s':>7} {'peak memory':>12}"
    )
    for run in (floor, ours):
        print(
            f"{run.label:<22} {run.seconds:>8.2f} {run.cpu_seconds:>7.2f} "
            f"{args.rows / run.seconds:>12,.0f} {size / 2**20 / run.seconds:>7.0f} "
            f"{gib(run.peak_bytes):>12}".replace(",", " ")
        )
    ratio = ours.seconds / floor.seconds
    cpu_ratio = ours.cpu_seconds / floor.cpu_seconds
    memory = ours.peak_bytes / 2**30
    print(f"load average after: {after}")
    missed = []
    print(
        f"time: {ours.seconds:.2f} s against the floor's {floor.seconds:.2f} s: ratio "
        f"{ratio:.2f} (goal <= {GOAL_RATIO}); CPU ratio {cpu_ratio:.2f}"
    )
    if ratio > GOAL_RATIO:
        missed.append(f"time ratio {ratio:.2f} > {GOAL_RATIO}")
    print(
        f"peak memory: {gib(ours.peak_bytes)} against the floor's {gib(floor.peak_bytes)} "
        f"(goal <= {GOAL_MEMORY_GIB} GiB)"
    )
    if memory > GOAL_MEMORY_GIB:
        missed.append(f"peak memory {memory:.2f} GiB > {GOAL_MEMORY_GIB} GiB")
    if missed:
        print("GOAL MISSED: " + "; ".join(missed))
    else:
        print("goals met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
