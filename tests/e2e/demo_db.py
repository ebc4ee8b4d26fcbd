"""The demo database for dashboard tests: built once by the real ETL exactly as `make demo`
builds it (sample_data/build_demo.build), copied for each test that writes.

Building takes minutes on a busy machine, so the built file is also kept in pytest's cache
directory under a key made of every source file that shapes it (sample_data/, etl/,
contracts/): a run with unchanged sources copies it instead of building again.
"""

import fcntl
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from sample_data.build_demo import build

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("sample_data", "etl", "contracts")

# An indicator-month the sample never delivered (KH-2024-001 nps 2024-07): uploading it is a
# new, valid delivery that fills a gap.
UPLOAD_NAME = "aalto-nps-2024-07.csv"
UPLOAD_CSV = "sopimus;mittari;kuukausi;arvo;n;huomautus\nKH-2024-001;nps;7/2024;42,5;20;täydennys\n"


def source_key() -> str:
    digest = hashlib.sha256()
    for folder in SOURCES:
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_demo(db: Path) -> None:
    """The demo store exactly as `make demo` builds it."""
    surprises = build(db)
    assert surprises == 0, f"building the demo database: {surprises} surprise(s)"


def demo_template(config: pytest.Config, folder: Path) -> Path:
    """A built demo database at folder/demo.duckdb (from the cache when sources match).

    Test processes running side by side (pytest -n) take turns on a lock in the cache
    folder: the first builds and stores the file, the others copy it."""
    target = folder / "demo.duckdb"
    cache = getattr(config, "cache", None)  # absent under -p no:cacheprovider
    if cache is None:
        build_demo(target)
        return target
    folder_of_cache = cache.mkdir("dashboard-demo")
    cached = folder_of_cache / f"demo-{source_key()}.duckdb"
    with open(folder_of_cache / "build.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cached.exists():
            build_demo(target)
            for old in folder_of_cache.glob("demo-*.duckdb"):
                old.unlink()
            partial = cached.with_name(cached.name + ".partial")
            shutil.copyfile(target, partial)
            os.replace(partial, cached)
            return target
    shutil.copyfile(cached, target)
    return target


def copy_db(template: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "dash.duckdb"
    shutil.copyfile(template, target)
    return target
