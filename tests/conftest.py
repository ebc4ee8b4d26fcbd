"""Shared fixtures: a fresh database per test, built with the real CLI."""

import contextlib
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from etl.cli import main

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TEST_DATA = Path(__file__).resolve().parent / "data"
TEST_CONTRACT = TEST_DATA / "KH-TEST.toml"

Cli = Callable[..., tuple[int, str]]


def run_cli(*args: str | Path) -> tuple[int, str]:
    """Run `vaikuttavuus ARGS...` in this process; return (exit status, standard output)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main([str(a) for a in args])
    return status, out.getvalue()


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    """A freshly initialised database with no terms."""
    path = tmp_path / "test.duckdb"
    status, _ = run_cli("--db", path, "init")
    assert status == 0
    return path


@pytest.fixture
def db(empty_db: Path) -> Path:
    """A database holding the test contract KH-TEST."""
    status, out = run_cli("--db", empty_db, "contracts", "add", TEST_CONTRACT)
    assert status == 0, out
    return empty_db


@pytest.fixture
def cli(db: Path) -> Cli:
    """Run the CLI against the test database."""

    def run(*args: str | Path) -> tuple[int, str]:
        return run_cli("--db", db, *args)

    return run


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a delivery file exactly as given (newlines untouched)."""
    path.write_bytes(text.encode(encoding))
    return path


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes: "the database is exactly as it was" is this, unchanged."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_digest(path: Path) -> str:
    """SHA-256 of every table's rows but the audit trail's: "the data is exactly as it was"
    where a refusal is itself recorded in the trail."""
    import duckdb

    digest = hashlib.sha256()
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_name <> 'audit_event' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        for table in tables:
            digest.update(table.encode())
            for row in con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()


def audit_rows(path: Path) -> list[tuple[str, str]]:
    """(action, outcome) of every row of the audit trail, oldest first."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        return [
            (str(a), str(o))
            for a, o in con.execute(
                "SELECT action, outcome FROM audit_event ORDER BY event_id"
            ).fetchall()
        ]
