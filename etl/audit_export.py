"""The audit trail as a file, for the command (`vaikuttavuus audit --out`) and the
Tapahtumaloki page: an .xlsx workbook, or CSV for Finnish Excel (`;`, UTF-8 with BOM). One
row per event as `etl.audit.events` selected it, newest first, pending journal entries
marked; Finnish column names; every text cell through `etl.safe_cells` (none opens as a
formula). Making such a file is itself an export: `record` writes it to the trail.
"""

import csv
import io
from datetime import datetime
from typing import Any, Literal

import polars as pl

from etl import audit
from etl.safe_cells import safe_cell, xlsx_cell

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

TIME_FORMAT = "d.m.yyyy hh.mm.ss"


def when(moment: datetime) -> str:
    """A UTC time as Finnish text: 1.12.2026 14.05.09."""
    return f"{moment.day}.{moment.month}.{moment.year} {moment:%H.%M.%S}"


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


def csv_bytes(trail: pl.DataFrame) -> bytes:
    """CSV for Finnish Excel: `;`, CRLF, UTF-8 with BOM, times as 1.12.2026 14.05.09."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(name) for _, name in COLUMNS])
    for row in trail.iter_rows(named=True):
        writer.writerow(
            [
                safe_cell(
                    "" if value is None else when(value) if isinstance(value, datetime) else value
                )
                for value in _values(row)
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(trail: pl.DataFrame) -> bytes:
    """One sheet, Tapahtumaloki: a header row, then one row per event; times are date cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Tapahtumaloki"
    sheet.append([xlsx_cell(name) for _, name in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in trail.iter_rows(named=True):
        sheet.append([xlsx_cell(value) for value in _values(row)])
        sheet.cell(row=sheet.max_row, column=2).number_format = TIME_FORMAT
    sheet.freeze_panes = "A2"
    for index, (field, name) in enumerate(COLUMNS, start=1):
        widest = max([len(name)] + [len(str(v or "")) for v in trail[field].head(200)])
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = min(widest + 2, 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
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
