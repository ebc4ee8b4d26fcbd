"""Exports are safe to open: no text cell of a CSV or .xlsx we write starts with `=`, `+`,
`-` (unless it is a number), `@`, a tab or a carriage return (OWASP CSV injection). Hostile
text comes in the real way: contract terms added with the CLI, a delivery loaded with it;
the files come from `vaikuttavuus settle --out` and from the dashboard's export function."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl.safe_cells import FORMULA_STARTS, is_safe, safe_cell, safe_text, xlsx_cell
from tests.conftest import run_cli, write

# (contract id, supplier name): each a formula a spreadsheet would run or start
SUPPLIERS = {
    "-A1": '=HYPERLINK("http://127.0.0.2/?d="&A1,"Avaa")',
    "KH-TAB": "\t=1+1",
    "KH-CR": "\r=1+1",
    "KH-AT": "@SUM(1+1)*cmd|' /C calc'!A0",
    "KH-PLUS": "+cmd|' /C calc'!A0",
    "KH-MINUS": "-2+3+cmd|' /C calc'!A0",
}


def toml_string(text: str) -> str:
    """A TOML basic string holding `text` exactly."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\t", "\\t").replace("\r", "\\r") + '"'


def contract_text(contract_id: str, supplier: str) -> str:
    return f"""
format = 1
id = "{contract_id}"
title = {toml_string('=HYPERLINK("http://127.0.0.2/","' + contract_id + '")')}
service = "kotihoito"
buyer = "@SUM(1+1)"
supplier = {{ name = {toml_string(supplier)}, business_id = "2345678-0" }}
start = 2025-01-01
end = 2025-12-31
period = "quarter"
period_value = 100000.00

[payment]
sanction_cap = {{ eur = 1500.00 }}

[[indicator]]
id = "-B2"
name = "+SUM(1+1)"
theme = "vaikuttavuus"
unit = "=%"
direction = "higher"
aggregate = "ratio"
per = 100
min_n = 1
levels = [{{ from = 2025-01-01, minimum = 70, target = 85 }}]
bonus = {{ scale = "linear", eur = 2000.00 }}
sanction = {{ below = "minimum", eur = 1000.00 }}

[[indicator]]
id = "nps"
name = {{ fi = "@NOW()", sv = "-1+1", en = {toml_string(chr(9) + "=1")} }}
theme = "asiakaskokemus"
unit = "NPS"
direction = "higher"
aggregate = "mean"
min_n = 1
levels = [{{ from = 2025-01-01, minimum = 20, target = 40 }}]
bonus = {{ scale = "binary", eur = 1000.00 }}
sanction = {{ below = "minimum", eur = 1000.00 }}
"""


NOTE = '=HYPERLINK("http://127.0.0.2/?"&A1,"Lisätieto")'
CLIENTS = ("=1+2", "@A1")


def delivery_text() -> str:
    """Every contract: Q1 below the minimum on both indicators (two sanctions, capped: net
    −1 500,00 €), Q2 achieved; record-level NPS rows with hostile client codes and notes."""
    buffer = io.StringIO()
    rows = csv.writer(buffer, delimiter=";", lineterminator="\n")
    rows.writerow(["sopimus", "mittari", "kuukausi", "arvo", "osoittaja", "nimittäjä",
                   "asiakas", "huomautus"])  # fmt: skip
    for contract in SUPPLIERS:
        rows.writerow([contract, "-B2", "2025-02", "", "50", "100", "", NOTE])
        rows.writerow([contract, "-B2", "2025-05", "", "90", "100", "", "-" + NOTE])
        for client in CLIENTS:
            rows.writerow([contract, "nps", "2025-02", "10", "", "", client, "+" + NOTE])
            rows.writerow([contract, "nps", "2025-05", "50", "", "", client, "@" + NOTE])
    return buffer.getvalue()


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the hostile contracts and their delivery, settled."""
    folder = tmp_path_factory.mktemp("injection")
    db = folder / "hostile.duckdb"
    assert run_cli("--db", db, "init")[0] == 0
    files = []
    for index, (contract, supplier) in enumerate(SUPPLIERS.items()):
        files.append(write(folder / f"contract-{index}.toml", contract_text(contract, supplier)))
    status, out = run_cli("--db", db, "contracts", "add", *files)
    assert status == 0, out
    status, out = run_cli("--db", db, "load", write(folder / "toimitus.csv", delivery_text()))
    assert status == 0, out
    status, out = run_cli("--db", db, "settle")
    assert status == 0, out
    return db


def cli_export(db: Path, path: Path) -> Path:
    status, out = run_cli("--db", db, "settle", "--out", path)
    assert status == 0, out
    return path


def csv_cells(path: Path, delimiter: str, encoding: str) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def xlsx_cells(content: bytes) -> Iterator[tuple[str, object, str]]:
    """(sheet, value, openpyxl's data type) of every cell of every sheet."""
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield sheet.title, cell.value, cell.data_type


FINNISH_NAMES = {"supplier": "toimittaja", "contract": "sopimus", "indicator": "mittari",
                 "period": "kausi", "net": "netto", "TOTAL": "Yhteensä"}  # fmt: skip
"""The Finnish CSV's headers (and total row) for the RFC 4180 CSV's English ids."""


def assert_csv_safe(rows: list[list[str]], decimal_comma: bool) -> None:
    header = rows[0]
    unsafe = [cell for row in rows for cell in row if not is_safe(cell)]
    assert unsafe == []

    def name(key: str) -> str:
        return FINNISH_NAMES[key] if decimal_comma else key

    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert {r[name("supplier")] for r in records} == {"'" + s for s in SUPPLIERS.values()}
    assert {r[name("contract")] for r in records} == {"'-A1"} | (set(SUPPLIERS) - {"-A1"})
    assert {r[name("indicator")] for r in records} == {"'-B2", "nps", name("TOTAL")}
    # numbers stay numbers: Q1's capped sanctions give a negative net, written bare
    net = {(r[name("contract")], r[name("period")]): r[name("net")] for r in records
           if r[name("indicator")] == name("TOTAL")}  # fmt: skip
    assert net[("KH-AT", "2025-Q1")] == ("-1500,00" if decimal_comma else "-1500.00")
    assert net[("'-A1", "2025-Q2")] == ("3000,00" if decimal_comma else "3000.00")
    assert not any(cell in CLIENTS for row in rows for cell in row)  # client codes stay out
    if not decimal_comma:  # the RFC 4180 CSV for programs has no notes
        assert NOTE not in "\n".join(",".join(row) for row in rows)
        return
    # the supplier's notes are there, as text
    notes = {r["toimittajan huomautukset"] for r in records if r["mittari"] == "'-B2"}
    assert notes == {"'" + NOTE, "'-" + NOTE, ""}  # Q1, Q2, and the periods without data
    assert {r["toimittajan huomautukset"] for r in records if r["mittari"] == "nps"} == {
        "'+" + NOTE, "'@" + NOTE, "",
    }  # fmt: skip


def assert_xlsx_safe(content: bytes) -> None:
    cells = list(xlsx_cells(content))
    assert [c for c in cells if c[2] == "f"] == []  # not one formula
    assert [c for c in cells if not is_safe(c[1])] == []
    texts = {value for _, value, _ in cells if isinstance(value, str)}
    # XML reads a bare carriage return as a line feed (Excel does the same)
    assert {"'" + s.replace("\r", "\n") for s in SUPPLIERS.values()} <= texts
    assert {"'-A1", "'-B2"} <= texts
    numbers = [value for _, value, _ in cells if isinstance(value, int | float)]
    assert -1500 in numbers  # the capped Q1 net: a number cell, not text
    assert not any(t in CLIENTS for t in texts)  # client codes stay out
    notes = {t for t in texts if NOTE in t}
    assert {"'" + NOTE, "'-" + NOTE, "'+" + NOTE, "'@" + NOTE} <= notes
    assert all(t.startswith("'") for t in notes)


def test_cli_csv_export_writes_no_formula(hostile_db: Path, tmp_path: Path) -> None:
    path = cli_export(hostile_db, tmp_path / "selvitys.csv")
    assert_csv_safe(csv_cells(path, ",", "utf-8"), decimal_comma=False)


def test_cli_finnish_csv_export_writes_no_formula(hostile_db: Path, tmp_path: Path) -> None:
    path = cli_export(hostile_db, tmp_path / "selvitys.fi.csv")
    assert_csv_safe(csv_cells(path, ";", "utf-8-sig"), decimal_comma=True)


def test_cli_xlsx_export_writes_no_formula(hostile_db: Path, tmp_path: Path) -> None:
    path = cli_export(hostile_db, tmp_path / "selvitys.xlsx")
    assert_xlsx_safe(path.read_bytes())
    sheets = {sheet for sheet, _, _ in xlsx_cells(path.read_bytes())}
    assert sheets == {"Yhteenveto", "Rivit", "Oikaisut", "Toimitusrivit"}


def test_dashboard_downloads_write_no_formula(
    hostile_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import data

    monkeypatch.setenv("VAIKUTTAVUUS_DB", str(hostile_db))
    for contract in SUPPLIERS:
        for period in ("2025-Q1", "2025-Q2"):
            xlsx = data.export_files(data.db_ref(), contract, period, "xlsx", "fi")
            fi_csv = data.export_files(data.db_ref(), contract, period, "csv", "fi")
            assert_xlsx_cells_safe(xlsx)
            rows = list(csv.reader(io.StringIO(fi_csv.decode("utf-8-sig")), delimiter=";"))
            assert [cell for row in rows for cell in row if not is_safe(cell)] == []
            assert {row[1] for row in rows[1:]} == {"'" + SUPPLIERS[contract]}


def assert_xlsx_cells_safe(content: bytes) -> None:
    cells = list(xlsx_cells(content))
    assert [c for c in cells if c[2] == "f" or not is_safe(c[1])] == []


# --- the rule itself -------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_starting_like_a_formula_gets_an_apostrophe(start: str) -> None:
    text = start + "cmd|' /C calc'!A0"
    assert safe_text(text) == "'" + text
    assert is_safe(safe_text(text)) and not is_safe(text)


@pytest.mark.parametrize(
    "text", ["-2440.51", "-2440,51", "+5", "-0.5", "-1e3", "Hoiva Aalto Oy", "", "a=1", "'=1"]
)
def test_numbers_and_ordinary_text_stay_as_they_are(text: str) -> None:
    assert safe_text(text) == text


def test_cells_that_are_not_text_stay_as_they_are() -> None:
    for value in (Decimal("-1500.00"), -3, None, 2.5, True):
        assert safe_cell(value) == value and xlsx_cell(value) == value


def test_xlsx_text_loses_only_the_characters_a_workbook_cannot_hold() -> None:
    assert xlsx_cell("a\x01b\tc\r\nd\re") == "a\ufffdb\tc\nd\ne"
    assert xlsx_cell("\x00=1") == "\ufffd=1"
    assert xlsx_cell("=1") == "'=1"
