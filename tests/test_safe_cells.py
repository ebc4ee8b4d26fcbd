"""The one table writer every export uses (`etl.safe_cells.csv_table`, `xlsx_table`): text
stays text whatever it looks like, amounts are euro numbers, dates are dates, and no cell
is a formula; read back with openpyxl and the csv module."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from etl.safe_cells import (
    EURO_FORMAT,
    Column,
    csv_table,
    csv_value,
    workbook,
    xlsx_table,
)

COLUMNS = [Column("teksti"), Column("summa", "money"), Column("arvo", "number"),
           Column("päivä", "date"), Column("aika", "moment"), Column("lkm", "int")]  # fmt: skip
ROWS: list[list[object]] = [
    ["=HYPERLINK(\"http://x.invalid\",\"klik\")", Decimal("-2440.51"), "553125/1000",
     date(2025, 3, 31), datetime(2026, 12, 1, 14, 5, 9), 3],
    ["-2440,51", Decimal("1234.5"), Decimal("86.1111114"), None, None, None],
    ["0012345-6", None, "", None, None, "odottaa"],
]  # fmt: skip


def xlsx_rows() -> list[list[Any]]:
    buffer = io.BytesIO()
    book = workbook(buffer)
    assert xlsx_table(book, "Taulu", COLUMNS, ROWS) == 3
    book.close()
    sheet = load_workbook(buffer)["Taulu"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    return [list(row) for row in sheet.iter_rows()]


def test_xlsx_text_is_text_amounts_are_euro_numbers_and_dates_are_dates() -> None:
    header, first, second, third = xlsx_rows()
    assert [c.value for c in header] == [c.header for c in COLUMNS]
    text, money, value, day, moment, count = first
    assert (text.value, text.data_type) == ('\'=HYPERLINK("http://x.invalid","klik")', "s")
    assert (money.value, money.data_type, money.number_format) == (-2440.51, "n", EURO_FORMAT)
    assert value.value == 553.125 and value.data_type == "n"
    assert day.is_date and day.value == datetime(2025, 3, 31)
    assert moment.is_date and moment.value == datetime(2026, 12, 1, 14, 5, 9)
    assert count.value == 3
    # a text that looks like a number stays the text it was (a Y-tunnus keeps its zeros)
    assert (second[0].value, second[0].data_type) == ("-2440,51", "s")
    assert (third[0].value, third[0].data_type) == ("0012345-6", "s")
    assert second[1].value == 1234.5 and second[2].value == 86.111111
    assert third[1].value is None and third[2].value is None
    assert (third[5].value, third[5].data_type) == ("odottaa", "s")  # not a number: text


def test_finnish_csv_has_decimal_commas_finnish_dates_and_safe_text() -> None:
    rows = list(csv.reader(io.StringIO(csv_table(COLUMNS, ROWS), newline=""), delimiter=";"))
    assert rows[1] == ["'=HYPERLINK(\"http://x.invalid\",\"klik\")", "-2440,51", "553,125",
                       "31.3.2025", "1.12.2026 14.05.09", "3"]  # fmt: skip
    assert rows[2] == ["-2440,51", "1234,50", "86,111111", "", "", ""]
    assert rows[3] == ["0012345-6", "", "", "", "", "odottaa"]


def test_rfc_csv_has_dot_decimals() -> None:
    rows = list(csv.reader(io.StringIO(csv_table(COLUMNS, ROWS, finnish=False), newline="")))
    assert rows[1][1:3] == ["-2440.51", "553.125"]


def test_a_money_cell_that_is_not_a_number_is_safe_text() -> None:
    assert csv_value("=1+1", "money", decimal_comma=True) == "'=1+1"
    assert csv_value(True, "text", decimal_comma=True) == "True"
