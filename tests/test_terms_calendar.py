"""Contract terms format 1, extended for the procurement calendar: `[[option]]` periods and
`[next_tender]` (docs/calendar.md). Optional: files without them read and store as before."""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from contracts.checks import run_case_file
from contracts.terms import (
    NextTender,
    OptionPeriod,
    TermsError,
    Text,
    load_contract_text,
    parse_toml_text,
    terms_digest,
)
from etl import messages
from tests.conftest import REPO, TEST_CONTRACT, run_cli

VALID = TEST_CONTRACT.read_text(encoding="utf-8")
EXTENSION = """
[[option]]
start = 2026-01-01
end = 2026-12-31
decision_due = 2025-06-30
note = "Ensimmäinen optiovuosi"

[[option]]
start = 2027-01-01
end = 2027-06-30
decision_due = 2026-09-30

[next_tender]
subject = { fi = "Kotihoidon ostopalvelut", sv = "Köpt hemvård", en = "Purchased home care" }
preparers = ["Hankintapalvelut", "Minna Mäkelä"]
publication_estimate = 2027-02-01
hilma = "2026-123456"
"""
KH_TEST_DIGEST = "b6cedc46361ff7d118e082f55eb682d68e282072c5b8aff94c77affb05efd631"
"""The digest of tests/data/KH-TEST.toml before the extension (commit ebb9d60)."""


def problems_of(text: str, lang: str = "fi", file: str = "x.toml") -> list[str]:
    """Every problem of the terms, as `file: field: message` in the language."""
    with pytest.raises(TermsError) as caught:
        load_contract_text(text, file)
    return [
        f"{p.file}: {p.field}: {messages.render(p.message, lang)}" for p in caught.value.problems
    ]


def test_options_and_next_tender_are_read_as_typed_dates_and_texts() -> None:
    contract = load_contract_text(VALID + EXTENSION, "x.toml")
    assert contract.options == (
        OptionPeriod(date(2026, 1, 1), date(2026, 12, 31), date(2025, 6, 30),
                     "Ensimmäinen optiovuosi"),
        OptionPeriod(date(2027, 1, 1), date(2027, 6, 30), date(2026, 9, 30)),
    )  # fmt: skip
    assert contract.next_tender == NextTender(
        Text("Kotihoidon ostopalvelut", "Köpt hemvård", "Purchased home care"),
        "kotihoito",
        date(2027, 2, 1),
        ("Hankintapalvelut", "Minna Mäkelä"),
        "2026-123456",
    )
    assert contract.end == date(2025, 12, 31)
    assert contract.last_possible_end == date(2027, 6, 30)


def test_the_next_tender_may_name_its_own_service_and_a_plain_subject() -> None:
    text = VALID + (
        '\n[next_tender]\nsubject = "Kotihoito ja tukipalvelut"\nservice = "kotihoito-tuki"\n'
        "publication_estimate = 2026-03-01\n"
    )
    tender = load_contract_text(text, "x.toml").next_tender
    assert tender is not None
    assert (tender.subject.sv, tender.service, tender.preparers, tender.hilma) == (
        "Kotihoito ja tukipalvelut", "kotihoito-tuki", (), None,
    )  # fmt: skip


def test_a_file_without_the_extension_reads_as_before_and_keeps_its_digest() -> None:
    contract = load_contract_text(VALID, str(TEST_CONTRACT))
    assert (contract.options, contract.next_tender) == ((), None)
    assert contract.last_possible_end == contract.end
    assert terms_digest(parse_toml_text(VALID, "x.toml")) == KH_TEST_DIGEST


def test_an_unchanged_old_file_stays_version_1_and_the_extension_is_version_2(
    tmp_path: Path, empty_db: Path
) -> None:
    assert run_cli("--db", empty_db, "contracts", "add", TEST_CONTRACT)[0] == 0
    assert run_cli("--db", empty_db, "contracts", "add", TEST_CONTRACT)[0] == 0
    extended = tmp_path / "KH-TEST.toml"
    extended.write_text(VALID + EXTENSION, encoding="utf-8")
    status, said = run_cli("--db", empty_db, "contracts", "add", extended)
    assert status == 0, said
    with duckdb.connect(str(empty_db), read_only=True) as con:
        stored = con.execute(
            "SELECT version, digest FROM contract_version ORDER BY version"
        ).fetchall()
    assert stored[0] == (1, KH_TEST_DIGEST)
    assert [v for v, _ in stored] == [1, 2]


BROKEN = """
[[option]]
start = 2026-01-02
end = 2026-12-31
decision_due = 2026-01-02

[[option]]
start = 2026-12-01
end = 2026-11-30
decision_due = "kesäkuu"
note = 3
colour = "red"

[next_tender]
subject = { sv = "Köpt hemvård" }
preparers = ["Hankintapalvelut", ""]
publication_estimate = "2027-13-01"
hilma = "12345"
"""


def test_every_problem_of_the_extension_names_file_and_field() -> None:
    assert problems_of(VALID + BROKEN, file="kh.toml") == [
        "kh.toml: option[0].start: option pitää alkaa 1.1.2026, heti edellisen jakson "
        "päättymisen 31.12.2025 jälkeen (ei aukkoa eikä päällekkäisyyttä), nyt 2.1.2026",
        "kh.toml: option[0].decision_due: päätöspäivän 2.1.2026 pitää olla ennen option alkua "
        "2.1.2026",
        "kh.toml: option[1].colour: tuntematon avain (sallitut: decision_due, end, note, start)",
        "kh.toml: option[1].decision_due: pitää olla päivämäärä muodossa 2025-01-01, nyt str "
        "'kesäkuu'",
        "kh.toml: option[1].note: pitää olla ei-tyhjä merkkijono, nyt int 3",
        "kh.toml: option[1].start: option pitää alkaa 1.1.2027, heti edellisen jakson "
        "päättymisen 31.12.2026 jälkeen (ei aukkoa eikä päällekkäisyyttä), nyt 1.12.2026",
        "kh.toml: option[1].end: 30.11.2026 on ennen alkupäivää 1.12.2026",
        "kh.toml: next_tender.subject.fi: puuttuu, vaaditaan",
        "kh.toml: next_tender.preparers: pitää olla luettelo valmistelijoiden nimiä tai "
        "yksiköitä, nyt list ['Hankintapalvelut', '']",
        "kh.toml: next_tender.publication_estimate: pitää olla päivämäärä muodossa 2025-01-01, "
        "nyt str '2027-13-01'",
        "kh.toml: next_tender.hilma: '12345' ei ole Hilma-ilmoituksen numero muotoa 2026-123456",
    ]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("sv", "x.toml: option[0].decision_due: beslutsdagen 1.1.2026 ska ligga före optionens "
               "början 1.1.2026"),
        ("en", "x.toml: option[0].decision_due: the decision day 1 Jan 2026 must come before "
               "the option starts on 1 Jan 2026"),
    ],
)  # fmt: skip
def test_the_problems_read_in_swedish_and_english(lang: str, expected: str) -> None:
    text = VALID + "\n[[option]]\nstart = 2026-01-01\nend = 2026-12-31\ndecision_due = 2026-01-01\n"
    assert problems_of(text, lang) == [expected]


@pytest.mark.parametrize(
    ("extension", "expected"),
    [
        pytest.param('option = "2026"\n', "x.toml: option: pitää olla luettelo "
                     "[[option]]-taulukoita (start, end, decision_due)", id="option-not-list"),
        pytest.param('next_tender = "2027"\n', "x.toml: next_tender: pitää olla taulukko, nyt "
                     "str '2027'", id="tender-not-table"),
        pytest.param("[next_tender]\nsubject = \"Kotihoito\"\n", "x.toml: "
                     "next_tender.publication_estimate: puuttuu, vaaditaan (päivämäärä muodossa "
                     "2025-01-01)", id="no-publication-estimate"),
        pytest.param("[next_tender]\nsubject = \"Kotihoito\"\npublication_estimate = "
                     "2027-02-01\npreparers = \"Minna\"\n", "x.toml: next_tender.preparers: "
                     "pitää olla luettelo valmistelijoiden nimiä tai yksiköitä, nyt str 'Minna'",
                     id="preparers-not-list"),
        pytest.param("[next_tender]\nsubject = \"Kotihoito\"\npublication_estimate = "
                     "2027-02-01\nhilma = \"2026/123456\"\n", "x.toml: next_tender.hilma: "
                     "'2026/123456' ei ole Hilma-ilmoituksen numero muotoa 2026-123456",
                     id="hilma-shape"),
    ],
)  # fmt: skip
def test_single_extension_problem_is_named(extension: str, expected: str) -> None:
    head, _, _ = VALID.partition("[[indicator]]")
    indicators = VALID[len(head) :]
    if extension.startswith("["):
        text = VALID + "\n" + extension
    else:
        text = head + extension + "\n" + indicators
    assert problems_of(text) == [expected]


def test_a_check_case_names_the_inline_contracts_option_field(tmp_path: Path) -> None:
    case = (REPO.parent / "shared" / "cases" / "01-linear-scale.toml").read_text(encoding="utf-8")
    broken = (
        case
        + "\n[[contract.option]]\nstart = 1999-01-01\nend = 1999-12-31\ndecision_due = 1998-12-01\n"
    )
    path = tmp_path / "case.toml"
    path.write_text(broken, encoding="utf-8")
    result = run_case_file(path)
    assert result.outcome == "error"
    assert [(p.file, p.field) for p in result.problems] == [(str(path), "contract.option[0].start")]


def test_the_sample_contracts_carry_the_extension() -> None:
    contracts = [
        load_contract_text(p.read_text(encoding="utf-8"), str(p))
        for p in sorted((REPO / "sample_data" / "contracts").glob("*.toml"))
    ]
    assert sum(1 for c in contracts if c.options) == 9
    assert sum(1 for c in contracts if c.next_tender is not None) == 8
    assert sum(1 for c in contracts if c.next_tender and c.next_tender.hilma) == 3
