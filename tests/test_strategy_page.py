"""The Strategia page (AppTest) on the demo database: the statuses `vaikuttavuus strategy
status --year 2025` computes, per theme with icon and word, the drill-down into the contracts
behind a goal, small cells suppressed, text from the strategy file shown as text."""

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.strategy_charts import share_text, share_trend, share_trend_text, status_label
from tests.conftest import run_cli
from tests.demo_users import open_as, show
from tests.e2e.demo_db import copy_db, demo_template
from tests.test_strategy_status import SAMPLE_2025

SUPPLIER = "Vanhuspalvelu Kuusi Oy"
PAGE = Path(__file__).resolve().parents[1] / "dashboard" / "views" / "strategia.py"


@pytest.fixture(scope="module")
def demo_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_template(request.config, tmp_path_factory.mktemp("strategy-page"))


def unescaped(text: str) -> str:
    """What a Markdown cell shows (dashboard.literal escapes punctuation)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace("\u2060", "")


def open_page(lang: str = "fi", user: str = "demo-johto", **state: object) -> AppTest:
    at = open_as(PAGE, user, lang, timeout=120, state=state)
    assert not at.exception, [e.value for e in at.exception]
    return at


def goal_tables(at: AppTest) -> pd.DataFrame:
    """Every theme's table of goals, one frame, the cells as the page shows them."""
    frames = [t.value.reset_index() for t in at.table]
    frame = pd.concat(frames, ignore_index=True)
    return frame.map(unescaped)


def test_the_page_shows_each_goal_with_the_status_the_command_computes(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show(demo_db, monkeypatch)
    at = open_page()
    assert at.title[0].value == "Hankintastrategia"
    assert at.selectbox(key="strategy_year").value == 2025  # the newest year with data
    assert [h.value for h in at.subheader][1:6] == [
        "Asiakaskokemus", "Henkilöstökokemus", "Hyvä johtaminen", "Talouden tasapaino",
        "Vaikuttavuus",
    ]  # fmt: skip
    goals = goal_tables(at)
    assert len(goals) == 21
    assert dict(zip(goals["Tavoite"], goals["Tila"], strict=True)) == {
        goal: status_label(status, "fi") for goal, status in SAMPLE_2025.items()
    }
    ak1 = goals[goals["Tavoite"] == "AK-1"].iloc[0]
    assert (ak1["Toteuma"], ak1["Tavoitetaso"], ak1["Määräpäivä"], ak1["Vastuutaho"]) == (
        "52,6\u00a0% (10/19)", "≥ 50\u00a0%", "31.12.2025", "Kotihoidon palvelualue",
    )  # fmt: skip
    assert ak1["Kehitys"] == "2024: 24\u00a0% → 2025: 53\u00a0%"
    summary = unescaped(at.markdown[0].value)
    assert summary.startswith("Tavoitteita 21: ✔ saavutettu 5 · ➚ etenee 4 · ⚠ vaarassa 4")
    status, out = run_cli("--db", demo_db, "strategy", "status", "--year", "2025")
    assert status == 0 and "saavutettu 5, etenee 4, vaarassa 4, myöhässä 5" in out


def test_a_goal_opens_into_its_trend_and_the_contracts_behind_it(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show(demo_db, monkeypatch)
    at = open_page(strategy_goal="VA-2")
    assert len(at.get("plotly_chart")) == 1
    contracts = at.dataframe[0].value
    assert contracts.to_dict("records") == [
        {"Sopimus": "KH-2024-001", "Palveluntuottaja": "Hoiva Aalto Oy",
         "Mittarit": "adl, kaatumiset", "Arvioitu": "8", "Saavutettu": "7", "Osuus": "88\u00a0%"},
    ]  # fmt: skip
    at = open_page(lang="en", strategy_goal="TT-1")
    values = at.dataframe[0].value
    assert values.to_dict("records") == [
        {"Date": "31 Dec 2025", "Value": "103.4 % talousarviosta", "Source": "Tilinpäätös 2025"}
    ]


def test_strategy_text_is_shown_as_text(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second strategy with a hostile title and owner, linked to one contract's indicator."""
    db = copy_db(demo_db, tmp_path)
    path = tmp_path / "toinen.toml"
    path.write_text(
        """
format = 1
id = "TOINEN"
name = "Toinen"
start = 2025-01-01
end = 2025-12-31

[[goal]]
id = "P-1"
theme = "hyva-johtaminen"
title = "![x](http://example.com/px.png) <b>lihava</b>"
owner = "**Valvonta**"
schedule = { start = 2025-01-01, due = 2025-12-31 }
indicators = [{ contract = "TPA-2024-003", indicator = "rikkeet" }]
target_share = 0.5
""",
        encoding="utf-8",
    )
    assert run_cli("--db", db, "strategy", "add", path)[0] == 0
    show(db, monkeypatch)
    at = open_page(strategy_id="TOINEN", strategy_goal="P-1")
    (row,) = goal_tables(at).to_dict("records")
    assert (row["Tila"], row["Toteuma"], row["Nimi"], row["Vastuutaho"]) == (
        "✖ myöhässä", "0\u00a0% (0/2)", "![x](http://example.com/px.png) <b>lihava</b>",
        "**Valvonta**",
    )  # fmt: skip
    shown = at.table[0].value.iloc[0]["Nimi"]  # escaped for Markdown: no image is fetched
    assert shown.startswith("\\!\\[x\\]\\(http\\:\u2060\\/\\/") and "\\<b\\>" in shown
    assert at.dataframe[0].value.to_dict("records") == [
        {"Sopimus": "TPA-2024-003", "Palveluntuottaja": SUPPLIER,
         "Mittarit": "rikkeet", "Arvioitu": "2", "Saavutettu": "0", "Osuus": "0\u00a0%"},
    ]  # fmt: skip


def test_a_share_resting_on_fewer_than_5_clients_is_never_shown() -> None:
    trend = [(2024, Fraction(1, 2)), (2025, Fraction(3, 4))]
    clients = [(2024, 4), (2025, 5)]
    assert share_trend_text(trend, clients, "fi", 5) == "2024: <5 → 2025: 75\u00a0%"
    words = {"title": "t", "x": "x", "y": "y", "target": "tavoite"}
    figure = share_trend(trend, clients, Decimal("0.5"), words, "fi", 5)
    (bars,) = figure.data
    assert (list(bars.y), list(bars.text)) == ([0, 75.0], ["<5", "75\u00a0%"])
    assert share_text(None, 0, "fi", 5) == "–"


def test_without_a_stored_strategy_the_page_says_how_to_store_one(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show(db, monkeypatch)
    at = open_page(lang="sv")
    assert [i.value for i in at.info] == [
        "Databasen har ingen upphandlingsstrategi. Den sparas med `vaikuttavuus strategy add FIL`."
    ]
    assert len(at.table) == 0
