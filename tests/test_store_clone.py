"""Writes on a filesystem that makes reflink clones (XFS, btrfs): the write's copy of the
database is a clone that shares the file's blocks (`store.copy_file`), so a small write no
longer copies the whole database, and the store's promises still hold there: a load killed
with -9 leaves the database byte for byte as it was, and readers never block a load."""

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from etl import audit, store
from etl.access import cli_actor
from tests.conftest import TEST_CONTRACT, run_cli
from tests.reflink import reflink_folder
from tests.test_store import kill_a_load_midway, load_while_another_process_reads

__all__ = ["reflink_folder"]  # the fixture, used by name

MiB = 1024 * 1024


@pytest.fixture
def clone_db(reflink_folder: Path, tmp_path: Path) -> Path:
    """A database holding KH-TEST on the reflink filesystem (a folder of this test's own)."""
    folder = reflink_folder / tmp_path.name
    folder.mkdir()
    path = folder / "test.duckdb"
    assert run_cli("--db", path, "init")[0] == 0
    status, out = run_cli("--db", path, "contracts", "add", TEST_CONTRACT)
    assert status == 0, out
    return path


def free_bytes(folder: Path) -> int:
    os.sync()
    return shutil.disk_usage(folder).free


def test_a_copy_on_a_reflink_filesystem_is_a_clone_the_source_never_sees_written(
    reflink_folder: Path, tmp_path: Path
) -> None:
    folder = reflink_folder / tmp_path.name
    folder.mkdir()
    source, target = folder / "source.bin", folder / "target.bin"
    source.write_bytes(os.urandom(8 * MiB))
    before = free_bytes(folder)
    assert store.copy_file(source, target) == "clone"
    assert free_bytes(folder) > before - MiB  # 8 MiB "copied", under 1 MiB of disk taken
    assert target.read_bytes() == source.read_bytes()
    original = source.read_bytes()
    with target.open("r+b") as file:
        file.write(b"\0" * MiB)
    assert source.read_bytes() == original


def test_a_copy_across_filesystems_copies_the_bytes(reflink_folder: Path, tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(MiB))
    target = reflink_folder / f"{tmp_path.name}-target.bin"
    try:
        assert store.copy_file(source, target) == "copy"  # a clone cannot cross filesystems
        assert target.read_bytes() == source.read_bytes()
    finally:
        target.unlink(missing_ok=True)


def test_a_small_write_to_a_large_database_takes_little_more_disk_than_it_writes(
    clone_db: Path,
) -> None:
    """With the old state kept (a hard link, as a reader holding it open would keep it), the
    state after a one-row write shares nearly all its blocks with it."""
    with store.writing(clone_db) as con:  # ~30 MiB of rows the write below does not touch
        con.execute(
            "CREATE TABLE filler AS SELECT range AS i, md5(range::VARCHAR) AS t FROM range(1500000)"
        )
    size = clone_db.stat().st_size
    assert size > 20 * MiB
    kept = clone_db.with_name("kept.duckdb")
    os.link(clone_db, kept)
    before = free_bytes(clone_db.parent)
    audit.record_alone(clone_db, cli_actor("testi"), audit.Event("test-write"))
    taken = before - free_bytes(clone_db.parent)
    assert taken < size // 4, (taken, size)
    assert clone_db.stat().st_ino != kept.stat().st_ino  # a new file, renamed over the old
    with store.reading(clone_db) as con:
        rows = con.execute("SELECT count(*) FROM audit_event WHERE action = 'test-write'")
        assert rows.fetchall() == [(1,)]
    with duckdb.connect(str(kept), read_only=True) as con:  # the old state, untouched
        assert con.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'test-write'"
        ).fetchall() == [(0,)]


def test_kill_9_mid_load_on_a_reflink_filesystem_leaves_the_database_as_it_was(
    tmp_path: Path, clone_db: Path
) -> None:
    kill_a_load_midway(tmp_path, clone_db)


def test_a_load_on_a_reflink_filesystem_succeeds_while_another_process_reads(
    tmp_path: Path, clone_db: Path
) -> None:
    load_while_another_process_reads(tmp_path, clone_db)
