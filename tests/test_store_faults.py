"""Faults around the database file: a full disk, a --db that is a symlink, leftovers of a
killed writer. The live database is never harmed and the user reads what happened."""

import errno
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl import store
from tests.conftest import REPO, TEST_CONTRACT, file_digest, run_cli, write
from tests.test_store import big_record_level_file

VAIKUTTAVUUS = [sys.executable, "-m", "etl.cli"]
SMALL = "sopimus;mittari;kuukausi;arvo;n\nKH-TEST;nps;2025-01;40;30\n"
MB = 1_000_000


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 24 MB filesystem (tmpfs) of its own, so that the test can fill it."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def database_on(disk: Path) -> Path:
    db = disk / "t.duckdb"
    assert run_cli("--db", db, "init")[0] == 0
    assert run_cli("--db", db, "contracts", "add", TEST_CONTRACT)[0] == 0
    return db


def fill(disk: Path, leave: int) -> None:
    """Take all the disk's free space but `leave` bytes."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "filler", "wb") as filler:
        os.posix_fallocate(filler.fileno(), 0, free - leave)


def load(db: Path, path: Path) -> subprocess.CompletedProcess[str]:
    """`vaikuttavuus load` as the user runs it, in a process of its own."""
    return subprocess.run(
        [*VAIKUTTAVUUS, "--db", str(db), "load", "--quiet", str(path)],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def delivery_count(db: Path) -> int:
    with store.reading(db) as con:
        row = store.fetch_one(con, "SELECT count(*) FROM delivery")
    assert row is not None
    return int(row[0])


def test_a_write_on_a_disk_without_room_for_the_copy_is_refused_before_copying(
    tmp_path: Path, small_disk: Path
) -> None:
    db = database_on(small_disk)
    before = file_digest(db)
    fill(small_disk, store.room_needed(db) - 2 * MB)
    done = load(db, write(tmp_path / "small.csv", SMALL))
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.startswith(f"virhe: {db}: levytila ei riitä kirjoittamiseen: ")
    assert "Mitään ei kirjoitettu ja tietokanta on ennallaan" in done.stderr
    assert file_digest(db) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "t.duckdb", "t.duckdb.lock"]


def fill_once_writing(disk: Path, db: Path, process: subprocess.Popen[str]) -> None:
    """Take all the disk's free space the moment the write's copy of the database appears
    (the load has checked its file and the room for the copy by then: the disk fills up
    during the write itself)."""
    deadline = time.monotonic() + 300
    while not any(p.name.startswith(f".{db.name}.writing-") for p in disk.iterdir()):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the write never started"
        time.sleep(0.002)
    with open(disk / "filler", "wb", buffering=0) as filler:
        try:
            while True:  # the writer takes space meanwhile: fill in pieces until none is left
                filler.write(bytes(65536))
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise


def test_a_disk_that_fills_up_during_a_load_leaves_the_database_as_it_was_and_no_copy(
    tmp_path: Path, small_disk: Path
) -> None:
    db = database_on(small_disk)
    before = file_digest(db)
    free_before = os.statvfs(small_disk).f_bavail
    big = big_record_level_file(tmp_path / "big.csv", 1_000_000)
    command = [*VAIKUTTAVUUS, "--db", str(db), "load", "--quiet", str(big)]
    with subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        fill_once_writing(small_disk, db, process)
        stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 1, (stdout, stderr)
    assert "Traceback" not in stderr + stdout
    assert stderr.startswith(f"virhe: {db}: levy täyttyi kirjoituksen aikana ("), stderr
    assert "keskeneräinen kopio poistettiin" in stderr
    assert file_digest(db) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "t.duckdb", "t.duckdb.lock"]
    # with room again, the same database takes the next load, and nothing was left behind
    (small_disk / "filler").unlink()
    assert os.statvfs(small_disk).f_bavail == free_before
    assert load(db, write(tmp_path / "small.csv", SMALL)).returncode == 0
    assert delivery_count(db) == 1


def test_db_through_a_symlink_writes_the_real_file_and_takes_its_lock(tmp_path: Path) -> None:
    real = tmp_path / "data" / "real.duckdb"
    real.parent.mkdir()
    link = tmp_path / "elsewhere" / "link.duckdb"
    link.parent.mkdir()
    link.symlink_to(Path("..") / "data" / "real.duckdb")
    assert run_cli("--db", link, "init")[0] == 0
    assert run_cli("--db", link, "contracts", "add", TEST_CONTRACT)[0] == 0
    status, out = run_cli("--db", link, "load", write(tmp_path / "small.csv", SMALL))
    assert status == 0, out
    assert link.is_symlink() and link.resolve() == real
    assert real.is_file() and not real.is_symlink()
    assert delivery_count(real) == 1
    assert (real.parent / "real.duckdb.lock").exists()
    assert sorted(p.name for p in link.parent.iterdir()) == ["link.duckdb"]


def test_db_from_the_environment_through_a_symlink_writes_the_real_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real.duckdb"
    link = tmp_path / "link.duckdb"
    link.symlink_to(real)
    monkeypatch.setenv(store.DB_ENV, str(link))
    assert run_cli("init")[0] == 0
    assert run_cli("contracts", "add", TEST_CONTRACT)[0] == 0
    assert run_cli("load", write(tmp_path / "small.csv", SMALL))[0] == 0
    assert link.is_symlink()
    assert delivery_count(real) == 1
    assert not (tmp_path / "link.duckdb.lock").exists()


def test_a_spill_folder_left_by_a_killed_writer_is_removed_by_the_next(
    tmp_path: Path, db: Path
) -> None:
    spill = db.with_name(f".{db.name}.writing-999999.tmp")
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"\0" * 1024)
    db.with_name(f".{db.name}.writing-999999").write_bytes(b"half a copy")
    status, out = run_cli("--db", db, "load", write(tmp_path / "small.csv", SMALL))
    assert status == 0, out
    assert not list(tmp_path.glob(f".{db.name}.writing-*"))
