"""One supplier delivery: read -> validate -> store atomically, or reject with a report.

A file is loaded whole or not at all. Batches are validated and written inside one
transaction on a private copy of the database (`etl.store.writing`); the first problem
stops the writing but not the checking, so the report lists every problem in the file.
"""

import dataclasses
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandera.errors
import polars as pl

from etl import cells, store
from etl.personal_data import HIDDEN, PersonalData, hetu_in, looks_like_hetu, masked, refuse_hetu
from etl.readers import (
    CANONICAL_COLUMNS,
    ROW,
    FileFacts,
    TextFrames,
    UnreadableFile,
    inspect_file,
    open_text_frames,
)
from etl.schemas import (
    HETU_CHECK,
    NUMBER_COLUMNS,
    OBSERVATION_COLUMNS,
    RowRule,
    delivery_schema,
    observation_schema,
    row_rules,
)

MAX_REPORTED = 1000
HEADER_HETU = (
    "a header that looks like a henkilötunnus (personal identity code): files with personal "
    "identity codes are refused"
)
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Problem:
    """One reason a file is rejected, located as a person would look for it in Excel."""

    file: str
    row: int | None
    column: str | None
    text: str | None
    reason: str


@dataclass
class LoadResult:
    file: str
    status: str  # loaded | already-loaded | rejected
    delivery_id: int | None = None
    rows: int = 0
    shape: str | None = None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    superseded: int = 0
    facts: FileFacts | None = None
    seconds: float = 0.0
    scope: pl.DataFrame = field(default_factory=pl.DataFrame)
    suspect_rows: list[int] = field(default_factory=list)


class _Rejected(Exception):
    """Raised inside the write transaction so that nothing of the file is kept."""


def load_file(
    db: Path, path: Path, loaded_by: str | None = None, progress: Progress | None = None
) -> LoadResult:
    """Load one file into the database, or reject it and leave the database as it was."""
    started = time.perf_counter()
    result = LoadResult(file=masked(str(path)), status="rejected")
    for reason in _personal_data_in_names(path, loaded_by):
        _add(result, Problem(str(path), None, None, None, reason))
    if result.problem_count:
        return result
    try:
        result.facts = inspect_file(path)
    except OSError as error:
        _add(result, Problem(str(path), None, None, None, f"cannot be read: {error.strerror}"))
        return result
    except UnreadableFile as error:
        _add(result, Problem(str(path), error.row, error.column, None, error.reason))
        return result
    try:
        with store.writing(db) as con:
            _load_into(con, path, result, loaded_by, progress)
            if result.problem_count or result.status == "already-loaded":
                raise _Rejected
    except _Rejected:
        pass
    result.warnings = [masked(warning) for warning in result.warnings]
    result.seconds = time.perf_counter() - started
    return result


def _personal_data_in_names(path: Path, loaded_by: str | None) -> list[str]:
    """The file's name and the loader's name are stored with the delivery: neither may hold a
    henkilötunnus (the rule of `etl.personal_data`)."""
    reasons = []
    for what, text in (("the file name", path.name), ("the loader's name (--by)", loaded_by)):
        try:
            refuse_hetu(what, text)
        except PersonalData as error:
            reasons.append(str(error))
    return reasons


def _load_into(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    result: LoadResult,
    loaded_by: str | None,
    progress: Progress | None,
) -> None:
    assert result.facts is not None
    earlier = store.fetch_one(
        con, "SELECT delivery_id, loaded_at FROM delivery WHERE sha256 = ?", [result.facts.sha256]
    )
    if earlier is not None:
        result.status = "already-loaded"
        result.delivery_id = int(earlier[0])
        result.warnings.append(
            f"the same bytes were loaded as delivery {earlier[0]} at {earlier[1]:%d.%m.%Y %H.%M}"
            "; nothing changed"
        )
        return
    row = store.fetch_one(con, "SELECT coalesce(max(delivery_id), 0) + 1 FROM delivery")
    delivery_id = int(row[0]) if row else 1
    try:
        frames = open_text_frames(path, result.facts)
    except UnreadableFile as error:
        _add(result, Problem(str(path), error.row, error.column, None, error.reason))
        return
    try:
        _check_and_write(con, frames, path, delivery_id, result, progress)
    except UnreadableFile as error:
        _add(result, Problem(str(path), error.row, error.column, None, error.reason))
    finally:
        frames.close()
    if result.rows == 0 and not result.problem_count:
        _add(result, Problem(str(path), None, None, None, "the file has no data rows"))
    for problem in _duplicates(con, path, frames, delivery_id, result.suspect_rows):
        _add(result, problem)
    result.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    if result.problem_count:
        return
    _record_delivery(con, path, frames, delivery_id, result, loaded_by)


def _check_and_write(
    con: duckdb.DuckDBPyConnection,
    frames: TextFrames,
    path: Path,
    delivery_id: int,
    result: LoadResult,
    progress: Progress | None,
) -> None:
    terms = _terms_frame(con)
    for header in frames.headers.values():
        if hetu_in(header):
            _add(result, Problem(str(path), 1, header, HIDDEN, HEADER_HETU))
    extra = frames.unknown_columns
    if extra:
        result.warnings.append("ignored column(s) not used by the format: " + "; ".join(extra))
    text_columns = list(frames.headers)
    rules = row_rules(text_columns)
    schema = delivery_schema(rules)
    rule_by_key = {rule.key: rule for rule in rules}
    seen = _Seen()
    for batch in frames.batches:
        batch = _without_blank_rows(batch, text_columns)
        if batch.height == 0:
            continue
        parsed = _parsed(batch, terms, text_columns)
        try:
            schema.validate(parsed, lazy=True)
        except pandera.errors.SchemaErrors as errors:
            for problem in _problems(errors.failure_cases, parsed, frames, path, rule_by_key):
                _add(result, problem)
        result.rows += batch.height
        seen.add(parsed)
        if not result.problem_count:
            _write_batch(con, parsed, delivery_id)
        else:
            _keep_keys(con, parsed, delivery_id)
        if progress is not None:
            progress(result.rows)
    result.shape = "record-level" if seen.record_level else "indicator-report"
    result.scope = seen.scope()
    result.suspect_rows = seen.rows_with_repeated_keys()


class _Seen:
    """What the batches of one file add up to: its scope, its shape and, to find duplicate
    keys across batches cheaply, a 64-bit hash of each row's key."""

    def __init__(self) -> None:
        self.record_level = False
        self.scopes: list[pl.DataFrame] = []
        self.keys: list[pl.DataFrame] = []

    def add(self, parsed: pl.DataFrame) -> None:
        keyed = parsed.filter(
            pl.col("contract").is_not_null()
            & pl.col("indicator").is_not_null()
            & pl.col("period_name").is_not_null()
        )
        self.record_level = self.record_level or bool(parsed["client"].is_not_null().any())
        self.keys.append(
            keyed.select(
                pl.struct("contract", "indicator", "period_name", "client").hash(7).alias("key"),
                ROW,
            )
        )
        self.scopes.append(
            keyed.group_by("contract", "indicator", "period_name").agg(
                pl.col("period_start").min(), pl.len().alias("rows")
            )
        )

    def scope(self) -> pl.DataFrame:
        """One row per contract x indicator x period the file delivers, with its row count."""
        if not self.scopes:
            return pl.DataFrame()
        return (
            pl.concat(self.scopes)
            .group_by("contract", "indicator", "period_name")
            .agg(pl.col("period_start").min(), pl.col("rows").sum())
        )

    def rows_with_repeated_keys(self) -> list[int]:
        """Rows whose key hash occurs more than once: every duplicate is among them (a hash
        collision may add an innocent row, which the exact check then clears)."""
        if not self.keys:
            return []
        keys = pl.concat(self.keys)
        return keys.filter(pl.col("key").is_duplicated())[ROW].to_list()


def _without_blank_rows(batch: pl.DataFrame, text_columns: list[str]) -> pl.DataFrame:
    """Rows whose every cell is empty (blank lines, Excel's trailing ;;;) are not data;
    spaces around a cell's text are not part of it."""
    batch = batch.with_columns(
        pl.col(ROW).cast(pl.Int64),
        *[pl.col(c).str.strip_chars().replace("", None) for c in text_columns],
    )
    return batch.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in text_columns]))


def _terms_frame(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Current contract terms, one row per contract x indicator."""
    frame: pl.DataFrame = con.sql(
        "SELECT c.contract_id AS contract, i.indicator_id AS indicator, i.aggregate, "
        "c.start_date AS c_start, c.end_date AS c_end, c.period_kind AS c_period "
        "FROM contract_current c LEFT JOIN indicator_current i USING (contract_id)"
    ).pl()
    return frame


def _parsed(batch: pl.DataFrame, terms: pl.DataFrame, text_columns: list[str]) -> pl.DataFrame:
    """The batch with typed values and rule inputs beside the text, and the terms each row
    refers to. The costly per-cell work (regular expressions, casts) is done here, once, in
    parallel, so that the schema's checks are cheap comparisons."""
    for name in CANONICAL_COLUMNS:
        if name not in batch.columns:
            batch = batch.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    flags = [
        flag
        for name in (*NUMBER_COLUMNS, "n")
        for flag in (
            cells.is_number_text(pl.col(name)).alias(f"{name}_is_number"),
            cells.has_few_decimals(pl.col(name)).alias(f"{name}_few_decimals"),
        )
    ]
    hetu = [looks_like_hetu(pl.col(name)).alias(f"hetu_{name}") for name in text_columns]
    batch = batch.with_columns(*flags, *hetu)
    typed = [
        cells.decimal_value(
            pl.col(name), pl.col(f"{name}_is_number"), pl.col(f"{name}_few_decimals")
        ).alias(f"{name}_d")
        for name in NUMBER_COLUMNS
    ]
    batch = batch.with_columns(*typed, cells.whole_value(pl.col("n")).alias("n_i"))
    contracts = terms.select("contract", "c_start", "c_end", "c_period").unique("contract")
    indicators = terms.select("contract", "indicator", "aggregate").drop_nulls("indicator")
    return (
        batch.join(cells.period_table(batch["period"]), on="period", how="left",
                   maintain_order="left")
        .join(contracts, on="contract", how="left", maintain_order="left")
        .join(indicators, on=["contract", "indicator"], how="left", maintain_order="left")
    )  # fmt: skip


def _problems(
    failures: pl.DataFrame,
    parsed: pl.DataFrame,
    frames: TextFrames,
    path: Path,
    rules: dict[str, RowRule],
) -> list[Problem]:
    rows = parsed[ROW]
    problems = []
    for check, index in failures.select("check", "index").drop_nulls().iter_rows():
        rule = rules.get(check)
        if rule is None:
            continue
        text = parsed[rule.column][index]
        if check.startswith(HETU_CHECK):
            text = HIDDEN
        header = frames.headers.get(rule.column, rule.column)
        problems.append(Problem(str(path), int(rows[index]), header, text, rule.reason))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return problems


def _write_batch(con: duckdb.DuckDBPyConnection, parsed: pl.DataFrame, delivery_id: int) -> None:
    rows = parsed.select(
        pl.lit(delivery_id, dtype=pl.Int32).alias("delivery_id"),
        pl.col(ROW).alias("source_row"),
        pl.col("contract").alias("contract_id"),
        pl.col("indicator").alias("indicator_id"),
        pl.col("period_name").alias("period"),
        "period_start",
        "period_end",
        pl.col("value_d").alias("value"),
        pl.col("n_i").alias("n"),
        pl.col("numerator_d").alias("numerator"),
        pl.col("denominator_d").alias("denominator"),
        pl.col("excluded_d").alias("excluded"),
        "client",
        "note",
    )
    observation_schema.validate(rows.lazy())
    con.register("observation_batch", rows)
    try:
        con.execute(
            f"INSERT INTO observation ({', '.join(OBSERVATION_COLUMNS)}) "
            "SELECT * FROM observation_batch"
        )
    finally:
        con.unregister("observation_batch")


def _keep_keys(con: duckdb.DuckDBPyConnection, parsed: pl.DataFrame, delivery_id: int) -> None:
    """Once a file is rejected its rows are no longer written, but their keys are kept (in a
    temporary table) so that duplicates can still be reported across the whole file."""
    con.execute(
        "CREATE TEMP TABLE IF NOT EXISTS rejected_keys AS "
        "SELECT source_row, contract_id, indicator_id, period, client FROM observation "
        "WHERE delivery_id = ?",
        [delivery_id],
    )
    keys = parsed.select(
        pl.col(ROW).alias("source_row"),
        pl.col("contract").alias("contract_id"),
        pl.col("indicator").alias("indicator_id"),
        pl.col("period_name").alias("period"),
        "client",
    ).drop_nulls(["contract_id", "indicator_id", "period"])
    con.register("rejected_batch", keys)
    try:
        con.execute("INSERT INTO rejected_keys SELECT * FROM rejected_batch")
    finally:
        con.unregister("rejected_batch")


def _duplicates(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    frames: TextFrames,
    delivery_id: int,
    suspects: list[int],
) -> list[Problem]:
    """The same contract x indicator x period (x client) twice in one file."""
    if not suspects:
        return []
    con.execute(
        "CREATE TEMP TABLE IF NOT EXISTS rejected_keys AS SELECT source_row, contract_id, "
        "indicator_id, period, client FROM observation WHERE false"
    )
    con.register(
        "suspect_rows", pl.DataFrame({"source_row": suspects}, schema={"source_row": pl.Int64})
    )
    try:
        found = con.execute(
            """
            WITH rows AS (
                SELECT source_row, contract_id, indicator_id, period, client
                FROM observation WHERE delivery_id = ?
                UNION ALL
                SELECT source_row, contract_id, indicator_id, period, client FROM rejected_keys
            ),
            keyed AS (
                SELECT DISTINCT source_row, contract_id, indicator_id, period, client,
                       min(source_row) OVER (
                           PARTITION BY contract_id, indicator_id, period, client
                       ) AS first_row
                FROM rows SEMI JOIN suspect_rows USING (source_row)
            )
            SELECT source_row, first_row, contract_id, indicator_id, period, client
            FROM keyed WHERE source_row <> first_row
            ORDER BY source_row LIMIT ?
            """,
            [delivery_id, MAX_REPORTED],
        ).fetchall()
    finally:
        con.unregister("suspect_rows")
    header = frames.headers.get("period", "period")
    problems = []
    for source_row, first_row, contract, indicator, period, client in found:
        who = f" x client {client}" if client is not None else ""
        problems.append(
            Problem(
                str(path), int(source_row), header, period,
                f"duplicate: {contract} x {indicator} x {period}{who} is already on row "
                f"{first_row}",
            )
        )  # fmt: skip
    return problems


TALLY_SQL = """
    INSERT INTO scope_tally
    SELECT delivery_id, contract_id, indicator_id, period, min(period_start), count(*),
           sum(value), sum(value * coalesce(n, 1)),
           sum(coalesce(n, 1)) FILTER (WHERE value IS NOT NULL),
           sum(numerator), sum(denominator), sum(excluded)
    FROM observation WHERE delivery_id = ?
    GROUP BY delivery_id, contract_id, indicator_id, period
"""
"""The delivery's sums per contract x indicator x period (table scope_tally, migration 003)."""


def _record_delivery(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    frames: TextFrames,
    delivery_id: int,
    result: LoadResult,
    loaded_by: str | None,
) -> None:
    facts = frames.facts
    con.execute(
        "INSERT INTO delivery VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            delivery_id, path.name, facts.sha256, store.now(), loaded_by, result.rows,
            result.shape, facts.file_format, facts.encoding, frames.delimiter,
        ],
    )  # fmt: skip
    scope = result.scope.select(
        pl.lit(delivery_id, dtype=pl.Int32).alias("delivery_id"),
        "contract",
        "indicator",
        "period_name",
        "period_start",
        "rows",
    )
    con.register("scope_batch", scope)
    try:
        con.execute("INSERT INTO delivery_scope SELECT * FROM scope_batch")
    finally:
        con.unregister("scope_batch")
    con.execute(TALLY_SQL, [delivery_id])
    row = store.fetch_one(
        con,
        "SELECT count(*) FROM delivery_scope s WHERE s.delivery_id = ? AND EXISTS ("
        "SELECT 1 FROM delivery_scope e WHERE e.delivery_id < s.delivery_id "
        "AND e.contract_id = s.contract_id AND e.indicator_id = s.indicator_id "
        "AND e.period = s.period)",
        [delivery_id],
    )
    result.superseded = int(row[0]) if row else 0
    result.status = "loaded"
    result.delivery_id = delivery_id


def _add(result: LoadResult, problem: Problem) -> None:
    """Count a problem and keep it for the report, with anything shaped like a henkilötunnus
    masked (a report never repeats one: duplicate client codes, unknown contract ids)."""
    problem = dataclasses.replace(
        problem,
        file=masked(problem.file),
        column=None if problem.column is None else masked(problem.column),
        text=None if problem.text is None else masked(problem.text),
        reason=masked(problem.reason),
    )
    result.problem_count += 1
    result.reasons[problem.reason] += 1
    if len(result.problems) < MAX_REPORTED:
        result.problems.append(problem)
