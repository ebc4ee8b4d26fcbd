"""Cells that are safe to open in a spreadsheet: the one rule every CSV and .xlsx we write
follows (OWASP "CSV injection").

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel
and LibreOffice as a formula (or the start of one), and a formula can run commands or send
the sheet's data away. Such a text gets an apostrophe in front: `=HYPERLINK(...)` is written
as `'=HYPERLINK(...)` and shows as text. Numbers stay numbers: a cell that is a number
(`Decimal`, `int`), or a text that is exactly one (`-2440.51`, `-2440,51`), is left as it is.

Every export writes its tables through `csv_table` and `xlsx_table` below: one definition of
how a text, an amount, a number, a date and a time become a CSV field or an .xlsx cell.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

from contracts.exact import round_half_up
from etl.formats import exact

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell may not start with any of these (unless it is a number)."""

PREFIX = "'"

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")
# Characters an .xlsx file cannot hold (XML 1.0 forbids them; openpyxl refuses them).
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = TypeVar("Cell")


def safe_text(text: str) -> str:
    """The text as a spreadsheet will show it, never as a formula."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return PREFIX + text
    return text


def safe_cell(value: Cell) -> Cell | str:
    """A text cell made safe; any other value (a number, a date, None) as it is."""
    return safe_text(value) if isinstance(value, str) else value


def xlsx_cell(value: Cell) -> Cell | str:
    """A value for an .xlsx cell: safe text with the control characters a workbook cannot
    hold replaced by U+FFFD (openpyxl would refuse the whole workbook) and line ends as a
    workbook cell keeps them (a line feed; a carriage return would be stored as `_x000D_`),
    others as they are.
    A text cell is also never read as a formula by openpyxl itself (it stores any text that
    starts with `=` as one)."""
    if isinstance(value, str):
        safe = safe_text(_NOT_IN_XLSX.sub("\ufffd", value))
        return safe.replace("\r\n", "\n").replace("\r", "\n")
    return value


def is_safe(value: object) -> bool:
    """Whether a cell read back from an export obeys the rule (for tests and audits)."""
    if not isinstance(value, str):
        return True
    return not value.startswith(FORMULA_STARTS) or bool(_NUMBER.fullmatch(value))


# --- tables: every export's CSV and .xlsx cells written in one place, under the rule above ---

ColumnKind = Literal["text", "money", "number", "int", "date", "moment"]
EURO_FORMAT = '#,##0.00 "€"'
"""Money in a workbook: a number cell that Excel shows as `1 234,56 €` in a Finnish locale."""
NUMBER_FORMAT = "0.######"
DATE_FORMAT = "d.m.yyyy"
MOMENT_FORMAT = "d.m.yyyy hh.mm.ss"
SIX = 6
"""Values, levels and fractions: rounded half-up to six decimals (the exact ones stay stored)."""


@dataclass(frozen=True)
class Column:
    """A column of an exported table: its header (in the reader's language) and what its
    cells hold. Money is a number with two decimals (`money`), `number` a value rounded to
    six decimals, `int` a whole number, `date` and `moment` dates and UTC times; `text` is
    written as text whatever it looks like."""

    header: str
    kind: ColumnKind = "text"


def moment_text(moment: datetime) -> str:
    """A UTC time as Finnish text: 1.12.2026 14.05.09."""
    return f"{moment.day}.{moment.month}.{moment.year} {moment:%H.%M.%S}"


def _exact(value: object, places: int) -> Decimal | None:
    number = exact(value)
    return None if number is None else round_half_up(number, places)


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def csv_value(value: object, kind: ColumnKind, *, decimal_comma: bool) -> str:
    """One cell as CSV text: money with two decimals, numbers with at most six, dates as
    31.3.2025, times as 1.12.2026 14.05.09; text made safe."""
    if value is None or value == "":
        return ""
    text: str
    if kind in ("money", "number", "int") and not isinstance(value, bool):
        number = _exact(value, 2 if kind == "money" else 0 if kind == "int" else SIX)
        if number is None:
            return safe_text(str(value))
        text = format(number, "f") if kind != "number" else _plain(number)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, datetime):
        return moment_text(value)
    if isinstance(value, date):
        return f"{value.day}.{value.month}.{value.year}"
    return safe_text(str(value))


def csv_table(
    columns: Sequence[Column], rows: Iterable[Sequence[object]], *, finnish: bool = True
) -> str:
    """A table as CSV: for Finnish Excel (`;`, decimal comma) or RFC 4180 (`,`, dot
    decimals); CRLF line ends. The caller encodes it (Finnish: UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if finnish else ",", lineterminator="\r\n")
    writer.writerow([safe_text(c.header) for c in columns])
    for row in rows:
        writer.writerow(
            [csv_value(v, c.kind, decimal_comma=finnish) for c, v in zip(columns, row, strict=True)]
        )
    return buffer.getvalue()


def workbook(target: Any) -> Any:
    """An XlsxWriter workbook (`target`: a path or a BytesIO) that never reads a text as a
    formula, a number or a link, whichever way a cell is written."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        target,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
         "strings_to_urls": False},
    )  # fmt: skip


def xlsx_table(
    book: Any, name: str, columns: Sequence[Column], rows: Iterable[Sequence[object]]
) -> int:
    """A sheet of `book`: bold headers, frozen, then one row per item; text with
    `write_string` (safe, never a formula), money as euro numbers, numbers, dates and times as
    date cells. Returns the number of rows written."""
    sheet = book.add_worksheet(xlsx_cell(name)[:31])
    bold = book.add_format({"bold": True})
    formats = {
        "money": book.add_format({"num_format": EURO_FORMAT}),
        "number": book.add_format({"num_format": NUMBER_FORMAT}),
        "int": book.add_format({"num_format": "0"}),
        "date": book.add_format({"num_format": DATE_FORMAT}),
        "moment": book.add_format({"num_format": MOMENT_FORMAT}),
        "text": book.add_format({"num_format": "@"}),
    }
    widths = [len(c.header) + 2 for c in columns]
    for index, column in enumerate(columns):
        sheet.write_string(0, index, xlsx_cell(column.header), bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, (column, value) in enumerate(zip(columns, row, strict=True)):
            shown = _xlsx_write(sheet, count, index, value, column.kind, formats)
            if count <= 200:
                widths[index] = max(widths[index], min(len(shown) + 2, 60))
    sheet.freeze_panes(1, 0)
    for index, width in enumerate(widths):
        sheet.set_column(index, index, max(width, 12 if columns[index].kind != "text" else 8))
    return count


def _xlsx_write(
    sheet: Any, row: int, col: int, value: object, kind: ColumnKind, formats: dict[str, Any]
) -> str:
    """Write one cell; returns its text as shown (for the column's width)."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, formats[kind])
        return ""
    if kind in ("money", "number", "int") and not isinstance(value, bool):
        number = _exact(value, 2 if kind == "money" else 0 if kind == "int" else SIX)
        if number is not None:
            sheet.write_number(row, col, float(number), formats[kind])
            return str(number) + ("   €" if kind == "money" else "")
    if isinstance(value, datetime):
        sheet.write_datetime(row, col, value, formats["moment"])
        return "00.00.0000 00.00.00"
    if isinstance(value, date):
        sheet.write_datetime(row, col, value, formats["date"])
        return "00.00.0000"
    text = xlsx_cell(str(value))
    sheet.write_string(row, col, text, formats["text"])
    return text
