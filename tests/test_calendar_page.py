"""The Kilpailutuskalenteri page (AppTest, one page at a time) on the demo store: the same
entries as the command, the scoped contract manager's share of them, refusals, languages."""

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import run_cli
from tests.demo_users import open_as, show, shown
from tests.e2e.demo_db import demo_template

PAGE = Path(__file__).resolve().parents[1] / "dashboard" / "views" / "kilpailutuskalenteri.py"
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="session")
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_template(request.config, tmp_path_factory.mktemp("calendar-page"))


@pytest.fixture
def shown_db(demo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return show(demo, monkeypatch)


def calendar_page(user: str, months: int = 24, lang: str = "fi") -> AppTest:
    state = {"calendar_months": months, "calendar_today": TODAY}
    at = open_as(PAGE, user, lang, timeout=120, state=state)
    assert not at.exception, [e.value for e in at.exception]
    return at


def first_table(at: AppTest) -> Any:
    return shown(at.dataframe[0])


def cli_entries(db: Path, months: int) -> list[tuple[str, str, str]]:
    """The command's entries for the same horizon and day: (day, kind, contract) of each."""
    status, out = run_cli("--db", db, "calendar", "--months", str(months),
                          "--today", TODAY.isoformat())  # fmt: skip
    assert status == 0, out
    cells = [re.split(r"\s{2,}", line) for line in out.splitlines()[2:]]
    return [(c[0], c[1], c[2]) for c in cells]


def test_leadership_sees_the_same_entries_as_the_command(shown_db: Path) -> None:
    at = calendar_page("demo-johto")
    assert at.title[0].value == "Kilpailutuskalenteri"
    table = first_table(at)
    page_entries = list(zip(table["päivä"], table["merkintä"], table["sopimus"], strict=True))
    assert page_entries == cli_entries(shown_db, 24)
    assert len(page_entries) == 17
    aalto = table[(table["sopimus"] == "KH-2024-001") & (table["päivä"] == "30.6.2027")]
    entry = aalto.iloc[0]
    assert entry["merkintä"] == "◆ Optiosta päätettävä"
    assert entry["saavutettu"].replace("\u00a0", " ") == "83,3 % (20/24)"
    records = shown(at.dataframe[1]).set_index("sopimus")
    assert list(records.index) == list(dict.fromkeys(table["sopimus"]))
    record = records.loc["KH-2024-001"]
    assert record["etusijajärjestys"] == "2024: 1/3, 2025: 1/3"
    assert record["bonukset"].replace("\u00a0", " ") == "16 376,42 €"
    assert (record["päättyy"], record["oikaisuja"]) == ("31.12.2028", 1)
    tenders = shown(at.dataframe[2])
    assert list(tenders["Hilma-ilmoitus"]) == ["2026-184213", "", "", "", "", ""]


@pytest.mark.parametrize(("months", "count"), [(6, 7), (12, 11)])
def test_the_horizon_picks_6_or_12_months(shown_db: Path, months: int, count: int) -> None:
    at = calendar_page("demo-johto", months)
    assert len(first_table(at)) == count
    assert at.radio[0].value == months


def test_the_home_care_contract_manager_sees_only_home_care(shown_db: Path) -> None:
    table = first_table(calendar_page("demo-kotihoito"))
    assert sorted(set(table["sopimus"])) == ["KH-2024-001", "KH-2024-002", "KH-2024-003"]
    assert len(table) == 5


@pytest.mark.parametrize("user", ["demo-toimittaja", "demo-valmistelija", "demo-admin"])
def test_other_roles_are_refused(shown_db: Path, user: str) -> None:
    at = open_as(PAGE, user, timeout=120)
    assert not at.dataframe
    assert at.error, "expected a refusal"


def test_english_words_and_formats(shown_db: Path) -> None:
    table = first_table(calendar_page("demo-johto", 6, lang="en"))
    assert list(table.columns)[:3] == ["day", "entry", "contract"]
    assert table["entry"][0] == "■ Contract ends"
    assert table["day"][0] == "31 Dec 2026"
