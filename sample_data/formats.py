"""Low-level writers: periods and numbers as suppliers write them, CSV bytes, .xlsx, Parquet."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

FIXED_TIME = datetime(2026, 1, 15, 8, 0, 0)
Cell = str | int | float | date | None


def is_month(label: str) -> bool:
    return len(label) == 7 and label[4] == "-" and label[5:].isdigit()


def format_period(label: str, style: str) -> str:
    """A month as `2025-03` (iso), `3/2025` (slash) or `1.3.2025` (dotted); other period
    names (`2025-H1`) as they are."""
    if not is_month(label) or style in ("iso", "settlement"):
        return label
    year, month = label[:4], int(label[5:])
    if style == "slash":
        return f"{month}/{year}"
    if style == "dotted":
        return f"1.{month}.{year}"
    raise ValueError(f"unknown period style {style}")


def format_number(value: Decimal | int | None, decimal_sep: str) -> str:
    if value is None:
        return ""
    return str(value).replace(".", decimal_sep)


def csv_bytes(
    rows: list[list[str]], encoding: str, delimiter: str = ";", newline: str = "\n"
) -> bytes:
    """Rows (header first) as CSV bytes; `utf-8-sig` writes a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _normalised_zip(data: bytes) -> bytes:
    """The same zip with fixed member timestamps, so the bytes do not depend on the clock."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(member.filename))
    return out.getvalue()


def xlsx_bytes(
    sheet: str, rows: list[list[Cell]], date_format: str, notes: list[str], author: str
) -> bytes:
    """A workbook: the data on the first sheet (date cells shown as `date_format`), and a
    second sheet `Selite` with free-text notes that a loader must not read."""
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = sheet
    for row in rows:
        data.append(row)
    for cells in data.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = date_format
    for letter, width in zip("ABCDEFGH", (14, 13, 12, 9, 7, 11, 11, 12), strict=True):
        data.column_dimensions[letter].width = width
    legend = workbook.create_sheet("Selite")
    for line in notes:
        legend.append([line])
    workbook.properties.creator = author
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return _normalised_zip(buffer.getvalue())


def write_parquet(
    path: Path, columns: dict[str, list[Cell]], schema: dict[str, pl.DataType]
) -> None:
    pl.DataFrame(columns, schema=schema).write_parquet(path, statistics=True)
