"""A delivery's staged rows: checked rows wait here, outside the write lock, until one
INSERT … SELECT moves them into the store (STYLE.md habit 17).

Each checked batch is written as a Parquet file in a folder of the load's temporary folder
(`etl.temp_files`): polars writes it without a database's indexes and compression passes,
and nothing of it stays in memory. An in-memory DuckDB reads the files as the view `staged`;
duplicate keys and the delivery's scope are found there by set-based queries, before the
write lock is taken. Under the lock the store reads the files once for the rows and once for
their sums per contract x indicator x period, one statement each. DuckDB works within
`MEMORY_LIMIT`, spilling to the staging folder, so that a load's memory does not grow with
the file.
"""

import errno
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from etl.store import NO_PROGRESS_BAR

STAGED = "staged"
MEMORY_LIMIT = "256MB"

TALLY_SQL = """
    SELECT delivery_id, contract_id, indicator_id, period, min(period_start), count(*),
           sum(value), sum(value * coalesce(n, 1)),
           sum(coalesce(n, 1)) FILTER (WHERE value IS NOT NULL),
           sum(numerator), sum(denominator), sum(excluded)
    FROM {rows}
    GROUP BY delivery_id, contract_id, indicator_id, period
"""
"""A delivery's sums per contract x indicator x period (table scope_tally, migration 003)."""

SCOPE_SQL = f"""
    SELECT contract_id AS contract, indicator_id AS indicator, period AS period_name,
           min(period_start) AS period_start, max(period_end) AS period_end,
           count(*) AS rows
    FROM {STAGED}
    GROUP BY contract_id, indicator_id, period
    ORDER BY ALL
"""
"""One row per contract x indicator x period the delivery reports on, with its row count."""

DUPLICATES_SQL = f"""
    WITH keyed AS (
        SELECT source_row, contract_id, indicator_id, period, client,
               hash(contract_id, indicator_id, period, client) AS key
        FROM {STAGED}
        WHERE contract_id IS NOT NULL AND indicator_id IS NOT NULL AND period IS NOT NULL
    ),
    repeated AS (SELECT key FROM keyed GROUP BY key HAVING count(*) > 1),
    suspect AS (
        SELECT source_row, contract_id, indicator_id, period, client,
               min(source_row) OVER (
                   PARTITION BY contract_id, indicator_id, period, client
               ) AS first_row
        FROM keyed SEMI JOIN repeated USING (key)
    )
    SELECT source_row, first_row, contract_id, indicator_id, period, client
    FROM suspect WHERE source_row <> first_row
    ORDER BY source_row LIMIT ?
"""
"""Each row whose key an earlier row has: the rows are grouped by a 64-bit hash of the key
first, and only rows whose hash repeats are compared exactly (a collision adds an innocent
row to that comparison, never a problem)."""


class Staging:
    """The staged rows of one delivery, in the folder `folder` (which must not exist)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir()
        self.files: list[Path] = []
        self.con = duckdb.connect(
            ":memory:",
            config={
                "memory_limit": MEMORY_LIMIT,
                "temp_directory": str(folder / "spill"),
                "preserve_insertion_order": False,
            },
        )
        self.con.execute(NO_PROGRESS_BAR)
        self.rows = 0

    def add(self, rows: pl.DataFrame) -> None:
        """Stage a batch of rows shaped as the observation table."""
        target = self.folder / f"{len(self.files):06d}.parquet"
        self.files.append(target)
        try:
            rows.write_parquet(target, compression="lz4", statistics=False)
        except pl.exceptions.PolarsError as error:
            if "os error 28" in str(error) or "os error 122" in str(error):
                raise OSError(errno.ENOSPC, "No space left on device", str(target)) from error
            raise
        self.rows += rows.height
        self.con.execute(f"CREATE OR REPLACE VIEW {STAGED} AS SELECT * FROM {self._scan()}")

    def _scan(self) -> str:
        """The table function that reads the staged Parquet files."""
        return "read_parquet([" + ", ".join(_quoted(f) for f in self.files) + "])"

    def duplicates(self, limit: int) -> list[tuple[Any, ...]]:
        """(row, first row, contract, indicator, period, client) of the first `limit` rows
        whose key an earlier row of the file has."""
        if not self.rows:
            return []
        return self.con.execute(DUPLICATES_SQL, [limit]).fetchall()

    def scope(self) -> pl.DataFrame:
        """The delivery's scope (`SCOPE_SQL`)."""
        if not self.rows:
            return pl.DataFrame()
        scope: pl.DataFrame = self.con.sql(SCOPE_SQL).pl()
        return scope

    def remove(self) -> None:
        """Close the staging database and delete the staged rows."""
        self.con.close()
        for target in self.files:
            target.unlink(missing_ok=True)
        if self.folder.exists():
            for left in self.folder.rglob("*"):
                if left.is_file():
                    left.unlink()
            for left in sorted(self.folder.rglob("*"), reverse=True):
                left.rmdir()
            self.folder.rmdir()

    def move_into(
        self, con: duckdb.DuckDBPyConnection, delivery_id: int, columns: list[str]
    ) -> None:
        """Copy the staged rows and their sums into the store's observation and scope_tally
        tables under `delivery_id`, inside the caller's transaction. The rows are inserted in
        whatever order DuckDB's threads finish them (each keeps its `source_row`): keeping
        the file's order doubled the insert's time. The insert works within `MEMORY_LIMIT`
        too."""
        rest = [c for c in columns if c != "delivery_id"]
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        try:
            con.execute(
                f"INSERT INTO observation (delivery_id, {', '.join(rest)}) "
                f"SELECT ?, {', '.join(rest)} FROM {self._scan()}",
                [delivery_id],
            )
            con.execute(
                "INSERT INTO scope_tally SELECT ?, * EXCLUDE (delivery_id) FROM ("
                + TALLY_SQL.format(rows=self._scan())
                + ")",
                [delivery_id],
            )
        finally:
            con.execute("RESET preserve_insertion_order")
            con.execute("RESET memory_limit")


def _quoted(path: Path) -> str:
    """A path as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"
