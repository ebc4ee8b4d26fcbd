"""A load's temporary files: a folder of its own beside the database, removed on every path.

`.<database name>.tmp-<pid>-<random>/` holds what a load writes besides the database: the
UTF-8 copy of a Windows-1252 or UTF-16 CSV file, an uploaded file's bytes and the checked
rows (`etl.staging`: Parquet files and what DuckDB spills while it reads them). It is on
the database's disk (not /tmp), and it is removed when the load ends, however it ends. A
process killed outright leaves its folder behind; the next load removes every such folder
whose owner is gone: the owner holds a lock on a file in it for as long as it lives, and the
kernel releases that lock when the process dies.
"""

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OWNER = "owner.lock"
YOUNG_SECONDS = 60
"""A folder without its lock file that is younger than this is being created right now."""


def _prefix(db: Path) -> str:
    return f".{db.name}.tmp-"


@contextmanager
def folder_for(db: Path) -> Iterator[Path]:
    """A new private folder beside the database `db`, removed with everything in it on exit
    (after removing what killed loads left behind)."""
    remove_leftovers(db)
    folder = Path(tempfile.mkdtemp(prefix=f"{_prefix(db)}{os.getpid()}-", dir=db.parent))
    try:
        with open(folder / OWNER, "wb") as owner:
            fcntl.flock(owner, fcntl.LOCK_EX)
            yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def leftovers(db: Path) -> list[Path]:
    """The temporary folders of this database that exist now, in use or not."""
    if not db.parent.is_dir():
        return []
    return sorted(
        entry
        for entry in db.parent.iterdir()
        if entry.name.startswith(_prefix(db)) and entry.is_dir()
    )


def remove_leftovers(db: Path) -> None:
    """Remove the temporary folders of this database whose owner is no longer running."""
    for folder in leftovers(db):
        try:
            owner = open(folder / OWNER, "rb")  # noqa: SIM115 (held while removing)
        except FileNotFoundError:
            if _age(folder) > YOUNG_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
            continue
        except OSError:
            continue
        with owner:
            try:
                fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            shutil.rmtree(folder, ignore_errors=True)


def _age(folder: Path) -> float:
    try:
        return time.time() - folder.stat().st_mtime
    except OSError:
        return 0.0
