"""Settlement exports a controller can hand on: CSV for Finnish Excel (`;`, decimal comma,
UTF-8 with BOM, CRLF) and an .xlsx workbook (XlsxWriter), headers and words in the reader's
language (`lang`, Finnish unless told; texts in etl/texts/<lang>/export.toml); and RFC 4180
CSV (`,`, dot decimals) for programs, with stable English column ids and stored codes. Every
cell is written through `etl.safe_cells`: text as text (none opens as a formula), money as
numbers (euro-formatted in the workbook), dates and times as dates.

The newest version of each selected contract x period: one row per indicator line with its
result, levels, money, the contract clause (rule), the explanation, the deliveries the
settlement used (ids and file names), the supplier's notes on the rows behind it, the
settlement's state and who prepared and approved it when; and one total row per settlement
(bonus and sanction after gates and caps, the net, a correction's difference). The workbook
has the same in four sheets: Yhteenveto (one row per settlement), Rivit (every indicator line),
Oikaisut (gate and cap adjustments) and Toimitusrivit (the delivery rows behind each
settlement: delivery, file, source row, values as stored, the supplier's note, and the
delivery that superseded the row since, if any). Values and fractions are rounded half-up to
six decimals for display; the exact numbers stay in the database.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb

from etl import formats, messages, provenance, settle
from etl.safe_cells import Column, ColumnKind, csv_table, safe_cell, workbook, xlsx_table

TOTAL = "TOTAL"
"""The `indicator` of a settlement's total row in `export_rows` (shown as export.total)."""

LINE_FIELDS: tuple[tuple[str, ColumnKind], ...] = (
    ("contract", "text"), ("supplier", "text"), ("period", "text"), ("version", "int"),
    ("kind", "text"), ("state", "text"), ("indicator", "text"), ("status", "text"),
    ("value", "number"), ("n", "number"), ("minimum", "number"), ("threshold", "number"),
    ("target", "number"), ("scale", "text"), ("fraction", "number"),
    ("bonus_before_gate", "money"), ("bonus", "money"), ("sanction", "money"),
    ("net", "money"), ("net_difference", "money"), ("rule", "text"), ("explanation", "text"),
    ("deliveries", "text"), ("notes", "text"), ("prepared_by", "text"),
    ("prepared_at", "moment"), ("approved_by", "text"), ("approved_at", "moment"),
)  # fmt: skip
"""The CSV's columns (and the Rivit sheet's, without net and net_difference): (field, kind)."""
SUMMARY_FIELDS: tuple[tuple[str, ColumnKind], ...] = (
    ("contract", "text"), ("supplier", "text"), ("business_id", "text"), ("period", "text"),
    ("version", "int"), ("kind", "text"), ("state", "text"), ("corrects", "int"),
    ("bonus", "money"), ("sanction", "money"), ("net", "money"), ("net_difference", "money"),
    ("deliveries", "text"), ("prepared_by", "text"), ("prepared_at", "moment"),
    ("approved_by", "text"), ("approved_at", "moment"),
)  # fmt: skip
ADJUSTMENT_FIELDS: tuple[tuple[str, ColumnKind], ...] = (
    ("contract", "text"), ("period", "text"), ("version", "int"), ("adjustment", "text"),
    ("side", "text"), ("amount", "money"), ("counted", "text"), ("rule", "text"),
    ("reason", "text"),
)  # fmt: skip
SOURCE_FIELDS: tuple[tuple[str, ColumnKind], ...] = (
    ("contract", "text"), ("period", "text"), ("version", "int"), ("indicator", "text"),
    ("delivery", "int"), ("file", "text"), ("source_row", "int"), ("observed_period", "text"),
    ("value", "number"), ("n", "int"), ("numerator", "number"), ("denominator", "number"),
    ("excluded", "number"), ("note", "text"), ("superseded_by", "int"),
)  # fmt: skip
"""The delivery rows behind a settlement; client codes are never exported."""
MAX_SOURCE_ROWS = 1_000_000
"""At most this many delivery rows in a workbook (Excel holds 1 048 576 rows a sheet); a
last row says how many more there are."""
MAX_NOTES = 5
"""At most this many distinct notes in a line's notes cell, then how many more."""


def columns(fields: Sequence[tuple[str, ColumnKind]], lang: str) -> list[Column]:
    """The fields' headers in the language."""
    return [Column(messages.text(f"export.col.{name}", lang), kind) for name, kind in fields]


def word(group: str, code: str | None, lang: str) -> str:
    """A stored code (state, kind, result, adjustment) as the word of ui.toml's `group`, or the
    code itself when there is no word for it."""
    if code is None:
        return ""
    key = f"{group}.{code}"
    return messages.text(key, lang) if messages.has(key) else code


def _deliveries(
    con: duckdb.DuckDBPyConnection, contract_id: str | None, period: str | None
) -> dict[int, str]:
    """Per settlement id: the deliveries it used, as `5 file.csv; 51 korjaus.csv`."""
    found = con.execute(
        """
        SELECT s.settlement_id, d.delivery_id, d.file_name
        FROM settlement_latest s
        JOIN settlement_delivery sd USING (settlement_id)
        JOIN delivery d ON d.delivery_id = sd.delivery_id
        WHERE (?::VARCHAR IS NULL OR s.contract_id = ?) AND (?::VARCHAR IS NULL OR s.period = ?)
        ORDER BY s.settlement_id, d.delivery_id
        """,
        [contract_id, contract_id, period, period],
    ).fetchall()
    used: dict[int, list[str]] = defaultdict(list)
    for settlement_id, delivery_id, file_name in found:
        used[int(settlement_id)].append(f"{delivery_id} {file_name}")
    return {sid: "; ".join(names) for sid, names in used.items()}


def export_rows(
    con: duckdb.DuckDBPyConnection,
    contract_id: str | None,
    period: str | None,
    lang: str = formats.DEFAULT,
) -> list[dict[str, Any]]:
    """Export rows for the newest version of each selected settlement: its indicator lines,
    then its total row (`indicator` TOTAL). Codes are words of the language; money Decimal."""
    lang = formats.language(lang)
    found = con.execute(
        """
        SELECT s.settlement_id, s.contract_id, c.supplier_name, c.supplier_business_id,
               s.period, s.version, s.kind, s.status, o.version, s.bonus_total,
               s.sanction_total, s.net, s.net_difference, s.prepared_by, s.prepared_at,
               s.approved_by, s.approved_at, l.indicator_id, l.status, l.value, l.n,
               l.minimum, l.threshold, l.target, l.scale, l.fraction, l.bonus_before_gate,
               l.bonus, l.sanction, l.rule, l.explanation, l.explanation_messages
        FROM settlement_latest s
        JOIN contract_current c USING (contract_id)
        LEFT JOIN settlement o ON o.settlement_id = s.corrects
        LEFT JOIN settlement_line l
               ON l.settlement_id = s.settlement_id AND l.line_kind = 'indicator'
        WHERE (?::VARCHAR IS NULL OR s.contract_id = ?) AND (?::VARCHAR IS NULL OR s.period = ?)
        ORDER BY s.contract_id, s.period_start, l.line_no
        """,
        [contract_id, contract_id, period, period],
    ).fetchall()
    deliveries = _deliveries(con, contract_id, period)
    line_notes = notes(con, contract_id, period, lang)
    out: list[dict[str, Any]] = []
    total: dict[str, Any] | None = None
    for (sid, contract, supplier, business_id, period_name, version, kind, status, corrects,
         bonus_total, sanction_total, net, net_difference, prepared_by, prepared_at,
         approved_by, approved_at, indicator, line_status, value, n, minimum, threshold,
         target, scale, fraction, before_gate, bonus, sanction, rule, explanation,
         explanation_messages) in found:  # fmt: skip
        settlement = {
            "settlement_id": int(sid), "contract": contract, "supplier": supplier,
            "business_id": business_id, "period": period_name, "version": version,
            "kind": word("kind", kind, lang), "state": word("state", status, lang),
            "status_code": status, "deliveries": deliveries.get(int(sid), ""),
            "prepared_by": prepared_by, "prepared_at": prepared_at,
            "approved_by": approved_by, "approved_at": approved_at,
        }  # fmt: skip
        if total is None or total["settlement_id"] != settlement["settlement_id"]:
            if total is not None:
                out.append(total)
            total = settlement | {
                "indicator": TOTAL, "corrects": corrects, "bonus": bonus_total,
                "sanction": sanction_total, "net": net, "net_difference": net_difference,
            }  # fmt: skip
        if indicator is not None:
            out.append(
                settlement | {
                    "indicator": indicator, "status": word("status", line_status, lang),
                    "line_status": line_status,
                    "value": value, "n": n, "minimum": minimum, "threshold": threshold,
                    "target": target, "scale": scale, "fraction": fraction,
                    "bonus_before_gate": before_gate, "bonus": bonus, "sanction": sanction,
                    "rule": settle.clause_text(explanation_messages, rule, lang),
                    "explanation": messages.stored_text(explanation_messages, explanation, lang),
                    "notes": line_notes.get((int(sid), indicator), ""),
                }
            )  # fmt: skip
    if total is not None:
        out.append(total)
    return out


def _shown(row: dict[str, Any], field: str, lang: str) -> object:
    if field == "indicator" and row.get("indicator") == TOTAL:
        return messages.text("export.total", lang)
    return row.get(field)


def table_rows(
    rows: Sequence[dict[str, Any]], fields: Sequence[tuple[str, ColumnKind]], lang: str
) -> list[list[object]]:
    return [[_shown(row, name, lang) for name, _ in fields] for row in rows]


def csv_text(rows: Sequence[dict[str, Any]], *, finnish: bool, lang: str = formats.DEFAULT) -> str:
    """Every line and total row. Finnish (`finnish`): for Finnish Excel (`;`, decimal comma),
    headers and words in the language, the columns of LINE_FIELDS. Otherwise RFC 4180 for
    programs (`,`, dot decimals): the stable English column ids and stored codes of
    RFC_COLUMNS, whatever the language (the reviewed golden file is this). CRLF in both."""
    if not finnish:
        return _rfc_csv_text(rows)
    lang = formats.language(lang)
    return csv_table(columns(LINE_FIELDS, lang), table_rows(rows, LINE_FIELDS, lang))


RFC_COLUMNS = (
    "contract", "supplier", "period", "version", "settlement_status", "indicator", "status",
    "value", "n", "minimum", "threshold", "target", "scale", "fraction", "bonus_before_gate",
    "bonus", "sanction", "net", "net_difference",
)  # fmt: skip
"""The RFC 4180 CSV's columns: `settlement_status` and `status` are the stored codes."""
_RFC_MONEY = {"bonus_before_gate", "bonus", "sanction", "net", "net_difference"}
_RFC_NUMBERS = {"value", "n", "minimum", "threshold", "target", "fraction"}
_SIX = Decimal("0.000001")


def _rfc_number(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    try:
        text = str(Decimal(str(value)).quantize(_SIX, rounding=ROUND_HALF_UP).normalize())
    except InvalidOperation:
        return str(value)
    return format(Decimal(text), "f") if "E" in text else text


def _rfc_csv_text(rows: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in RFC_COLUMNS])
    for row in rows:
        codes = row | {
            "settlement_status": row.get("status_code"),
            "status": row.get("line_status"),
        }
        writer.writerow(
            [
                safe_cell(
                    _rfc_number(codes.get(c)) if c in _RFC_MONEY | _RFC_NUMBERS
                    else "" if codes.get(c) is None else codes.get(c)
                )
                for c in RFC_COLUMNS
            ]
        )  # fmt: skip
    return buffer.getvalue()


def write_csv(
    path: Path, rows: Sequence[dict[str, Any]], *, finnish: bool, lang: str = formats.DEFAULT
) -> None:
    encoding = "utf-8-sig" if finnish else "utf-8"
    path.write_text(csv_text(rows, finnish=finnish, lang=lang), encoding=encoding, newline="")


def xlsx_bytes(
    con: duckdb.DuckDBPyConnection,
    rows: Sequence[dict[str, Any]],
    contract_id: str | None,
    period: str | None,
    lang: str = formats.DEFAULT,
) -> bytes:
    """The workbook: Yhteenveto, Rivit, Oikaisut and Toimitusrivit (see the module)."""
    lang = formats.language(lang)
    buffer = io.BytesIO()
    book = workbook(buffer)
    line_fields = tuple(f for f in LINE_FIELDS if f[0] not in ("net", "net_difference"))
    sheets: tuple[tuple[str, Sequence[tuple[str, ColumnKind]], list[list[object]]], ...] = (
        ("summary", SUMMARY_FIELDS,
         table_rows([r for r in rows if r["indicator"] == TOTAL], SUMMARY_FIELDS, lang)),
        ("lines", line_fields,
         table_rows([r for r in rows if r["indicator"] != TOTAL], line_fields, lang)),
        ("adjustments", ADJUSTMENT_FIELDS,
         table_rows(adjustment_rows(con, contract_id, period, lang), ADJUSTMENT_FIELDS, lang)),
        ("sources", SOURCE_FIELDS, _source_table(con, contract_id, period, lang)),
    )  # fmt: skip
    for sheet, fields, values in sheets:
        xlsx_table(book, messages.text(f"export.sheet.{sheet}", lang), columns(fields, lang),
                   values)  # fmt: skip
    book.close()
    return buffer.getvalue()


def write_xlsx(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    rows: Sequence[dict[str, Any]],
    contract_id: str | None,
    period: str | None,
    lang: str = formats.DEFAULT,
) -> None:
    path.write_bytes(xlsx_bytes(con, rows, contract_id, period, lang))


def adjustment_rows(
    con: duckdb.DuckDBPyConnection,
    contract_id: str | None,
    period: str | None,
    lang: str = formats.DEFAULT,
) -> list[dict[str, Any]]:
    """The gate and cap adjustments of the selected settlements, in the language."""
    found = con.execute(
        """
        SELECT s.contract_id, s.period, s.version, l.adjustment_kind, l.side, l.amount,
               l.counted, l.rule, l.explanation, l.explanation_messages
        FROM settlement_latest s JOIN settlement_line l USING (settlement_id)
        WHERE l.line_kind = 'adjustment'
          AND (?::VARCHAR IS NULL OR s.contract_id = ?) AND (?::VARCHAR IS NULL OR s.period = ?)
        ORDER BY s.contract_id, s.period_start, l.line_no
        """,
        [contract_id, contract_id, period, period],
    ).fetchall()
    yes, no = messages.text("export.yes", lang), messages.text("export.no", lang)
    out = []
    for contract, name, version, kind, side, amount, counted, rule, explanation, stored in found:
        out.append(
            {
                "contract": contract, "period": name, "version": version,
                "adjustment": word("adj", kind, lang), "side": word("export.side", side, lang),
                "amount": amount, "counted": "" if counted is None else yes if counted else no,
                "rule": settle.clause_text(stored, rule, lang),
                "reason": messages.stored_text(stored, explanation, lang),
            }
        )  # fmt: skip
    return out


_BEHIND = (
    """
    WITH chosen AS (
        SELECT settlement_id, contract_id, period, version, period_start, period_end
        FROM settlement_latest
        WHERE (?::VARCHAR IS NULL OR contract_id = ?) AND (?::VARCHAR IS NULL OR period = ?)
    ),"""
    + provenance.USED
    + """,
    behind AS (
        SELECT u.settlement_id, c.contract_id AS contract, c.period AS settled_period,
               c.version AS settled_version, c.period_start AS settled_start, o.*
        FROM used u
        JOIN chosen c USING (settlement_id)
        JOIN observation o ON o.delivery_id = u.delivery_id AND o.contract_id = u.contract_id
         AND o.indicator_id = u.indicator_id AND o.period = u.period
    )
"""
)
"""The delivery rows behind the newest version of each selected settlement (parameters:
contract twice, period twice): of every delivery it used, the rows of its contract within its
period that were current when it was settled (a row that a later delivery of the same set
superseded is not behind it)."""


def source_rows(
    con: duckdb.DuckDBPyConnection,
    contract_id: str | None,
    period: str | None,
    limit: int | None = MAX_SOURCE_ROWS,
) -> list[dict[str, Any]]:
    """The delivery rows behind the selected settlements (`_BEHIND`), each with its file and
    the delivery that has superseded it since, if any; at most `limit` + 1 rows (so that the
    caller knows there were more). Client codes stay out."""
    found = con.execute(
        _BEHIND
        + ","
        + provenance.SUCCESSION
        + """
        SELECT h.settlement_id, h.contract, h.settled_period, h.settled_version,
               h.indicator_id, h.delivery_id, d.file_name, h.source_row, h.period, h.value,
               h.n, h.numerator, h.denominator, h.excluded, h.note, n.superseded_by
        FROM behind h
        JOIN delivery d USING (delivery_id)
        LEFT JOIN succession n ON n.delivery_id = h.delivery_id AND n.contract_id = h.contract_id
         AND n.indicator_id = h.indicator_id AND n.period = h.period
        ORDER BY h.contract, h.settled_start, h.indicator_id, h.period_start, h.delivery_id,
                 h.source_row
        LIMIT ?
        """,
        [contract_id, contract_id, period, period, None if limit is None else limit + 1],
    ).fetchall()
    keys = ("settlement_id", "contract", "period", "version", "indicator", "delivery", "file",
            "source_row", "observed_period", "value", "n", "numerator", "denominator",
            "excluded", "note", "superseded_by")  # fmt: skip
    return [dict(zip(keys, row, strict=True)) for row in found]


def _source_table(
    con: duckdb.DuckDBPyConnection, contract_id: str | None, period: str | None, lang: str
) -> list[list[object]]:
    found = source_rows(con, contract_id, period)
    values = table_rows(found[:MAX_SOURCE_ROWS], SOURCE_FIELDS, lang)
    if len(found) > MAX_SOURCE_ROWS:
        values.append([messages.text("export.more_rows", lang)] + [None] * (len(SOURCE_FIELDS) - 1))
    return values


def notes(
    con: duckdb.DuckDBPyConnection, contract_id: str | None, period: str | None, lang: str
) -> dict[tuple[int, str], str]:
    """Per (settlement id, indicator): the supplier's distinct notes on the rows behind the
    line, in row order, at most MAX_NOTES and how many more."""
    found = con.execute(
        _BEHIND
        + """
        , firsts AS (
            SELECT settlement_id, indicator_id, note,
                   min((period_start, delivery_id, source_row)) AS first
            FROM behind WHERE note IS NOT NULL AND note <> '' GROUP BY ALL
        )
        SELECT settlement_id, indicator_id, list(note ORDER BY first)[1:?], count(*)
        FROM firsts GROUP BY ALL
        """,
        [contract_id, contract_id, period, period, MAX_NOTES],
    ).fetchall()
    shown: dict[tuple[int, str], str] = {}
    for settlement_id, indicator, first_notes, count in found:
        text = " | ".join(first_notes)
        if count > MAX_NOTES:
            text += " " + messages.text("export.more_notes", lang, count=count - MAX_NOTES)
        shown[(int(settlement_id), str(indicator))] = text
    return shown


def export(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    contract_id: str | None,
    period: str | None,
    lang: str = formats.DEFAULT,
) -> int:
    """Write the selected settlements to `path` in the language; the format follows the name:
    `.xlsx`, `.fi.csv` (Finnish Excel) or `.csv` (RFC 4180). Returns the number of rows
    written (lines and totals)."""
    name = path.name.lower()
    if not name.endswith((".xlsx", ".csv")):
        raise ValueError(f"{path}: name the file .csv, .fi.csv or .xlsx")
    rows = export_rows(con, contract_id, period, lang)
    if name.endswith(".xlsx"):
        write_xlsx(path, con, rows, contract_id, period, lang)
    else:
        write_csv(path, rows, finnish=name.endswith(".fi.csv"), lang=lang)
    return len(rows)
