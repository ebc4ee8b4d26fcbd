"""The dashboard's shared snapshots: a snapshot the cache drops stays open while a session
still reads it, and the last reference closes it."""

import gc
import os
from pathlib import Path

import pytest

from dashboard import data
from tests.conftest import run_cli, write

HEADER = "sopimus;mittari;kuukausi;arvo;n\n"


def open_files(path: Path) -> list[str]:
    """What this process has open of `path` (a replaced file shows as `PATH (deleted)`)."""
    folder = Path("/proc/self/fd")
    found = []
    for fd in os.listdir(folder):
        try:
            target = os.readlink(folder / fd)
        except OSError:
            continue
        if target.startswith(str(path)) and not target.endswith(".lock"):
            found.append(target)
    return found


def test_a_snapshot_dropped_from_the_cache_stays_open_until_its_last_reader_is_done(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAIKUTTAVUUS_DB", str(db))
    data._snapshot.clear()
    first = data.db_ref()
    with data._reading(first) as session_a:
        # while session A is between two queries, two writes change the file and other
        # sessions open the two newer states: the cache keeps two, and drops A's
        for month in ("01", "02"):
            delivery = write(
                tmp_path / f"{month}.csv", HEADER + f"KH-TEST;nps;2025-{month};40;30\n"
            )
            assert run_cli("--db", db, "load", delivery)[0] == 0
            assert len(data.contracts(data.db_ref())) == 1
        assert data.db_ref() != first
        assert session_a.execute("SELECT count(*) FROM delivery").fetchall() == [(0,)]
        assert session_a.execute("SELECT count(*) FROM contract_current").fetchall() == [(1,)]
    # the last reference closes it: with the cache emptied nothing holds any state of the file
    data._snapshot.clear()
    gc.collect()
    assert open_files(db) == []


def test_the_newest_snapshot_shows_each_write(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAIKUTTAVUUS_DB", str(db))
    data._snapshot.clear()
    for count, month in enumerate(("01", "02", "03"), start=1):
        delivery = write(tmp_path / f"{month}.csv", HEADER + f"KH-TEST;nps;2025-{month};40;30\n")
        assert run_cli("--db", db, "load", delivery)[0] == 0
        assert len(data.delivery_history(data.db_ref())) == count
