"""A delivery's staging database: checked rows wait here, outside the write lock, until one
INSERT … SELECT moves them into the store (STYLE.md habit 17).

Each checked batch lands in the table `staged` of a DuckDB file in the load's temporary
folder (`etl.temp_files`); duplicate keys and the delivery's sums per contract x indicator x
period are found there, before the write lock is taken. Under the lock the store attaches the
file read-only and copies its rows in one statement each.
"""

from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from etl.store import NO_PROGRESS_BAR

STAGED = "staged"
TALLIED = "staged_tally"
CATALOG = "staging"

TALLY_SQL = """
    SELECT delivery_id, contract_id, indicator_id, period, min(period_start), count(*),
           sum(value), sum(value * coalesce(n, 1)),
           sum(coalesce(n, 1)) FILTER (WHERE value IS NOT NULL),
           sum(numerator), sum(denominator), sum(excluded)
    FROM {rows}
    GROUP BY delivery_id, contract_id, indicator_id, period
"""
"""A delivery's sums per contract x indicator x period (table scope_tally, migration 003)."""

DUPLICATES_SQL = f"""
    WITH keyed AS (
        SELECT DISTINCT source_row, contract_id, indicator_id, period, client,
               min(source_row) OVER (
                   PARTITION BY contract_id, indicator_id, period, client
               ) AS first_row
        FROM {STAGED} SEMI JOIN suspect_rows USING (source_row)
        WHERE contract_id IS NOT NULL AND indicator_id IS NOT NULL AND period IS NOT NULL
    )
    SELECT source_row, first_row, contract_id, indicator_id, period, client
    FROM keyed WHERE source_row <> first_row
    ORDER BY source_row LIMIT ?
"""


class Staging:
    """The staging database of one delivery, in the file `path` (which must not exist)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.con = duckdb.connect(str(path))
        self.con.execute(NO_PROGRESS_BAR)
        self.rows = 0

    def add(self, rows: pl.DataFrame) -> None:
        """Stage a batch of rows shaped as the observation table."""
        self.con.register("batch", rows)
        try:
            if self.rows == 0:
                self.con.execute(f"CREATE OR REPLACE TABLE {STAGED} AS SELECT * FROM batch")
            else:
                self.con.execute(f"INSERT INTO {STAGED} SELECT * FROM batch")
        finally:
            self.con.unregister("batch")
        self.rows += rows.height

    def duplicates(self, suspects: list[int], limit: int) -> list[tuple[Any, ...]]:
        """(row, first row, contract, indicator, period, client) of each row whose key an
        earlier row of the file has; only rows among `suspects` are looked at."""
        if not suspects or not self.rows:
            return []
        self.con.register(
            "suspect_rows", pl.DataFrame({"source_row": suspects}, schema={"source_row": pl.Int64})
        )
        try:
            return self.con.execute(DUPLICATES_SQL, [limit]).fetchall()
        finally:
            self.con.unregister("suspect_rows")

    def finish(self) -> None:
        """Sum the staged rows per key and close the file, ready to be attached."""
        if self.rows:
            self.con.execute(
                f"CREATE OR REPLACE TABLE {TALLIED} AS " + TALLY_SQL.format(rows=STAGED)
            )
        self.close()

    def close(self) -> None:
        self.con.close()

    def move_into(
        self, con: duckdb.DuckDBPyConnection, delivery_id: int, columns: list[str]
    ) -> None:
        """Copy the staged rows and their sums into the store's observation and scope_tally
        tables under `delivery_id`, inside the caller's transaction."""
        quoted = str(self.path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS {CATALOG} (READ_ONLY)")
        rest = [c for c in columns if c != "delivery_id"]
        con.execute(
            f"INSERT INTO observation (delivery_id, {', '.join(rest)}) "
            f"SELECT ?, {', '.join(rest)} FROM {CATALOG}.{STAGED}",
            [delivery_id],
        )
        con.execute(
            f"INSERT INTO scope_tally SELECT ?, * EXCLUDE (delivery_id) FROM {CATALOG}.{TALLIED}",
            [delivery_id],
        )
