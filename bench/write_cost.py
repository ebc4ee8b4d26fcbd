"""Benchmark: what the copy-and-rename write (etl/store.py `writing`) costs at a store's size.

    uv run python bench/load.py                 # builds bench/out/bench.duckdb (10M rows)
    uv run python bench/write_cost.py [--db bench/out/bench.duckdb] [--runs 5]
    uv run python bench/write_cost.py --rows 50000000    # a larger store, built once

--dir DIR puts the work copies on another filesystem (an XFS or btrfs mount: there the write
clones the database, `store.copy_file`, instead of copying its bytes).

A write as small as an approval's (one audit row, through `audit.record_alone`, the code an
export's record takes) against its floor in the same run, the plain copy of the database file
(`shutil.copyfile` and an fsync, as the write makes it), and against the same one-row write
done in place on a scratch copy (DuckDB's own cost of the insert, commit and checkpoint:
what a write that copies nothing would cost). The three run alternately, --runs times each,
on a work copy of the store (bench/out/write-cost.duckdb, removed afterwards), so the store
itself is not changed; the medians and minimums are printed with the database's size and the
load average before and after. Run it alone on a quiet machine.

--rows N builds bench/out/bench-N.duckdb from the store (once; again when the store is newer)
by inserting copies of its observation rows under new delivery ids (each copy a delivery of
its own, without scope, so nothing settles from it) straight through DuckDB, until the
observation table holds at least N rows.
"""

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OUT = REPO / "bench" / "out"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove(db: Path) -> None:
    """A database file and what DuckDB and the store keep beside it."""
    for suffix in ("", ".wal", ".lock", ".tmp"):
        path = db.with_name(db.name + suffix)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def filesystem(folder: Path) -> str:
    """The type of the filesystem holding the folder (/proc/mounts' longest matching mount)."""
    best, kind = "", "?"
    for line in Path("/proc/mounts").read_text().splitlines():
        fields = line.split()
        if len(fields) > 2 and str(folder).startswith(fields[1]) and len(fields[1]) > len(best):
            best, kind = fields[1], fields[2]
    return kind


def observation_rows(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM observation").fetchone()
    return int(row[0]) if row else 0


def larger_store(store: Path, rows: int) -> Path:
    """bench/out/bench-ROWS.duckdb: the store with copies of its observation rows under new
    delivery ids until it holds at least `rows` (built when missing or older than the store)."""
    import duckdb

    target = OUT / f"{store.stem}-{rows}.duckdb"
    if target.exists() and target.stat().st_mtime > store.stat().st_mtime:
        return target
    print(f"building {target.name}: copies of the observation rows (once) ...", flush=True)
    started = time.perf_counter()
    partial = target.with_name(target.name + ".partial")
    remove(partial)
    shutil.copyfile(store, partial)
    with duckdb.connect(str(partial)) as con:
        con.execute("SET enable_progress_bar = false")
        have, first_id, last_id = (int(v or 0) for v in con.execute(
            "SELECT (SELECT count(*) FROM observation), min(delivery_id), max(delivery_id) "
            "FROM delivery"
        ).fetchone() or (0, 0, 0))  # fmt: skip
        if have == 0:
            raise SystemExit(f"{store}: no observation rows to copy")
        original = have
        copy = 0
        while have < rows:
            copy += 1
            offset = copy * (last_id - first_id + 1)
            con.execute("BEGIN TRANSACTION")
            con.execute(
                "INSERT INTO delivery SELECT * REPLACE (delivery_id + ? AS delivery_id, "
                "file_name || ' (bench copy ' || ? || ')' AS file_name, "
                "sha256 || '-copy-' || ? AS sha256) "
                "FROM delivery WHERE delivery_id BETWEEN ? AND ?",
                [offset, copy, copy, first_id, last_id],
            )
            con.execute(
                "INSERT INTO observation SELECT * REPLACE (delivery_id + ? AS delivery_id) "
                "FROM observation WHERE delivery_id BETWEEN ? AND ?",
                [offset, first_id, last_id],
            )
            con.execute("COMMIT")
            have += original
            print(f"  {have:,} rows".replace(",", " "), flush=True)
        con.execute("CHECKPOINT")
    partial.replace(target)
    remove(partial)
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return target


def timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, default=OUT / "bench.duckdb", help="the store")
    parser.add_argument("--rows", type=int, help="a larger store of at least this many rows")
    parser.add_argument("--runs", type=int, default=5, help="runs of each (5)")
    parser.add_argument(
        "--dir", type=Path, default=OUT,
        help="where the work copies go (default bench/out): e.g. an XFS or btrfs mount, where "
        "the write clones the database instead of copying it",
    )  # fmt: skip
    args = parser.parse_args()
    if not args.db.exists():
        print(f"{args.db}: no database; run bench/load.py first", file=sys.stderr)
        return 1
    import duckdb

    from etl import audit, store
    from etl.access import cli_actor

    OUT.mkdir(parents=True, exist_ok=True)
    source = args.db.resolve()
    if args.rows is not None and observation_rows(source) < args.rows:
        source = larger_store(source, args.rows)
    folder = args.dir.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    work, copied, in_place = (folder / f"write-cost{s}.duckdb" for s in ("", "-copy", "-in-place"))
    for path in (work, copied, in_place):
        remove(path)
    shutil.copyfile(source, work)
    with store.writing(work, create=True) as con:  # a store built before a migration gets it
        store.migrate(con)
    shutil.copyfile(work, in_place)
    actor = cli_actor("bench")
    event = audit.Event("bench-write", detail={"bench": "write_cost"})

    def plain_copy() -> None:
        shutil.copyfile(work, copied)
        fsync(copied)

    def small_write() -> None:
        audit.record_alone(work, actor, event)

    def write_in_place() -> None:
        con = duckdb.connect(str(in_place))
        try:
            con.execute(store.NO_PROGRESS_BAR)
            con.execute("BEGIN TRANSACTION")
            audit.record(con, actor, event)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        fsync(in_place)

    size = work.stat().st_size
    print(f"store {source.name}: {observation_rows(work):,} observation rows, ".replace(",", " ")
          + f"{size / 2**20:.0f} MiB")  # fmt: skip
    probe = work.with_name(work.name + ".probe")
    how = store.copy_file(work, probe)
    remove(probe)
    print(f"work copies in {folder} ({filesystem(folder)}): store.writing's copy is a {how}")
    print(f"load average before: {load_average()}")
    runs: dict[str, list[float]] = {
        "plain copy + fsync (floor)": [],
        "one-row write (store.writing)": [],
        "one-row write in place": [],
    }
    actions = dict(zip(runs, (plain_copy, small_write, write_in_place), strict=True))
    try:
        for _ in range(args.runs):
            for label, action in actions.items():
                runs[label].append(timed(action))
                copied.unlink(missing_ok=True)
    finally:
        print(f"load average after: {load_average()}")
        for path in (work, copied, in_place):
            remove(path)
    print(f"{'':<32}{'median s':>9}{'min s':>8}   runs: {args.runs} each, alternately")
    for label, seconds in runs.items():
        print(f"{label:<32}{statistics.median(seconds):>9.3f}{min(seconds):>8.3f}")
    floor, write, alone = (statistics.median(seconds) for seconds in runs.values())
    print(
        f"the write / the plain copy: {write / floor:.2f}; the write / the same write in "
        f"place: {write / alone:.1f} (the copy is {1 - alone / write:.0%} of the write)"
    )
    print(f"copy speed: {size / 2**20 / floor:.0f} MiB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
