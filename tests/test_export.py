"""Settlement exports a Finnish controller can hand on: an .xlsx (XlsxWriter) with text as text,
amounts as euro numbers and times as dates, and Finnish CSV (`;`, decimal comma, UTF-8 with
BOM, CRLF); headers and words in Finnish (Swedish, English when asked); per line the contract
clause, the deliveries used, the state, preparer and approver; the delivery rows behind the
settlement with the supplier's notes. Built by the real command line from a real CSV
delivery whose note is a formula; every file read back with openpyxl and the csv module."""

import csv
import io
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook

from etl import export, store
from etl.safe_cells import EURO_FORMAT, is_safe
from tests.conftest import TEST_CONTRACT, run_cli, write

NOTE = '=HYPERLINK("http://x.invalid","klik")'
CENT = Decimal("0.01")

DELIVERY = f"""sopimus;mittari;kuukausi;arvo;n;osoittaja;nimittäjä;huomautus
KH-TEST;adl;2025-01;;;80;100;{NOTE.replace('"', '""').join('""')}
KH-TEST;adl;2025-02;;;80;100;
KH-TEST;adl;2025-03;;;80;100;tarkistettu
KH-TEST;nps;2025-01;45;40;;;
KH-TEST;nps;2025-02;45;40;;;
KH-TEST;nps;2025-03;45;40;;;
KH-TEST;rikkeet;2025-01;1;;;;
KH-TEST;rikkeet;2025-02;0;;;;@SUM(1+1)
KH-TEST;rikkeet;2025-03;1;;;;
KH-TEST;mitoitus;2025-01;0,72;;;;
KH-TEST;mitoitus;2025-02;0,72;;;;
KH-TEST;mitoitus;2025-03;0,72;;;;
"""
CORRECTION = "sopimus;mittari;kuukausi;arvo;huomautus\nKH-TEST;rikkeet;2025-02;3;korjattu\n"


@pytest.fixture(scope="module")
def approved_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """KH-TEST 2025-Q1 from one real CSV delivery, settled, prepared by Tuula and approved by
    Heikki through the command line."""
    folder = tmp_path_factory.mktemp("export")
    db = folder / "export.duckdb"
    steps: list[tuple[str | Path, ...]] = [
        ("init",),
        ("contracts", "add", TEST_CONTRACT),
        ("load", write(folder / "toimitus-q1.csv", DELIVERY)),
        ("settle", "--contract", "KH-TEST"),
        ("prepare", "--contract", "KH-TEST", "--period", "2025-Q1", "--by", "Tuula"),
        ("approve", "--contract", "KH-TEST", "--period", "2025-Q1", "--by", "Heikki"),
    ]
    for step in steps:
        status, out = run_cli("--db", db, *step)
        assert status == 0, (step, out)
    return db


@pytest.fixture
def db(approved_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "export.duckdb"
    shutil.copy(approved_db, copy)
    return copy


def cli_export(db: Path, path: Path, *lang: str) -> Path:
    status, out = run_cli("--db", db, *lang, "settle", "--contract", "KH-TEST", "--period",
                          "2025-Q1", "--out", path)  # fmt: skip
    assert status == 0, out
    return path


def stored(db: Path) -> dict[str, Any]:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT bonus_total, sanction_total, net, approved_by, approved_at, prepared_by, "
            "prepared_at FROM settlement_latest WHERE contract_id = 'KH-TEST' "
            "AND period = '2025-Q1'"
        ).fetchone()
        lines = con.execute(
            "SELECT l.indicator_id, l.bonus, l.sanction FROM settlement_latest s "
            "JOIN settlement_line l USING (settlement_id) WHERE s.contract_id = 'KH-TEST' "
            "AND s.period = '2025-Q1' AND l.line_kind = 'indicator'"
        ).fetchall()
    assert row is not None
    keys = ("bonus", "sanction", "net", "approved_by", "approved_at", "prepared_by",
            "prepared_at")  # fmt: skip
    return dict(zip(keys, row, strict=True)) | {"lines": {i: (b, s) for i, b, s in lines}}


def sheets(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every sheet as records (header -> cell), the cells themselves."""
    book = load_workbook(path)
    found = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows())
        header = [c.value for c in rows[0]]
        found[sheet.title] = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    return found


def every_cell(path: Path) -> Iterator[Any]:
    for sheet in load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            yield from row


def cents(value: object) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def finnish_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # CRLF only
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# --- the workbook ----------------------------------------------------------------------------


def test_a_supplier_note_that_is_a_formula_is_text_in_the_workbook(
    db: Path, tmp_path: Path
) -> None:
    path = cli_export(db, tmp_path / "selvitys.xlsx")
    book = sheets(path)
    assert list(book) == ["Yhteenveto", "Rivit", "Oikaisut", "Toimitusrivit"]
    notes = [r["huomautus"] for r in book["Toimitusrivit"] if r["huomautus"].value]
    assert [(c.value, c.data_type) for c in notes] == [
        ("'" + NOTE, "s"), ("tarkistettu", "s"), ("'@SUM(1+1)", "s"),
    ]  # fmt: skip
    adl = next(r for r in book["Rivit"] if r["mittari"].value == "adl")
    assert adl["toimittajan huomautukset"].value == "'" + NOTE + " | tarkistettu"
    assert adl["toimittajan huomautukset"].data_type == "s"


def test_no_cell_of_the_workbook_is_a_formula_and_every_text_is_safe(
    db: Path, tmp_path: Path
) -> None:
    cells = list(every_cell(cli_export(db, tmp_path / "selvitys.xlsx")))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if not is_safe(c.value)] == []


def test_workbook_amounts_are_euro_numbers_equal_to_the_stored_settlement(
    db: Path, tmp_path: Path
) -> None:
    book = sheets(cli_export(db, tmp_path / "selvitys.xlsx"))
    want = stored(db)
    (summary,) = book["Yhteenveto"]
    for header, field in (("bonus", "bonus"), ("sanktio", "sanction"), ("netto", "net")):
        cell = summary[header]
        assert cell.data_type == "n" and cell.number_format == EURO_FORMAT
        assert cents(cell.value) == want[field]
    assert want["net"] == Decimal("2033.33")  # 1 333,33 € + 1 000,00 € bonus − 300,00 €
    for line in book["Rivit"]:
        bonus, sanction = want["lines"][line["mittari"].value]
        assert cents(line["bonus"].value or 0) == (bonus or 0)
        assert cents(line["sanktio"].value or 0) == (sanction or 0)
        assert line["bonus"].number_format == EURO_FORMAT
    assert {line["mittari"].value: line["tulos"].value for line in book["Rivit"]} == {
        "adl": "osittain", "nps": "saavutettu", "rikkeet": "alle minimin",
        "mitoitus": "saavutettu",
    }  # fmt: skip


def test_workbook_shows_state_preparer_approver_clause_and_deliveries(
    db: Path, tmp_path: Path
) -> None:
    book = sheets(cli_export(db, tmp_path / "selvitys.xlsx"))
    want = stored(db)
    (summary,) = book["Yhteenveto"]
    assert summary["tila"].value == "hyväksytty" and summary["laji"].value == "alkuperäinen"
    assert summary["valmistelija"].value == want["prepared_by"] == "Tuula (komentorivi)"
    assert summary["hyväksyjä"].value == want["approved_by"] == "Heikki (komentorivi)"
    approved = summary["hyväksytty (UTC)"]
    assert approved.is_date and approved.number_format == "d.m.yyyy hh.mm.ss"
    assert abs(approved.value - want["approved_at"]) < timedelta(milliseconds=1)
    assert isinstance(summary["valmisteltu (UTC)"].value, datetime)
    assert summary["lähdetoimitukset"].value == "1 toimitus-q1.csv"
    assert summary["sopimus"].data_type == "s" and summary["y-tunnus"].value == "2345678-0"
    for line in book["Rivit"]:
        assert line["sopimuskohta"].value  # the clause of the contract the line applied
        assert line["tila"].value == "hyväksytty"
        assert line["hyväksyjä"].value == "Heikki (komentorivi)"
        assert line["lähdetoimitukset"].value == "1 toimitus-q1.csv"
    rows = book["Toimitusrivit"]
    assert len(rows) == 12 and {r["toimitus"].value for r in rows} == {1}
    assert {r["tiedosto"].value for r in rows} == {"toimitus-q1.csv"}
    assert [r["rivi"].value for r in rows if r["mittari"].value == "adl"] == [2, 3, 4]
    assert {r["korvattu toimituksella"].value for r in rows} == {None}


def test_a_row_superseded_since_the_approval_names_the_delivery_that_superseded_it(
    db: Path, tmp_path: Path
) -> None:
    status, out = run_cli("--db", db, "load", write(tmp_path / "korjaus.csv", CORRECTION))
    assert status == 0, out
    path = tmp_path / "selvitys.xlsx"
    with store.reading(db) as con:  # the approved version, not yet settled again
        export.export(con, path, "KH-TEST", "2025-Q1")
    rows = sheets(path)["Toimitusrivit"]
    superseded = [(r["mittari"].value, r["rivin kausi"].value, r["korvattu toimituksella"].value)
                  for r in rows if r["korvattu toimituksella"].value is not None]  # fmt: skip
    assert superseded == [("rikkeet", "2025-02", 2)]


# --- Finnish CSV -----------------------------------------------------------------------------


def test_finnish_csv_has_finnish_headers_decimal_commas_and_the_note_as_text(
    db: Path, tmp_path: Path
) -> None:
    records = finnish_csv(cli_export(db, tmp_path / "selvitys.fi.csv"))
    want = stored(db)
    total = next(r for r in records if r["mittari"] == "Yhteensä")
    assert total["netto"] == "2033,33"
    assert Decimal(total["netto"].replace(",", ".")) == want["net"]
    assert Decimal(total["sanktio"].replace(",", ".")) == want["sanction"]
    assert (total["tila"], total["hyväksyjä"], total["valmistelija"]) == (
        "hyväksytty", "Heikki (komentorivi)", "Tuula (komentorivi)",
    )  # fmt: skip
    assert total["hyväksytty (UTC)"] == want["approved_at"].strftime(
        f"{want['approved_at'].day}.{want['approved_at'].month}.%Y %H.%M.%S"
    )
    adl = next(r for r in records if r["mittari"] == "adl")
    assert adl["toimittajan huomautukset"] == "'" + NOTE + " | tarkistettu"
    assert adl["lähdetoimitukset"] == "1 toimitus-q1.csv" and adl["sopimuskohta"]
    assert adl["arvo"] == "80" and adl["tulos"] == "osittain"
    for record in records:
        assert all(is_safe(cell) for cell in record.values())
        if record["mittari"] != "Yhteensä":
            bonus, sanction = want["lines"][record["mittari"]]
            assert Decimal((record["bonus"] or "0").replace(",", ".")) == (bonus or 0)
            assert Decimal((record["sanktio"] or "0").replace(",", ".")) == (sanction or 0)


def test_rfc_csv_for_programs_keeps_its_english_ids_codes_and_dot_decimals(
    db: Path, tmp_path: Path
) -> None:
    path = cli_export(db, tmp_path / "selvitys.csv", "--lang", "sv")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == export.RFC_COLUMNS
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    total = next(r for r in records if r["indicator"] == "TOTAL")
    assert (total["net"], total["settlement_status"]) == ("2033.33", "approved")
    assert next(r for r in records if r["indicator"] == "adl")["status"] == "partial"


# --- languages -------------------------------------------------------------------------------


def test_swedish_headers_sheets_and_words(db: Path, tmp_path: Path) -> None:
    book = sheets(cli_export(db, tmp_path / "avrakning.xlsx", "--lang", "sv"))
    assert list(book) == ["Sammandrag", "Rader", "Justeringar", "Leveransrader"]
    (summary,) = book["Sammandrag"]
    assert summary["tillstånd"].value == "godkänd" and summary["godkänd av"].value
    assert summary["netto"].number_format == EURO_FORMAT
    assert cents(summary["netto"].value) == stored(db)["net"]
    note = next(r["anmärkning"] for r in book["Leveransrader"] if r["anmärkning"].value)
    assert (note.value, note.data_type) == ("'" + NOTE, "s")

    records = finnish_csv(cli_export(db, tmp_path / "avrakning.fi.csv", "--lang", "sv"))
    assert list(records[0])[:8] == ["avtal", "tjänsteproducent", "period", "version", "typ",
                                    "tillstånd", "indikator", "resultat"]  # fmt: skip
    assert next(r for r in records if r["indikator"] == "Totalt")["netto"] == "2033,33"


def test_every_language_has_every_export_text() -> None:
    from etl import messages

    keys = {lang: {k for k in messages.catalog(lang) if k.startswith("export.")}
            for lang in ("fi", "sv", "en")}  # fmt: skip
    assert keys["fi"] == keys["sv"] == keys["en"]
    needed = {f"export.col.{name}" for fields in (export.LINE_FIELDS, export.SUMMARY_FIELDS,
              export.ADJUSTMENT_FIELDS, export.SOURCE_FIELDS) for name, _ in fields}  # fmt: skip
    assert needed <= keys["fi"]


# --- limits and older stores -----------------------------------------------------------------


def test_a_workbook_holds_at_most_max_source_rows_and_says_there_are_more(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "MAX_SOURCE_ROWS", 5)
    monkeypatch.setattr(export, "MAX_NOTES", 1)
    path = tmp_path / "selvitys.xlsx"
    with store.reading(db) as con:
        export.export(con, path, "KH-TEST", "2025-Q1")
    book = sheets(path)
    rows = book["Toimitusrivit"]
    assert len(rows) == 6 and rows[-1]["sopimus"].value.startswith("… rivejä on enemmän")
    adl = next(r for r in book["Rivit"] if r["mittari"].value == "adl")
    assert adl["toimittajan huomautukset"].value == "'" + NOTE + " … ja 1 muuta"


def test_a_line_written_before_messages_exports_its_stored_explanation_text(
    db: Path, tmp_path: Path
) -> None:
    # lines settled before migration 006 hold English text and no messages
    with duckdb.connect(str(db)) as con:
        con.execute(
            "UPDATE settlement_line SET explanation = 'Value 80 (n = 100): achieved.', "
            "explanation_messages = NULL WHERE line_kind = 'indicator'"
        )
    with store.reading(db) as con:
        rows = export.export_rows(con, "KH-TEST", "2025-Q1")
        explained = con.execute(
            "SELECT l.indicator_id, coalesce(l.explanation, '') FROM settlement_latest s "
            "JOIN settlement_line l USING (settlement_id) WHERE s.contract_id = 'KH-TEST' "
            "AND s.period = '2025-Q1' AND l.line_kind = 'indicator'"
        ).fetchall()
    assert {
        r["indicator"]: r["explanation"] for r in rows if r["indicator"] != export.TOTAL
    } == dict(explained)
    assert set(dict(explained).values()) == {"Value 80 (n = 100): achieved."}
