"""One supplier delivery: read -> validate -> store atomically, or reject with a report.

A file is loaded whole or not at all. All checking happens before the write lock is taken:
the file is read and validated batch by batch against the terms of a read-only snapshot, and
the checked rows are staged in the load's temporary folder (`etl.staging`, `etl.temp_files`);
the first problem does not stop the checking, so the report lists every problem in the file.
Only a file without problems takes the write lock (`etl.store.writing`), and only to move its
staged rows into the store in one transaction; if the contract terms changed meanwhile, the
file is checked again first.

The work is columnar: a batch's cells are parsed and every row rule evaluated in one pass of
polars expressions (`etl.schemas.rules_hold`); only the rows that break a rule go through the
pandera schema, which names each rule they break. Duplicate keys, the delivery's scope and its
sums are set-based DuckDB queries over the staged rows. Memory stays within a batch and the
staging database's limit, whatever the size of the file.
"""

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path, PurePosixPath

import duckdb
import polars as pl

from contracts.messages import Message, message
from etl import access, audit, cells, limits, store, temp_files
from etl.access import Actor
from etl.messages import render
from etl.personal_data import HIDDEN, hetu_in, hetu_refusal, looks_like_hetu, masked
from etl.readers import (
    CANONICAL_COLUMNS,
    ROW,
    Column,
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
    row_rules,
    rules_hold,
)
from etl.staging import Staging

MAX_REPORTED = 1000
CHECK_ATTEMPTS = 3
TERMS_CHANGED = message("loader.terms_changed")
HEADER_HETU = message("loader.hetu_header")
AUDIT_LANGUAGE = "fi"
"""A rejection's reasons are written to the audit trail as their Finnish text."""
Progress = Callable[[int], None]
_HOLDS = "rules_hold"
OBSERVATION_SCHEMA = pl.Schema(OBSERVATION_COLUMNS)


@dataclass(frozen=True)
class Problem:
    """One reason a file is rejected, located as a person would look for it in Excel: the
    row as Excel numbers it, the column as the header writes it (or as we name it, `column
    3`), the cell's original text (or `personal.hidden` in place of a henkilötunnus) and the
    reason, a message that the command line and the page render in the user's language."""

    file: str
    row: int | None
    column: Column
    text: str | Message | None
    reason: Message


@dataclass
class LoadResult:
    file: str
    status: str  # loaded | already-loaded | rejected
    delivery_id: int | None = None
    rows: int = 0
    shape: str | None = None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    reasons: Counter[Message] = field(default_factory=Counter)
    warnings: list[Message] = field(default_factory=list)
    superseded: int = 0
    facts: FileFacts | None = None
    seconds: float = 0.0
    scope: pl.DataFrame = field(default_factory=pl.DataFrame)


class _Rejected(Exception):
    """Raised inside the write transaction so that nothing of the file is kept."""


class _TermsChanged(Exception):
    """The terms under the write lock are not those the file was checked against."""


def load_file(
    db: Path, path: Path, actor: Actor | None = None, progress: Progress | None = None
) -> LoadResult:
    """Load one file into the database for `actor` (None: the operating-system user, as on the
    command line without --by), or reject it and leave the data as it was. Either outcome is
    written to the audit trail: an accepted file in its own write, a rejected one through the
    journal (`audit.record_soon`), so that a rejection never waits for the write lock."""
    _require_database(db)
    actor = actor or access.cli_actor(None)
    with _disk_full_said(db), temp_files.folder_for(db) as work:
        result = _load_named(db, path, str(path), path.name, actor, progress, work)
    _audit_rejection(db, actor, result, path.name)
    return result


def load_upload(
    db: Path,
    name: str,
    content: bytes,
    actor: Actor | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Load a file uploaded in the dashboard exactly as `load_file` loads one. Its bytes are
    written under a name of ours in the load's temporary folder: the name the browser sent is
    never a path, only the delivery's recorded name (its last part). Only .csv, .xlsx and
    .parquet files up to `limits.MAX_UPLOAD_BYTES` are taken; any other is rejected unread."""
    _require_database(db)
    actor = actor or access.cli_actor(None)
    recorded = PurePosixPath(name.replace("\\", "/")).name.strip() or "upload"
    suffix = PurePosixPath(recorded).suffix.lower()
    refusal = _upload_refusal(suffix, len(content))
    if refusal is not None:
        result = LoadResult(file=masked(recorded), status="rejected")
        _add(result, Problem(masked(recorded), None, None, None, refusal))
        _audit_rejection(db, actor, result, recorded)
        return result
    with _disk_full_said(db), temp_files.folder_for(db) as work:
        path = work / ("upload" + suffix)
        path.write_bytes(content)
        result = _load_named(db, path, recorded, recorded, actor, progress, work)
    _audit_rejection(db, actor, result, recorded)
    return result


def _upload_refusal(suffix: str, size: int) -> Message | None:
    """Why an uploaded file is refused before it is read (None: it may be read)."""
    if suffix not in limits.UPLOAD_SUFFIXES:
        return message("loader.upload_type", types=", ".join(limits.UPLOAD_SUFFIXES))
    if size > limits.MAX_UPLOAD_BYTES:
        mib = (Decimal(size) / limits.MiB).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return message(
            "loader.upload_too_large", size=mib, limit=limits.MAX_UPLOAD_BYTES // limits.MiB
        )
    return None


def _audit_rejection(db: Path, actor: Actor, result: LoadResult, name: str) -> None:
    if result.status != "rejected":
        return
    reasons = [render(p.reason, AUDIT_LANGUAGE) for p in result.problems[:5]]
    detail = {"file": masked(name), "problems": result.problem_count, "reasons": reasons}
    digest = None if result.facts is None else result.facts.sha256
    audit.record_soon(db, actor, audit.Event("load", "rejected", file_digest=digest, detail=detail))


def _require_database(db: Path) -> None:
    if not db.exists():
        raise store.StoreError(message("error.no_database", db=str(db)))


@contextmanager
def _disk_full_said(db: Path) -> Iterator[None]:
    """A disk that fills up while a file is checked (its temporary files) stops the command
    with the store's plain message, said once the temporary folder is removed: it is not the
    file's fault."""
    try:
        yield
    except store.StoreError:
        raise
    except Exception as error:
        if store._disk_full(error):
            raise store._disk_full_error(db) from error
        raise


def _load_named(
    db: Path,
    path: Path,
    shown: str,
    recorded: str,
    actor: Actor,
    progress: Progress | None,
    work: Path,
) -> LoadResult:
    """Load the file at `path`, reported as `shown` and recorded as `recorded`."""
    started = time.perf_counter()
    result = LoadResult(file=masked(shown), status="rejected")
    for reason in _personal_data_in_names(recorded, actor.label):
        _add(result, Problem(shown, None, None, None, reason))
    if not result.problem_count:
        result = _load(db, path, shown, recorded, actor, progress, work)
    result.warnings = [masked_message(warning) for warning in result.warnings]
    result.seconds = time.perf_counter() - started
    return result


def _load(
    db: Path,
    path: Path,
    shown: str,
    recorded: str,
    actor: Actor,
    progress: Progress | None,
    work: Path,
) -> LoadResult:
    """Check the whole file without the write lock, then (if it has no problem) take the lock
    only to move its staged rows in; check again if the terms changed meanwhile."""
    result = LoadResult(file=masked(shown), status="rejected")
    try:
        facts = inspect_file(path)
    except OSError as error:
        reason = message("loader.cannot_read", error=error.strerror or type(error).__name__)
        _add(result, Problem(shown, None, None, None, reason))
        return result
    except UnreadableFile as error:
        _add_unreadable(result, shown, error)
        return result
    for attempt in range(CHECK_ATTEMPTS):
        result = LoadResult(file=masked(shown), status="rejected", facts=facts)
        with store.reading(db) as con:
            if _already_loaded(con, facts, result):
                return result
            terms = _terms_frame(con)
        staged = Staging(work / f"staging-{attempt}")
        try:
            delimiter = _checked(path, shown, facts, terms, staged, work, result, progress)
            if not result.problem_count:
                result.scope = staged.scope()
                _check_scope(actor, shown, terms, result)
            if result.problem_count:
                return result
            with store.writing(db) as con:
                if _already_loaded(con, facts, result):
                    raise _Rejected
                if not _same_terms(_terms_frame(con), terms):
                    raise _TermsChanged
                _record_delivery(con, recorded, facts, delimiter, staged, result, actor.label)
                audit.record(con, actor, audit.Event(
                    "load", delivery_id=result.delivery_id, file_digest=facts.sha256,
                    detail={"file": masked(recorded), "rows": result.rows,
                            "contracts": sorted(set(result.scope["contract"].to_list()))},
                ))  # fmt: skip
            return result
        except _Rejected:
            return result
        except _TermsChanged:
            continue
        finally:
            staged.remove()
    result = LoadResult(file=masked(shown), status="rejected", facts=facts)
    _add(result, Problem(shown, None, None, None, TERMS_CHANGED))
    return result


def _check_scope(actor: Actor, shown: str, terms: pl.DataFrame, result: LoadResult) -> None:
    """Every contract the file reports on must be one the actor may upload for (a supplier:
    its own; a contract manager: those of its grant); the file is refused whole otherwise."""
    if actor.all_roles or result.scope.is_empty():
        return
    known = {
        row["contract"]: access.ContractScope(row["contract"], row["service"], row["business_id"])
        for row in terms.unique("contract").iter_rows(named=True)
    }
    for contract in sorted(set(result.scope["contract"].to_list())):
        scope = known.get(contract)
        if scope is None or not access.can(actor, "upload", scope):
            reason = message("loader.not_your_contract", contract=contract)
            _add(result, Problem(shown, None, "sopimus", contract, reason))


def _already_loaded(con: duckdb.DuckDBPyConnection, facts: FileFacts, result: LoadResult) -> bool:
    """Whether the same bytes are a delivery already; if so the result says which."""
    earlier = store.fetch_one(
        con, "SELECT delivery_id, loaded_at FROM delivery WHERE sha256 = ?", [facts.sha256]
    )
    if earlier is None:
        return False
    result.status = "already-loaded"
    result.delivery_id = int(earlier[0])
    result.warnings.append(
        message("loader.already_loaded", delivery=int(earlier[0]), at=earlier[1])
    )
    return True


def _same_terms(now: pl.DataFrame, checked: pl.DataFrame) -> bool:
    order = ["contract", "indicator"]
    return now.sort(order, nulls_last=True).equals(checked.sort(order, nulls_last=True))


def _add_unreadable(result: LoadResult, shown: str, error: UnreadableFile) -> None:
    for row, column, reason in error.located:
        _add(result, Problem(shown, row, column, None, reason))


def _personal_data_in_names(name: str, loaded_by: str | None) -> list[Message]:
    """The file's name and the loader's name are stored with the delivery: neither may hold a
    henkilötunnus (the rule of `etl.personal_data`)."""
    return [
        hetu_refusal(what)
        for what, text in (("file name", name), ("loader", loaded_by))
        if hetu_in(text)
    ]


def _checked(
    path: Path,
    shown: str,
    facts: FileFacts,
    terms: pl.DataFrame,
    staged: Staging,
    work: Path,
    result: LoadResult,
    progress: Progress | None,
) -> str | None:
    """Read and validate the whole file against `terms`, staging every row; the problems go
    into `result`. Returns the CSV delimiter (None for other formats). Whatever goes wrong
    while reading the file is a problem of the file, never a crash of the load."""
    try:
        frames = open_text_frames(path, facts, work)
    except UnreadableFile as error:
        _add_unreadable(result, shown, error)
        return None
    except Exception as error:
        if store._disk_full(error):
            raise
        _add(result, Problem(shown, None, None, None, _unexpected(error)))
        return None
    try:
        _check_batches(frames, shown, terms, staged, result, progress)
    except UnreadableFile as error:
        _add_unreadable(result, shown, error)
    except Exception as error:
        if store._disk_full(error):
            raise
        _add(result, Problem(shown, None, None, None, _unexpected(error)))
    finally:
        frames.close()
    if result.rows == 0 and not result.problem_count:
        _add(result, Problem(shown, None, None, None, message("loader.no_data_rows")))
    for problem in _duplicates(staged, shown, frames):
        _add(result, problem)
    result.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return frames.delimiter


def _unexpected(error: Exception) -> Message:
    """A plain reason for an error nobody foresaw while reading a file."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return message("loader.unexpected", error=text[:200])


def _check_batches(
    frames: TextFrames,
    shown: str,
    terms: pl.DataFrame,
    staged: Staging,
    result: LoadResult,
    progress: Progress | None,
) -> None:
    """Parse, check and stage each batch in one columnar pass; only the rows that break a
    rule go through the pandera schema, which names every rule each of them breaks."""
    for header in frames.headers.values():
        if hetu_in(header):
            _add(result, Problem(shown, 1, header, HIDDEN, HEADER_HETU))
    result.warnings += _unknown_columns(frames)
    text_columns = list(frames.headers)
    rules = row_rules(text_columns)
    holds = rules_hold(rules).alias(_HOLDS)
    rule_by_key = {rule.key: rule for rule in rules}
    record_level = False
    for batch in frames.batches:
        batch = _without_blank_rows(batch, text_columns)
        if batch.height == 0:
            continue
        parsed = _parsed(batch, terms, text_columns, holds)
        failing = parsed.filter(~pl.col(_HOLDS))
        if failing.height:
            for problem in _problems(failing, frames, shown, rules, rule_by_key):
                _add(result, problem)
        result.rows += batch.height
        record_level = record_level or parsed["client"].null_count() < parsed.height
        staged.add(_observation_rows(parsed, validate=not result.problem_count))
        if progress is not None:
            progress(result.rows)
    result.shape = "record-level" if record_level else "indicator-report"


def _unknown_columns(frames: TextFrames) -> list[Message]:
    """The note on columns the format does not use: those with a header by it, those without
    by their number."""
    named = [c for c in frames.unknown_columns if isinstance(c, str)]
    unnamed = [str(c.values["number"]) for c in frames.unknown_columns if isinstance(c, Message)]
    notes = []
    if named:
        notes.append(message("loader.unknown_columns", columns="; ".join(named)))
    if unnamed:
        notes.append(message("loader.unknown_columns_unnamed", numbers=", ".join(unnamed)))
    return notes


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
        "c.start_date AS c_start, c.end_date AS c_end, c.period_kind AS c_period, "
        "c.service, c.supplier_business_id AS business_id "
        "FROM contract_current c LEFT JOIN indicator_current i USING (contract_id)"
    ).pl()
    return frame


def _parsed(
    batch: pl.DataFrame, terms: pl.DataFrame, text_columns: list[str], holds: pl.Expr
) -> pl.DataFrame:
    """The batch with typed values and rule inputs beside the text, the terms each row refers
    to and `holds` (whether the row passes every rule). The costly per-cell work (regular
    expressions, casts) is done here, once, in parallel, so that the schema's checks are cheap
    comparisons. (Eager: the same steps as one lazy query measured slower.)"""
    periods = cells.period_table(batch["period"])
    for name in CANONICAL_COLUMNS:
        if name not in batch.columns:
            batch = batch.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    for name in (*NUMBER_COLUMNS, "n"):
        batch = _with_number_facts(batch, name)
    hetu = [looks_like_hetu(pl.col(name)).alias(f"hetu_{name}") for name in text_columns]
    batch = batch.with_columns(*hetu)
    contracts = terms.select("contract", "c_start", "c_end", "c_period").unique("contract")
    indicators = terms.select("contract", "indicator", "aggregate").drop_nulls("indicator")
    return (
        batch.join(periods, on="period", how="left", maintain_order="left")
        .join(contracts, on="contract", how="left", maintain_order="left")
        .join(indicators, on=["contract", "indicator"], how="left", maintain_order="left")
        .with_columns(holds)
    )  # fmt: skip


def _number_facts(name: str) -> list[pl.Expr]:
    """What the checks need to know of a number cell's text: whether it is a number, whether
    it has few enough decimals, and its value (`<name>_d`, for `n` its whole value `n_i`)."""
    text = pl.col(name)
    is_number, few_decimals = cells.is_number_text(text), cells.has_few_decimals(text)
    value = (
        cells.whole_value(text).alias("n_i")
        if name == "n"
        else cells.decimal_value(text, is_number, few_decimals).alias(f"{name}_d")
    )
    return [
        is_number.alias(f"{name}_is_number"),
        few_decimals.alias(f"{name}_few_decimals"),
        value,
    ]


def _with_number_facts(batch: pl.DataFrame, name: str) -> pl.DataFrame:
    """The batch with the facts of its column `name` beside it. A number column mostly
    repeats a few texts (0 and 1, a score): the facts of each distinct text are found once
    and joined to the rows, a quarter of the cost of finding them on every row; a column of
    mostly distinct texts, or of none (an empty or absent column), is done row by row."""
    texts = batch.select(pl.col(name).unique()).drop_nulls()
    if texts.height * 4 > batch.height or texts.height == 0:
        return batch.with_columns(_number_facts(name))
    facts = texts.with_columns(_number_facts(name))
    return batch.join(facts, on=name, how="left", maintain_order="left")


def _problems(
    parsed: pl.DataFrame,
    frames: TextFrames,
    shown: str,
    rules: list[RowRule],
    rule_by_key: dict[str, RowRule],
) -> list[Problem]:
    """Every rule each row of `parsed` (rows that break one) breaks, as the pandera schema
    finds them."""
    import pandera.errors

    try:
        delivery_schema(rules).validate(parsed, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    else:
        return []
    rows = parsed[ROW]
    problems = []
    for check, index in failures.select("check", "index").drop_nulls().iter_rows():
        rule = rule_by_key.get(check)
        if rule is None:
            continue
        text: str | Message | None = parsed[rule.column][index]
        if check.startswith(HETU_CHECK):
            text = HIDDEN
        header = frames.column(rule.column)
        problems.append(Problem(shown, int(rows[index]), header, text, rule.reason))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return problems


def _observation_rows(parsed: pl.DataFrame, validate: bool) -> pl.DataFrame:
    """The batch shaped as the observation table (delivery 0 until it is stored); its columns
    and their types checked against the table's (`OBSERVATION_COLUMNS`, what the pandera
    `observation_schema` checks of a LazyFrame) unless the file is rejected anyway; the
    values the table may not leave empty are the rules' business."""
    rows = parsed.select(
        pl.lit(0, dtype=pl.Int32).alias("delivery_id"),
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
    if validate and rows.schema != OBSERVATION_SCHEMA:
        raise TypeError(f"observation rows {rows.schema} are not {OBSERVATION_SCHEMA}")
    return rows


def _duplicates(staged: Staging, shown: str, frames: TextFrames) -> list[Problem]:
    """The same contract x indicator x period (x client) twice in one file."""
    header = frames.column("period")
    problems = []
    for source_row, first_row, contract, indicator, period, client in staged.duplicates(
        MAX_REPORTED
    ):
        reason = message(
            "loader.duplicate" if client is None else "loader.duplicate_client",
            contract=contract, indicator=indicator, period=period, client=client,
            first=int(first_row),
        )  # fmt: skip
        problems.append(Problem(shown, int(source_row), header, period, reason))
    return problems


def _record_delivery(
    con: duckdb.DuckDBPyConnection,
    recorded: str,
    facts: FileFacts,
    delimiter: str | None,
    staged: Staging,
    result: LoadResult,
    loaded_by: str | None,
) -> None:
    """Under the write lock: the delivery, its staged rows and sums, and its scope."""
    row = store.fetch_one(con, "SELECT coalesce(max(delivery_id), 0) + 1 FROM delivery")
    delivery_id = int(row[0]) if row else 1
    con.execute(
        "INSERT INTO delivery VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            delivery_id, recorded, facts.sha256, store.now(), loaded_by, result.rows,
            result.shape, facts.file_format, facts.encoding, delimiter,
        ],
    )  # fmt: skip
    staged.move_into(con, delivery_id, list(OBSERVATION_COLUMNS))
    scope = result.scope.select(
        pl.lit(delivery_id, dtype=pl.Int32).alias("delivery_id"),
        pl.col("contract").alias("contract_id"),
        pl.col("indicator").alias("indicator_id"),
        pl.col("period_name").alias("period"),
        "period_start",
        "period_end",
        pl.col("rows").alias("row_count"),
    )
    con.register("scope_batch", scope)
    try:
        con.execute("INSERT INTO delivery_scope BY NAME SELECT * FROM scope_batch")
    finally:
        con.unregister("scope_batch")
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


def masked_message(said: Message) -> Message:
    """The message with anything shaped like a henkilötunnus in its texts masked."""
    return Message(
        said.key, {k: masked(v) if isinstance(v, str) else v for k, v in said.values.items()}
    )


def _masked_text(text: str | Message | None) -> str | Message | None:
    if text is None:
        return None
    return masked(text) if isinstance(text, str) else masked_message(text)


def _add(result: LoadResult, problem: Problem) -> None:
    """Count a problem (by its reason: key and values) and keep it for the report, with
    anything shaped like a henkilötunnus masked (a report never repeats one: duplicate client
    codes, unknown contract ids)."""
    problem = dataclasses.replace(
        problem,
        file=masked(problem.file),
        column=_masked_text(problem.column),
        text=_masked_text(problem.text),
        reason=masked_message(problem.reason),
    )
    result.problem_count += 1
    result.reasons[problem.reason] += 1
    if len(result.problems) < MAX_REPORTED:
        result.problems.append(problem)
