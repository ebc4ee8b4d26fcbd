"""Cells that are safe to open in a spreadsheet: the one rule every CSV and .xlsx we write
follows (OWASP "CSV injection").

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel
and LibreOffice as a formula (or the start of one), and a formula can run commands or send
the sheet's data away. Such a text gets an apostrophe in front: `=HYPERLINK(...)` is written
as `'=HYPERLINK(...)` and shows as text. Numbers stay numbers: a cell that is a number
(`Decimal`, `int`), or a text that is exactly one (`-2440.51`, `-2440,51`), is left as it is.
"""

import re
from typing import TypeVar

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
    hold replaced by U+FFFD (openpyxl would refuse the whole workbook), others as they are.
    A text cell is also never read as a formula by openpyxl itself (it stores any text that
    starts with `=` as one)."""
    if isinstance(value, str):
        return safe_text(_NOT_IN_XLSX.sub("\ufffd", value))
    return value


def is_safe(value: object) -> bool:
    """Whether a cell read back from an export obeys the rule (for tests and audits)."""
    if not isinstance(value, str):
        return True
    return not value.startswith(FORMULA_STARTS) or bool(_NUMBER.fullmatch(value))
