"""The audit trail as a file, for the command (`vaikuttavuus audit --out`) and the
Tapahtumaloki page: an .xlsx workbook, or CSV for Finnish Excel (`;`, UTF-8 with BOM). One
row per event as `etl.audit.events` selected it, newest first, pending journal entries
marked; Finnish column names; every cell through `etl.safe_cells` (text as text, none opens
as a formula; times as date cells in the workbook). Making such a file is itself an export:
`export_event` is its row in the trail.
"""

import io
from datetime import datetime
from typing import Any, Literal

import polars as pl

from etl import audit
from etl.safe_cells import Column, ColumnKind, csv_table, moment_text, workbook, xlsx_table

Kind = Literal["xlsx", "csv"]
PENDING = "odottaa"
"""The event number column of an entry still in the journal (numbered when moved in)."""

COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "tapahtuma"), ("occurred_at", "aika (UTC)"), ("actor_name", "käyttäjä"),
    ("actor_email", "sähköposti"), ("actor_id", "tunniste"), ("actor_roles", "roolit"),
    ("channel", "kanava"), ("session_id", "istunto"), ("action", "toiminto"),
    ("outcome", "tulos"), ("contract_id", "sopimus"), ("period", "kausi"),
    ("settlement_id", "selvitys"), ("version", "versio"), ("delivery_id", "toimitus"),
    ("file_digest", "tiedoston tiiviste"), ("detail", "lisätiedot"),
    ("row_hash", "rivin tiiviste"),
)  # fmt: skip
"""(field of `audit.events`, its name in the file), in file order."""

KINDS: dict[str, ColumnKind] = {
    "event_id": "int", "occurred_at": "moment", "settlement_id": "int", "version": "int",
    "delivery_id": "int",
}  # fmt: skip
"""The columns that are not text: numbers (a pending entry's number is the word PENDING) and
the time, a date cell in a workbook."""


def when(moment: datetime) -> str:
    """A UTC time as Finnish text: 1.12.2026 14.05.09."""
    return moment_text(moment)


def kind_of(name: str) -> Kind | None:
    """`.xlsx` or `.csv` (also `.fi.csv`) from the file name; None for anything else."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        return "xlsx"
    if lowered.endswith(".csv"):
        return "csv"
    return None


def _values(row: dict[str, Any]) -> list[Any]:
    values: list[Any] = []
    for field, _ in COLUMNS:
        value = row.get(field)
        if field == "event_id" and row.get("pending"):
            value = PENDING
        values.append(value)
    return values


def _columns() -> list[Column]:
    return [Column(name, KINDS.get(field, "text")) for field, name in COLUMNS]


def csv_bytes(trail: pl.DataFrame) -> bytes:
    """CSV for Finnish Excel: `;`, CRLF, UTF-8 with BOM, times as 1.12.2026 14.05.09."""
    rows = [_values(row) for row in trail.iter_rows(named=True)]
    return csv_table(_columns(), rows).encode("utf-8-sig")


def xlsx_bytes(trail: pl.DataFrame) -> bytes:
    """One sheet, Tapahtumaloki: a header row, then one row per event; times are date cells,
    every text a text cell (XlsxWriter, through `etl.safe_cells.xlsx_table`)."""
    buffer = io.BytesIO()
    book = workbook(buffer)
    xlsx_table(book, "Tapahtumaloki", _columns(), (_values(r) for r in trail.iter_rows(named=True)))
    book.close()
    return buffer.getvalue()


def file_bytes(trail: pl.DataFrame, kind: Kind) -> bytes:
    return xlsx_bytes(trail) if kind == "xlsx" else csv_bytes(trail)


def export_event(filters: audit.Filters, file_name: str, kind: Kind, rows: int) -> audit.Event:
    """The trail's row for an export of the trail: what was exported (which filters, how many
    rows, the file's name and kind); the contract and period filtered on are the event's own."""
    detail = {"what": "audit-trail", "file": file_name, "format": kind, "rows": rows,
              **filters.named()}  # fmt: skip
    return audit.Event("export", contract_id=filters.contract, period=filters.period,
                       detail=detail)  # fmt: skip
