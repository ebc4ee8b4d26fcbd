"""Maksut follows every euro to the data row: each settlement line opens into its explanation
(in the reader's language), its months and the delivery rows behind it, superseded rows marked
with the delivery that replaced them; gates and caps are steps of their own. Run by AppTest
against the demo database; the expected rows are read from the store itself."""

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import literal
from etl import messages
from tests.demo_users import open_as, show
from tests.e2e.demo_db import demo_template

MAKSUT = Path(__file__).resolve().parents[1] / "dashboard" / "views" / "maksut.py"
TIMEOUT = 120
NBSP = "\u00a0"
ADL = "Asiakkaat, joiden toimintakyky (RAI ADL-H) ei heikentynyt"


@pytest.fixture(scope="session")
def demo_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_template(request.config, tmp_path_factory.mktemp("maksut-demo"))


@pytest.fixture(scope="session")
def store(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """The demo store read directly (a copy: the page's read-only snapshot holds the file)."""
    copy = tmp_path_factory.mktemp("maksut-store") / "store.duckdb"
    shutil.copyfile(demo_db, copy)
    return duckdb.connect(str(copy), read_only=True)


@pytest.fixture
def shown_db(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return show(demo_db, monkeypatch)


def maksut(
    contract: str, period: str, lang: str = "fi", user: str = "demo-valmistelija"
) -> AppTest:
    at = open_as(MAKSUT, user, lang, query={"contract": contract, "period": period},
                 timeout=TIMEOUT)  # fmt: skip
    assert not at.exception, [e.value for e in at.exception]
    return at


def expander(at: AppTest, starts: str) -> Any:
    found = [e for e in at.expander if e.label.startswith(literal.markdown(starts))]
    assert len(found) == 1, [e.label for e in at.expander]
    return found[0]


def frame(element: Any) -> pd.DataFrame:
    value: pd.DataFrame = element.value
    return value


def facts(block: Any) -> dict[str, str]:
    table = frame(block.dataframe[0])
    return dict(zip(table.iloc[:, 0], table.iloc[:, 1], strict=True))


def stored_line(
    store: duckdb.DuckDBPyConnection, contract: str, period: str, indicator: str
) -> dict[str, Any]:
    """The newest version's line of the indicator, as the engine stored it."""
    names = [d[0] for d in store.execute("SELECT * FROM settlement_line LIMIT 0").description]
    row = store.execute(
        """
        SELECT l.* FROM settlement_line l JOIN settlement_latest s USING (settlement_id)
        WHERE s.contract_id = ? AND s.period = ? AND l.indicator_id = ?
          AND l.line_kind = 'indicator'
        """,
        [contract, period, indicator],
    ).fetchone()
    assert row is not None
    return dict(zip(names, row, strict=True))


def indicator_name(
    store: duckdb.DuckDBPyConnection, contract: str, indicator: str, lang: str = "fi"
) -> str:
    row = store.execute(
        f"SELECT name_{lang} FROM indicator_current WHERE contract_id = ? AND indicator_id = ?",
        [contract, indicator],
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_a_line_shows_its_amounts_and_opens_into_its_explanation_in_finnish_and_swedish(
    shown_db: Path, store: duckdb.DuckDBPyConnection
) -> None:
    line = stored_line(store, "KH-2024-001", "2025-Q1", "adl")
    for lang in ("fi", "sv"):
        at = maksut("KH-2024-001", "2025-Q1", lang)
        steps = frame(at.dataframe[1])
        assert (
            list(steps.columns[:4])
            == {
                "fi": ["Vaihe", "Bonus", "Sanktio", "Netto"],
                "sv": ["Steg", "Bonus", "Sanktion", "Netto"],
            }[lang]
        )
        name = indicator_name(store, "KH-2024-001", "adl", lang)
        opened = expander(at, name)
        amounts = f"1{NBSP}559,49{NBSP}€", f"0,00{NBSP}€"
        words = {"fi": ("sanktio", "netto"), "sv": ("sanktion", "netto")}[lang]
        assert opened.label == (
            f"{literal.markdown(name)}: bonus {amounts[0]} · {words[0]} {amounts[1]} · "
            f"{words[1]} {amounts[0]}"
        )
        sentence = messages.stored_text(line.get("explanation_messages"), line["explanation"], lang)
        assert sentence
        assert opened.markdown[0].value == literal.markdown(sentence)
        shown = facts(opened)
        value, level_from, fraction, full = {
            "fi": ("Arvo", "Tasot alkaen", "Osuus", "Täysi summa"),
            "sv": ("Värde", "Nivåer från", "Andel", "Fullt belopp"),
        }[lang]
        assert (shown[value], shown[level_from], shown[fraction], shown[full]) == (
            "77,8481", "1.1.2025", "0,389873", f"4{NBSP}000,00{NBSP}€",
        )  # fmt: skip
        assert shown["Bonus"] == f"1{NBSP}559,49{NBSP}€"
        rule = shown[{"fi": "Sääntö", "sv": "Regel"}[lang]]
        if line.get("explanation_messages"):  # the clause in the reader's words ends the sentence
            assert sentence.endswith(rule) and rule != line["rule"]
        else:
            assert rule == line["rule"]
        # per month: the delivery this version read (the correction, 51) and its sums
        months = frame(opened.dataframe[1])
        assert list(months.iloc[:, 0]) == ["2025-01", "2025-02", "2025-03"]
        assert list(months.iloc[:, 1]) == [51, 51, 51]
        assert list(months.iloc[:, -1]) == ["78,2609", "81,8182", "73,6842"]
    if line.get("explanation_messages"):  # stored as messages: each language its own words
        fi = messages.stored_text(line["explanation_messages"], None, "fi")
        assert fi != messages.stored_text(line["explanation_messages"], None, "sv")


def observation_rows(
    store: duckdb.DuckDBPyConnection, contract: str, indicator: str, period: str
) -> list[tuple[int, str, int]]:
    """(delivery, file, row number) of every stored row of the indicator in the period."""
    rows = store.execute(
        """
        SELECT o.delivery_id, d.file_name, o.source_row
        FROM observation o JOIN delivery d USING (delivery_id)
        JOIN settlement_latest s ON s.contract_id = o.contract_id AND s.period = ?
         AND o.period_start BETWEEN s.period_start AND s.period_end
        WHERE o.contract_id = ? AND o.indicator_id = ?
        ORDER BY o.period_start, o.delivery_id, o.source_row
        """,
        [period, contract, indicator],
    ).fetchall()
    return [(int(d), str(f), int(r)) for d, f, r in rows]


def delivery_rows(at: AppTest, indicator_name: str) -> tuple[AppTest, pd.DataFrame]:
    opened = expander(at, indicator_name)
    opened.toggle[0].set_value(True)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    opened = expander(at, indicator_name)
    return at, frame(opened.dataframe[-1])


def test_the_drill_down_lists_the_stored_rows_and_marks_the_superseded_ones(
    shown_db: Path, store: duckdb.DuckDBPyConnection
) -> None:
    at, rows = delivery_rows(maksut("KH-2024-001", "2025-Q1"), ADL)
    expected = observation_rows(store, "KH-2024-001", "adl", "2025-Q1")
    assert len(expected) == 6
    assert list(zip(rows["Toimitus"], rows["Tiedosto"], rows["Rivi tiedostossa"],
                    strict=True)) == expected  # fmt: skip
    assert list(rows.columns) == [
        "Toimitus", "Tiedosto", "Rivi tiedostossa", "Kausi", "Arvo", "n", "Osoittaja",
        "Nimittäjä", "Poissuljetut", "Huomautus", "Tässä versiossa", "Korvattu toimituksella",
    ]  # fmt: skip
    first = rows[rows["Toimitus"] == 5]
    correction = rows[rows["Toimitus"] == 51]
    # the quarter's file delivered January on row 2; the correction replaced it
    assert list(first["Rivi tiedostossa"]) == [2, 9, 16]
    assert set(first["Korvattu toimituksella"]) == {"51"}
    assert set(correction["Korvattu toimituksella"]) == {""}
    # v2 (the correction) read delivery 51; the values as the supplier wrote them
    assert list(correction["Tässä versiossa"]) == ["✔"] * 3 and set(first["Tässä versiossa"]) == {
        "–"
    }
    assert list(correction["Osoittaja"]) == ["36", "45", "42"]
    assert list(correction["Nimittäjä"]) == ["47", "57", "57"]
    assert correction["Huomautus"].str.startswith("Korjattu RAI-aineisto").all()
    # finance holds no client-level permission: no client column, and the page says why
    captions = [c.value for c in expander(at, ADL).caption]
    assert any("Asiakastunnukset näkyvät vain" in c for c in captions)
    # the approved v1 read the quarter's own file: its rows are marked as used
    at.segmented_control(key="pay_version_KH-2024-001_2025-Q1").set_value(1)
    at.run()
    at, v1_rows = delivery_rows(at, ADL)
    assert list(v1_rows[v1_rows["Toimitus"] == 5]["Tässä versiossa"]) == ["✔"] * 3
    assert set(v1_rows[v1_rows["Toimitus"] == 5]["Korvattu toimituksella"]) == {"51"}


def test_client_codes_only_for_roles_that_may_see_client_level_rows(
    shown_db: Path, store: duckdb.DuckDBPyConnection
) -> None:
    line = store.execute(
        """
        SELECT s.period, l.indicator_id FROM settlement_latest s
        JOIN settlement_line l USING (settlement_id)
        JOIN observation o ON o.contract_id = s.contract_id AND o.indicator_id = l.indicator_id
         AND o.period_start BETWEEN s.period_start AND s.period_end
        WHERE s.contract_id = 'TY-2024-001' AND o.client IS NOT NULL
        ORDER BY s.period_start LIMIT 1
        """
    ).fetchone()
    assert line is not None
    period, indicator = line
    name = indicator_name(store, "TY-2024-001", indicator)
    clients = store.execute(
        """
        SELECT o.client FROM observation o JOIN settlement_latest s
          ON s.contract_id = o.contract_id AND s.period = ?
         AND o.period_start BETWEEN s.period_start AND s.period_end
        WHERE o.contract_id = 'TY-2024-001' AND o.indicator_id = ?
        ORDER BY o.period_start, o.delivery_id, o.source_row
        """,
        [period, indicator],
    ).fetchall()
    _, finance = delivery_rows(maksut("TY-2024-001", period), name)
    assert "Asiakas" not in finance.columns
    _, everyone = delivery_rows(maksut("TY-2024-001", period, user="demo-kaikki"), name)
    assert list(everyone["Asiakas"]) == [c or "" for (c,) in clients]


def test_gates_and_caps_are_steps_of_their_own_in_the_table_and_the_waterfall(
    shown_db: Path,
) -> None:
    at = maksut("TPA-2024-001", "2024-08")
    steps = frame(at.dataframe[1])
    gate = steps[steps["Vaihe"] == "Portti"]
    assert (list(gate["Bonus"]), list(gate["Netto"])) == (
        [f"−2{NBSP}500,00{NBSP}€"], [f"−2{NBSP}500,00{NBSP}€"],
    )  # fmt: skip
    # the steps of the Netto column are the stored net, as the metric shows it
    net = sum(
        Decimal(v.replace(NBSP, "").replace("€", "").replace("−", "-").replace(",", "."))
        for v in steps["Netto"]
    )
    assert f"{net:.2f}" == "-3400.00"
    assert at.metric[2].value == f"−3{NBSP}400,00{NBSP}€"
    opened = expander(at, "Portti")
    assert opened.label == f"Portti: −2{NBSP}500,00{NBSP}€ · netto −2{NBSP}500,00{NBSP}€"
    assert facts(opened)["Lasketaan"] == "–"
    waterfall = at.get("plotly_chart")[0].proto.spec
    assert '"Portti"' in waterfall
    # an annual cap is a step of its own too
    capped = maksut("TY-2024-001", "2025-Q4")
    cap = frame(capped.dataframe[1])
    annual = cap[cap["Vaihe"] == "Vuotuinen bonuskatto"]
    assert list(annual["Bonus"]) == list(annual["Netto"]) == [f"−11{NBSP}200,00{NBSP}€"]
    assert '"Vuotuinen bonuskatto"' in capped.get("plotly_chart")[0].proto.spec
