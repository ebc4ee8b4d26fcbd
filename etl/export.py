"""Settlement exports: RFC 4180 CSV (dot decimals), CSV for Finnish Excel (`;`, decimal comma,
UTF-8 with BOM) and an .xlsx workbook for finance (summary, lines and adjustments sheets).
Every text cell goes through `etl.safe_cells`: none opens as a formula.

One row per indicator line and one `TOTAL` row per contract x period carrying the bonus and
sanction after gates and caps, and the net. Money has two decimals; values and fractions are
rounded half-up to six decimals for display (the exact numbers stay in the database).
"""

import csv
import io
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb

from etl.safe_cells import safe_cell, xlsx_cell

COLUMNS = (
    "contract", "supplier", "period", "version", "settlement_status", "indicator", "status",
    "value", "n", "minimum", "threshold", "target", "scale", "fraction", "bonus_before_gate",
    "bonus", "sanction", "net", "net_difference",
)  # fmt: skip
MONEY_COLUMNS = {"bonus_before_gate", "bonus", "sanction", "net", "net_difference"}
NUMBER_COLUMNS = {"value", "n", "minimum", "threshold", "target", "fraction"}
SIX = Decimal("0.000001")
EURO_FORMAT = '#,##0.00 "€"'


def export_rows(
    con: duckdb.DuckDBPyConnection, contract_id: str | None, period: str | None
) -> list[dict[str, Any]]:
    """Export rows for the newest version of each selected settlement."""
    rows = con.execute(
        """
        SELECT s.contract_id, c.supplier_name, s.period, s.version, s.status, l.line_kind,
               l.indicator_id, l.status, l.value, l.n, l.minimum, l.threshold, l.target,
               l.scale, l.fraction, l.bonus_before_gate, l.bonus, l.sanction,
               s.bonus_total, s.sanction_total, s.net, s.net_difference, l.line_no
        FROM settlement_latest s
        JOIN contract_current c USING (contract_id)
        LEFT JOIN settlement_line l
               ON l.settlement_id = s.settlement_id AND l.line_kind = 'indicator'
        WHERE (?::VARCHAR IS NULL OR s.contract_id = ?) AND (?::VARCHAR IS NULL OR s.period = ?)
        ORDER BY s.contract_id, s.period_start, l.line_no
        """,
        [contract_id, contract_id, period, period],
    ).fetchall()
    out: list[dict[str, Any]] = []
    current: tuple[str, str] | None = None
    total: dict[str, Any] | None = None
    for row in rows:
        (contract, supplier, period_name, version, settlement_status, _, indicator, status,
         value, n, minimum, threshold, target, scale, fraction, before_gate, bonus, sanction,
         bonus_total, sanction_total, net, net_difference, _) = row  # fmt: skip
        if (contract, period_name) != current:
            if total is not None:
                out.append(total)
            current = (contract, period_name)
            total = {
                "contract": contract, "supplier": supplier, "period": period_name,
                "version": version, "settlement_status": settlement_status,
                "indicator": "TOTAL", "bonus": bonus_total, "sanction": sanction_total,
                "net": net, "net_difference": net_difference,
            }  # fmt: skip
        if indicator is not None:
            out.append(
                {
                    "contract": contract, "supplier": supplier, "period": period_name,
                    "version": version, "settlement_status": settlement_status,
                    "indicator": indicator, "status": status, "value": value, "n": n,
                    "minimum": minimum, "threshold": threshold, "target": target,
                    "scale": scale, "fraction": fraction, "bonus_before_gate": before_gate,
                    "bonus": bonus, "sanction": sanction,
                }
            )  # fmt: skip
    if total is not None:
        out.append(total)
    return out


def _number_text(value: object, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = str(value)
    else:
        try:
            text = str(Decimal(str(value)).quantize(SIX, rounding=ROUND_HALF_UP).normalize())
        except InvalidOperation:
            text = str(value)
        if "E" in text:
            text = format(Decimal(text), "f")
    return text.replace(".", ",") if decimal_comma else text


def csv_text(rows: Sequence[dict[str, Any]], *, finnish: bool) -> str:
    """RFC 4180 CSV (`,`, dot decimals, CRLF), or for Finnish Excel (`;`, decimal comma)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if finnish else ",", lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in COLUMNS])
    for row in rows:
        writer.writerow(
            [
                safe_cell(
                    _number_text(row.get(c), finnish)
                    if c in MONEY_COLUMNS | NUMBER_COLUMNS
                    else ("" if row.get(c) is None else row.get(c))
                )
                for c in COLUMNS
            ]
        )
    return buffer.getvalue()


def write_csv(path: Path, rows: Sequence[dict[str, Any]], *, finnish: bool) -> None:
    encoding = "utf-8-sig" if finnish else "utf-8"
    path.write_text(csv_text(rows, finnish=finnish), encoding=encoding, newline="")


def write_xlsx(path: Path, con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]],
               contract_id: str | None, period: str | None) -> None:  # fmt: skip
    """A workbook for finance: Yhteenveto (one row per settlement), Rivit (every line),
    Oikaisut (gate and cap adjustments); euro cells formatted as money."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Yhteenveto"
    summary_columns = ("contract", "supplier", "period", "version", "settlement_status",
                       "bonus", "sanction", "net", "net_difference")  # fmt: skip
    _sheet(summary, summary_columns, [r for r in rows if r["indicator"] == "TOTAL"], Font)
    lines = workbook.create_sheet("Rivit")
    _sheet(lines, COLUMNS[:-2], [r for r in rows if r["indicator"] != "TOTAL"], Font)
    adjustments = workbook.create_sheet("Oikaisut")
    adjustment_rows = _adjustment_rows(con, contract_id, period)
    _sheet(adjustments, ("contract", "period", "version", "kind", "side", "amount",
                         "counted", "reason"), adjustment_rows, Font)  # fmt: skip
    workbook.save(path)


def _sheet(sheet: Any, columns: Sequence[str], rows: Sequence[dict[str, Any]], font: Any) -> None:
    sheet.append([xlsx_cell(c) for c in columns])
    for cell in sheet[1]:
        cell.font = font(bold=True)
    for row in rows:
        values: list[Any] = []
        for column in columns:
            value = row.get(column)
            if column in NUMBER_COLUMNS and value is not None:
                value = Decimal(str(value)).quantize(SIX, rounding=ROUND_HALF_UP).normalize()
            values.append(xlsx_cell(value))
        sheet.append(values)
        for cell, column in zip(sheet[sheet.max_row], columns, strict=True):
            if column in MONEY_COLUMNS or column == "amount":
                cell.number_format = EURO_FORMAT
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        width = max([len(column)] + [len(str(r.get(column) or "")) for r in rows[:200]]) + 2
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(
            width, 60
        )


def _adjustment_rows(
    con: duckdb.DuckDBPyConnection, contract_id: str | None, period: str | None
) -> list[dict[str, Any]]:
    rows = con.execute(
        """
        SELECT s.contract_id, s.period, s.version, l.adjustment_kind, l.side, l.amount,
               l.counted, l.explanation
        FROM settlement_latest s JOIN settlement_line l USING (settlement_id)
        WHERE l.line_kind = 'adjustment'
          AND (?::VARCHAR IS NULL OR s.contract_id = ?) AND (?::VARCHAR IS NULL OR s.period = ?)
        ORDER BY s.contract_id, s.period_start, l.line_no
        """,
        [contract_id, contract_id, period, period],
    ).fetchall()
    keys = ("contract", "period", "version", "kind", "side", "amount", "counted", "reason")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def export(
    con: duckdb.DuckDBPyConnection, path: Path, contract_id: str | None, period: str | None
) -> int:
    """Write the selected settlements to `path`; the format follows the name: `.xlsx`,
    `.fi.csv` (Finnish Excel) or `.csv` (RFC 4180). Returns the number of rows written."""
    rows = export_rows(con, contract_id, period)
    name = path.name.lower()
    if name.endswith(".xlsx"):
        write_xlsx(path, con, rows, contract_id, period)
    elif name.endswith(".fi.csv"):
        write_csv(path, rows, finnish=True)
    elif name.endswith(".csv"):
        write_csv(path, rows, finnish=False)
    else:
        raise ValueError(f"{path}: name the file .csv, .fi.csv or .xlsx")
    return len(rows)
