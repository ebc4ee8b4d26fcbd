"""The DuckDB store: where the file lives, migrations, and safe reading and writing.

DuckDB lets one process write a database file, or many processes read it, not both at
once. So a writer never opens the live file: it copies it (a reflink clone on a filesystem
that makes one, which copies no bytes: `copy_file`), writes the copy in one transaction,
checkpoints, and atomically renames the copy over the live file. Readers
(the dashboard) keep reading the file they opened, and see the new data when they next
connect. A writer killed half-way leaves only an abandoned copy; the live file is exactly
as before. Writers queue on an advisory lock file beside the database.
"""

import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from contracts.exact import round_half_up
from contracts.messages import message
from etl.messages import MessageError

DEFAULT_DB = Path("vaikuttavuus.duckdb")
DB_ENV = "VAIKUTTAVUUS_DB"

NO_PROGRESS_BAR = "SET enable_progress_bar = false"
"""DuckDB draws a progress bar on stdout for a query over 2 s: it would land in the CLI's
output and in the server's log. A connection's own setting: run on each (and each cursor)."""


class StoreError(MessageError):
    """The database cannot be used as asked (missing, too new, locked)."""


class Busy(StoreError):
    """Another process holds the write lock, and the caller asked not to wait for it."""


def resolve_db_path(cli_value: str | None) -> Path:
    """--db wins, then $VAIKUTTAVUUS_DB, then ./vaikuttavuus.duckdb; resolved to the real file
    (through symlinks), so that a write replaces the real file and takes its lock."""
    if cli_value:
        return Path(cli_value).resolve()
    from_env = os.environ.get(DB_ENV)
    return (Path(from_env) if from_env else DEFAULT_DB).resolve()


def migrations() -> list[tuple[int, str, str]]:
    """Numbered SQL migrations shipped in etl/migrations: (version, name, sql), in order."""
    folder = resources.files("etl") / "migrations"
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def fetch_one(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> tuple[Any, ...] | None:
    """The first row of a query, with the result consumed (DuckDB 2.0 refuses new work on a
    connection while an execute() result is only partly fetched)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied, 0 for an empty database."""
    exists = fetch_one(
        con,
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'schema_migration' AND table_catalog = current_database()",
    )
    if not exists or exists[0] == 0:
        return 0
    row = fetch_one(con, "SELECT coalesce(max(version), 0) FROM schema_migration")
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every migration newer than the database; return the names applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    current = schema_version(con)
    applied = []
    for version, name, sql in migrations():
        if version <= current:
            continue
        con.execute(sql)
        con.execute("INSERT INTO schema_migration VALUES (?, ?, ?)", [version, name, now()])
        applied.append(name)
    return applied


def now() -> datetime:
    """Wall-clock time in UTC, without tzinfo (stored as TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def _remove(path: Path) -> None:
    """A work file (the copy, its .wal) or DuckDB's spill folder beside it (.tmp), if any."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _remove_stale_copies(db: Path) -> None:
    for stale in db.parent.glob(f".{db.name}.writing-*"):
        _remove(stale)


def _remove_copy(copy: Path) -> None:
    for suffix in ("", ".wal", ".tmp"):
        _remove(copy.with_name(copy.name + suffix))


FREE_MARGIN = 8 * 1024 * 1024
"""Free space a write needs beyond the copy of the database: room for the new rows, the WAL
and the checkpoint (at least this, or a tenth of the database if that is more)."""


def room_needed(db: Path) -> int:
    """Bytes a write needs free on the database's disk: the copy plus a margin."""
    size = db.stat().st_size if db.exists() else 0
    return size + max(FREE_MARGIN, size // 10)


def _megabytes(count: int) -> Decimal:
    """Bytes as megabytes to a tenth (the message writes them in the reader's language)."""
    return round_half_up(Fraction(count, 1_000_000), 1)


def _check_room(db: Path) -> None:
    """Refuse a write before copying when the disk cannot hold the copy and the new data."""
    needed = room_needed(db)
    free = shutil.disk_usage(db.parent).free
    if free < needed:
        raise StoreError(
            message("error.no_room", db=str(db), needed=_megabytes(needed), free=_megabytes(free))
        )


def _disk_full(error: BaseException) -> bool:
    """Whether an error (or what caused it) is the disk running out of space."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(seen, duckdb.Error) and (
            "No space left on device" in str(seen) or "Disk quota exceeded" in str(seen)
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _disk_full_error(db: Path) -> StoreError:
    free = shutil.disk_usage(db.parent).free
    return StoreError(message("error.disk_full", db=str(db), free=_megabytes(free)))


@contextmanager
def writing(
    db: Path, *, create: bool = False, wait: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a private copy of the database inside one transaction.

    On a clean exit the transaction commits and the copy replaces the live file atomically;
    on an exception (or a kill) the live file is untouched. The copy is removed on every
    error; a disk that cannot hold it is refused before copying, and one that fills up during
    the write is a StoreError that says so. With `wait=False` a held lock raises Busy at once.
    """
    db = db.resolve()
    if not db.exists() and not create:
        raise StoreError(message("error.no_database", db=str(db)))
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        with open(_lock_path(db), "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise Busy(message("error.busy", db=str(db))) from error
            _remove_stale_copies(db)
            _check_room(db)
            copy = db.with_name(f".{db.name}.writing-{os.getpid()}")
            try:
                yield from _write_copy(db, copy, create)
            finally:
                _remove_copy(copy)
    except (OSError, duckdb.Error) as error:
        if _disk_full(error):
            raise _disk_full_error(db) from error
        raise


FICLONE = 0x40049409
"""Linux's ioctl that makes a file share another's blocks (a reflink): XFS made with
reflink=1 (mkfs.xfs's default since 2019, RHEL 8 and later), btrfs, bcachefs, OCFS2."""


def copy_file(source: Path, target: Path) -> str:
    """`target` made a copy of `source` for a write: a reflink clone where the filesystem makes
    one (the copy shares the file's blocks, copy-on-write, so it costs no bytes and the write
    then costs what it changes, not the size of the database), else a byte copy. Either way
    the source is never written. Returns how: "clone" or "copy"."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
        except OSError:
            pass  # not a reflink filesystem, or across filesystems: copy the bytes
        else:
            return "clone"
    shutil.copyfile(source, target)
    return "copy"


def _write_copy(db: Path, copy: Path, create: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    if db.exists():
        copy_file(db, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(NO_PROGRESS_BAR)
        _check_version(con, db, allow_older=create)
        con.execute("BEGIN TRANSACTION")
        yield con
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    except BaseException:
        with suppress(duckdb.Error):
            con.close()
        raise
    con.close()
    _fsync(copy)
    os.replace(copy, db)
    _fsync(db.parent)


@contextmanager
def reading(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the live database; never blocks or is blocked by a writer."""
    con = snapshot(db)
    try:
        yield con
    finally:
        con.close()


SNAPSHOT_CATALOG = "live"


def snapshot(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the database file as it is now, in a DuckDB instance of its
    own (the file ATTACHed READ_ONLY as `live` to a fresh in-memory instance, then USEd).

    Not `duckdb.connect(path)`: within one process that returns the instance already open on
    the path, if any, and an instance opened before a writer renamed a new file over the path
    keeps showing the old file. Cursors of the connection start in the in-memory catalog: run
    `USE live` on each (see `cursor`)."""
    db = db.resolve()
    if not db.exists():
        raise StoreError(message("error.no_database", db=str(db)))
    con = duckdb.connect(":memory:")
    try:
        con.execute(NO_PROGRESS_BAR)
        quoted = str(db).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS {SNAPSHOT_CATALOG} (READ_ONLY)")
        con.execute(f"USE {SNAPSHOT_CATALOG}")
        _check_version(con, db, allow_older=False)
    except BaseException:
        con.close()
        raise
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of a snapshot connection, for use in another thread, on the snapshot's data."""
    cur = con.cursor()
    cur.execute(NO_PROGRESS_BAR)
    cur.execute(f"USE {SNAPSHOT_CATALOG}")
    return cur


def _check_version(con: duckdb.DuckDBPyConnection, db: Path, *, allow_older: bool) -> None:
    have = schema_version(con)
    latest = migrations()[-1][0]
    if have > latest:
        raise StoreError(message("error.schema_newer", db=str(db), have=have, latest=latest))
    if have < latest and not allow_older:
        raise StoreError(message("error.schema_older", db=str(db), have=have, latest=latest))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_POLARS_TYPES: dict[str, pl.DataType] = {
    "VARCHAR": pl.String(),
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "DATE": pl.Date(),
    "TIMESTAMP": pl.Datetime("us"),
    "BOOLEAN": pl.Boolean(),
}


def table_schema(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, pl.DataType]:
    """A table's columns as polars types, to build frames that insert without guessing."""
    schema: dict[str, pl.DataType] = {}
    for name, kind in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall():
        if kind.startswith("DECIMAL"):
            precision, scale = kind[8:-1].split(",")
            schema[name] = pl.Decimal(int(precision), int(scale))
        else:
            schema[name] = _POLARS_TYPES[kind]
    return schema


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: list[dict[str, Any]],
    *,
    replace: bool = False,
    decimals_as_text: bool = False,
) -> None:
    """Insert many rows (dicts keyed by column name) in one statement; `replace`: a row whose
    primary key is stored already takes the place of the stored one; `decimals_as_text`: the
    DECIMAL columns come as decimal text, for DuckDB to cast as it casts a bound Decimal
    (rounding half away from zero, refusing one too large), which polars would not."""
    schema = table_schema(con, table)
    if decimals_as_text:
        schema = {n: pl.String() if isinstance(k, pl.Decimal) else k for n, k in schema.items()}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    con.register("rows_to_insert", frame)
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    try:
        con.execute(f"{verb} INTO {table} BY NAME SELECT * FROM rows_to_insert")
    finally:
        con.unregister("rows_to_insert")
