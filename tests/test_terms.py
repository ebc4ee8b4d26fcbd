"""Contract terms format 1: typed terms, and every problem reported with file and field."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from contracts.business_id import business_id_problem
from contracts.terms import (
    Bonus,
    Level,
    Money,
    TermsError,
    load_contract_file,
    load_contract_text,
    parse_toml_text,
    terms_digest,
)
from etl import messages
from tests.conftest import REPO, SHARED, TEST_CONTRACT, run_cli

VALID = TEST_CONTRACT.read_text(encoding="utf-8")


def problems_of(text: str, lang: str = "fi") -> list[str]:
    """Every problem of the terms, as `field: message` in the language."""
    with pytest.raises(TermsError) as caught:
        load_contract_text(text, "x.toml")
    return [f"{p.field}: {messages.render(p.message, lang)}" for p in caught.value.problems]


def test_terms_are_typed_exact_and_immutable() -> None:
    terms = load_contract_file(TEST_CONTRACT)
    assert terms.id == "KH-TEST"
    assert terms.period_value == Decimal("250000.00")
    adl = terms.indicator("adl")
    assert adl is not None
    assert adl.name.sv == "RAI ADL-H försämrades inte"
    assert adl.per == Decimal(100)
    assert adl.levels == (Level(date(2025, 1, 1), Decimal(70), Decimal(85)),)
    assert adl.bonus == Bonus(scale="linear", money=Money(eur=Decimal("2000.00")))
    mitoitus = terms.indicator("mitoitus")
    assert mitoitus is not None and mitoitus.levels[0].minimum == Decimal("0.70")
    with pytest.raises(AttributeError):
        terms.id = "other"  # type: ignore[misc]


def test_money_written_as_float_is_read_as_exact_decimal() -> None:
    terms = load_contract_text(VALID.replace("eur = 2000.00", "eur = 1000.05"), "x.toml")
    adl = terms.indicator("adl")
    assert adl is not None and adl.bonus is not None and adl.bonus.money is not None
    assert adl.bonus.money.eur == Decimal("1000.05")


def test_every_problem_is_reported_at_once_with_its_field() -> None:
    text = (
        VALID.replace('id = "KH-TEST"', 'id = "KH TEST"')
        .replace("2345678-0", "2345678-1")
        .replace("end = 2025-12-31", "end = 2024-12-31")
        .replace('theme = "asiakaskokemus"', 'theme = "onnellisuus"')
        .replace('aggregate = "last"', 'aggregate = "median"')
        .replace('period = "quarter"', 'period = "quarter"\ncolour = "red"')
        .replace(
            "levels = [{ from = 2025-01-01, minimum = 70, target = 85 }]",
            "levels = [{ from = 2025-06-01, minimum = 70, target = 85 }, "
            "{ from = 2025-01-01, minimum = 72, target = 72 }]",
        )
        .replace(
            "period_value = 250000.00",
            'period_value = 250000.00\n[payment]\ngates = ["mitoitus", "puuttuu"]',
        )
    )
    assert problems_of(text) == [
        "colour: tuntematon avain (sallitut: buyer, end, format, framework, id, indicator, "
        "next_tender, option, payment, period, period_value, prorate, service, start, supplier, "
        "title)",
        "id: 'KH TEST' saa sisältää vain kirjaimia, numeroita ja merkkejä _ . -",
        "supplier.business_id: '2345678-1' tarkistusmerkki on 1, pitäisi olla 0",
        "end: 31.12.2024 on ennen alkupäivää 1.1.2025",
        "indicator[0].levels[1].from: tasojen pitää olla päivämääräjärjestyksessä: 1.1.2025 ei "
        "ole päivän 1.6.2025 jälkeen",
        "indicator[0].levels[1]: lineaarinen asteikko vaatii, että target ≠ minimum (molemmat "
        "ovat 72)",
        "indicator[1].theme: tuntematon arvo 'onnellisuus' (jokin näistä: asiakaskokemus, "
        "henkilostokokemus, hyva-johtaminen, talouden-tasapaino, vaikuttavuus)",
        "indicator[3].aggregate: tuntematon arvo 'median' (jokin näistä: ratio, mean, sum, last)",
        "payment.gates[1]: viittaa tuntemattomaan mittariin 'puuttuu'",
    ]


def test_the_problems_read_in_english_too() -> None:
    text = VALID.replace("end = 2025-12-31", "end = 2024-12-31").replace("format = 1", "format = 2")
    assert problems_of(text, "en") == [
        "format: must be 1, got int 2",
        "end: 31 Dec 2024 is before start 1 Jan 2025",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            'bonus = { scale = "linear", eur = 2000.00 }',
            'bonus = { scale = "sliding", eur = 2000.00 }',
            "indicator[0].bonus.scale: tuntematon arvo 'sliding' (jokin näistä: binary, linear, "
            "bands, improvement, rate)",
            id="unknown-scale",
        ),
        pytest.param(
            'bonus = { scale = "binary", eur = 1000.00 }',
            'bonus = { scale = "binary" }',
            "indicator[1].bonus: anna eur tai percent: summa täydestä saavuttamisesta",
            id="bonus-without-money",
        ),
        pytest.param(
            'bonus = { scale = "binary", eur = 1000.00 }',
            'bonus = { scale = "binary", eur = 1000.00, percent = 1 }',
            "indicator[1].bonus: anna täsmälleen toinen: eur tai percent",
            id="eur-and-percent",
        ),
        pytest.param(
            "sanction = { per_unit = 150.00, cap = 1500.00 }",
            'sanction = { below = "target", eur = 100 }',
            "indicator[2].sanction.below: pitää olla 'minimum' (tai käytä per_unit-sanktiota), "
            "nyt str 'target'",
            id="sanction-below-target",
        ),
        pytest.param(
            "levels = [{ from = 2025-01-01, minimum = 20, target = 40 }]",
            "levels = [{ from = 2025-01-01, minimum = 40, target = 20 }]",
            "indicator[1].levels[0]: target 20 ei saa olla pienempi kuin minimum 40 "
            "(direction = 'higher')",
            id="levels-against-direction",
        ),
        pytest.param(
            "min_n = 30",
            "min_n = 2.5",
            "indicator[1].min_n: pitää olla kokonaisluku ≥ 0, nyt Decimal Decimal('2.5')",
            id="fractional-min-n",
        ),
        pytest.param(
            "format = 1",
            "format = 2",
            "format: pitää olla 1, nyt int 2",
            id="unknown-format",
        ),
        pytest.param(
            'theme = "asiakaskokemus"\n',
            'theme = "asiakaskokemus"\nmisssing = "fail"\n',
            "indicator[1].misssing: tuntematon avain (sallitut: aggregate, bonus, direction, id, "
            "levels, min_n, missing, name, per, sanction, sanction, theme, unit, weight)".replace(
                "sanction, sanction", "sanction"
            ),
            id="misspelt-key",
        ),
    ],
)
def test_single_problem_is_named(old: str, new: str, expected: str) -> None:
    assert old in VALID
    assert problems_of(VALID.replace(old, new, 1)) == [expected]


def test_toml_syntax_error_is_a_problem_not_a_crash() -> None:
    assert problems_of("format = 1\nid = ")[0].startswith("(file): ei ole kelvollista TOML:ia")


@pytest.mark.parametrize(
    ("business_id", "problem"),
    [
        ("2345678-0", None),
        ("0737546-2", None),
        ("1572860-0", None),
        ("2345678-1", "'2345678-1' has check digit 1, expected 0"),
        ("234567-0", "'234567-0' is not of the form 1234567-8"),
        ("1234567-1", None),
        ("0000010-1", "'0000010-1' has check digit 1, expected 7"),
    ],
)
def test_business_id_check_digit(business_id: str, problem: str | None) -> None:
    assert business_id_problem(business_id) == problem


def test_remainder_one_is_never_a_business_id() -> None:
    # 0000006: the last digit's weight is 2, 2 x 6 = 12, and 12 mod 11 = 1
    assert business_id_problem("0000006-0") == (
        "'0000006-0' cannot be a Y-tunnus (weighted sum leaves remainder 1)"
    )


def test_layout_and_comments_do_not_change_the_digest() -> None:
    reformatted = "# kommentti\n" + VALID.replace(" = ", "=")
    assert terms_digest(parse_toml_text(VALID, "a")) == terms_digest(
        parse_toml_text(reformatted, "b")
    )
    changed = VALID.replace("eur = 2000.00", "eur = 2500.00")
    assert terms_digest(parse_toml_text(VALID, "a")) != terms_digest(parse_toml_text(changed, "c"))


def test_shared_case_contracts_and_sample_contracts_are_valid() -> None:
    from contracts.terms import parse_contract

    cases = sorted((SHARED / "cases").glob("*.toml"))
    assert len(cases) >= 13
    for case in cases:
        data = parse_toml_text(case.read_text(encoding="utf-8"), str(case))
        parse_contract(data["contract"], str(case), "contract")
    samples = sorted((REPO / "sample_data" / "contracts").glob("*.toml"))
    assert len(samples) >= 8
    for sample in samples:
        load_contract_file(sample)


def test_contracts_add_stores_versions_and_skips_unchanged(tmp_path: Path, empty_db: Path) -> None:
    status, out = run_cli("--db", empty_db, "contracts", "add", TEST_CONTRACT, "--by", "Liisa")
    assert (status, out) == (0, f"KH-TEST v1: lisätty ({TEST_CONTRACT})\n")
    status, out = run_cli("--db", empty_db, "contracts", "add", TEST_CONTRACT)
    assert (status, out) == (0, f"KH-TEST v1: ennallaan, mitään ei tallennettu ({TEST_CONTRACT})\n")
    status, out = run_cli("--db", empty_db, "--lang", "sv", "contracts", "add", TEST_CONTRACT)
    assert (status, out) == (0, f"KH-TEST v1: oförändrat, inget sparades ({TEST_CONTRACT})\n")
    changed = tmp_path / "KH-TEST.toml"
    changed.write_text(VALID.replace("eur = 2000.00", "eur = 2500.00"), encoding="utf-8")
    status, out = run_cli("--db", empty_db, "contracts", "add", changed)
    assert (status, out) == (0, f"KH-TEST v2: tallennettu uutena versiona ({changed})\n")
    status, out = run_cli("--db", empty_db, "contracts", "list")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "sopimus", "versio", "palveluntuottaja", "palvelu", "puitejärjestely", "kausi",
        "sopimuskausi", "mittareita", "lisätty",
    ]  # fmt: skip
    assert lines[1].split()[:10] == [
        "KH-TEST", "2", "Hoiva", "Testi", "Oy", "kotihoito", "TEST-PUITE", "vuosineljännes",
        "1.1.2025–31.12.2025", "4",
    ]  # fmt: skip
    assert lines[-1] == "sopimuksia 1"
    status, out = run_cli("--db", empty_db, "--lang", "sv", "contracts", "list")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["avtal", "version", "tjänsteproducent", "tjänst", "ramavtal"]
    assert lines[1].split()[7:9] == ["kvartal", "1.1.2025–31.12.2025"]
    assert lines[-1] == "1 avtal"


def test_contracts_add_rejects_a_bad_file_and_keeps_the_good(
    tmp_path: Path, empty_db: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(VALID.replace('id = "KH-TEST"', 'id = "BAD"').replace("2345678-0", "1"))
    status, out = run_cli("--db", empty_db, "contracts", "add", bad, TEST_CONTRACT)
    assert status == 2
    assert out.splitlines() == [
        f"HYLÄTTY {bad}: ongelmia 1",
        "  supplier.business_id: '1' ei ole muotoa 1234567-8",
        f"KH-TEST v1: lisätty ({TEST_CONTRACT})",
    ]
