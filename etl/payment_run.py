"""A payment run: the settlements of one calendar period across all contracts, for finance.

Which settlements belong to the run of period P (2025-Q1, 2025-03, 2025-H1 or 2025):
- an **original** settlement whose period *ends* within P: `--period 2025-Q1` takes the
  quarterly 2025-Q1 settlements and the monthly 2025-01, 2025-02 and 2025-03 ones; a
  half-year 2025-H1 belongs to the 2025-Q2 run (it ends on 30.6.), a year to the Q4 run. With
  quarterly runs every settlement belongs to exactly one run. Of each contract x period the
  version shown is the current original: the approved one, or the newest draft or prepared
  version (a replaced draft is never shown);
- a **correction** of an approved settlement (a version written after the approval) belongs
  to the run of the day it was settled (UTC), the next run after the approval, whatever its
  own period: the corrected version was paid in its own run, so the correction is paid as its
  difference only (`net_difference`), and names the version it corrects.

Prepare all drafts, or approve all prepared versions, of a run is one write: every step under
`etl.approval`'s rules (the same person cannot prepare and approve, inputs changed since
settling refuse), each with its audit row; one refused step refuses the whole run, and the
refusal is recorded with its reason. The payment file holds approved rows only (the others
are not payable yet; the command and the page say how many were left out): one row per
supplier x contract x period x version with Y-tunnus, the kind and state, the bonus, sanction
and net to pay (the difference for a correction), the version, the corrected version, who
prepared and who approved it and when; in the workbook also a sheet of sums per supplier.
Headers and words in the reader's language; every cell through `etl.safe_cells`. Making it
is recorded in the trail as an export.
"""

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb

from contracts.messages import message
from contracts.periods import Period
from etl import approval, audit, audit_export, export, formats, messages, personal_data, store
from etl.access import AccessError, Actor, Permission, require
from etl.approval import Decision
from etl.safe_cells import ColumnKind, csv_table, workbook, xlsx_table
from etl.settle import SettleError, parse_wanted_period

Kind = audit_export.Kind
RunStep = Literal["prepare", "approve"]


@dataclass(frozen=True)
class RunRow:
    """One settlement version of the run; `payable` is the net, or a correction's difference
    (bonus and sanction likewise against the corrected version)."""

    contract_id: str
    supplier: str
    business_id: str
    period: str
    settlement_id: int
    version: int
    kind: str  # original | correction
    status: str  # draft | prepared | approved
    bonus: Decimal
    sanction: Decimal
    payable: Decimal
    corrects_version: int | None
    prepared_by: str | None
    approved_by: str | None
    approved_at: datetime | None
    prepared_at: datetime | None = None

    @property
    def state(self) -> str:
        """draft, prepared, approved, or correction-pending (a correction not yet approved)."""
        if self.kind == "correction" and self.status != "approved":
            return "correction-pending"
        return self.status


@dataclass(frozen=True)
class SupplierTotal:
    """A supplier's sums over the run's rows, and the approved part of its net."""

    supplier: str
    business_id: str
    rows: int
    bonus: Decimal
    sanction: Decimal
    net: Decimal
    approved_net: Decimal


def run_period(name: str) -> Period:
    """The run's calendar period, or a SettleError saying how to write one."""
    return parse_wanted_period(name)


def rows(con: duckdb.DuckDBPyConnection, period_name: str) -> list[RunRow]:
    """The run's settlement versions, by supplier, contract and period (see the module)."""
    period = run_period(period_name)
    found = con.execute(
        """
        SELECT s.contract_id, c.supplier_name, c.supplier_business_id, s.period,
               s.settlement_id, s.version, s.kind, s.status, s.bonus_total, s.sanction_total,
               s.net, s.net_difference, o.version, o.bonus_total, o.sanction_total,
               s.prepared_by, s.approved_by, s.approved_at, s.prepared_at
        FROM settlement s
        JOIN contract_current c USING (contract_id)
        LEFT JOIN settlement o ON o.settlement_id = s.corrects
        WHERE s.status <> 'replaced'
          AND ((s.kind = 'original' AND s.period_end BETWEEN ? AND ?)
            OR (s.kind = 'correction' AND CAST(s.created_at AS DATE) BETWEEN ? AND ?))
        ORDER BY c.supplier_name, s.contract_id, s.period_start, s.version
        """,
        [period.first_day, period.last_day] * 2,
    ).fetchall()
    result: list[RunRow] = []
    for (contract, supplier, business_id, name, sid, version, kind, status, bonus, sanction,
         net, difference, corrects, old_bonus, old_sanction, prepared_by, approved_by,
         approved_at, prepared_at) in found:  # fmt: skip
        correction = kind == "correction"
        result.append(
            RunRow(
                contract, supplier, business_id, name, int(sid), int(version), kind, status,
                bonus - old_bonus if correction else bonus,
                sanction - old_sanction if correction else sanction,
                difference if correction else net,
                None if corrects is None else int(corrects),
                prepared_by, approved_by, approved_at, prepared_at,
            )
        )  # fmt: skip
    return result


def quarterly_runs(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """The quarters that have a run, newest first, each with how many of its settlements are
    not yet approved."""
    found = con.execute(
        """
        WITH member AS (
            SELECT CASE WHEN kind = 'original' THEN period_end
                        ELSE CAST(created_at AS DATE) END AS day, status
            FROM settlement WHERE status <> 'replaced'
        )
        SELECT year(day) || '-Q' || quarter(day) AS run,
               count(*) FILTER (WHERE status <> 'approved')::INTEGER
        FROM member GROUP BY run ORDER BY run DESC
        """
    ).fetchall()
    return [(str(name), int(waiting)) for name, waiting in found]


def totals(run: list[RunRow]) -> list[SupplierTotal]:
    """Bonuses, sanctions and net per supplier (name and Y-tunnus), in supplier order."""
    sums: dict[tuple[str, str], list[Any]] = defaultdict(
        lambda: [0, Decimal(0), Decimal(0), Decimal(0), Decimal(0)]
    )
    for row in run:
        entry = sums[(row.supplier, row.business_id)]
        entry[0] += 1
        entry[1] += row.bonus
        entry[2] += row.sanction
        entry[3] += row.payable
        if row.status == "approved":
            entry[4] += row.payable
    return [
        SupplierTotal(supplier, business_id, *values)
        for (supplier, business_id), values in sorted(sums.items())
    ]


_NEEDS: dict[RunStep, str] = {"prepare": "draft", "approve": "prepared"}
_PERMISSION: dict[RunStep, Permission] = {"prepare": "prepare", "approve": "approve"}


def step_all(
    db: Path, actor: Actor, step: RunStep, period_name: str, *, four_eyes: bool = True
) -> list[Decision]:
    """Prepare every draft, or approve every prepared version, of the run, in one write under
    the four-eyes rules; one refused step refuses them all (nothing changes) and the refusal
    is recorded. A run with nothing to do is refused too, saying so."""
    name = period_name
    try:
        name = run_period(period_name).name
        require(actor, _PERMISSION[step])
        with store.writing(db) as con:
            waiting = [r for r in rows(con, name) if r.status == _NEEDS[step]]
            if not waiting:
                state = message(f"state.{_NEEDS[step]}")
                raise SettleError(message("error.run_nothing", run=name, state=state))
            decisions = []
            for row in waiting:
                try:
                    decisions.append(
                        approval.step_in(con, actor, step, row.contract_id, row.period, None,
                                         four_eyes, extra={"payment_run": name})
                    )  # fmt: skip
                except SettleError as error:
                    reason = error.message
                    raise SettleError(
                        message("error.run_failed", run=name, reason=reason)
                    ) from error
    except (AccessError, SettleError, personal_data.PersonalData) as error:
        refused = audit.Event(step, "refused", period=name,
                              detail={"payment_run": name, "reason": str(error)})  # fmt: skip
        audit.record_alone(db, actor, refused)
        raise
    return decisions


# --- the payment file ------------------------------------------------------------------------

FIELDS: tuple[tuple[str, ColumnKind], ...] = (
    ("business_id", "text"), ("supplier", "text"), ("contract", "text"), ("period", "text"),
    ("version", "int"), ("kind", "text"), ("state", "text"), ("corrects", "int"),
    ("bonus", "money"), ("sanction", "money"), ("payable", "money"), ("prepared_by", "text"),
    ("prepared_at", "moment"), ("approved_by", "text"), ("approved_at", "moment"),
)  # fmt: skip
"""The payment file's columns, in order (headers: export.col.* of etl/texts/<lang>/export.toml):
`payable` is the amount to pay (a correction's difference; bonus and sanction likewise),
`corrects` the version a correction corrects."""
TOTAL_FIELDS: tuple[tuple[str, ColumnKind], ...] = (
    ("business_id", "text"), ("supplier", "text"), ("settlements", "int"), ("bonus", "money"),
    ("sanction", "money"), ("payable", "money"),
)  # fmt: skip
"""The workbook's second sheet: one row per supplier, the sums of its approved rows."""


def headers(lang: str = formats.DEFAULT) -> list[str]:
    """The payment file's column headers in the language."""
    return [c.header for c in export.columns(FIELDS, lang)]


def payable(run: list[RunRow]) -> list[RunRow]:
    """The rows the payment system may pay: approved ones."""
    return [r for r in run if r.status == "approved"]


def _values(row: RunRow, lang: str) -> list[object]:
    return [
        row.business_id, row.supplier, row.contract_id, row.period, row.version,
        export.word("kind", row.kind, lang), export.word("state", row.status, lang),
        row.corrects_version, row.bonus, row.sanction, row.payable, row.prepared_by,
        row.prepared_at, row.approved_by, row.approved_at,
    ]  # fmt: skip


def csv_bytes(run: list[RunRow], lang: str = formats.DEFAULT) -> bytes:
    """Finnish CSV of the approved rows: `;`, CRLF, UTF-8 with BOM, decimal comma, times as
    1.12.2026 14.05.09 (UTC)."""
    lang = formats.language(lang)
    rows = [_values(row, lang) for row in payable(run)]
    return csv_table(export.columns(FIELDS, lang), rows).encode("utf-8-sig")


def xlsx_bytes(run: list[RunRow], lang: str = formats.DEFAULT) -> bytes:
    """Two sheets: Maksuajo, the approved rows (text as text, amounts as euro numbers, times
    as date cells), and Toimittajittain, their sums per supplier."""
    lang = formats.language(lang)
    buffer = io.BytesIO()
    book = workbook(buffer)
    rows = [_values(row, lang) for row in payable(run)]
    xlsx_table(book, messages.text("export.sheet.run", lang), export.columns(FIELDS, lang), rows)
    sums = [
        [t.business_id, t.supplier, t.rows, t.bonus, t.sanction, t.net]
        for t in totals(payable(run))
    ]
    xlsx_table(book, messages.text("export.sheet.run_totals", lang),
               export.columns(TOTAL_FIELDS, lang), sums)  # fmt: skip
    book.close()
    return buffer.getvalue()


def file_bytes(run: list[RunRow], kind: Kind, lang: str = formats.DEFAULT) -> bytes:
    return xlsx_bytes(run, lang) if kind == "xlsx" else csv_bytes(run, lang)


def export_event(period_name: str, run: list[RunRow], file_name: str, kind: Kind) -> audit.Event:
    """The trail's row for a payment file: which run, the file, how many rows were written and
    how many were left out as not yet approved."""
    written = len(payable(run))
    detail = {"what": "payment-run", "payment_run": period_name, "file": file_name,
              "format": kind, "rows": written, "not_approved": len(run) - written}  # fmt: skip
    return audit.Event("export", period=period_name, detail=detail)
