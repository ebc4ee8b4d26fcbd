"""The store's promises: migrations, a killed load changes nothing, readers never block a load."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

from etl import store
from tests.conftest import REPO, file_digest, run_cli, write

VAIKUTTAVUUS = [sys.executable, "-m", "etl.cli"]


def big_record_level_file(path: Path, rows: int) -> Path:
    """A record-level NPS file for KH-TEST: `rows` answers spread over 2025's months."""
    frame = pl.DataFrame({"i": pl.int_range(0, rows, eager=True)}).select(
        pl.lit("KH-TEST").alias("sopimus"),
        pl.lit("nps").alias("mittari"),
        pl.format("2025-{}", ((pl.col("i") % 12) + 1).cast(pl.String).str.zfill(2)).alias(
            "kuukausi"
        ),
        pl.format("A{}", pl.col("i").cast(pl.String).str.zfill(9)).alias("asiakas"),
        ((pl.col("i") * 7919 % 201) - 100).cast(pl.String).alias("arvo"),
    )
    frame.write_csv(path, separator=";")
    return path


def test_init_creates_then_reports_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    latest = store.migrations()[-1][0]
    assert run_cli("--db", path, "init") == (0, f"luotu {path} (rakenneversio {latest})\n")
    assert run_cli("--db", path, "init") == (
        0, f"{path} on ajan tasalla (rakenneversio {latest})\n",
    )  # fmt: skip
    assert run_cli("--db", path, "--lang", "sv", "init") == (
        0, f"{path} är uppdaterad (strukturversion {latest})\n",
    )  # fmt: skip
    with store.reading(path) as con:
        assert con.execute("SELECT version, name FROM schema_migration").fetchall() == [
            (1, "001_initial.sql"),
            (2, "002_settlements.sql"),
            (3, "003_scope_tally.sql"),
            (4, "004_exact_fraction.sql"),
            (5, "005_audit_and_four_eyes.sql"),
            (6, "006_explanation_messages.sql"),
            (7, "007_sanction_before_cap.sql"),
            (8, "008_indicator_value.sql"),
            (9, "009_strategy.sql"),
        ]


def test_commands_on_a_missing_database_say_to_run_init(tmp_path: Path) -> None:
    path = tmp_path / "missing.duckdb"
    with (
        pytest.raises(store.StoreError, match="aja ensin `vaikuttavuus init`"),
        store.reading(path),
    ):
        pass
    assert not path.exists()


def test_database_path_from_flag_then_environment_then_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(store.DB_ENV, "/data/env.duckdb")
    assert store.resolve_db_path("/data/flag.duckdb") == Path("/data/flag.duckdb")
    assert store.resolve_db_path(None) == Path("/data/env.duckdb")
    monkeypatch.delenv(store.DB_ENV)
    assert store.resolve_db_path(None) == Path("vaikuttavuus.duckdb").resolve()


@pytest.mark.slow
def test_kill_9_in_the_middle_of_a_load_leaves_the_database_exactly_as_before(
    tmp_path: Path, db: Path
) -> None:
    kill_a_load_midway(tmp_path, db)


def kill_a_load_midway(tmp_path: Path, db: Path) -> None:
    """Kill -9 a load of 3M rows once it writes its copy: the database stays byte for byte as
    it was, no copy is left behind, and the next load works."""
    small = write(
        tmp_path / "small.csv", "sopimus;mittari;kuukausi;arvo;n\nKH-TEST;nps;2025-01;40;30\n"
    )
    assert run_cli("--db", db, "load", small)[0] == 0
    before = file_digest(db)
    big = big_record_level_file(tmp_path / "big.csv", 3_000_000)
    loader = subprocess.Popen(
        [*VAIKUTTAVUUS, "--db", str(db), "load", str(big)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    copy = db.with_name(f".{db.name}.writing-{loader.pid}")
    # starting Python with polars, pandera and DuckDB took over 60 s on a busy CI machine
    deadline = time.monotonic() + 600
    while not copy.exists() and loader.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert copy.exists(), "the loader never started writing"
    time.sleep(1.0)
    assert loader.poll() is None, "the load finished before it could be killed"
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait()
    assert loader.returncode == -signal.SIGKILL
    assert file_digest(db) == before
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM observation").fetchall() == [(1,)]
    again = write(
        tmp_path / "again.csv", "sopimus;mittari;kuukausi;arvo;n\nKH-TEST;nps;2025-02;41;30\n"
    )
    assert run_cli("--db", db, "load", again)[0] == 0
    assert not list(db.parent.glob(f".{db.name}.writing-*")), "a stale copy was left behind"


READER = textwrap.dedent(
    """
    import pathlib, sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    con.execute("SET enable_progress_bar = false")  # a slow query would draw one on stdout
    print("open", flush=True)
    seen = set()
    stop = pathlib.Path(sys.argv[2])
    end = time.monotonic() + 600  # a safety net only; the test creates the stop file
    while not stop.exists() and time.monotonic() < end:
        seen.add(con.execute("SELECT count(*) FROM delivery").fetchall()[0][0])
        time.sleep(0.02)
    con.close()
    print("counts", sorted(seen), flush=True)
    """
)


@pytest.mark.slow
def test_a_load_succeeds_while_another_process_reads_the_database(tmp_path: Path, db: Path) -> None:
    load_while_another_process_reads(tmp_path, db)


def load_while_another_process_reads(tmp_path: Path, db: Path) -> None:
    """A load finishes while another process holds the database open and keeps querying it;
    the reader saw only the state it opened."""
    stop = tmp_path / "stop-reading"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None
    assert reader.stdout.readline().strip() == "open"
    path = write(tmp_path / "a.csv", "sopimus;mittari;kuukausi;arvo;n\nKH-TEST;nps;2025-01;40;30\n")
    status, out = run_cli("--db", db, "load", path)
    assert status == 0, out
    # the load finished while the reader still held its connection and kept querying
    assert reader.poll() is None, "the reader should still be reading"
    stop.touch()
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert out.strip() == "counts [0]"
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM delivery").fetchall() == [(1,)]


def test_a_snapshot_opened_after_a_write_sees_it_while_an_older_one_is_open(
    tmp_path: Path, db: Path
) -> None:
    """A long-lived reader (the dashboard server) keeps old snapshots open; a snapshot opened
    after a load must still show the load (duckdb.connect(path) would reuse the old one)."""
    old = store.snapshot(db)
    try:
        path = write(
            tmp_path / "a.csv", "sopimus;mittari;kuukausi;arvo;n\nKH-TEST;nps;2025-01;40;30\n"
        )
        assert run_cli("--db", db, "load", path)[0] == 0
        new = store.snapshot(db)
        try:
            assert new.execute("SELECT count(*) FROM delivery").fetchall() == [(1,)]
            assert store.cursor(new).execute("SELECT count(*) FROM delivery").fetchall() == [(1,)]
        finally:
            new.close()
        assert old.execute("SELECT count(*) FROM delivery").fetchall() == [(0,)]
    finally:
        old.close()
