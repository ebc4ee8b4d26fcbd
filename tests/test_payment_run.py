"""A payment run: a period's settlements across all contracts (originals whose period ends in
it, corrections settled in it, as their difference), totals per supplier, prepare and
approve all under the four-eyes rule, and the payment file for the payment system; on a copy
of the demo database built by the real CLI."""

import csv
import io
import json
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from contracts.periods import period_containing
from etl import payment_run, store
from etl.formats import euros
from etl.safe_cells import EURO_FORMAT, is_safe
from tests.conftest import run_cli
from tests.demo_users import open_as, show, shown
from tests.e2e.demo_db import copy_db, demo_template

HEADERS = ["y-tunnus", "toimittaja", "sopimus", "kausi", "versio", "laji", "tila",
           "korjaa versiota", "bonus", "sanktio", "netto (maksetaan)", "valmistelija",
           "valmisteltu (UTC)", "hyväksyjä", "hyväksytty (UTC)"]  # fmt: skip
CENT = Decimal("0.01")
Q1_2025 = [
    ("KH-2024-001", "2025-Q1", 1, "approved"),
    ("KH-2024-002", "2025-01", 1, "draft"),
    ("KH-2024-002", "2025-02", 1, "draft"),
    ("KH-2024-002", "2025-03", 1, "draft"),
    ("KH-2024-003", "2025-Q1", 1, "draft"),
    ("TPA-2024-001", "2025-01", 1, "draft"),
    ("TPA-2024-001", "2025-02", 1, "draft"),
    ("TPA-2024-001", "2025-03", 1, "draft"),
    ("TPA-2024-002", "2025-Q1", 1, "draft"),
    ("TY-2024-001", "2025-Q1", 1, "draft"),
]


@pytest.fixture(scope="module")
def demo_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_template(request.config, tmp_path_factory.mktemp("payment-run-demo"))


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    return copy_db(demo_db, tmp_path)


def cli(db: Path, *args: str | Path) -> tuple[int, str]:
    return run_cli("--db", db, *args)


def run_rows(db: Path, period: str) -> list[payment_run.RunRow]:
    with store.reading(db) as con:
        return payment_run.rows(con, period)


def membership(db: Path, period: str) -> list[tuple[str, str, int, str]]:
    return sorted((r.contract_id, r.period, r.version, r.status) for r in run_rows(db, period))


def correction_run(db: Path) -> str:
    """The quarter the demo's correction (KH-2024-001 2025-Q1 v2) was settled in."""
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT created_at FROM settlement WHERE kind = 'correction'").fetchone()
    assert row is not None
    return period_containing(row[0].date(), "quarter").name


def audit_rows(db: Path, action: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT actor_name, outcome, contract_id, period, detail FROM audit_event "
            "WHERE action = ? ORDER BY event_id",
            [action],
        ).fetchall()


def test_a_run_holds_the_originals_whose_period_ends_in_it(db: Path) -> None:
    assert membership(db, "2025-Q1") == Q1_2025
    halves = [(c, p) for c, p, _, _ in membership(db, "2025-Q2") if p.endswith("H1")]
    assert halves == [("LS-2024-001", "2025-H1"), ("TPA-2024-003", "2025-H1")]
    assert ("PK-2024-001", "2025", 1, "draft") in membership(db, "2025-Q4")
    assert membership(db, "2025-02") == [r for r in Q1_2025 if r[1] == "2025-02"]


def test_the_totals_per_supplier_are_the_sums_of_its_settlements_to_the_cent(db: Path) -> None:
    run = run_rows(db, "2025-Q1")
    with duckdb.connect(str(db), read_only=True) as con:
        stored = {
            (c, p): (b, s, n)
            for c, p, b, s, n in con.execute(
                "SELECT contract_id, period, bonus_total, sanction_total, net FROM settlement "
                "WHERE status <> 'replaced' AND kind = 'original'"
            ).fetchall()
        }
    for total in payment_run.totals(run):
        mine = [stored[(r.contract_id, r.period)] for r in run if r.supplier == total.supplier]
        assert total.bonus == sum((m[0] for m in mine), Decimal(0))
        assert total.sanction == sum((m[1] for m in mine), Decimal(0))
        assert total.net == sum((m[2] for m in mine), Decimal(0))
    by_name = {t.supplier: t for t in payment_run.totals(run)}
    aalto = by_name["Hoiva Aalto Oy"]
    assert (aalto.business_id, aalto.rows, aalto.net, aalto.approved_net) == (
        "2345678-0", 2, Decimal("8400.00"), Decimal("9000.00"),
    )  # fmt: skip
    assert by_name["Palvelukoti Kaski Oy"].net == Decimal("2637.50")
    assert by_name["Kotihoiva Koivu Oy"].sanction == Decimal("800.00")


def test_a_correction_is_in_the_run_it_was_settled_in_as_its_difference_only(db: Path) -> None:
    assert next(r for r in run_rows(db, "2025-Q1") if r.contract_id == "KH-2024-001").version == 1
    correction = [r for r in run_rows(db, correction_run(db)) if r.kind == "correction"]
    assert len(correction) == 1
    row = correction[0]
    assert (row.contract_id, row.period, row.version, row.corrects_version, row.state) == (
        "KH-2024-001", "2025-Q1", 2, 1, "correction-pending",
    )  # fmt: skip
    assert (row.payable, row.bonus, row.sanction) == (
        Decimal("-2440.51"), Decimal("-2440.51"), Decimal("0.00"),
    )  # fmt: skip
    status, out = cli(db, "payment-run", "--period", correction_run(db))
    assert status == 0
    assert re.search("KH-2024-001  2025-Q1 +2  oikaisu +luonnos +−2\u00a0440,51\u00a0€", out)
    status, out = cli(db, "--lang", "sv", "payment-run", "--period", correction_run(db))
    assert status == 0
    assert out.startswith(f"betalningskörning {correction_run(db)}\n")
    assert re.search("KH-2024-001  2025-Q1 +2  korrigering +utkast +−2\u00a0440,51\u00a0€", out)
    assert out.splitlines()[-1] == "1 avräkningar, varav 0 godkända"


def test_one_prepares_the_run_another_approves_it_and_the_same_person_is_refused(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = cli(db, "payment-run", "--period", "2025-Q1", "--prepare", "--by", "Tuula")
    assert status == 0, out
    assert (
        "selvityksiä valmisteltu 9, valmistelija Tuula (komentorivi), yhdellä kirjoituksella" in out
    )
    assert membership(db, "2025-Q1") == [
        (c, p, v, "prepared" if s == "draft" else s) for c, p, v, s in Q1_2025
    ]
    status, out = cli(db, "payment-run", "--period", "2025-Q1", "--approve", "--by", "Tuula")
    assert (status, out) == (2, "")
    assert "sama henkilö ei voi valmistella ja hyväksyä" in capsys.readouterr().err
    assert {s for _, _, _, s in membership(db, "2025-Q1")} == {"prepared", "approved"}
    refused = audit_rows(db, "approve")[-1]
    assert refused[:4] == ("Tuula", "refused", None, "2025-Q1")
    assert json.loads(str(refused[4]))["payment_run"] == "2025-Q1"

    status, out = cli(db, "payment-run", "--period", "2025-Q1", "--approve", "--by", "Heikki")
    assert status == 0, out
    assert {s for _, _, _, s in membership(db, "2025-Q1")} == {"approved"}
    done = [r for r in audit_rows(db, "approve") if r[1] == "done" and r[0] == "Heikki"]
    assert len(done) == 9
    assert all(json.loads(str(r[4])) == {"payment_run": "2025-Q1"} for r in done)
    prepared = [r for r in audit_rows(db, "prepare") if r[0] == "Tuula"]
    assert len(prepared) == 9

    status, _ = cli(db, "payment-run", "--period", "2025-Q1", "--approve", "--by", "Heikki")
    assert status == 2
    assert "ei ole yhtään selvitystä tilassa valmisteltu" in capsys.readouterr().err


def test_a_step_needs_a_name(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(db, "payment-run", "--period", "2025-Q1", "--prepare")[0] == 2
    assert "--prepare tarvitsee valinnan --by NIMI" in capsys.readouterr().err
    assert cli(db, "payment-run", "--period", "2025-Q5")[0] == 2


def test_the_payment_file_holds_the_approved_rows_and_is_recorded(db: Path, tmp_path: Path) -> None:
    assert cli(db, "payment-run", "--period", "2025-Q1", "--prepare", "--by", "Tuula")[0] == 0
    assert cli(db, "payment-run", "--period", "2025-Q1", "--approve", "--by", "Heikki")[0] == 0
    xlsx, fi_csv = tmp_path / "maksuajo.xlsx", tmp_path / "maksuajo.csv"
    status, out = cli(db, "payment-run", "--period", "2025-Q1", "--out", xlsx, "--by", "Reija")
    assert status == 0, out
    assert "kirjoitettu 10 hyväksyttyä riviä" in out
    assert cli(db, "payment-run", "--period", "2025-Q1", "--out", fi_csv, "--by", "Reija")[0] == 0

    book = load_workbook(xlsx)
    assert book.sheetnames == ["Maksuajo", "Toimittajittain"]
    sheet = book["Maksuajo"]
    values = list(sheet.values)
    assert list(values[0]) == payment_run.headers("fi") == HEADERS
    first = dict(zip(HEADERS, values[1], strict=True))
    assert (first["y-tunnus"], first["sopimus"], first["kausi"], first["versio"]) == (
        "2345678-0", "KH-2024-001", "2025-Q1", 1,
    )  # fmt: skip
    assert (first["laji"], first["tila"]) == ("alkuperäinen", "hyväksytty")
    assert first["netto (maksetaan)"] == 9000
    assert first["hyväksyjä"] == "Talous / hyväksyjä (komentorivi)"
    assert first["valmistelija"] == "Talous / valmistelija (komentorivi)"
    assert isinstance(first["hyväksytty (UTC)"], datetime)
    assert isinstance(first["valmisteltu (UTC)"], datetime)
    payable = HEADERS.index("netto (maksetaan)") + 1
    for column in (payable, payable - 1, payable - 2):  # net, sanction, bonus
        assert sheet.cell(row=2, column=column).number_format == EURO_FORMAT
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert [c for row in book.worksheets for line in row.iter_rows() for c in line
            if c.data_type == "f"] == []  # fmt: skip
    kaski = next(dict(zip(HEADERS, r, strict=True)) for r in values[1:]
                 if r[2] == "TPA-2024-001" and r[3] == "2025-01")  # fmt: skip
    assert (kaski["y-tunnus"], kaski["netto (maksetaan)"], kaski["hyväksyjä"]) == (
        "3058112-5", -1900, "Heikki (komentorivi)",
    )  # fmt: skip
    # to the cent: every amount of the file is the stored one
    run = {(r.contract_id, r.period, r.version): r for r in run_rows(db, "2025-Q1")}
    for line in values[1:]:
        record = dict(zip(HEADERS, line, strict=True))
        row = run[(record["sopimus"], record["kausi"], record["versio"])]
        assert Decimal(str(record["netto (maksetaan)"])).quantize(CENT) == row.payable
        assert Decimal(str(record["bonus"])).quantize(CENT) == row.bonus
        assert Decimal(str(record["sanktio"])).quantize(CENT) == row.sanction
    totals = list(book["Toimittajittain"].values)
    assert totals[0] == ("y-tunnus", "toimittaja", "selvityksiä", "bonus", "sanktio",
                         "netto (maksetaan)")  # fmt: skip
    assert [(t[1], t[2], Decimal(str(t[5])).quantize(CENT)) for t in totals[1:]] == [
        (t.supplier, t.rows, t.approved_net) for t in payment_run.totals(list(run.values()))
    ]

    raw = fi_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.count("\r\n") == text.count("\n")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == HEADERS
    assert len(lines) == 11
    assert lines[1][:11] == ["2345678-0", "Hoiva Aalto Oy", "KH-2024-001", "2025-Q1", "1",
                             "alkuperäinen", "hyväksytty", "", "9000,00", "0,00",
                             "9000,00"]  # fmt: skip
    assert [r[10] for r in lines if r[2] == "TPA-2024-001"] == ["-1900,00", "2187,50", "2350,00"]

    exports = [r for r in audit_rows(db, "export") if r[0] == "Reija"]
    assert [json.loads(str(r[4]))["format"] for r in exports] == ["xlsx", "csv"]
    detail = json.loads(str(exports[0][4]))
    assert (detail["what"], detail["payment_run"], detail["rows"], detail["not_approved"]) == (
        "payment-run", "2025-Q1", 10, 0,
    )  # fmt: skip


def test_rows_not_yet_approved_are_left_out_of_the_payment_file(db: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "korjaus.csv"
    period = correction_run(db)
    status, out = cli(db, "payment-run", "--period", period, "--out", out_file, "--by", "Reija")
    assert status == 0, out
    assert "kirjoitettu 0 hyväksyttyä riviä" in out and "1 vielä hyväksymätöntä jätetty pois" in out
    lines = out_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines == [";".join(HEADERS)]

    assert cli(db, "payment-run", "--period", period, "--prepare", "--by", "Tuula")[0] == 0
    assert cli(db, "payment-run", "--period", period, "--approve", "--by", "Heikki")[0] == 0
    assert cli(db, "payment-run", "--period", period, "--out", out_file, "--by", "Reija")[0] == 0
    row = next(csv.reader(out_file.read_text(encoding="utf-8-sig").splitlines()[1:],
                          delimiter=";"))  # fmt: skip
    assert row[2:8] == ["KH-2024-001", "2025-Q1", "2", "oikaisu", "hyväksytty", "1"]
    assert row[10] == "-2440,51"
    assert (row[11], row[13]) == ("Tuula (komentorivi)", "Heikki (komentorivi)")


# --- the Maksuajo page -----------------------------------------------------------------------

PAGE = Path(__file__).resolve().parents[1] / "dashboard" / "views" / "maksuajo.py"


@pytest.fixture
def page_db(db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo database, shown to a signed-in demo user."""
    return show(db, monkeypatch)


def page(user: str = "demo-valmistelija", lang: str = "fi", **state: object) -> AppTest:
    return open_as(PAGE, user, lang, state=state)


def shown_text(at: AppTest, table: int, column: str, row: int) -> str:
    """What the table shows in a cell (its number written in the page's language)."""
    text: str = shown(at.dataframe[table]).iloc[row][column]
    return text


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_the_page_shows_the_run_its_states_and_totals_per_supplier(page_db: Path) -> None:
    at = page(run_period="2025-Q1")
    no_exception(at)
    assert at.title[0].value == "Maksuajo"
    shown = at.dataframe[0].value
    assert len(shown) == 10
    first = shown.iloc[0].to_dict()
    # amounts are numbers (the table sorts them as numbers), written as euros on screen
    assert (first["Y-tunnus"], first["Sopimus"], first["Tila"], first["Netto (maksetaan)"]) == (
        "2345678-0", "KH-2024-001", "hyväksytty", Decimal("9000.00"),
    )  # fmt: skip
    sums = at.dataframe[1].value.set_index("Palveluntuottaja")
    assert sums.loc["Hoiva Aalto Oy", "Netto"] == Decimal("8400.00")
    assert sums.loc["Hoiva Aalto Oy", "Hyväksytty netto"] == Decimal("9000.00")
    assert sums.loc["Palvelukoti Kaski Oy", "Netto"] == Decimal("2637.50")
    assert shown_text(at, 1, "Netto", 0) == euros("8400", "fi") == "8\xa0400,00\xa0€"
    assert [b.label for b in at.button] == ["Valmistele kaikki (9)"]
    assert len(at.get("download_button")) == 2
    assert "vain hyväksytyt rivit (1); 9 hyväksymätöntä" in at.caption[-1].value


def test_the_page_shows_a_correction_as_its_difference(page_db: Path) -> None:
    at = page(lang="en", run_period=correction_run(page_db))
    no_exception(at)
    row = at.dataframe[0].value.iloc[0].to_dict()
    assert (row["Contract"], row["Period"], row["Version"], row["Corrects version"]) == (
        "KH-2024-001", "2025-Q1", 2, "v1",
    )  # fmt: skip
    assert (row["Status"], row["Net (to pay)"]) == (
        "correction pending (draft)",
        Decimal("-2440.51"),
    )
    assert shown_text(at, 0, "Net (to pay)", 0) == "−€2,440.51"


def test_the_page_prepares_all_and_another_user_approves_all(page_db: Path) -> None:
    at = page(run_period="2025-Q1")
    at.button(key="prepare_all").click()
    at.run()
    no_exception(at)
    assert at.success[0].value == (
        "9 selvitystä valmisteltu. Toinen talouden käyttäjä hyväksyy ne."
    )
    at.button(key="approve_all").click()
    at.run()
    no_exception(at)
    assert "sama henkilö ei voi valmistella ja hyväksyä" in at.error[0].value
    assert membership(page_db, "2025-Q1") == [
        (c, p, v, "prepared" if s == "draft" else s) for c, p, v, s in Q1_2025
    ]
    other = page("demo-hyvaksyja", run_period="2025-Q1")
    other.button(key="approve_all").click()
    other.run()
    no_exception(other)
    assert other.success[0].value == "9 selvitystä hyväksytty ja lukittu."
    assert {s for _, _, _, s in membership(page_db, "2025-Q1")} == {"approved"}
    assert not other.button
    approvers = set(other.dataframe[0].value["Hyväksyjä"])
    assert "Heikki Hyväksyjä (heikki.hyvaksyja@demo.invalid)" in approvers


@pytest.mark.parametrize("user", ["demo-sopimus", "demo-toimittaja", "demo-johto"])
def test_the_page_is_finance_only(page_db: Path, user: str) -> None:
    at = page(user)
    no_exception(at)
    assert at.error[0].value == "Sinulla ei ole oikeutta tähän sivuun."
    assert not at.dataframe


def test_every_text_cell_of_the_payment_file_is_safe_to_open() -> None:
    hostile = payment_run.RunRow(
        "KH-1", "=HYPERLINK(\"http://x\")", "2345678-0", "2025-Q1", 1, 1, "original",
        "approved", Decimal("1.00"), Decimal("0.00"), Decimal("-5.00"), None, "+cmd|' /C calc'!A0",
        "@SUM(1)", datetime(2025, 4, 2, 8, 0), datetime(2025, 4, 1, 9, 30),
    )  # fmt: skip
    lines = list(csv.reader(io.StringIO(payment_run.csv_bytes([hostile]).decode("utf-8-sig")),
                            delimiter=";"))  # fmt: skip
    assert all(is_safe(cell) for cell in lines[1])
    record = dict(zip(HEADERS, lines[1], strict=True))
    assert (record["toimittaja"], record["netto (maksetaan)"], record["hyväksyjä"]) == (
        '\'=HYPERLINK("http://x")', "-5,00", "'@SUM(1)",
    )  # fmt: skip
    assert record["valmistelija"] == "'+cmd|' /C calc'!A0"
    assert record["hyväksytty (UTC)"] == "2.4.2025 08.00.00"
    book = load_workbook(io.BytesIO(payment_run.xlsx_bytes([hostile])))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert all(is_safe(c.value) for c in cells)
    row = dict(zip(HEADERS, book["Maksuajo"][2], strict=True))
    assert row["toimittaja"].data_type == "s"
    assert row["toimittaja"].value == '\'=HYPERLINK("http://x")'
    assert row["netto (maksetaan)"].value == -5
    assert row["netto (maksetaan)"].number_format == EURO_FORMAT


def test_the_payment_file_in_swedish(db: Path, tmp_path: Path) -> None:
    assert cli(db, "payment-run", "--period", "2025-Q1", "--prepare", "--by", "Tuula")[0] == 0
    assert cli(db, "payment-run", "--period", "2025-Q1", "--approve", "--by", "Heikki")[0] == 0
    xlsx, fi_csv = tmp_path / "betalning.xlsx", tmp_path / "betalning.csv"
    for path in (xlsx, fi_csv):
        status, out = cli(db, "--lang", "sv", "payment-run", "--period", "2025-Q1", "--out",
                          path, "--by", "Reija")  # fmt: skip
        assert status == 0, out
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Betalningskörning", "Per leverantör"]
    header = [c.value for c in book["Betalningskörning"][1]]
    assert header[:7] == ["FO-nummer", "tjänsteproducent", "avtal", "period", "version", "typ",
                          "tillstånd"]  # fmt: skip
    first = dict(zip(header, [c.value for c in book["Betalningskörning"][2]], strict=True))
    assert (first["typ"], first["tillstånd"], first["netto (betalas)"]) == (
        "ursprunglig", "godkänd", 9000,
    )  # fmt: skip
    lines = list(csv.reader(io.StringIO(fi_csv.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert lines[0] == header and lines[1][10] == "9000,00"
