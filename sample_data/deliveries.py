"""Writing the supplier delivery files, one batch (quarter, half-year or year) per file, and
the correction; returns what was written for deliveries/README.md."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import polars as pl

from sample_data.delivery_plan import (
    CORRECTED,
    CORRECTION_NOTE,
    DELIVERIES,
    FINNISH,
    HIGHLIGHTS,
    NOTES,
    Delivery,
    Style,
)
from sample_data.formats import (
    Cell,
    csv_bytes,
    format_number,
    format_period,
    is_month,
    write_parquet,
    xlsx_bytes,
)
from sample_data.profiles import Obs, first_day

PERIOD_STYLE_TEXT = {
    "iso": "`yyyy-mm`",
    "slash": "`m/yyyy`",
    "dotted": "`1.m.yyyy`",
    "date-cell": "date cells shown `d.m.yyyy`",
    "settlement": "settlement period `yyyy-Hn`",
}
ENCODING_TEXT = {"cp1252": "Windows-1252", "utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8"}


@dataclass(frozen=True)
class FileInfo:
    path: str
    supplier: str
    shape: str
    fmt: str
    encoding: str
    delimiter: str
    period_style: str
    demonstrates: str


def batch_of(period: str, batch: str) -> str:
    """The file batch a period belongs to: `2025-Q1`, `2025-H1` or `2025`."""
    year = period[:4]
    if batch == "year":
        return year
    if not is_month(period):
        return period
    month = int(period[5:])
    if batch == "quarter":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return f"{year}-H{1 if month <= 6 else 2}"


def headers(style: Style) -> list[str]:
    names = []
    for name in style.fields:
        if style.english:
            names.append(name)
        else:
            names.append(style.period_header if name == "period" else FINNISH[name])
    return [name.capitalize() if style.capitalise else name for name in names]


def raw_cell(row: Obs, name: str) -> str | int | Decimal | None:
    value: str | int | Decimal | None = getattr(row, name)
    return value


def with_notes(rows: list[Obs]) -> list[Obs]:
    """Rows with the supplier's free-text remarks attached (shown only by styles with `note`)."""
    return [replace(r, note=NOTES.get((r.contract, r.indicator, r.period), "")) for r in rows]


def text_cells(row: Obs, style: Style) -> list[str]:
    cells = []
    for name in style.fields:
        value = raw_cell(row, name)
        if name == "period":
            cells.append(format_period(row.period, style.period_style))
        elif isinstance(value, str):
            cells.append(value)
        else:
            cells.append(format_number(value, style.decimal))
    return cells


def typed_cell(row: Obs, name: str, style: Style) -> Cell:
    """A cell for .xlsx / Parquet: dates as dates, values as floats, counts as ints."""
    value = raw_cell(row, name)
    if name == "period" and style.period_style == "date-cell":
        return first_day(row.period)
    if isinstance(value, Decimal):
        return float(value)
    return value


XLSX_LEGEND = [
    "Kuukausittaiset tulokset, ks. välilehti Tulokset.",
    "ADL: osoittaja = asiakkaat, joiden ADL-H ei heikentynyt; nimittäjä = arvioidut.",
]


def write_csv_file(path: Path, rows: list[Obs], style: Style) -> None:
    lines = [headers(style), *[text_cells(row, style) for row in rows]]
    path.write_bytes(csv_bytes(lines, style.encoding, style.delimiter, style.newline))


def write_xlsx_file(path: Path, rows: list[Obs], style: Style, author: str) -> None:
    table: list[list[Cell]] = [list(headers(style))]
    table += [[typed_cell(row, name, style) for name in style.fields] for row in rows]
    path.write_bytes(xlsx_bytes("Tulokset", table, "d.m.yyyy", XLSX_LEGEND, author))


def write_parquet_file(path: Path, rows: list[Obs], style: Style) -> None:
    columns = [[typed_cell(row, name, style) for row in rows] for name in style.fields]
    write_parquet(path, dict(zip(headers(style), columns, strict=True)), parquet_schema(style))


def write_rows(path: Path, rows: list[Obs], style: Style, author: str) -> None:
    check_unique(path, rows)
    if style.fmt == "csv":
        write_csv_file(path, rows, style)
    elif style.fmt == "xlsx":
        write_xlsx_file(path, rows, style, author)
    else:
        write_parquet_file(path, rows, style)


def parquet_schema(style: Style) -> dict[str, pl.DataType]:
    kinds: dict[str, pl.DataType] = {"value": pl.Float64()}
    for name in ("n", "numerator", "denominator", "excluded"):
        kinds[name] = pl.Int64()
    return {
        header: kinds.get(name, pl.String())
        for header, name in zip(headers(style), style.fields, strict=True)
    }


def check_unique(path: Path, rows: list[Obs]) -> None:
    keys = [(r.contract, r.indicator, r.period, r.client) for r in rows]
    if len(set(keys)) != len(keys):
        raise AssertionError(f"{path}: the same contract × indicator × month twice")


def selected(delivery: Delivery, rows: list[Obs]) -> list[Obs]:
    return [
        row
        for row in rows
        if row.contract in delivery.contracts
        and (not delivery.indicators or row.indicator in delivery.indicators)
        and (row.client is not None) == delivery.record_level
    ]


def batches(delivery: Delivery, rows: list[Obs]) -> dict[str, list[Obs]]:
    grouped: dict[str, list[Obs]] = {}
    for row in selected(delivery, rows):
        grouped.setdefault(batch_of(row.period, delivery.batch), []).append(row)
    return grouped


def describe(delivery: Delivery, path: str, demonstrates: str) -> FileInfo:
    style = delivery.style
    csv_like = style.fmt == "csv"
    return FileInfo(
        path=path,
        supplier=delivery.supplier,
        shape="record-level" if delivery.record_level else "indicator report",
        fmt={"csv": "CSV", "xlsx": ".xlsx", "parquet": "Parquet"}[style.fmt],
        encoding=ENCODING_TEXT[style.encoding] if csv_like else "–",
        delimiter=f"`{style.delimiter}` + decimal {'comma' if style.decimal == ',' else 'point'}"
        if csv_like
        else "–",
        period_style=PERIOD_STYLE_TEXT[style.period_style],
        demonstrates=demonstrates,
    )


def write_delivery(root: Path, delivery: Delivery, rows: list[Obs]) -> list[FileInfo]:
    folder = root / delivery.slug
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index, (batch, batch_rows) in enumerate(sorted(batches(delivery, rows).items())):
        name = f"{delivery.prefix}-{batch}.{delivery.style.fmt}"
        write_rows(folder / name, sort_rows(batch_rows), delivery.style, delivery.supplier)
        path = f"{delivery.slug}/{name}"
        note = delivery.demonstrates if index == 0 else "same shape as above"
        if path in HIGHLIGHTS:
            note = f"{note}; **{HIGHLIGHTS[path]}**"
        written.append(describe(delivery, path, note))
    return written


def sort_rows(rows: list[Obs]) -> list[Obs]:
    return sorted(rows, key=lambda r: (r.period, r.contract))


def corrected_rows(rows: list[Obs]) -> list[Obs]:
    """The revised RAI rows: 4–7 more clients whose ADL-H declined in each month."""
    contract, indicator, months = CORRECTED
    revised = []
    for row in rows:
        if (row.contract, row.indicator) == (contract, indicator) and row.period in months:
            assert row.numerator is not None
            drop = 4 + months.index(row.period) + (row.numerator % 2)
            revised.append(replace(row, numerator=row.numerator - drop, note=CORRECTION_NOTE))
    return revised


def write_correction(root: Path, rows: list[Obs]) -> FileInfo:
    delivery = DELIVERIES[0]
    revised = corrected_rows(rows)
    name = f"{delivery.slug}/korjaus-2025-03.csv"
    write_rows(root / name, revised, delivery.style, delivery.supplier)
    months = ", ".join(r.period for r in revised)
    note = (
        f"correction: re-delivers {CORRECTED[0]} `adl` for {months} (RAI data revised); load last"
    )
    return describe(delivery, name, note)


def write_deliveries(root: Path, rows: list[Obs]) -> list[FileInfo]:
    written = []
    rows = with_notes(rows)
    for delivery in DELIVERIES:
        written += write_delivery(root, delivery, rows)
    written.append(write_correction(root, rows))
    return written
