"""Settlements from stored deliveries: versions, approval, corrections, exports, ranking."""

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl import settle, store
from etl.access import cli_actor
from tests.conftest import REPO, SHARED, data_digest, run_cli
from tests.e2e.demo_db import demo_template

SAMPLE = REPO / "sample_data"
AALTO = SAMPLE / "deliveries" / "hoiva-aalto"
GOLDEN = Path(__file__).resolve().parent / "golden" / "sample_settlements.csv"


@pytest.fixture(scope="session")
def demo_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample database, built by the real ETL exactly as `make demo` builds it (once per
    change of its sources: tests/e2e/demo_db.py keeps the built file in pytest's cache)."""
    return demo_template(request.config, tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo(demo_store: Path, tmp_path: Path) -> Path:
    """A private copy of the sample database for a test that writes."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_store, path)
    return path


@pytest.fixture
def aalto(tmp_path: Path) -> Path:
    """Hoiva Aalto's two contracts with its original 2024–2025 deliveries, settled, nothing
    approved."""
    path = tmp_path / "aalto.duckdb"
    assert run_cli("--db", path, "init")[0] == 0
    terms = [SAMPLE / "contracts" / f"{c}.toml" for c in ("KH-2024-001", "TPA-2024-002")]
    assert run_cli("--db", path, "contracts", "add", *terms)[0] == 0
    originals = sorted(AALTO.glob("aalto-*.csv"))
    assert len(originals) == 8
    status, out = run_cli("--db", path, "load", *originals)
    assert status == 0, out
    assert run_cli("--db", path, "settle")[0] == 0
    return path


def lines_of(db: Path, contract: str, period: str, version: int) -> list[tuple[object, ...]]:
    with store.reading(db) as con:
        return con.execute(
            "SELECT l.* FROM settlement_line l JOIN settlement s USING (settlement_id) "
            "WHERE s.contract_id = ? AND s.period = ? AND s.version = ? ORDER BY l.line_no",
            [contract, period, version],
        ).fetchall()


def test_public_check_cases_pass_from_the_cli() -> None:
    cases = sorted((SHARED / "cases").glob("*.toml"))
    status, out = run_cli("check", *cases)
    assert status == 0, out
    assert out.splitlines()[-1] == f"läpi {len(cases)}, ei läpi 0"


def test_check_names_each_difference_and_a_malformed_case(tmp_path: Path) -> None:
    case = (SHARED / "cases" / "01-linear-scale.toml").read_text(encoding="utf-8")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(case.replace('bonus = "125000.00"', 'bonus = "125000.01"'), encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(case.replace('status = "partial"', 'status = "partial"\ncolour = 1'))
    status, out = run_cli("check", wrong, broken)
    assert status == 2
    lines = out.splitlines()
    assert lines[0].startswith(f"EI LÄPI {wrong}")
    assert "  2019 flu bonus: odotettiin 125000.01, saatiin 125000.00" in lines
    assert any(line.startswith(f"VIRHE {broken}") and "colour" in line for line in lines)
    assert lines[-1] == "läpi 0, ei läpi 2"
    status, out = run_cli("--lang", "sv", "check", wrong, broken)
    assert status == 2
    lines = out.splitlines()
    assert lines[0].startswith(f"UNDERKÄND {wrong}")
    assert any(line.startswith(f"FEL {broken}") and "colour" in line for line in lines)
    assert lines[-1] == "0 godkända, 2 underkända"


def test_settling_again_with_nothing_changed_creates_no_version(demo: Path) -> None:
    status, out = run_cli("--db", demo, "settle")
    assert status == 0
    assert out.splitlines()[-1] == (
        "selvityksiä 90: uusia 0, uusia luonnoksia 0, oikaisuja 0, ennallaan 90"
    )
    status, out = run_cli("--db", demo, "--lang", "sv", "settle")
    assert status == 0
    assert out.splitlines()[-1] == (
        "90 avräkningar: 0 nya, 0 nya utkast, 0 korrigeringar, 90 oförändrade"
    )


def test_settlements_are_listed_in_the_language_with_money_as_everywhere_else(demo: Path) -> None:
    status, out = run_cli("--db", demo, "settlements", "--contract", "KH-2024-001")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split()[:8] == [
        "sopimus", "kausi", "versio", "laji", "tila", "bonus", "sanktio", "netto",
    ]  # fmt: skip
    (approved,) = [line for line in lines if " 2024-Q4 " in line]
    assert approved.split()[3:5] == ["alkuperäinen", "hyväksytty"]
    assert "7\u00a0376,42\u00a0€" in approved
    (correction,) = [line for line in lines if " 2025-Q1 " in line]
    assert correction.split()[3:5] == ["oikaisu", "luonnos"]
    assert "−2\u00a0440,51\u00a0€" in correction
    assert lines[-1] == "selvityksiä 8, joista hyväksyttyjä mutta lähtötiedoiltaan muuttuneita 0"
    status, out = run_cli("--db", demo, "--lang", "sv", "settlements", "--contract", "KH-2024-001")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["avtal", "period", "version", "typ", "tillstånd"]
    (correction,) = [line for line in lines if " 2025-Q1 " in line]
    assert correction.split()[3:5] == ["korrigering", "utkast"]
    assert lines[-1] == "8 avräkningar, varav 0 godkända med ändrade indata"
    status, out = run_cli("--db", demo, "--lang", "en", "settlements", "--contract", "KH-2024-001")
    assert "−€2,440.51" in out and out.splitlines()[-1].startswith("8 settlement(s)")


def test_settle_takes_several_contracts_at_once_and_names_an_unknown_one(aalto: Path) -> None:
    status, _ = run_cli("--db", aalto, "load", AALTO / "korjaus-2025-03.csv")
    assert status == 0
    report = settle.settle(aalto, cli_actor("Testi"), contracts=["KH-2024-001", "TPA-2024-002"])
    assert {o.contract for o in report.outcomes} == {"KH-2024-001", "TPA-2024-002"}
    changed = [(o.contract, o.period, o.action, o.version, o.net)
               for o in report.outcomes if o.action != "unchanged"]  # fmt: skip
    assert changed == [("KH-2024-001", "2025-Q1", "new-draft", 2, Decimal("6559.49"))]
    before = data_digest(aalto)
    with pytest.raises(settle.SettleError, match="Tuntematon sopimus: KH-9999"):
        settle.settle(aalto, cli_actor("Testi"), contracts=["KH-2024-001", "KH-9999"])
    assert data_digest(aalto) == before


def test_an_approved_settlement_never_changes_and_a_correction_shows_the_difference(
    aalto: Path,
) -> None:
    before = lines_of(aalto, "KH-2024-001", "2025-Q1", 1)
    where = ("--db", aalto, "--contract", "KH-2024-001", "--period", "2025-Q1")
    assert run_cli(where[0], where[1], "prepare", *where[2:], "--by", "Valmistelija")[0] == 0
    status, out = run_cli(where[0], where[1], "approve", *where[2:], "--by", "Talous Testi")
    assert (status, out) == (
        0,
        "KH-2024-001 2025-Q1 v1 (alkuperäinen) hyväksytty, hyväksyjä Talous Testi "
        "(komentorivi); se on nyt lukittu\n",
    )
    status, out = run_cli("--db", aalto, "load", AALTO / "korjaus-2025-03.csv")
    assert status == 0
    note = next(line for line in out.splitlines() if "KH-2024-001 2025-Q1 v1" in line)
    assert "`vaikuttavuus settle`" in note
    status, out = run_cli("--db", aalto, "settle")
    assert status == 0
    assert out.splitlines()[0] == (
        "KH-2024-001 2025-Q1 v2: hyväksytyn version OIKAISU, netto 6\u00a0559,49\u00a0€, "
        "erotus −2\u00a0440,51\u00a0€"
    )
    assert lines_of(aalto, "KH-2024-001", "2025-Q1", 1) == before
    with store.reading(aalto) as con:
        versions = con.execute(
            "SELECT version, kind, status, net, corrects IS NOT NULL, net_difference, approved_by "
            "FROM settlement WHERE contract_id = 'KH-2024-001' AND period = '2025-Q1' "
            "ORDER BY version"
        ).fetchall()
        differences = con.execute(
            "SELECT l.indicator_id, l.status, l.bonus, l.bonus_difference, l.sanction_difference "
            "FROM settlement_line l JOIN settlement s USING (settlement_id) "
            "WHERE s.contract_id = 'KH-2024-001' AND s.period = '2025-Q1' AND s.version = 2 "
            "AND l.line_kind = 'indicator' ORDER BY l.line_no"
        ).fetchall()
    assert versions == [
        (1, "original", "approved", Decimal("9000.00"), False, None, "Talous Testi (komentorivi)"),
        (2, "correction", "draft", Decimal("6559.49"), True, Decimal("-2440.51"), None),
    ]
    assert differences == [
        ("adl", "partial", Decimal("1559.49"), Decimal("-2440.51"), Decimal("0.00")),
        ("nps", "achieved", Decimal("3000.00"), Decimal("0.00"), Decimal("0.00")),
        ("kaatumiset", "achieved", Decimal("2000.00"), Decimal("0.00"), Decimal("0.00")),
    ]


def test_an_approved_settlement_cannot_be_approved_again(demo: Path) -> None:
    args = ("--db", demo, "approve", "--contract", "KH-2024-001", "--period", "2024-Q4")
    status, out = run_cli(*args, "--by", "Toinen")
    assert status == 2
    assert out == ""
    where = ("--contract", "KH-2024-001", "--period", "2025-Q1")
    assert run_cli("--db", demo, "prepare", *where, "--by", "P")[0] == 0
    status, out = run_cli("--db", demo, "approve", *where, "--by", "T")
    assert (status, out) == (
        0,
        "KH-2024-001 2025-Q1 v2 (oikaisu) hyväksytty, hyväksyjä T (komentorivi); "
        "se on nyt lukittu\n",
    )


def test_a_draft_whose_inputs_changed_cannot_be_prepared_or_approved(aalto: Path) -> None:
    where = ("--contract", "KH-2024-001", "--period", "2025-Q1")
    assert run_cli("--db", aalto, "prepare", *where, "--by", "P")[0] == 0
    assert run_cli("--db", aalto, "load", AALTO / "korjaus-2025-03.csv")[0] == 0
    status, _ = run_cli("--db", aalto, "approve", *where, "--by", "T")
    assert status == 2
    status, _ = run_cli("--db", aalto, "prepare", *where, "--by", "P")
    assert status == 2


def test_csv_export_has_indicator_rows_and_a_total(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "maksut.csv"
    status, out = run_cli(
        "--db", demo, "settle", "--contract", "KH-2024-001", "--period", "2025-Q1", "--out", path
    )
    assert status == 0
    assert out.splitlines()[-1] == f"kirjoitettu 4 riviä tiedostoon {path}"
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert [(r["indicator"], r["status"], r["bonus"], r["sanction"], r["net"]) for r in rows] == [
        ("adl", "partial", "1559.49", "0.00", ""),
        ("nps", "achieved", "3000.00", "0.00", ""),
        ("kaatumiset", "achieved", "2000.00", "0.00", ""),
        ("TOTAL", "", "6559.49", "0.00", "6559.49"),
    ]
    assert rows[0]["fraction"] == "0.389873"
    assert rows[-1]["net_difference"] == "-2440.51"


def test_finnish_csv_reads_back_with_semicolons_and_decimal_commas_to_the_same_cents(
    demo: Path, tmp_path: Path
) -> None:
    path = tmp_path / "maksut.fi.csv"
    assert run_cli("--db", demo, "settle", "--out", path)[0] == 0
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")
    totals = {
        (r["sopimus"], r["kausi"]): Decimal(r["netto"].replace(",", "."))
        for r in reader
        if r["mittari"] == "Yhteensä"
    }
    with store.reading(demo) as con:
        stored = {
            (c, p): net
            for c, p, net in con.execute(
                "SELECT contract_id, period, net FROM settlement_latest"
            ).fetchall()
        }
    assert len(totals) == 90
    assert totals == stored


def test_xlsx_export_opens_and_holds_summary_lines_and_adjustments(
    demo: Path, tmp_path: Path
) -> None:
    path = tmp_path / "maksut.xlsx"
    assert run_cli("--db", demo, "settle", "--contract", "TPA-2024-001", "--out", path)[0] == 0
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Yhteenveto", "Rivit", "Oikaisut", "Toimitusrivit"]
    summary = list(workbook["Yhteenveto"].iter_rows(values_only=True))
    column = {name: i for i, name in enumerate(summary[0])}
    period, bonus, sanction, net = (column[c] for c in ("kausi", "bonus", "sanktio", "netto"))
    with store.reading(demo) as con:
        stored = con.execute(
            "SELECT period, bonus_total, sanction_total, net FROM settlement_latest "
            "WHERE contract_id = 'TPA-2024-001' ORDER BY period_start"
        ).fetchall()
        adjustments = con.execute(
            "SELECT count(*) FROM settlement_line JOIN settlement_latest USING (settlement_id) "
            "WHERE contract_id = 'TPA-2024-001' AND line_kind = 'adjustment'"
        ).fetchall()[0][0]
    assert [
        (r[period], Decimal(str(r[bonus])), Decimal(str(r[sanction])), Decimal(str(r[net])))
        for r in summary[1:]
    ] == [(p, b, s, n) for p, b, s, n in stored]
    assert workbook["Yhteenveto"].cell(2, net + 1).number_format == '#,##0.00 "€"'
    assert workbook["Oikaisut"].max_row == adjustments + 1
    assert adjustments > 0


def test_rank_prints_and_stores_the_order_of_each_sample_framework(demo: Path) -> None:
    for framework in ("KH-PUITE-2024", "TPA-PUITE-2024"):
        status, out = run_cli(
            "--db", demo, "--lang", "sv", "rank", "--framework", framework, "--year", "2024"
        )  # fmt: skip
        assert status == 0
        assert out.splitlines()[0] == f"prioritetsordning {framework} 2024"
        assert out.splitlines()[1].split() == [
            "#", "avtal", "tjänsteproducent", "poäng", "bedömda", "föregående", "år", "förändring",
        ]  # fmt: skip
        status, out = run_cli("--db", demo, "rank", "--framework", framework, "--year", "2025")
        assert status == 0, out
        lines = out.splitlines()
        assert lines[0] == f"etusijajärjestys {framework} 2025"
        assert lines[1].split()[:4] == ["#", "sopimus", "palveluntuottaja", "pisteet"]
        assert [line.split()[0] for line in lines[2:]] == ["1", "2", "3"]
        assert all(
            ("▲" in ln or "▼" in ln or " = " in ln or ln.rstrip().endswith("=")) for ln in lines[2:]
        )
    # build_demo ranked each framework and year once; ranking again keeps both computations
    with store.reading(demo) as con:
        assert con.execute(
            "SELECT framework, year, count(DISTINCT computed_at), count(*) FROM priority_order "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall() == [
            ("KH-PUITE-2024", 2024, 2, 6),
            ("KH-PUITE-2024", 2025, 2, 6),
            ("TPA-PUITE-2024", 2024, 2, 6),
            ("TPA-PUITE-2024", 2025, 2, 6),
        ]


def test_sample_settlements_match_the_reviewed_golden_file(
    demo_store: Path, tmp_path: Path
) -> None:
    path = tmp_path / "all.csv"
    with store.reading(demo_store) as con:
        from etl.export import export

        export(con, path, None, None)
    assert path.read_text(encoding="utf-8") == GOLDEN.read_text(encoding="utf-8")
