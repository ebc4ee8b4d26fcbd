"""Cached read-only queries: each opens the live database read-only, aggregates in DuckDB and
returns a small polars frame. Nothing here computes money: amounts are read as the engine
stored them (settlement, settlement_line).

Writers replace the database file atomically, so every cached result is keyed on the file's
(path, mtime_ns, size): after a load or a settle the next page run sees the new data.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import polars as pl
import streamlit as st

from contracts.messages import Message, message
from contracts.terms import load_contract_text
from etl import achievement, audit, export, indicator_values, payment_run, provenance, settle, store

LATE_AFTER_DAYS = 30
"""A month's data is late when it first arrives more than this many days after month end."""


class DbRef(NamedTuple):
    """The live database file as of now: the cache key of every query."""

    path: str
    mtime_ns: int
    size: int


def db_path() -> Path:
    """$VAIKUTTAVUUS_DB (set by `vaikuttavuus serve`), else ./vaikuttavuus.duckdb."""
    return store.resolve_db_path(None).resolve()


def db_ref() -> DbRef:
    path = db_path()
    if not path.exists():
        raise store.StoreError(message("error.no_database", db=str(path)))
    facts = path.stat()
    return DbRef(str(path), facts.st_mtime_ns, facts.st_size)


@st.cache_resource(show_spinner=False, max_entries=2)
def _snapshot(ref: DbRef) -> duckdb.DuckDBPyConnection:
    """One read-only DuckDB instance per state of the database file, shared by every session
    of this server: its buffer pool keeps what earlier queries read, so a page's queries do
    not each open the file again. A write renames a new file over the path and so changes
    the ref; the next query opens the new file (store.snapshot), and the cache drops the
    state two writes back.

    Never closed explicitly: closing a connection closes its cursors, and another session
    may still be reading the dropped state through one. Each cursor keeps the instance
    alive; the last reference to go (the cache's or a session's cursor) closes it."""
    return store.snapshot(Path(ref.path))


@contextmanager
def _reading(ref: DbRef) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of its own on the snapshot of `ref` (each session runs in its own thread)."""
    cur = store.cursor(_snapshot(ref))
    try:
        yield cur
    finally:
        cur.close()


def _frame(ref: DbRef, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    with _reading(ref) as cur:
        frame: pl.DataFrame = cur.sql(sql, params=params or []).pl()
    return frame


# --- contracts and indicators ----------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def contracts(ref: DbRef) -> pl.DataFrame:
    """One row per contract (current terms)."""
    return _frame(
        ref,
        """
        SELECT contract_id, title, service, supplier_name, supplier_business_id,
               coalesce(framework, '') AS framework,
               start_date, end_date, period_kind, period_value, version
        FROM contract_current ORDER BY contract_id
        """,
    )


@st.cache_data(show_spinner=False, max_entries=8)
def indicators(ref: DbRef) -> pl.DataFrame:
    """One row per contract x indicator of the current terms, in the contract's order."""
    return _frame(
        ref,
        """
        SELECT contract_id, indicator_id, position, name_fi, name_sv, name_en, theme, unit,
               direction, aggregate, min_n, bonus_scale, sanction_kind
        FROM indicator_current ORDER BY contract_id, position
        """,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def levels(ref: DbRef, contract_id: str) -> pl.DataFrame:
    """The dated minimum / threshold / target levels of each indicator, read from the terms."""
    rows = _frame(
        ref,
        "SELECT toml_text, source_file, end_date FROM contract_current WHERE contract_id = ?",
        [contract_id],
    )
    schema = {"indicator_id": pl.String, "start": pl.Date, "end": pl.Date,
              "minimum": pl.Float64, "threshold": pl.Float64, "target": pl.Float64}  # fmt: skip
    if rows.is_empty():
        return pl.DataFrame(schema=schema)
    terms = load_contract_text(rows["toml_text"][0], rows["source_file"][0])
    records = []
    for indicator in terms.indicators:
        for index, level in enumerate(indicator.levels):
            following = (
                indicator.levels[index + 1].start if index + 1 < len(indicator.levels) else None
            )
            records.append(
                {
                    "indicator_id": indicator.id, "start": level.start,
                    "end": following or terms.end, "minimum": float(level.minimum),
                    "threshold": None if level.threshold is None else float(level.threshold),
                    "target": float(level.target),
                }
            )  # fmt: skip
    return pl.DataFrame(records, schema=schema, orient="row")


# --- the contracts overview ------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def latest_status(ref: DbRef) -> pl.DataFrame:
    """Each contract's indicator lines in its latest settled period (newest version)."""
    return _frame(
        ref,
        """
        WITH latest AS (
            SELECT * FROM settlement_latest
            QUALIFY row_number() OVER (PARTITION BY contract_id ORDER BY period_start DESC) = 1
        )
        SELECT s.contract_id, s.period, s.version, s.status AS settlement_status,
               l.indicator_id, l.status, l.value, l.n, l.min_n, l.line_no
        FROM latest s
        JOIN settlement_line l ON l.settlement_id = s.settlement_id AND l.line_kind = 'indicator'
        ORDER BY s.contract_id, l.line_no
        """,
    )


@st.cache_data(show_spinner=False, max_entries=8)
def completeness(ref: DbRef, late_after_days: int = LATE_AFTER_DAYS) -> pl.DataFrame:
    """Per contract: expected indicator-months (contract months up to the latest month any
    delivery covers), those with no current data (missing) and those whose data first arrived
    more than `late_after_days` days after the month ended (late)."""
    return _frame(
        ref,
        """
        WITH through AS (SELECT max(period_start) AS last_month FROM delivery_scope),
        expected AS (
            SELECT c.contract_id, i.indicator_id,
                   unnest(generate_series(date_trunc('month', c.start_date),
                                          least(date_trunc('month', c.end_date), t.last_month),
                                          INTERVAL 1 MONTH))::DATE AS month
            FROM contract_current c JOIN indicator_current i USING (contract_id), through t
        ),
        scope_months AS (
            SELECT s.delivery_id, s.contract_id, s.indicator_id,
                   unnest(generate_series(s.period_start, date_trunc('month', s.period_end),
                                          INTERVAL 1 MONTH))::DATE AS month,
                   c.delivery_id IS NOT NULL AS is_current
            FROM delivery_scope s
            LEFT JOIN scope_current c USING (delivery_id, contract_id, indicator_id, period)
        ),
        arrived AS (
            SELECT m.contract_id, m.indicator_id, m.month, bool_or(m.is_current) AS current,
                   min(d.loaded_at) AS first_loaded
            FROM scope_months m JOIN delivery d USING (delivery_id)
            GROUP BY ALL
        ),
        marked AS (
            SELECT e.contract_id, e.month,
                   coalesce(a.current, false) AS present,
                   a.first_loaded > e.month + INTERVAL 1 MONTH + to_days(?::INTEGER) AS late
            FROM expected e
            LEFT JOIN arrived a USING (contract_id, indicator_id, month)
        )
        SELECT c.contract_id, count(m.month) AS expected,
               count(*) FILTER (WHERE m.month IS NOT NULL AND NOT m.present) AS missing,
               count(*) FILTER (WHERE m.present AND m.late) AS late,
               coalesce(string_agg(DISTINCT strftime(m.month, '%Y-%m'), ', '
                        ORDER BY strftime(m.month, '%Y-%m'))
                        FILTER (WHERE m.month IS NOT NULL AND NOT m.present), '')
                   AS missing_months,
               (SELECT last_month FROM through) AS through
        FROM contract_current c LEFT JOIN marked m USING (contract_id)
        GROUP BY c.contract_id ORDER BY c.contract_id
        """,
        [late_after_days],
    )


# --- one contract ----------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=32)
def monthly_values(ref: DbRef, contract_id: str) -> pl.DataFrame:
    """Each indicator's value and n per delivered period (a month, or what the file
    delivered) as settle stored them (indicator_value, grain 'observed': the engine's
    contracts.values over the current deliveries' tallies), as numbers for the chart, with
    min_n and whether the value is assessable (a value, and n >= min_n)."""
    return _frame(
        ref,
        """
        SELECT indicator_id, period, period_start, value::DOUBLE AS value, n::DOUBLE AS n,
               assessable, min_n
        FROM indicator_value
        WHERE contract_id = ? AND grain = 'observed'
        ORDER BY indicator_id, period_start, period_end
        """,
        [contract_id],
    )


@st.cache_data(show_spinner=False, max_entries=32)
def period_lines(ref: DbRef, contract_id: str) -> pl.DataFrame:
    """Indicator lines of the newest version of every settled period of one contract."""
    return _frame(
        ref,
        """
        SELECT s.period, s.period_start, s.period_end, s.version, l.indicator_id, l.status,
               l.value::DOUBLE AS value, l.n::DOUBLE AS n, l.min_n, l.line_no
        FROM settlement_latest s
        JOIN settlement_line l ON l.settlement_id = s.settlement_id AND l.line_kind = 'indicator'
        WHERE s.contract_id = ?
        ORDER BY s.period_start, l.line_no
        """,
        [contract_id],
    )


@st.cache_data(show_spinner=False, max_entries=32)
def service_comparison(ref: DbRef, service: str, year: int) -> pl.DataFrame:
    """Each contract of the service, per indicator: its value over the calendar year with n
    as settle stored them (indicator_value, grain 'year': the engine's value by the
    indicator's aggregate over the year's observation periods), whether it is assessable
    (n >= min_n), and how many of its settled periods that year were achieved. value and n
    are numbers for the chart; value_text and n_text the stored exact text."""
    return _frame(
        ref,
        """
        WITH yearly AS (
            SELECT contract_id, indicator_id, value, n, assessable
            FROM indicator_value WHERE grain = 'year' AND period = ?
        ),
        statuses AS (
            SELECT s.contract_id, l.indicator_id,
                   count(*) FILTER (WHERE l.status = 'achieved') AS achieved,
                   count(*) FILTER (WHERE l.status <> 'not-assessable') AS assessed
            FROM settlement_latest s
            JOIN settlement_line l ON l.settlement_id = s.settlement_id
                                  AND l.line_kind = 'indicator'
            WHERE year(s.period_start) = ?
            GROUP BY ALL
        )
        SELECT c.contract_id, c.supplier_name, i.indicator_id, i.name_fi, i.name_sv, i.name_en,
               i.unit, i.direction, v.value::DOUBLE AS value, v.n::DOUBLE AS n,
               v.value AS value_text, v.n AS n_text,
               coalesce(v.assessable, false) AS assessable, i.min_n,
               coalesce(st.achieved, 0) AS achieved, coalesce(st.assessed, 0) AS assessed
        FROM contract_current c
        JOIN indicator_current i USING (contract_id)
        LEFT JOIN yearly v USING (contract_id, indicator_id)
        LEFT JOIN statuses st USING (contract_id, indicator_id)
        WHERE c.service = ?
        ORDER BY i.indicator_id, c.contract_id
        """,
        [str(year), year, service],
    )


@st.cache_data(show_spinner=False, max_entries=32)
def contract_deliveries(ref: DbRef, contract_id: str) -> pl.DataFrame:
    """The deliveries the newest settlement versions of the contract used."""
    return _frame(
        ref,
        """
        SELECT d.delivery_id, d.file_name, d.loaded_at, coalesce(d.loaded_by, '') AS loaded_by,
               d.row_count, string_agg(s.period, ', ' ORDER BY s.period) AS periods
        FROM settlement_latest s
        JOIN settlement_delivery sd USING (settlement_id)
        JOIN delivery d USING (delivery_id)
        WHERE s.contract_id = ?
        GROUP BY ALL ORDER BY d.delivery_id
        """,
        [contract_id],
    )


# --- payments --------------------------------------------------------------------------------


_SHOWN_VERSIONS = """
    WITH shown AS (
        SELECT * FROM settlement WHERE contract_id = ? AND (NOT ? OR status = 'approved')
        QUALIFY row_number() OVER (PARTITION BY period ORDER BY version DESC) = 1
    )
"""
"""The newest version of each period of one contract, or with `approved_only` the newest
approved one (what a supplier may see: drafts and prepared versions are finance's)."""


@st.cache_data(show_spinner=False, max_entries=32)
def settlements(ref: DbRef, contract_id: str, approved_only: bool = False) -> pl.DataFrame:
    """The newest version (or the newest approved one) of every settled period of a contract."""
    return _frame(
        ref,
        _SHOWN_VERSIONS
        + """
        SELECT settlement_id, period, period_start, period_end, version, kind, status,
               bonus_total, sanction_total, net, net_difference, corrects, approved_by,
               approved_at
        FROM shown ORDER BY period_start
        """,
        [contract_id, approved_only],
    )


@st.cache_data(show_spinner=False, max_entries=8)
def open_corrections(ref: DbRef) -> pl.DataFrame:
    """Correction versions not yet approved: what finance should look at first."""
    return _frame(
        ref,
        """
        SELECT contract_id, period, version, net_difference FROM settlement_latest
        WHERE kind = 'correction' AND status = 'draft' ORDER BY period_start, contract_id
        """,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def versions(ref: DbRef, contract_id: str, period: str) -> pl.DataFrame:
    """Every version of one contract x period, newest first."""
    return _frame(
        ref,
        """
        SELECT s.settlement_id, s.version, s.kind, s.status, s.period_value, s.share,
               s.bonus_total, s.sanction_total, s.net, s.net_difference, s.gate_failed,
               s.corrects, c.version AS corrects_version, s.terms_version, s.created_at,
               s.created_by, s.approved_at, s.approved_by, s.approval_comment, s.prepared_at,
               s.prepared_by, s.rejected_at, s.rejected_by, s.rejection_reason
        FROM settlement s LEFT JOIN settlement c ON c.settlement_id = s.corrects
        WHERE s.contract_id = ? AND s.period = ?
        ORDER BY s.version DESC
        """,
        [contract_id, period],
    )


@st.cache_data(show_spinner=False, max_entries=64)
def lines(ref: DbRef, settlement_id: int) -> pl.DataFrame:
    """Every stored line of one settlement version, in order."""
    return _frame(
        ref,
        "SELECT * FROM settlement_line WHERE settlement_id = ? ORDER BY line_no",
        [settlement_id],
    )


@st.cache_data(show_spinner=False, max_entries=64)
def source_deliveries(ref: DbRef, settlement_id: int) -> pl.DataFrame:
    return _frame(
        ref,
        """
        SELECT d.delivery_id, d.file_name, d.loaded_at, coalesce(d.loaded_by, '') AS loaded_by,
               d.row_count, left(d.sha256, 12) AS sha256
        FROM settlement_delivery sd JOIN delivery d USING (delivery_id)
        WHERE sd.settlement_id = ? ORDER BY d.delivery_id
        """,
        [settlement_id],
    )


@st.cache_data(show_spinner=False, max_entries=8)
def yearly_totals(ref: DbRef, contract_id: str, approved_only: bool = False) -> pl.DataFrame:
    """Σ of the stored totals of the newest version (or the newest approved one) of each
    period, per calendar year."""
    return _frame(
        ref,
        _SHOWN_VERSIONS
        + """
        SELECT year(period_start) AS year, count(*) AS periods,
               count(*) FILTER (WHERE status = 'approved') AS approved,
               sum(bonus_total) AS bonus, sum(sanction_total) AS sanction, sum(net) AS net
        FROM shown GROUP BY ALL ORDER BY year
        """,
        [contract_id, approved_only],
    )


@st.cache_data(show_spinner=False, max_entries=8)
def stale(ref: DbRef) -> list[tuple[str, str, int, Message]]:
    """Approved settlements whose inputs changed since (awaiting a correction)."""
    with _reading(ref) as con:
        return settle.stale_settlements(con)


@st.cache_data(show_spinner=False, max_entries=16)
def export_files(ref: DbRef, contract_id: str, period: str, kind: str, lang: str) -> bytes:
    """The settlement's .xlsx (`kind` "xlsx") or Finnish CSV with BOM, in the language."""
    with _reading(ref) as con:
        rows = export.export_rows(con, contract_id, period)
        if kind == "xlsx":
            return export.xlsx_bytes(con, rows, contract_id, period, lang)
    return export.csv_text(rows, finnish=True, lang=lang).encode("utf-8-sig")


# --- leadership ------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def achieved_share(ref: DbRef, by: str) -> pl.DataFrame:
    """Per year and theme (or service): indicator-periods assessed and achieved, and the
    clients behind them (Σ n of the assessed values), over the newest version of every
    settled period (the definition is etl.achievement's)."""
    if by not in ("theme", "service"):
        raise KeyError(by)
    with _reading(ref) as cur:
        frame = achievement.achievement(cur, [by])
    return frame.rename({by: "grp"})


@st.cache_data(show_spinner=False, max_entries=8)
def money_per_quarter(ref: DbRef) -> pl.DataFrame:
    """Σ stored bonus and sanction totals of the newest versions, by the quarter a period
    ends in."""
    return _frame(
        ref,
        """
        SELECT year(period_end) || '-Q' || quarter(period_end) AS quarter,
               sum(bonus_total)::DOUBLE AS bonus, sum(sanction_total)::DOUBLE AS sanction,
               sum(net)::DOUBLE AS net, count(*) AS periods,
               count(*) FILTER (WHERE status = 'approved') AS approved
        FROM settlement_latest GROUP BY ALL ORDER BY quarter
        """,
    )


@st.cache_data(show_spinner=False, max_entries=8)
def priority(ref: DbRef) -> pl.DataFrame:
    """The newest stored priority order of every framework and year, with the data it used:
    `data_until`, when the newest delivery behind the settlements it was computed from was
    loaded; `settled_at`, the newest settlement of its contracts' periods of the year; `stale`
    when that settlement is newer than the order (a settle recomputes the order in the same
    write, so only an order stored before that rule, or never recomputed, is stale)."""
    return _frame(
        ref,
        """
        WITH orders AS (
            SELECT framework, year, max(computed_at) AS computed_at
            FROM priority_order GROUP BY ALL
        ),
        year_settlements AS (
            SELECT o.framework, o.year, o.computed_at, s.*
            FROM orders o
            JOIN contract_current c ON c.framework = o.framework
            JOIN settlement s ON s.contract_id = c.contract_id
             AND year(s.period_start) = o.year
        ),
        used AS (
            SELECT framework, year, settlement_id FROM year_settlements
            WHERE created_at <= computed_at
            QUALIFY row_number() OVER (PARTITION BY framework, year, contract_id, period
                                       ORDER BY version DESC) = 1
        ),
        data AS (
            SELECT u.framework, u.year, max(d.loaded_at) AS data_until
            FROM used u
            JOIN settlement_delivery sd ON sd.settlement_id = u.settlement_id
            JOIN delivery d ON d.delivery_id = sd.delivery_id
            GROUP BY ALL
        ),
        newest AS (
            SELECT framework, year, max(created_at) AS settled_at
            FROM year_settlements GROUP BY ALL
        )
        SELECT p.framework, p.year, p.computed_at, p.position, p.contract_id, p.supplier_name,
               p.score, p.assessed, p.previous_position, p.movement, data.data_until,
               newest.settled_at,
               coalesce(newest.settled_at > p.computed_at, false) AS stale
        FROM priority_order p
        JOIN orders o USING (framework, year, computed_at)
        LEFT JOIN data USING (framework, year)
        LEFT JOIN newest USING (framework, year)
        ORDER BY p.framework, p.year DESC, p.position
        """,
    )


# --- deliveries ------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def delivery_history(ref: DbRef) -> pl.DataFrame:
    """Every accepted delivery with what it covers, whether later deliveries superseded it
    (and which), and which earlier deliveries it corrects (as `vaikuttavuus deliveries`)."""
    return _frame(
        ref,
        """
        WITH scope AS (
            SELECT s.delivery_id,
                   string_agg(DISTINCT s.contract_id, ', ' ORDER BY s.contract_id) AS contracts,
                   min(s.period_start) AS first_period, max(s.period_start) AS last_period,
                   count(*) AS keys,
                   count(*) FILTER (WHERE c.delivery_id IS NULL) AS superseded_keys
            FROM delivery_scope s
            LEFT JOIN scope_current c USING (delivery_id, contract_id, indicator_id, period)
            GROUP BY s.delivery_id
        ),
        later AS (
            SELECT s.delivery_id, string_agg(DISTINCT c.delivery_id::VARCHAR, ', '
                                             ORDER BY c.delivery_id::VARCHAR) AS superseded_by
            FROM delivery_scope s JOIN scope_current c USING (contract_id, indicator_id, period)
            WHERE c.delivery_id > s.delivery_id GROUP BY s.delivery_id
        ),
        earlier AS (
            SELECT s.delivery_id, string_agg(DISTINCT e.delivery_id::VARCHAR, ', '
                                             ORDER BY e.delivery_id::VARCHAR) AS corrects
            FROM delivery_scope s JOIN delivery_scope e USING (contract_id, indicator_id, period)
            WHERE e.delivery_id < s.delivery_id GROUP BY s.delivery_id
        )
        SELECT d.delivery_id, d.file_name, d.loaded_at, coalesce(d.loaded_by, '') AS loaded_by,
               d.row_count, d.shape, scope.contracts,
               strftime(scope.first_period, '%Y-%m') || CASE WHEN scope.first_period
                   = scope.last_period THEN '' ELSE '..' || strftime(scope.last_period, '%Y-%m')
                   END AS months,
               CASE WHEN scope.superseded_keys = 0 THEN 'current'
                    WHEN scope.superseded_keys = scope.keys THEN 'superseded'
                    ELSE 'partly' END AS state,
               scope.superseded_keys, scope.keys,
               coalesce(later.superseded_by, '') AS superseded_by,
               coalesce(earlier.corrects, '') AS corrects
        FROM delivery d JOIN scope USING (delivery_id)
        LEFT JOIN later USING (delivery_id) LEFT JOIN earlier USING (delivery_id)
        ORDER BY d.delivery_id DESC
        """,
    )


# --- the audit trail -------------------------------------------------------------------------


def journal_state() -> tuple[int, int] | None:
    """The audit journal's (mtime_ns, size), None without one: a cache key of the trail next
    to the database's, since pending events wait in the journal beside the file."""
    try:
        facts = audit.journal_path(db_path()).stat()
    except FileNotFoundError:
        return None
    return facts.st_mtime_ns, facts.st_size


@st.cache_data(show_spinner=False, max_entries=16)
def audit_trail(
    ref: DbRef, journal: tuple[int, int] | None, filters: audit.Filters
) -> pl.DataFrame:
    """The trail as `etl.audit.events` selects it, newest first, with the journal's pending
    entries first (`journal` is `journal_state()`, only a cache key)."""
    with _reading(ref) as cur:
        return audit.events(cur, filters, audit.pending(cur, Path(ref.path)))


SETTLEMENT_ACTIONS = ("settle", "prepare", "approve", "reject", "export", "load")


@st.cache_data(show_spinner=False, max_entries=16)
def settlement_trail(
    ref: DbRef,
    journal: tuple[int, int] | None,
    contract_id: str,
    period: str,
    deliveries: tuple[int, ...],
) -> pl.DataFrame:
    """The events of one contract x period (settle, prepare, approve, reject, export) and the
    loads of the deliveries its settlement used, newest first."""
    filters = audit.Filters(contract=contract_id, period=period, deliveries=deliveries)
    with _reading(ref) as cur:
        events = audit.events(cur, filters, audit.pending(cur, Path(ref.path)))
    return events.filter(pl.col("action").is_in(SETTLEMENT_ACTIONS))


@st.cache_data(show_spinner=False, max_entries=4)
def audit_chain(ref: DbRef) -> tuple[int, list[audit.Break]]:
    """(events in the table, every break in their hash chain)."""
    with _reading(ref) as cur:
        count = store.fetch_one(cur, "SELECT count(*) FROM audit_event")
        return (int(count[0]) if count else 0), audit.breaks(cur)


@st.cache_data(show_spinner=False, max_entries=4)
def audit_choices(ref: DbRef) -> tuple[pl.DataFrame, list[str]]:
    """What the trail's filters offer: (contract_id, period) pairs of the stored contracts,
    their settlements and the trail (period null for a contract alone), and the actions the
    trail holds."""
    pairs = _frame(
        ref,
        """
        SELECT DISTINCT contract_id, period FROM (
            SELECT contract_id, period FROM audit_event WHERE contract_id IS NOT NULL
            UNION ALL SELECT contract_id, NULL FROM contract_current
            UNION ALL SELECT contract_id, period FROM settlement
        ) ORDER BY contract_id, period
        """,
    )
    actions = _frame(ref, "SELECT DISTINCT action FROM audit_event ORDER BY action")
    return pairs, actions["action"].to_list()


# --- payment runs ----------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=4)
def payment_runs(ref: DbRef) -> list[tuple[str, int]]:
    """The quarters that have a payment run, newest first, with how many wait for approval."""
    with _reading(ref) as cur:
        return payment_run.quarterly_runs(cur)


@st.cache_data(show_spinner=False, max_entries=16)
def payment_run_rows(ref: DbRef, period: str) -> list[payment_run.RunRow]:
    """The run's settlement versions (etl.payment_run.rows), as the engine stored them."""
    with _reading(ref) as cur:
        return payment_run.rows(cur, period)


# --- Maksut: from a settlement line to the delivery rows behind it ---------------------------

_USED_DELIVERIES = (
    "WITH chosen AS (SELECT * FROM settlement WHERE settlement_id = ?)," + provenance.USED
)
"""The delivery each contract x indicator x delivered period of one settlement version read
(etl.provenance.USED)."""


@st.cache_data(show_spinner=False, max_entries=64)
def line_months(ref: DbRef, settlement_id: int) -> pl.DataFrame:
    """Per indicator and delivered period (month) of one settlement version: the delivery it
    read and that delivery's sums as the load stored them (scope_tally: rows, n, numerator,
    denominator, excluded), and the month's value and n from them as text, computed by the
    engine (etl.indicator_values.sums_values, contracts.values) with the indicator of the
    terms version the settlement used. For reading only: the period's value and every euro
    are the engine's, on the settlement line."""
    with _reading(ref) as cur:
        sums: pl.DataFrame = cur.sql(
            _USED_DELIVERIES
            + """
            SELECT t.indicator_id, t.period, t.period_start, t.delivery_id,
                   t.rows::BIGINT AS rows, t.weight_sum::BIGINT AS weight_sum, t.value_sum,
                   t.weighted_sum, t.numerator_sum, t.denominator_sum, t.excluded_sum
            FROM used u
            JOIN scope_tally t USING (delivery_id, contract_id, indicator_id, period)
            ORDER BY t.indicator_id, t.period_start, t.period
            """,
            params=[settlement_id],
        ).pl()
        terms = store.fetch_one(
            cur,
            """
            SELECT v.toml_text, v.source_file FROM settlement s
            JOIN contract_version v ON v.contract_id = s.contract_id
                                   AND v.version = s.terms_version
            WHERE s.settlement_id = ?
            """,
            [settlement_id],
        )
    if terms is None or sums.is_empty():
        return sums.with_columns(value=pl.lit(None, pl.String), n=pl.lit(None, pl.String))
    contract = load_contract_text(terms[0], terms[1])
    values = indicator_values.sums_values(contract, sums.iter_rows(named=True))
    return sums.with_columns(
        value=pl.Series([v for v, _ in values], dtype=pl.String),
        n=pl.Series([n for _, n in values], dtype=pl.String),
    )


DRILL_ROWS = 5000
"""The most delivery rows one line's drill-down lists (record-level files can hold many)."""


@st.cache_data(show_spinner=False, max_entries=32)
def line_rows(
    ref: DbRef, settlement_id: int, indicator_id: str, with_clients: bool
) -> pl.DataFrame:
    """Every stored delivery row of one indicator in one settlement version's period, as the
    supplier delivered it: delivery, file, the row number as Excel shows it, the values; `used`
    when it is a row of the delivery this version read; `superseded_by`, the next delivery of
    the same contract x indicator x period, which replaced the row (null for the current one;
    both as etl.provenance defines them). The client code only `with_clients` (null
    otherwise). At most DRILL_ROWS rows, oldest period first; `total` is how many there are."""
    return _frame(
        ref,
        _USED_DELIVERIES
        + ","
        + provenance.SUCCESSION
        + """
        SELECT o.delivery_id, d.file_name, o.source_row, o.period, o.period_start, o.value, o.n,
               o.numerator, o.denominator, o.excluded,
               CASE WHEN ? THEN o.client END AS client, o.note,
               u.delivery_id IS NOT NULL AS used, c.superseded_by,
               count(*) OVER () AS total
        FROM chosen s
        JOIN observation o ON o.contract_id = s.contract_id
                          AND o.period_start BETWEEN s.period_start AND s.period_end
        JOIN delivery d ON d.delivery_id = o.delivery_id
        LEFT JOIN used u ON u.delivery_id = o.delivery_id AND u.contract_id = o.contract_id
                        AND u.indicator_id = o.indicator_id AND u.period = o.period
        LEFT JOIN succession c ON c.delivery_id = o.delivery_id
                              AND c.indicator_id = o.indicator_id AND c.period = o.period
        WHERE o.indicator_id = ?
        ORDER BY o.period_start, o.period, o.delivery_id, o.source_row
        LIMIT ?
        """,
        [settlement_id, with_clients, indicator_id, DRILL_ROWS],
    )
