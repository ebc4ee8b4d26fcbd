"""Strategy files into the store (`vaikuttavuus strategy add`) and the status of their goals
(`vaikuttavuus strategy status`, the Strategia page).

A strategy file is checked before the write lock is taken; a refused file stores nothing but
its audit entry. One whose digest is that of the strategy's newest version is unchanged
(nothing stored); a changed one is the strategy's next version. Statuses are computed by
contracts.strategy from the stored text of the newest version and the counts of
indicator-periods of etl.achievement (the one definition of a share achieved).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from contracts.strategy import (
    Goal,
    GoalStatus,
    IndicatorLink,
    Strategy,
    YearCounts,
    as_of_date,
    goal_status,
    load_strategy_text,
)
from contracts.terms import Problem, TermsError
from etl import achievement, audit, store
from etl.access import Actor
from etl.contract_files import Outcome, file_text, refusal_detail


@dataclass(frozen=True)
class Verdict:
    """What became of a strategy file: the strategy and version it is (None when refused)."""

    path: Path
    outcome: Outcome
    strategy_id: str | None = None
    version: int | None = None
    goals: int = 0
    problems: tuple[Problem, ...] = ()


def add_strategy_file(db: Path, path: Path, actor: Actor) -> Verdict:
    """Check the file, then store it as the strategy's next version (unless unchanged) and
    record the verdict in the audit trail, in one write."""
    text = file_text(path)
    if isinstance(text, Problem):
        return _refused(db, path, actor, [text])
    try:
        strategy, digest = load_strategy_text(text, str(path))
    except TermsError as error:
        return _refused(db, path, actor, error.problems)
    with store.writing(db) as con:
        verdict = _stored(con, path, text, strategy, digest, actor)
        audit.record(con, actor, _event(verdict))
    return verdict


def _refused(db: Path, path: Path, actor: Actor, problems: Sequence[Problem]) -> Verdict:
    verdict = Verdict(path, "rejected", problems=tuple(problems))
    with store.writing(db) as con:
        audit.record(con, actor, _event(verdict))
    return verdict


def _stored(
    con: duckdb.DuckDBPyConnection, path: Path, text: str, strategy: Strategy, digest: str,
    actor: Actor,
) -> Verdict:  # fmt: skip
    newest = store.fetch_one(
        con,
        "SELECT version, digest FROM strategy_version WHERE strategy_id = ? "
        "ORDER BY version DESC LIMIT 1",
        [strategy.id],
    )
    version, stored_digest = (int(newest[0]), str(newest[1])) if newest else (0, None)
    count = len(strategy.goals)
    if stored_digest == digest:
        return Verdict(path, "unchanged", strategy.id, version, count)
    version += 1
    row = {
        "strategy_id": strategy.id, "version": version, "digest": digest,
        "source_file": str(path), "toml_text": text, "added_at": store.now(),
        "added_by": actor.label, "name_fi": strategy.name.fi, "name_sv": strategy.name.sv,
        "name_en": strategy.name.en, "start_date": strategy.start, "end_date": strategy.end,
    }  # fmt: skip
    goals = [_goal_row(strategy.id, version, i, goal) for i, goal in enumerate(strategy.goals)]
    store.insert_rows(con, "strategy_version", [row])
    store.insert_rows(con, "strategy_goal", goals)
    return Verdict(path, "added" if version == 1 else "new-version", strategy.id, version, count)


def _goal_row(strategy_id: str, version: int, position: int, goal: Goal) -> dict[str, Any]:
    target = goal.manual.target if goal.manual is not None else goal.target_share
    return {
        "strategy_id": strategy_id, "version": version, "goal_id": goal.id,
        "position": position, "theme": goal.theme, "title_fi": goal.title.fi,
        "title_sv": goal.title.sv, "title_en": goal.title.en, "owner": goal.owner,
        "start_date": goal.start, "due_date": goal.due, "kind": goal.kind,
        "target": _exact_text(target),
    }  # fmt: skip


def _exact_text(value: Decimal | None) -> str:
    return format(value, "f") if value is not None else ""


def _event(verdict: Verdict) -> audit.Event:
    """The audit entry of the file: done, unchanged, or rejected with its first problems."""
    if verdict.outcome != "rejected":
        outcome: audit.Outcome = "unchanged" if verdict.outcome == "unchanged" else "done"
        detail: dict[str, Any] = {
            "file": str(verdict.path),
            "strategy": verdict.strategy_id,
            "goals": verdict.goals,
        }
        return audit.Event("strategy-add", outcome, version=verdict.version, detail=detail)
    return audit.Event(
        "strategy-add", "rejected", detail=refusal_detail(verdict.path, verdict.problems)
    )


# --- status ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractShare:
    """One contract behind a goal in the judged year: its linked indicator-periods."""

    contract_id: str
    supplier: str
    service: str
    indicators: tuple[str, ...]
    assessed: int
    achieved: int
    clients: int


@dataclass(frozen=True)
class GoalReport:
    """A goal's status and what is behind it: the clients behind its judged share (Σ n of the
    assessed linked periods, for small-cell suppression), its contracts, and the links that
    match no contract indicator in the store."""

    status: GoalStatus
    clients: int = 0
    contracts: tuple[ContractShare, ...] = ()
    unmatched: tuple[str, ...] = ()
    yearly_clients: tuple[tuple[int, int], ...] = ()
    """The clients behind each year's share of the trend (year, clients)."""


@dataclass(frozen=True)
class StrategyReport:
    """The newest version of a strategy and the status of each of its goals as of a date."""

    strategy: Strategy
    version: int
    added_at: Any
    as_of: date
    goals: tuple[GoalReport, ...]


_IDS_SQL = "SELECT strategy_id FROM strategy_current ORDER BY strategy_id"
_INDICATORS_SQL = """
    SELECT i.contract_id, c.service, i.indicator_id
    FROM indicator_current i JOIN contract_current c USING (contract_id)
"""


def strategy_ids(db: Path) -> list[str]:
    """The stored strategies, by id."""
    with store.reading(db) as con:
        return [str(r[0]) for r in con.execute(_IDS_SQL).fetchall()]


def status(
    db: Path, year: int | None = None, strategy_id: str | None = None, today: date | None = None
) -> list[StrategyReport]:
    """Each stored strategy's (or the one asked's) goals with their status as of the end of
    `year` (today if earlier; this year when not given)."""
    with store.reading(db) as con:
        return status_of(con, year, strategy_id, today)


def status_of(
    con: duckdb.DuckDBPyConnection, year: int | None = None, strategy_id: str | None = None,
    today: date | None = None,
) -> list[StrategyReport]:  # fmt: skip
    """`status` on an open connection (the dashboard reads through its own snapshot)."""
    today = today or store.now().date()
    as_of = as_of_date(year if year is not None else today.year, today)
    sql = "SELECT strategy_id, version, toml_text, source_file, added_at FROM strategy_current"
    params: list[object] = []
    if strategy_id is not None:
        sql += " WHERE strategy_id = ?"
        params.append(strategy_id)
    rows = con.execute(sql + " ORDER BY strategy_id", params).fetchall()
    if not rows:
        return []
    facts = achievement.achievement(con, ["contract", "service", "supplier", "indicator"])
    facts = facts.filter(pl.col("year") <= as_of.year)
    known = {(str(c), str(s), str(i)) for c, s, i in con.execute(_INDICATORS_SQL).fetchall()}
    reports = []
    for _, version, text, source, added_at in rows:
        strategy, _ = load_strategy_text(str(text), str(source))
        goals = tuple(_goal_report(goal, as_of, facts, known) for goal in strategy.goals)
        reports.append(StrategyReport(strategy, int(version), added_at, as_of, goals))
    return reports


def _goal_report(
    goal: Goal, as_of: date, facts: pl.DataFrame, known: set[tuple[str, str, str]]
) -> GoalReport:
    if goal.manual is not None:
        return GoalReport(goal_status(goal, as_of))
    linked = _linked(goal, facts)
    yearly = (
        linked.group_by("year")
        .agg(pl.col("assessed").sum(), pl.col("achieved").sum(), pl.col("clients").sum())
        .sort("year")
    )
    counts = [
        YearCounts(int(r["year"]), int(r["assessed"]), int(r["achieved"]))
        for r in yearly.iter_rows(named=True)
    ]
    judged = goal_status(goal, as_of, counts)
    in_year = linked.filter(pl.col("year") == judged.judged_on.year)
    per_contract = (
        in_year.group_by("contract_id", "supplier_name", "service")
        .agg(
            pl.col("indicator_id").unique().sort(),
            pl.col("assessed").sum(),
            pl.col("achieved").sum(),
            pl.col("clients").sum(),
        )
        .sort("contract_id")
    )
    contracts = tuple(
        ContractShare(
            r["contract_id"],
            r["supplier_name"],
            r["service"],
            tuple(r["indicator_id"]),
            int(r["assessed"]),
            int(r["achieved"]),
            int(r["clients"]),
        )
        for r in per_contract.iter_rows(named=True)
    )
    unmatched = tuple(
        _link_name(link) for link in goal.links if not any(link.matches(*k) for k in known)
    )
    clients = sum(c.clients for c in contracts)
    yearly_clients = tuple(
        (int(y), int(c)) for y, c in yearly.select("year", "clients").iter_rows()
    )
    return GoalReport(judged, clients, contracts, unmatched, yearly_clients)


def _linked(goal: Goal, facts: pl.DataFrame) -> pl.DataFrame:
    """The rows of `facts` (contract x indicator x year) that the goal's links name."""
    condition = pl.lit(False)
    for link in goal.links:
        same = pl.col("indicator_id") == link.indicator
        if link.contract is not None:
            condition |= same & (pl.col("contract_id") == link.contract)
        else:
            condition |= same & (pl.col("service") == link.service)
    return facts.filter(condition)


def _link_name(link: IndicatorLink) -> str:
    return f"{link.contract or link.service}/{link.indicator}"
