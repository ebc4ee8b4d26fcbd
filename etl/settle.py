"""Stored deliveries -> the engine -> stored settlement versions.

For each contract the newest delivery of every contract x indicator x period wins; the sums
the load stored for it (`tally_current`) are the engine's tallies, and
`contracts.settlement.settle_contract` does the rest. A contract's year is computed only when
what it is computed from changed (the engine's code, the terms version, which delivery holds
each indicator x period of the year and the year before: table settle_input). A settlement is
stored as a new version only when its result, its terms version or the deliveries it used
changed. Approved versions are never touched: a change after approval becomes a
`correction` version that shows, line by line, the money difference against the approved one.
The same write stores the indicator values of every year computed (table indicator_value),
which the dashboard shows.
"""

import hashlib
import json
import string
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import polars as pl

from contracts.exact import decimal_text, round_cents
from contracts.messages import Message, message
from contracts.periods import Period, parse_period_name, periods_between
from contracts.settlement import (
    CLAUSE,
    Adjustment,
    Line,
    PeriodSettlement,
    clause_of,
    settle_contract,
)
from contracts.terms import Contract, load_contract_text
from contracts.values import Tally
from etl import audit, messages, rank, store
from etl.access import Actor, Permission
from etl.indicator_values import text as _text
from etl.indicator_values import value_rows
from etl.messages import MessageError


class SettleError(MessageError):
    """A settle, approve or export request that cannot be done as asked."""


@dataclass
class SettleOutcome:
    contract: str
    period: str
    action: str  # created | unchanged | new-draft | correction
    version: int
    net: Decimal
    net_difference: Decimal | None = None


@dataclass
class SettleReport:
    outcomes: list[SettleOutcome] = field(default_factory=list)
    reranked: list[tuple[str, int]] = field(default_factory=list)
    """(framework, year) of the priority orders recomputed because their inputs changed."""

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)


Contracts = str | Sequence[str] | None
"""Which contracts: one id, several, or None for all."""


def _ids(contracts: Contracts) -> list[str] | None:
    """The ids as a list for a `? IS NULL OR list_contains(?, contract_id)` filter; the
    helpers below take this list (None: every contract)."""
    if contracts is None:
        return None
    return [contracts] if isinstance(contracts, str) else list(contracts)


def current_terms(
    con: duckdb.DuckDBPyConnection, ids: list[str] | None = None
) -> dict[str, tuple[Contract, int]]:
    """The current terms of each contract (or of those asked), with their version."""
    rows = con.execute(
        "SELECT contract_id, version, toml_text, source_file FROM contract_current "
        "WHERE ? IS NULL OR list_contains(?, contract_id) ORDER BY contract_id",
        [ids, ids],
    ).fetchall()
    return {row[0]: (load_contract_text(row[2], row[3]), int(row[1])) for row in rows}


def tallies_by_contract(
    con: duckdb.DuckDBPyConnection,
    ids: list[str] | None,
    year: int | None = None,
    per_client: Sequence[tuple[str, str]] = (),
) -> dict[str, dict[tuple[str, Period], Tally]]:
    """The engine's tallies per contract x indicator x delivered period: the sums the load
    stored for each delivery (`tally_current`, the current delivery of each scope), of the
    year and the one before when a year is given. No observation row is read, except the
    per-client sums of the (contract, indicator) pairs in `per_client` (a rate scale's
    max_per_client)."""
    first, last = _window(year)
    rows = con.execute(
        """
        SELECT contract_id, indicator_id, period, sum(rows)::BIGINT,
               coalesce(sum(weight_sum), 0)::BIGINT, coalesce(sum(value_sum), 0),
               coalesce(sum(weighted_sum), 0), coalesce(sum(numerator_sum), 0),
               coalesce(sum(denominator_sum), 0), coalesce(sum(excluded_sum), 0)
        FROM tally_current
        WHERE (? IS NULL OR list_contains(?, contract_id)) AND period_start BETWEEN ? AND ?
        GROUP BY ALL
        """,
        [ids, ids, first, last],
    ).fetchall()
    clients = _client_outcomes(con, per_client, first, last) if per_client else {}
    result: dict[str, dict[tuple[str, Period], Tally]] = defaultdict(dict)
    for contract, indicator, period_name, count, n, total, weighted, num, den, excl in rows:
        period = _period(period_name)
        result[contract][(indicator, period)] = Tally(
            rows=int(count),
            n=int(n),
            value_sum=Decimal(total),
            weighted_sum=Decimal(weighted),
            numerator=Decimal(num),
            denominator=Decimal(den),
            excluded=Decimal(excl),
            client_outcomes=clients.get((contract, indicator, period_name), ()),
        )
    return result


def _window(year: int | None) -> tuple[date, date]:
    """The delivered periods a settle of `year` reads: that year and the one before (for
    previous-year baselines); every period when no year is given."""
    if year is None:
        return date.min, date.max
    return date(year - 1, 1, 1), date(year, 12, 31)


def _per_client(terms: Mapping[str, tuple[Contract, int]]) -> list[tuple[str, str]]:
    """(contract, indicator) of every rate scale with a max_per_client: the indicators
    whose outcomes the engine needs per client."""
    return [
        (cid, i.id)
        for cid, (contract, _) in terms.items()
        for i in contract.indicators
        if i.bonus is not None and i.bonus.scale == "rate" and i.bonus.max_per_client is not None
    ]


def _client_outcomes(
    con: duckdb.DuckDBPyConnection, pairs: Sequence[tuple[str, str]], first: date, last: date
) -> dict[tuple[str, str, str], tuple[tuple[str, Decimal], ...]]:
    """Outcomes per client of the (contract, indicator) pairs (record-level sum rows)."""
    wanted = pl.DataFrame(
        pairs, schema={"contract_id": pl.String, "indicator_id": pl.String}, orient="row"
    )
    con.register("per_client", wanted)
    try:
        rows = con.execute(
            """
            SELECT o.contract_id, o.indicator_id, o.period, o.client, sum(o.value)
            FROM observation_current o SEMI JOIN per_client USING (contract_id, indicator_id)
            WHERE o.client IS NOT NULL AND o.period_start BETWEEN ? AND ?
            GROUP BY ALL ORDER BY ALL
            """,
            [first, last],
        ).fetchall()
    finally:
        con.unregister("per_client")
    grouped: dict[tuple[str, str, str], list[tuple[str, Decimal]]] = defaultdict(list)
    for contract, indicator, period, client, total in rows:
        grouped[(contract, indicator, period)].append((client, Decimal(total)))
    return {key: tuple(values) for key, values in grouped.items()}


@cache
def _period(name: str) -> Period:
    """A stored period name as a Period (parsed once per name in a process)."""
    period = parse_period_name(name)
    if period is None:
        raise SettleError(message("error.bad_stored_period", name=name))
    return period


class Delivered(NamedTuple):
    """One contract x indicator x period of a current delivery."""

    start: date
    delivery: int
    indicator: str
    period: str


def deliveries_by_contract(
    con: duckdb.DuckDBPyConnection, ids: list[str] | None
) -> dict[str, list[Delivered]]:
    """What the current deliveries of each contract cover, in a fixed order."""
    rows = con.execute(
        "SELECT contract_id, period_start, delivery_id, indicator_id, period FROM scope_current "
        "WHERE ? IS NULL OR list_contains(?, contract_id) ORDER BY ALL",
        [ids, ids],
    ).fetchall()
    result: dict[str, list[Delivered]] = defaultdict(list)
    for contract, start, delivery, indicator, period in rows:
        result[contract].append(Delivered(start, int(delivery), indicator, period))
    return result


def deliveries_used(contract: Contract, period: Period, scope: Sequence[Delivered]) -> list[int]:
    """The deliveries whose rows fall in the period, or in the same period a year earlier
    when an indicator's improvement baseline is the previous year."""
    windows = [period]
    if any(
        i.bonus is not None and i.bonus.baseline == "previous-year" for i in contract.indicators
    ):
        windows.append(period.previous_year())
    return sorted(
        {row.delivery for row in scope for w in windows if w.first_day <= row.start <= w.last_day}
    )


@cache
def engine_code() -> str:
    """A digest of the code that turns inputs into a stored settlement (the engine, this
    module, the values it stores): a change of the code settles everything again."""
    here = Path(__file__).resolve().parent
    engine = sorted((here.parent / "contracts").glob("*.py"))
    files = [*engine, here / "settle.py", here / "indicator_values.py"]
    digest = hashlib.sha256()
    for path in files:
        if path.exists():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def inputs_digest(terms_version: int, deliveries: str) -> str:
    """What a contract's settlements of a year are computed from: the engine's code, the
    terms version, and which delivery holds each indicator x period of the year and the one
    before (`delivered_by_year`; deliveries never change once stored, so their ids stand for
    their rows, their sums and their clients)."""
    text = f"{engine_code()}|{terms_version}|{deliveries}"
    return hashlib.sha256(text.encode()).hexdigest()


def delivered_by_year(
    con: duckdb.DuckDBPyConnection, ids: list[str] | None
) -> dict[tuple[str, int], str]:
    """Per contract and calendar year, a digest of which delivery holds each indicator x
    period of that year and the year before (a year's settlements read both), in a fixed
    order; computed in DuckDB, so that settling with nothing changed reads no scope row."""
    rows = con.execute(
        """
        WITH scope AS (
            SELECT contract_id, indicator_id, period, delivery_id, year(period_start) AS y
            FROM scope_current WHERE ? IS NULL OR list_contains(?, contract_id)
        ),
        windows AS (
            SELECT *, y AS window_year FROM scope UNION ALL SELECT *, y + 1 FROM scope
        )
        SELECT contract_id, window_year,
               sha256(string_agg(indicator_id || '|' || period || '|' || delivery_id, ';'
                                 ORDER BY indicator_id, period, delivery_id))
        FROM windows GROUP BY ALL
        """,
        [ids, ids],
    ).fetchall()
    return {(r[0], int(r[1])): str(r[2]) for r in rows}


def settlement_digest(
    terms_version: int, deliveries: Sequence[int], result: PeriodSettlement
) -> str:
    """What decides whether settling again is a change: terms, inputs and the result. The
    words of the result enter as the English text the engine wrote before its words became
    messages (`digest_words`), so a settlement whose numbers did not change keeps its digest."""
    payload = {"terms": terms_version, "deliveries": list(deliveries), "result": _digested(result)}
    text = json.dumps(payload, sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digested(result: PeriodSettlement) -> dict[str, Any]:
    """What `dataclasses.asdict(result)` gives, with each line's and adjustment's words as
    `digest_words`, built field by field (asdict would copy every message first, only for it
    to be replaced). A line's sanction_before_cap, shown as a step of its own since migration
    007, adds nothing the digest lacks (the units, the price and the cap are in it): left out,
    the digest stays the same."""
    plain = {name: _as_plain(getattr(result, name)) for name in _SETTLEMENT_FIELDS}
    plain["lines"] = [
        {name: _as_plain(getattr(line, name)) for name in _LINE_FIELDS}
        | {"rule": digest_words(line.rule), "explanation": digest_words(line.explanation)}
        for line in result.lines
    ]
    plain["adjustments"] = [
        {name: _as_plain(getattr(adjustment, name)) for name in _ADJUSTMENT_FIELDS}
        | {"reason": digest_words((adjustment.reason,))}
        for adjustment in result.adjustments
    ]
    return plain


def _field_names(kind: type, *left_out: str) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind) if f.name not in left_out)


_SETTLEMENT_FIELDS = _field_names(PeriodSettlement, "lines", "adjustments")
_LINE_FIELDS = _field_names(Line, "rule", "explanation", "sanction_before_cap")
_ADJUSTMENT_FIELDS = _field_names(Adjustment, "reason")


def _as_plain(value: Any) -> Any:
    """`dataclasses.asdict` of one value: dataclasses as dicts, sequences item by item."""
    if value is None or isinstance(value, str | int | Decimal | Fraction | date):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _as_plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_as_plain(item) for item in value]
    if isinstance(value, dict):
        return {_as_plain(k): _as_plain(v) for k, v in value.items()}
    return value


def _plain(value: object) -> str:
    if isinstance(value, Decimal | Fraction | date | Period):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


# The engine's English words before they became messages (migration 006), kept only so the
# digest of a settlement stays what it was: never shown, never translated, never changed.
# A key missing here (words added since) is left out of the digest, as is everything from
# `engine.line.clause` on (the clause is digested as the line's rule). Each text brings its
# own separator; the rule's sanction part starts with "; " when a bonus part precedes it.
_DIGEST_WORDS = {
    "engine.line.value": "Value {value:num} (n = {n}):",
    "engine.line.value_levels": (
        "Value {value:num} (n = {n}) against minimum {minimum:num}, target {target:num}"
        " (levels from {level_from}):"
    ),
    "engine.line.value_threshold": (
        "Value {value:num} (n = {n}) against minimum {minimum:num}, threshold {threshold:num},"
        " target {target:num} (levels from {level_from}):"
    ),
    "engine.note.no_levels": "No levels in force on {day}.",
    "engine.note.no_data": "No data.",
    "engine.note.no_data_fail": "No data; missing = fail counts it as below minimum.",
    "engine.note.too_few": "Only n = {n}, below min_n = {min_n}.",
    "engine.note.too_few_fail": (
        "Only n = {n}, below min_n = {min_n}; missing = fail counts it as below minimum."
    ),
    "engine.line.status_is": " Status:",
    **{f"engine.status.{s}": f" {s}." for s in (
        "achieved", "partial", "not-achieved", "below-minimum", "not-assessable"
    )},
    "engine.line.rate": " Rate card: {outcomes:num} outcomes pay {exact:eur} €.",
    "engine.line.fraction": " Fraction {fraction:num} × {money:eur} € = {bonus:eur} € bonus.",
    "engine.line.fraction_baseline": (
        " Fraction {fraction:num} (improvement baseline {baseline:num}) × {money:eur} €"
        " = {bonus:eur} € bonus."
    ),
    "engine.line.fraction_pool": (
        " Fraction {fraction:num} × {money:eur} € (pool share, weight {weight:num} of"
        " {weights:num}) = {bonus:eur} € bonus."
    ),
    "engine.line.fraction_baseline_pool": (
        " Fraction {fraction:num} (improvement baseline {baseline:num}) × {money:eur} €"
        " (pool share, weight {weight:num} of {weights:num}) = {bonus:eur} € bonus."
    ),
    "engine.line.gate_withheld": " Gate {gates} failed: bonus withheld, {paid} € paid.",
    "engine.line.sanction": " Sanction {amount:eur} €.",
    "engine.line.sanction_per_unit": " Sanction {amount:eur} €.",
    "engine.line.sanction_per_unit_capped": " Sanction {amount:eur} €.",
    "engine.line.nothing": " No bonus, no sanction.",
    **{f"engine.rule.scale.{s}": f"bonus: {s} scale" for s in (
        "binary", "linear", "bands", "improvement"
    )},
    "engine.rule.full_eur": ", {amount:eur} € at full achievement",
    "engine.rule.full_percent": ", {percent:num} % of the period value at full achievement",
    "engine.rule.pool_eur": ", share of the pool ({amount:eur} €) by weight",
    "engine.rule.pool_percent": (
        ", share of the pool ({percent:num} % of the period value) by weight"
    ),
    "engine.rule.rate": "bonus: {per_outcome:eur} € per outcome",
    "engine.rule.rate_max_client": ", at most {amount:eur} € per client",
    "engine.rule.rate_max_period": ", at most {amount:eur} € per period",
    "engine.rule.per_unit": "; sanction: {per_unit:eur} € per unit",
    "engine.rule.per_unit_cap": "; sanction: {per_unit:eur} € per unit, at most {cap:eur} €",
    "engine.rule.below_minimum_eur": "; sanction: {amount:eur} € below minimum",
    "engine.rule.below_minimum_percent": (
        "; sanction: {percent:num} % of the period value below minimum"
    ),
    "engine.rule.monitored": "monitored only: no bonus, no sanction",
    "engine.adjustment.gate": (
        "gate {gates} below minimum or not assessable: no bonus this period"
    ),
    "engine.adjustment.pool": "bonus pool {cap} € (total {total} €)",
    "engine.adjustment.bonus_cap": "period bonus cap {cap} € (total {total} €)",
    "engine.adjustment.sanction_cap": "period sanction cap {cap} € (total {total} €)",
    "engine.adjustment.annual_bonus_cap": (
        "annual bonus cap {year_cap} €, left {cap} € (total {total} €)"
    ),
    "engine.adjustment.annual_sanction_cap": (
        "annual sanction cap {year_cap} €, left {cap} € (total {total} €)"
    ),
}  # fmt: skip


def _digest_field(value: Any, format_spec: str) -> str:
    if format_spec == "num":
        return decimal_text(value, 4) or ""
    if format_spec == "eur":
        return str(round_cents(value))
    return str(value)


_DIGEST_PARTS = {
    key: tuple(
        (literal, name, spec or "") for literal, name, spec, _ in string.Formatter().parse(text)
    )
    for key, text in _DIGEST_WORDS.items()
}
"""Each template of _DIGEST_WORDS parsed once: (text, field name or None, format spec)."""


def clause_text(stored: str | None, legacy_rule: str | None, lang: str) -> str:
    """A stored line's clause in the language: from its explanation messages (the clause
    ends them), or the plain rule text of lines written before messages were stored."""
    said = clause_of(messages.from_json(stored)) if stored else ()
    return messages.render_all(said, lang) if said else legacy_rule or ""


def digest_words(words: Sequence[Message]) -> str:
    """Messages as the English text of the engine before migration 006 (for the digest)."""
    parts: list[str] = []
    for word in words:
        if word.key == CLAUSE:
            break
        for literal, name, spec in _DIGEST_PARTS.get(word.key, ()):
            parts.append(literal)
            if name is not None:
                parts.append(_digest_field(word.values[name], spec))
    return "".join(parts).removeprefix("; ")


def settle(
    db: Path,
    actor: Actor,
    contracts: Contracts = None,
    period_name: str | None = None,
    year: int | None = None,
    *,
    after_upload: bool = False,
) -> SettleReport:
    """Settle every period of every contract (or of the contracts, period or calendar year
    asked) and store what changed, with its audit row, in one write. A contract's year whose
    inputs are those its stored settlements were computed from (`inputs_digest`) is not
    computed again. With a year, only that year's sums and the year before's are read.
    `after_upload`: the drafts of the contracts an upload touched, settled for the uploader
    (who needs the upload permission, already checked per contract by the load, instead of
    settle). A stored priority order whose inputs changed is recomputed in the same write
    (`rank.follow_settle`). Besides the settlements, the write stores the indicator values of
    each year computed (table indicator_value) for the dashboard."""
    permission: Permission = "upload" if after_upload else "settle"
    audit.require(db, actor, permission, audit.Event("settle"))
    wanted = _wanted_period(period_name)
    ids = _ids(contracts)
    with store.reading(db) as con:
        planned = _planned(con, ids, wanted, year)
    if not planned.todo:  # nothing to compute: no write, no copy of the database
        return SettleReport(planned.unchanged())
    with store.writing(db) as con:
        planned = _planned(con, ids, wanted, year)  # again, under the write lock
        terms = current_terms(con, planned.todo) if planned.todo else {}
        tallies = tallies_by_contract(con, planned.todo, year, _per_client(terms)) if terms else {}
        scopes = deliveries_by_contract(con, planned.todo) if terms else {}
        pending = _Pending(_next_settlement_id(con))
        report = SettleReport(planned.unchanged())
        for cid in planned.todo:
            contract, terms_version = terms[cid]
            report.outcomes.extend(
                _settle_years(con, pending, cid, contract, terms_version,
                              tallies.get(cid, {}), planned.plans[cid], wanted,
                              scopes.get(cid, []), planned.latest, actor.label)
            )  # fmt: skip
        report.outcomes.sort(key=lambda o: (o.contract, _period(o.period)))
        pending.flush(con)
        changed = [o for o in report.outcomes if o.action != "unchanged"]
        if changed:
            detail = {"versions": [f"{o.contract} {o.period} v{o.version} {o.action}"
                                   for o in changed]}  # fmt: skip
            audit.record(con, actor, audit.Event("settle", detail=detail))
            settled = {(o.contract, _period(o.period).first_day.year) for o in changed}
            report.reranked = rank.follow_settle(con, actor, settled)
    return report


@dataclass(frozen=True)
class _Planned:
    """What a settle finds before computing: each contract's plan, and what it read."""

    plans: dict[str, "_Plan"]
    latest: dict[tuple[str, str], "_Stored"]

    @property
    def todo(self) -> list[str]:
        """The contracts with a year to compute, in order."""
        return sorted(cid for cid, plan in self.plans.items() if plan.years)

    def unchanged(self) -> list[SettleOutcome]:
        """An `unchanged` outcome for each wanted period whose inputs did not change."""
        return [
            SettleOutcome(cid, p.name, "unchanged", self.latest[(cid, p.name)].version,
                          self.latest[(cid, p.name)].net)
            for cid, plan in self.plans.items()
            for p in plan.skipped
        ]  # fmt: skip


def _planned(
    con: duckdb.DuckDBPyConnection, ids: list[str] | None, wanted: Period | None, year: int | None
) -> _Planned:
    heads = contract_heads(con, ids)
    unknown = sorted(set(ids or []) - set(heads))
    if unknown:
        raise SettleError(message("error.unknown_contracts", contracts=", ".join(unknown)))
    delivered = delivered_by_year(con, ids)
    latest = _latest_versions(con, ids)
    stored_inputs = _stored_inputs(con, ids)
    plans = {
        cid: _plan(cid, head, wanted, year, delivered, latest, stored_inputs)
        for cid, head in heads.items()
    }
    return _Planned(plans, latest)


@dataclass(frozen=True)
class _Head:
    """What settle needs of a contract's current terms before reading them whole."""

    version: int
    periods: tuple[Period, ...]


def contract_heads(con: duckdb.DuckDBPyConnection, ids: list[str] | None) -> dict[str, _Head]:
    """The current terms version and the settlement periods of each contract, by id."""
    rows = con.execute(
        "SELECT contract_id, version, start_date, end_date, period_kind FROM contract_current "
        "WHERE ? IS NULL OR list_contains(?, contract_id) ORDER BY contract_id",
        [ids, ids],
    ).fetchall()
    return {r[0]: _Head(int(r[1]), periods_between(r[2], r[3], r[4])) for r in rows}


def _stored_inputs(
    con: duckdb.DuckDBPyConnection, ids: list[str] | None
) -> dict[tuple[str, str], str]:
    rows = con.execute(
        "SELECT contract_id, period, digest FROM settle_input "
        "WHERE ? IS NULL OR list_contains(?, contract_id)",
        [ids, ids],
    ).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}


@dataclass(frozen=True)
class _Plan:
    """A contract's wanted periods: the years to compute (with their inputs' digest) and
    the periods whose stored settlement was computed from the inputs they have now."""

    years: dict[int, str]
    skipped: list[Period]


def _plan(
    contract_id: str,
    head: _Head,
    wanted: Period | None,
    year: int | None,
    delivered: Mapping[tuple[str, int], str],
    latest: Mapping[tuple[str, str], "_Stored"],
    stored_inputs: Mapping[tuple[str, str], str],
) -> _Plan:
    by_year: dict[int, list[Period]] = defaultdict(list)
    for period in head.periods:
        if (wanted is None or period == wanted) and (year is None or period.year == year):
            by_year[period.year].append(period)
    years: dict[int, str] = {}
    skipped: list[Period] = []
    for each_year, periods in by_year.items():
        digest = inputs_digest(head.version, delivered.get((contract_id, each_year), ""))
        keys = [(contract_id, p.name) for p in periods]
        if all(k in latest and stored_inputs.get(k) == digest for k in keys):
            skipped.extend(periods)
        else:
            years[each_year] = digest
    return _Plan(years, skipped)


def _settle_years(
    con: duckdb.DuckDBPyConnection,
    pending: "_Pending",
    contract_id: str,
    contract: Contract,
    terms_version: int,
    tallies: Mapping[tuple[str, Period], Tally],
    plan: _Plan,
    wanted: Period | None,
    scope: Sequence[Delivered],
    latest: Mapping[tuple[str, str], "_Stored"],
    by: str | None,
) -> list[SettleOutcome]:
    """Settle the contract and keep the periods of the planned years (the wanted period
    only, when one is asked): each a new version when it changed, with what it was computed
    from and the year's indicator values."""
    outcomes: list[SettleOutcome] = []
    settled_at = store.now()
    for result in settle_contract(contract, tallies, plan.years):
        digest_of_inputs = plan.years.get(result.period.year)
        if digest_of_inputs is None or (wanted is not None and result.period != wanted):
            continue
        check_storable(contract_id, result)
        used = deliveries_used(contract, result.period, scope)
        digest = settlement_digest(terms_version, used, result)
        outcome = _store_version(
            con, pending, contract_id, result, terms_version, used, digest,
            latest.get((contract_id, result.period.name)), by,
        )  # fmt: skip
        outcomes.append(outcome)
        pending.inputs.append(
            {"contract_id": contract_id, "period": result.period.name,
             "digest": digest_of_inputs, "settled_at": settled_at}
        )  # fmt: skip
    pending.value_years.extend({"contract_id": contract_id, "year": y} for y in plan.years)
    pending.values.extend(
        value_rows(contract_id, contract, terms_version, tallies, sorted(plan.years))
    )
    return outcomes


STORABLE_MONEY = Decimal(10) ** 16
"""Money columns are DECIMAL(18, 2): every amount must be smaller than this in size."""


def check_storable(contract_id: str, result: PeriodSettlement) -> None:
    """Refuse, in plain words, a settlement whose money the store cannot hold (a rate card
    paying for billions of outcomes), instead of failing inside the write."""
    amounts = [
        result.bonus_total, result.sanction_total, result.net,
        *(a.amount for a in result.adjustments),
        *(amount for line in result.lines for amount in (line.bonus_before_gate, line.sanction)),
    ]  # fmt: skip
    too_large = [amount for amount in amounts if abs(amount) >= STORABLE_MONEY]
    if too_large:
        raise SettleError(
            message("error.amount_too_large", contract=contract_id, period=result.period.name,
                    amount=max(too_large, key=abs), limit=STORABLE_MONEY)
        )  # fmt: skip


def _wanted_period(name: str | None) -> Period | None:
    return None if name is None else parse_wanted_period(name)


def parse_wanted_period(name: str) -> Period:
    """A settlement period asked for by name, or a SettleError saying how to write one."""
    period = parse_period_name(name)
    if period is None:
        raise SettleError(message("error.not_a_period", name=name))
    return period


@dataclass(frozen=True)
class _Stored:
    settlement_id: int
    version: int
    status: str
    digest: str
    kind: str
    corrects: int | None
    approved_id: int | None  # the newest approved version of this contract x period
    net: Decimal


def _latest_versions(
    con: duckdb.DuckDBPyConnection, ids: list[str] | None
) -> dict[tuple[str, str], _Stored]:
    rows = con.execute(
        """
        WITH approved AS (
            SELECT contract_id, period, max(settlement_id) AS approved_id FROM settlement
            WHERE status = 'approved' AND (? IS NULL OR list_contains(?, contract_id))
            GROUP BY ALL
        )
        SELECT l.contract_id, l.period, l.settlement_id, l.version, l.status, l.digest, l.kind,
               l.corrects, a.approved_id, l.net
        FROM settlement_latest l LEFT JOIN approved a USING (contract_id, period)
        WHERE ? IS NULL OR list_contains(?, l.contract_id)
        """,
        [ids, ids, ids, ids],
    ).fetchall()
    return {
        (r[0], r[1]): _Stored(int(r[2]), int(r[3]), r[4], r[5], r[6], r[7], r[8], Decimal(r[9]))
        for r in rows
    }


def _next_settlement_id(con: duckdb.DuckDBPyConnection) -> int:
    row = store.fetch_one(con, "SELECT coalesce(max(settlement_id), 0) + 1 FROM settlement")
    return int(row[0]) if row else 1


class _Pending:
    """What one settle run writes, gathered so that a settle of thousands of contracts is a
    few statements: new versions (numbered from `next_id`), their lines and deliveries, the
    drafts they replace, what each period was computed from, and the indicator values of the
    years computed."""

    def __init__(self, next_id: int) -> None:
        self.next_id = next_id
        self.settlements: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.deliveries: list[dict[str, Any]] = []
        self.replaced: list[int] = []
        self.inputs: list[dict[str, Any]] = []
        self.value_years: list[dict[str, Any]] = []
        self.values: list[dict[str, Any]] = []

    def flush(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.replaced:
            con.execute(
                "UPDATE settlement SET status = 'replaced' WHERE list_contains(?, settlement_id)",
                [self.replaced],
            )
        if self.value_years:
            frame = pl.DataFrame(
                self.value_years, schema={"contract_id": pl.String, "year": pl.Int32}
            )
            con.register("value_years", frame)
            try:
                con.execute(
                    "DELETE FROM indicator_value v USING value_years y "
                    "WHERE v.contract_id = y.contract_id AND year(v.period_start) = y.year"
                )
            finally:
                con.unregister("value_years")
        for table, rows in (
            ("settlement", self.settlements),
            ("settlement_line", self.lines),
            ("settlement_delivery", self.deliveries),
            ("indicator_value", self.values),
        ):
            if rows:
                store.insert_rows(con, table, rows)
        if self.inputs:
            store.insert_rows(con, "settle_input", self.inputs, replace=True)


def _store_version(
    con: duckdb.DuckDBPyConnection,
    pending: _Pending,
    contract_id: str,
    result: PeriodSettlement,
    terms_version: int,
    used: list[int],
    digest: str,
    latest: _Stored | None,
    by: str | None,
) -> SettleOutcome:
    period = result.period.name
    net = result.net
    if latest is not None and latest.digest == digest:
        return SettleOutcome(contract_id, period, "unchanged", latest.version, net)
    version = 1 if latest is None else latest.version + 1
    corrects = latest.approved_id if latest is not None else None
    previous_lines: list[dict[str, Any]] = []
    net_difference = None
    if corrects is not None:
        previous_lines, previous_net = _approved_lines(con, corrects)
        net_difference = net - previous_net
    if latest is not None and latest.status in ("draft", "prepared"):
        pending.replaced.append(latest.settlement_id)
    settlement_id = pending.next_id
    pending.next_id += 1
    pending.settlements.append(
        {
            "settlement_id": settlement_id, "contract_id": contract_id, "period": period,
            "period_start": result.period.first_day, "period_end": result.period.last_day,
            "version": version, "kind": "correction" if corrects is not None else "original",
            "status": "draft", "terms_version": terms_version, "digest": digest,
            "period_value": round_cents(result.period_value), "share": str(result.share),
            "bonus_total": result.bonus_total, "sanction_total": result.sanction_total,
            "net": net, "gate_failed": ", ".join(result.gate_failed) or None,
            "corrects": corrects, "net_difference": net_difference, "created_at": store.now(),
            "created_by": by, "approved_at": None, "approved_by": None,
        }
    )  # fmt: skip
    pending.lines.extend(line_rows(settlement_id, result, previous_lines))
    pending.deliveries.extend({"settlement_id": settlement_id, "delivery_id": d} for d in used)
    action = "created" if latest is None else ("correction" if corrects else "new-draft")
    return SettleOutcome(contract_id, period, action, version, net, net_difference)


def _approved_lines(
    con: duckdb.DuckDBPyConnection, settlement_id: int
) -> tuple[list[dict[str, Any]], Decimal]:
    lines = con.sql(
        "SELECT * FROM settlement_line WHERE settlement_id = ? AND line_kind <> 'removed' "
        "ORDER BY line_no",
        params=[settlement_id],
    ).pl()
    row = store.fetch_one(
        con, "SELECT net FROM settlement WHERE settlement_id = ?", [settlement_id]
    )
    return lines.to_dicts(), Decimal(row[0]) if row else Decimal(0)


def line_rows(
    settlement_id: int, result: PeriodSettlement, previous: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The stored lines of a settlement: indicator lines, then adjustments, then (in a
    correction) lines of the corrected version that no longer exist, at zero."""
    before = {_line_key(p): p for p in previous}
    rows: list[dict[str, Any]] = []
    for line in result.lines:
        level = line.level
        rows.append(
            _empty_line()
            | {
                "line_kind": "indicator", "indicator_id": line.indicator, "status": line.status,
                "value": _text(line.value), "n": _text(line.n), "min_n": line.min_n,
                "level_from": level.start if level else None,
                "minimum": _text(level.minimum) if level else None,
                "threshold": _text(level.threshold) if level else None,
                "target": _text(level.target) if level else None,
                "direction": line.direction, "aggregate": line.aggregate,
                "weight": _text(line.weight), "scale": line.scale,
                "fraction": _text(line.fraction), "baseline": _text(line.baseline),
                "fraction_exact": None if line.fraction is None else str(line.fraction),
                "money": _text(line.money), "bonus_exact": _text(line.bonus_exact),
                "bonus_before_gate": line.bonus_before_gate, "bonus": line.bonus,
                "sanction_exact": _text(line.sanction_exact), "sanction": line.sanction,
                "sanction_before_cap": line.sanction_before_cap,
                "rule": digest_words(line.rule),
                "explanation_messages": messages.to_json(line.explanation),
            }
        )  # fmt: skip
    for adjustment in result.adjustments:
        rows.append(
            _empty_line()
            | {
                "line_kind": "adjustment", "adjustment_kind": adjustment.kind,
                "side": adjustment.side, "amount": adjustment.amount,
                "counted": adjustment.counted,
                "explanation_messages": messages.to_json([adjustment.reason]),
            }
        )  # fmt: skip
    keys = {_line_key(r) for r in rows}
    for key, old in before.items():
        if key not in keys:
            rows.append(
                _empty_line()
                | {
                    "line_kind": "removed", "indicator_id": old["indicator_id"],
                    "adjustment_kind": old["adjustment_kind"], "side": old["side"],
                    "bonus": Decimal("0.00") if old["bonus"] is not None else None,
                    "sanction": Decimal("0.00") if old["sanction"] is not None else None,
                    "amount": Decimal("0.00") if old["amount"] is not None else None,
                    "counted": old["counted"],
                    "explanation_messages": messages.to_json([message("engine.line.removed")]),
                }
            )  # fmt: skip
    for number, row in enumerate(rows, start=1):
        row["settlement_id"] = settlement_id
        row["line_no"] = number
        if before:
            old = before.get(_line_key(row), {})
            for name in ("bonus", "sanction", "amount"):
                new_value, old_value = row[name], old.get(name)
                if new_value is not None or old_value is not None:
                    row[f"{name}_difference"] = (new_value or Decimal(0)) - (
                        old_value or Decimal(0)
                    )
    return rows


def _line_key(row: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    kind = "adjustment" if row.get("adjustment_kind") else "indicator"
    return kind, row.get("indicator_id"), row.get("adjustment_kind")


_LINE_COLUMNS = (
    "settlement_id", "line_no", "line_kind", "indicator_id", "status", "value", "n", "min_n",
    "level_from", "minimum", "threshold", "target", "direction", "aggregate", "weight", "scale",
    "fraction", "baseline", "money", "bonus_exact", "bonus_before_gate", "bonus",
    "sanction_exact", "sanction", "adjustment_kind", "side", "amount", "counted", "rule",
    "explanation", "bonus_difference", "sanction_difference", "amount_difference",
    "fraction_exact", "explanation_messages", "sanction_before_cap",
)  # fmt: skip


def _empty_line() -> dict[str, Any]:
    return dict.fromkeys(_LINE_COLUMNS)


def stale_settlements(
    con: duckdb.DuckDBPyConnection,
    contract_id: str | None = None,
    period_name: str | None = None,
    *,
    include_drafts: bool = False,
) -> list[tuple[str, str, int, Message]]:
    """Newest settlements (approved ones, or also drafts and prepared ones) whose inputs
    changed since: (contract, period, version, why), `why` a message (the terms changed to
    version N, or newer deliveries)."""
    rows = con.execute(
        """
        WITH latest AS (
            SELECT * FROM settlement_latest
            WHERE (status = 'approved' OR (? AND status IN ('draft', 'prepared')))
              AND (? IS NULL OR contract_id = ?) AND (? IS NULL OR period = ?)
        ),
        now_used AS (
            SELECT l.settlement_id, s.delivery_id FROM latest l
            JOIN scope_current s ON s.contract_id = l.contract_id
             AND s.period_start BETWEEN l.period_start AND l.period_end
        ),
        newer AS (
            SELECT DISTINCT settlement_id FROM now_used n
            WHERE NOT EXISTS (SELECT 1 FROM settlement_delivery d
                              WHERE d.settlement_id = n.settlement_id
                                AND d.delivery_id = n.delivery_id)
        )
        SELECT l.contract_id, l.period, l.version,
               CASE WHEN c.version <> l.terms_version THEN c.version END AS terms_version
        FROM latest l JOIN contract_current c USING (contract_id)
        WHERE c.version <> l.terms_version OR l.settlement_id IN (SELECT * FROM newer)
        ORDER BY 1, 2
        """,
        [include_drafts, contract_id, contract_id, period_name, period_name],
    ).fetchall()
    return [
        (r[0], r[1], int(r[2]),
         message("stale.newer_deliveries") if r[3] is None
         else message("stale.terms_changed", version=int(r[3])))
        for r in rows
    ]  # fmt: skip


def settlements_frame(
    con: duckdb.DuckDBPyConnection,
    contract_id: str | None = None,
    period_name: str | None = None,
) -> pl.DataFrame:
    """The newest version of each selected settlement, in contract and period order."""
    frame: pl.DataFrame = con.sql(
        "SELECT * FROM settlement_latest WHERE (?::VARCHAR IS NULL OR contract_id = ?) "
        "AND (?::VARCHAR IS NULL OR period = ?) ORDER BY contract_id, period_start",
        params=[contract_id, contract_id, period_name, period_name],
    ).pl()
    return frame
