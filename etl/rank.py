"""Annual priority order of a framework's contracts, from their stored settlements."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import duckdb

from contracts.exact import decimal_text
from contracts.ranking import Rank, priority_order
from etl import audit, store
from etl.access import Actor


@dataclass(frozen=True)
class StoredLine:
    """A stored indicator line, as the ranking reads it."""

    weight: Decimal
    fraction: Fraction | None
    status: str


@dataclass(frozen=True)
class RankedContract:
    rank: Rank
    supplier: str
    assessed: int


def year_lines(
    con: duckdb.DuckDBPyConnection, framework: str, year: int
) -> dict[str, list[StoredLine]]:
    """Indicator lines of the newest settlement of each period of the year, per contract of
    the framework (a contract with no settled period has an empty list)."""
    rows = con.execute(
        """
        SELECT c.contract_id, l.weight, coalesce(l.fraction_exact, l.fraction), l.status
        FROM contract_current c
        LEFT JOIN settlement_latest s
               ON s.contract_id = c.contract_id AND year(s.period_start) = ?
        LEFT JOIN settlement_line l
               ON l.settlement_id = s.settlement_id AND l.line_kind = 'indicator'
        WHERE c.framework = ?
        ORDER BY c.contract_id, s.period_start, l.line_no
        """,
        [year, framework],
    ).fetchall()
    lines: dict[str, list[StoredLine]] = {}
    for contract, weight, fraction, status in rows:
        found = lines.setdefault(contract, [])
        if status is not None:
            found.append(
                StoredLine(Decimal(weight), Fraction(fraction) if fraction else None, status)
            )
    return lines


def stored_order(con: duckdb.DuckDBPyConnection, framework: str, year: int) -> list[str]:
    """The contracts of the newest stored order of the framework's year, in order (empty when
    none was stored)."""
    rows = con.execute(
        """
        SELECT contract_id FROM priority_order
        WHERE framework = ? AND year = ? AND computed_at = (
            SELECT max(computed_at) FROM priority_order WHERE framework = ? AND year = ?)
        ORDER BY position
        """,
        [framework, year, framework, year],
    ).fetchall()
    return [r[0] for r in rows]


def previous_order(con: duckdb.DuckDBPyConnection, framework: str, year: int) -> list[str]:
    """The order stored for the year before, or else computed from that year's settlements."""
    stored = stored_order(con, framework, year - 1)
    if stored:
        return stored
    lines = year_lines(con, framework, year - 1)
    if not any(lines.values()):
        return []
    return [r.contract for r in priority_order(lines) if r.score is not None]


def rank(db: Path, actor: Actor, framework: str, year: int) -> list[RankedContract]:
    """Compute, store and return the framework's priority order for the year, with its
    audit row (finance recomputes it)."""
    audit.require(db, actor, "rank", audit.Event("rank", detail={"framework": framework}))
    with store.writing(db) as con:
        return store_order(con, actor, framework, year)


def store_order(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    framework: str,
    year: int,
    reason: str | None = None,
) -> list[RankedContract]:
    """Compute the framework's order for the year from the newest settlements of its
    contracts and store it with its audit row, in the caller's transaction."""
    lines = year_lines(con, framework, year)
    if not lines:
        raise ValueError(f"no contract belongs to framework {framework!r}")
    order = priority_order(lines, previous_order(con, framework, year))
    suppliers = dict(
        con.execute(
            "SELECT contract_id, supplier_name FROM contract_current WHERE framework = ?",
            [framework],
        ).fetchall()
    )
    computed_at = store.now()
    ranked = [
        RankedContract(
            r, suppliers[r.contract],
            sum(1 for line in lines[r.contract] if line.status != "not-assessable"),
        )
        for r in order
    ]  # fmt: skip
    store.insert_rows(
        con,
        "priority_order",
        [
            {
                "framework": framework, "year": year, "computed_at": computed_at,
                "position": r.rank.position, "contract_id": r.rank.contract,
                "supplier_name": r.supplier,
                "score": decimal_text(r.rank.score),
                "assessed": r.assessed, "previous_position": r.rank.previous_position,
                "movement": r.rank.movement,
            }
            for r in ranked
        ],
    )  # fmt: skip
    detail: dict[str, object] = {"framework": framework, "year": year,
                                 "order": [r.rank.contract for r in ranked]}  # fmt: skip
    if reason is not None:
        detail["reason"] = reason
    audit.record(con, actor, audit.Event("rank", detail=detail))
    return ranked


AFTER_SETTLE = "after settle"
"""The reason recorded with an order that a settle recomputed."""


def follow_settle(
    con: duckdb.DuckDBPyConnection, actor: Actor, settled: Iterable[tuple[str, int]]
) -> list[tuple[str, int]]:
    """Recompute, in the settle's transaction, every stored order whose inputs the settle
    changed: the inputs of a framework's order for a year are the newest settlement versions
    of its contracts' periods starting in that year (and, for the movement, the order stored
    for the year before). `settled`: (contract, year of the period's first day) of each new
    version. An order never computed is not started here (`vaikuttavuus rank` does that).
    Returns the (framework, year) recomputed, in order."""
    frameworks = dict(
        con.execute(
            "SELECT contract_id, framework FROM contract_current WHERE framework IS NOT NULL"
        ).fetchall()
    )
    ranked = set(con.execute("SELECT DISTINCT framework, year FROM priority_order").fetchall())
    todo = {(frameworks[c], y) for c, y in settled if c in frameworks} & ranked
    done: list[tuple[str, int]] = []
    while todo:
        framework, year = min(todo)
        todo.remove((framework, year))
        before = stored_order(con, framework, year)
        after = [r.rank.contract for r in store_order(con, actor, framework, year, AFTER_SETTLE)]
        done.append((framework, year))
        if after != before and (framework, year + 1) in ranked:
            todo.add((framework, year + 1))  # its movement is measured against this order
    return done
