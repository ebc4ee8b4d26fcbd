"""Benchmark: how long `vaikuttavuus --help` takes to start, against its floor measured in the
same run: a Python process that only imports DuckDB (`python -c "import duckdb"`).

    uv run python bench/cli_start.py [--runs 20]

The two run alternately, one child process at a time, each `--runs` times (after one unmeasured
run of each to warm the page cache); the median and the fastest of each are printed beside the
floor's, with the ratio of the medians and the goal (<= 2). Run it alone on a quiet machine:
the load average before and after is printed to show whether it was.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL_RATIO = 2.0


def entry_point() -> Path:
    """The installed `vaikuttavuus` command (the one users run), beside this Python first."""
    beside = Path(sys.executable).with_name("vaikuttavuus")
    if beside.exists():
        return beside
    found = shutil.which("vaikuttavuus")
    if found is None:
        raise SystemExit("no `vaikuttavuus` command: run `uv sync` first")
    return Path(found)


def seconds(command: list[str]) -> float:
    """Wall time of one child process, its output thrown away; it must succeed."""
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20, help="runs of each (default 20)")
    args = parser.parse_args()
    commands = {
        "vaikuttavuus --help": [str(entry_point()), "--help"],
        'python -c "import duckdb"': [sys.executable, "-c", "import duckdb"],
    }
    print(f"load average before: {load()}")
    for command in commands.values():
        seconds(command)
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(args.runs):
        for label, command in commands.items():
            times[label].append(seconds(command))
    print(f"load average after:  {load()}")

    ours, floor = (times[label] for label in commands)
    print(f"{'':<28} {'median s':>9} {'min s':>7}   runs: {args.runs} each, alternately")
    for label, measured in times.items():
        print(f"{label:<28} {statistics.median(measured):>9.3f} {min(measured):>7.3f}")
    ratio = statistics.median(ours) / statistics.median(floor)
    best = min(ours) / min(floor)
    print(f"ratio of the medians: {ratio:.2f} (of the fastest: {best:.2f}); goal <= {GOAL_RATIO}")
    if ratio > GOAL_RATIO:
        print("GOAL MISSED")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
