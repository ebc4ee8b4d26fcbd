"""Inputs that once crashed the engine with a traceback: each is refused with file, field and
reason (exit 2), through `check`, `contracts add` and a delivery file alike, and never hides the
verdict on the other files of the same call."""

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from contracts.checks import run_case_file
from contracts.exact import round_cents
from contracts.messages import message
from contracts.settlement import settle_contract
from contracts.terms import TermsError, load_contract_text
from etl.formats import euros
from tests.conftest import SHARED, Cli, audit_rows, data_digest, run_cli, write

CASE = """\
name = "A plain case: 60 of 100 between 50 and 70 earns half"
source = "test"

[contract]
format = 1
id = "R-1"
title = "Refused inputs"
service = "kotihoito"
buyer = "Esimerkkikaupunki"
supplier = {{ name = "Hoiva Esimerkki Oy", business_id = "7890123-9" }}
start = {start}
end = {end}
period = "year"
period_value = {period_value}

[[contract.indicator]]
id = "adl"
name = "ADL"
theme = "vaikuttavuus"
unit = "%"
direction = "higher"
aggregate = "mean"
levels = [{{ from = {start}, minimum = {minimum}, target = 70 }}]
bonus = {{ scale = "{scale}", eur = {eur}{baseline} }}

[[observation]]
indicator = "adl"
period = "{period}"
value = {value}
n = 40

[[expect]]
period = "{period}"
indicator = "adl"
{expect}
"""

PLAIN = {
    "start": "2025-01-01",
    "end": "2025-12-31",
    "period_value": "100000.00",
    "minimum": "50",
    "scale": "linear",
    "eur": "1000.00",
    "baseline": "",
    "period": "2025",
    "value": "60",
    "expect": 'bonus = "500.00"',
}


TRILLION = "1\u00a0000\u00a0000\u00a0000\u00a0000"
"""The terms' size limit as Finnish writes it (no-break spaces between the groups)."""


def case_file(tmp_path: Path, name: str, **changes: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(CASE.format(**(PLAIN | changes)), encoding="utf-8")
    return path


def contract_text(**changes: str) -> str:
    """The contract of the case as a contract file of its own."""
    text = CASE.format(**(PLAIN | changes))
    body = text.split("[contract]\n", 1)[1].split("[[observation]]", 1)[0]
    return body.replace("[[contract.indicator]]", "[[indicator]]")


def assert_refused(path: Path, field: str, reason: str) -> None:
    """`check` on the file and on a good case beside it: the file is a VIRHE naming the
    field and the reason, the good case still passes, exit 2, no traceback."""
    good = SHARED / "cases" / "01-linear-scale.toml"
    status, out = run_cli("check", path, good)
    assert status == 2, out
    error = next(line for line in out.splitlines() if line.startswith(f"VIRHE {path}"))
    assert f": {field}: " in error and reason in error, out
    assert f"LÄPI {good}" in out
    assert "läpi 1, ei läpi 1" in out
    assert "Traceback" not in out


def test_the_plain_case_passes(tmp_path: Path) -> None:
    assert run_case_file(case_file(tmp_path, "plain")).passed


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", '"NaN"', '"Infinity"'])
def test_nan_or_inf_as_an_observation_value_is_refused(tmp_path: Path, text: str) -> None:
    path = case_file(tmp_path, "value", value=text)
    assert_refused(path, "observation[0].value", "ei ole luku")


@pytest.mark.parametrize("text", ["nan", "inf"])
def test_nan_or_inf_as_a_level_is_refused(tmp_path: Path, text: str) -> None:
    path = case_file(tmp_path, "level", minimum=text)
    assert_refused(path, "contract.indicator[0].levels[0].minimum", "pitää olla äärellinen luku")


@pytest.mark.parametrize("text", ["nan", "inf"])
def test_nan_or_inf_as_an_amount_is_refused(tmp_path: Path, text: str) -> None:
    path = case_file(tmp_path, "amount", eur=text)
    assert_refused(path, "contract.indicator[0].bonus.eur", "pitää olla äärellinen luku")


def test_inf_as_the_period_value_is_refused(tmp_path: Path) -> None:
    path = case_file(tmp_path, "period-value", period_value="inf")
    assert_refused(path, "contract.period_value", "pitää olla äärellinen luku")


def test_a_huge_exponent_as_the_period_value_is_refused(tmp_path: Path) -> None:
    path = case_file(tmp_path, "huge-period-value", period_value='"1E+999999"')
    assert_refused(path, "contract.period_value", f"itseisarvoltaan alle {TRILLION}")


def test_a_huge_exponent_as_an_observation_value_is_refused(tmp_path: Path) -> None:
    path = case_file(tmp_path, "huge-value", value='"1E+999999"')
    assert_refused(path, "observation[0].value", "liian suuri")


def test_a_huge_exponent_as_a_numerator_is_refused(tmp_path: Path) -> None:
    text = CASE.format(**PLAIN).replace('aggregate = "mean"', 'aggregate = "ratio"')
    text = text.replace("value = 60\nn = 40", 'numerator = "1E+999999"\ndenominator = 100')
    path = tmp_path / "huge-numerator.toml"
    path.write_text(text, encoding="utf-8")
    assert_refused(path, "observation[0].numerator", "liian suuri")


def test_a_contract_ending_9999_12_31_is_refused(tmp_path: Path) -> None:
    path = case_file(tmp_path, "far-end", end="9999-12-31")
    assert_refused(path, "contract.end", "on välin 1.1.1900 … 31.12.2999 ulkopuolella")


def test_a_year_1_contract_with_a_previous_year_baseline_is_refused(tmp_path: Path) -> None:
    path = case_file(
        tmp_path, "year-1", start="0001-01-01", end="0001-12-31", period="0001",
        scale="improvement", baseline=', baseline = "previous-year"',
    )  # fmt: skip
    assert_refused(path, "contract.start", "on välin 1.1.1900 … 31.12.2999 ulkopuolella")


def test_a_negative_mean_is_a_value_like_any_other(tmp_path: Path) -> None:
    path = case_file(tmp_path, "negative", minimum="-20", value="-5", expect='status = "achieved"')
    path.write_text(path.read_text().replace("target = 70", "target = -10"), encoding="utf-8")
    assert run_case_file(path).passed


def test_a_negative_count_is_refused_in_a_check_case(tmp_path: Path) -> None:
    text = CASE.format(**PLAIN).replace('aggregate = "mean"', 'aggregate = "ratio"')
    text = text.replace("value = 60\nn = 40", "numerator = -1\ndenominator = 100")
    path = tmp_path / "negative-count.toml"
    path.write_text(text, encoding="utf-8")
    assert_refused(path, "observation[0].numerator", "negatiivinen lukumäärä")


def test_a_case_the_engine_cannot_read_never_hides_the_others(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_bytes(b"\xff\xfe not text")
    good = SHARED / "cases" / "14-exact-half-cent.toml"
    status, out = run_cli("check", broken, good)
    assert status == 2
    assert f"VIRHE {broken}: (file): ei voi lukea" in out
    assert f"LÄPI {good}" in out


def test_deeply_nested_toml_is_refused_with_the_file_named(tmp_path: Path) -> None:
    path = tmp_path / "nested.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert_refused(path, "(file)", "liian syvällä sisäkkäin")


# --- the same inputs through `contracts add` -------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"period_value": "inf"}, "period_value", "pitää olla äärellinen luku"),
        ({"period_value": "nan"}, "period_value", "pitää olla äärellinen luku"),
        ({"period_value": "1e20"}, "period_value", f"itseisarvoltaan alle {TRILLION}"),
        ({"eur": "1e20"}, "indicator[0].bonus.eur", f"itseisarvoltaan alle {TRILLION}"),
        ({"minimum": "inf"}, "indicator[0].levels[0].minimum", "pitää olla äärellinen luku"),
        ({"end": "9999-12-31"}, "end", "on välin 1.1.1900 … 31.12.2999 ulkopuolella"),
        ({"eur": "0.00000000001"}, "indicator[0].bonus.eur", "enintään 10 desimaalia"),
    ],
    ids=["inf-period-value", "nan-period-value", "1e20-period-value", "1e20-eur", "inf-level",
         "end-9999", "eleven-decimals"],
)  # fmt: skip
def test_contracts_add_refuses_what_check_refuses(
    tmp_path: Path, empty_db: Path, changes: dict[str, str], field: str, reason: str
) -> None:
    path = tmp_path / "R-1.toml"
    path.write_text(contract_text(**changes), encoding="utf-8")
    before = data_digest(empty_db)
    status, out = run_cli("--db", empty_db, "contracts", "add", path)
    assert status == 2, out
    assert f"HYLÄTTY {path}: ongelmia 1" in out
    assert f"  {field}: " in out and reason in out, out
    assert data_digest(empty_db) == before
    assert audit_rows(empty_db)[-1] == ("contract-add", "rejected")


def test_an_id_with_a_trailing_newline_is_refused() -> None:
    text = contract_text().replace('id = "R-1"', 'id = "R-1\\n"')
    with pytest.raises(TermsError) as refused:
        load_contract_text(text, "R-1.toml")
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("id", message("engine.terms.bad_id", value="'R-1\\n'"))
    ]


# --- the same inputs in a delivery file ------------------------------------------------------

HEADER = "sopimus;mittari;kausi;arvo;n;osoittaja;nimittäjä;poissuljetut;asiakas;huom\n"


@pytest.mark.parametrize(
    ("body", "column", "text", "reason"),
    [
        ("KH-TEST;nps;2025-01;nan;40;;;;;\n", "arvo", "nan", "ei ole luku"),
        ("KH-TEST;nps;2025-01;inf;40;;;;;\n", "arvo", "inf", "ei ole luku"),
        ("KH-TEST;nps;2025-01;1E+999999;40;;;;;\n", "arvo", "1E+999999", "ei ole luku"),
        ("KH-TEST;adl;2025-01;;;1E+999999;100;;;\n", "osoittaja", "1E+999999", "ei ole luku"),
        ("KH-TEST;adl;2025-01;;;9999999999999;100;;;\n", "osoittaja", "9999999999999",
         "liian suuri"),
        ("KH-TEST;adl;2025-01;;;-1;100;;;\n", "osoittaja", "-1", "negatiivinen lukumäärä"),
        ("KH-TEST;rikkeet;2025-01;-2;;;;;;\n", "arvo", "-2", "lukumäärä ei voi olla negatiivinen"),
    ],
    ids=["nan", "inf", "huge-exponent-value", "huge-exponent-numerator", "13-digits",
         "negative-numerator", "negative-sum"],
)  # fmt: skip
def test_a_delivery_refuses_what_check_refuses(
    tmp_path: Path, db: Path, cli: Cli, body: str, column: str, text: str, reason: str
) -> None:
    before = data_digest(db)
    path = write(tmp_path / "huono.csv", HEADER + body)
    status, out = cli("load", path)
    assert status == 2, out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith(f"2  {column} "))
    assert text in line and reason in line, out
    assert "Traceback" not in out
    assert data_digest(db) == before


def test_a_delivery_with_a_negative_nps_loads_and_settles(
    tmp_path: Path, db: Path, cli: Cli
) -> None:
    path = write(tmp_path / "nps.csv", HEADER + "KH-TEST;nps;2025-01;-5,5;40;;;;;\n")
    status, out = cli("load", path)
    assert status == 0, out
    status, out = cli("settle", "--period", "2025-Q1")
    assert status == 0, out
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT value, n, status, bonus FROM settlement_line "
            "WHERE indicator_id = 'nps' AND line_kind = 'indicator'"
        ).fetchall()
    assert rows == [("-5.5", "40", "below-minimum", Decimal("0.00"))]


def test_a_gate_that_withholds_nothing_is_0_00_not_minus_0_00() -> None:
    text = (
        contract_text()
        .replace("period_value = 100000.00", 'period_value = 100000.00\n[payment]\ngates = ["adl"]')
        .replace('bonus = { scale = "linear", eur = 1000.00 }', "")
    )
    (settled,) = settle_contract(load_contract_text(text, "gate.toml"), {})
    (gate,) = settled.adjustments
    assert (gate.kind, str(gate.amount)) == ("gate", "0.00")


@pytest.mark.parametrize("amount", ["-0.004", "-0.00", "-0.0049999"])
def test_a_negative_amount_that_rounds_to_nothing_is_shown_as_0_00(amount: str) -> None:
    assert str(round_cents(Decimal(amount))) == "0.00"
    assert euros(Decimal(amount), "fi") == "0,00\u00a0€"
