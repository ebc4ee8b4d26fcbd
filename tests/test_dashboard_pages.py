"""Every dashboard page run by AppTest against the demo database, one page at a time with the
session state seeded; figures are the reviewed ones of the sample data."""

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.demo_users import EVERY_ROLE, open_as, show, shown
from tests.e2e.demo_db import UPLOAD_CSV, UPLOAD_NAME, copy_db, demo_template

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
APP = VIEWS.parent / "app.py"
TIMEOUT = 120


@pytest.fixture(scope="session")
def demo_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_template(request.config, tmp_path_factory.mktemp("dashboard-demo"))


@pytest.fixture
def shown_db(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared demo database, for pages that only read."""
    return show(demo_db, monkeypatch)


@pytest.fixture
def own_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo database, for tests that approve or load."""
    return show(copy_db(demo_db, tmp_path), monkeypatch)


USER_OF_PAGE = {
    "sopimukset": "demo-sopimus", "sopimus": "demo-sopimus", "toimitukset": "demo-sopimus",
    "maksut": "demo-valmistelija", "johto": "demo-johto", "tapahtumaloki": "demo-admin",
    "strategia": "demo-johto", "kilpailutuskalenteri": "demo-johto",
}  # fmt: skip
"""Who opens each page when a test does not say: a demo user whose role the page is for."""


def page(name: str, lang: str = "fi", user: str | None = None, **state: object) -> AppTest:
    """Run one page as a signed-in demo user (st.user seeded as after a real sign-in)."""
    script = VIEWS / f"{name}.py"
    return open_as(script, user or USER_OF_PAGE[name], lang, timeout=TIMEOUT, state=state)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def as_shown(body: str) -> str:
    """What a Markdown body shows: names and file names in it are escaped (dashboard.literal),
    each punctuation character behind a backslash, an invisible word joiner before an `@`."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", body).replace("\u2060", "")


def table(at: AppTest, index: int) -> pd.DataFrame:
    frame: pd.DataFrame = at.dataframe[index].value
    return frame


def row_of(frame: pd.DataFrame, **where: object) -> dict[str, Any]:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    found: dict[str, Any] = rows.iloc[0].to_dict()
    return found


def today() -> str:
    """Today in the Finnish date format (approvals are stamped in UTC)."""
    now = datetime.now(UTC)
    return f"{now.day}.{now.month}.{now.year}"


def charts(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


# --- Sopimukset ------------------------------------------------------------------------------


def test_contracts_page_shows_each_indicator_status_in_the_latest_period(shown_db: Path) -> None:
    at = page("sopimukset")
    no_exception(at)
    assert at.title[0].value == "Sopimukset"
    status = table(at, 0)
    assert len(status) == 27
    adl = row_of(status, Sopimus="/sopimus?contract=KH-2024-001",
                 Mittari="Asiakkaat, joiden toimintakyky (RAI ADL-H) ei heikentynyt")  # fmt: skip
    assert (adl["Viimeisin kausi"], adl["Tila"], adl["n"]) == ("2025-Q4", "✔ saavutettu", 148)
    assert round(adl["Arvo"], 2) == Decimal("91.22")  # a number: the table sorts it as one
    koivu = row_of(status, Sopimus="/sopimus?contract=KH-2024-002",
                   Mittari="Asiakkaat, joiden toimintakyky (RAI ADL-H) ei heikentynyt")  # fmt: skip
    assert (koivu["Viimeisin kausi"], koivu["Tila"], koivu["Arvo"]) == (
        "2025-12", "◐ osittain", Decimal("81.25"),
    )  # fmt: skip
    # on screen written in Finnish, at most two decimals
    assert {"81,25", "91,22"} <= set(shown(at.dataframe[0])["Arvo"])
    # the most severe first: below the minimum before anything achieved
    order = list(status["Tila"])
    assert order.index("▼ alle minimin") < order.index("✔ saavutettu")
    words = set(status["Tila"])
    assert {"✔ saavutettu", "◐ osittain", "▼ alle minimin"} <= words


def test_contracts_page_shows_missing_and_late_months(shown_db: Path) -> None:
    at = page("sopimukset")
    completeness = table(at, 1)
    aalto = row_of(completeness, Sopimus="KH-2024-001")
    assert aalto["Odotettu (mittari×kk)"] == 72
    assert aalto["Puuttuvia (mittari×kk)"] == 1
    assert aalto["Puuttuvat kuukaudet"] == "2024-07"
    # every sample delivery was loaded in one go, long after its months ended: all late
    assert aalto["Myöhässä (mittari×kk)"] == 71
    assert "2025-12" in at.caption[1].value


def test_contracts_page_filters_by_service_and_theme(shown_db: Path) -> None:
    at = page("sopimukset", f_service=["tehostettu-palveluasuminen"], f_theme=["asiakaskokemus"])
    no_exception(at)
    status = table(at, 0)
    assert set(status["Palvelu"]) == {"tehostettu palveluasuminen"}
    assert set(status["Teema"]) == {"asiakaskokemus"}
    assert list(table(at, 1)["Sopimus"]) == ["TPA-2024-001", "TPA-2024-002", "TPA-2024-003"]


# --- Sopimus ---------------------------------------------------------------------------------


def test_contract_page_shows_trends_history_comparison_and_deliveries(shown_db: Path) -> None:
    at = page("sopimus", contract="KH-2024-001")
    no_exception(at)
    assert "Hoiva Aalto Oy" in at.markdown[0].value
    assert "1.1.2024–31.12.2025" in at.markdown[0].value
    assert "180\u00a0000,00\u00a0€" in at.markdown[0].value
    # three indicator trends; four comparisons (kotihoito: adl, kaatumiset, nps, vaihtuvuus)
    assert charts(at) == 7
    history = table(at, 0)
    first = row_of(history, Kausi="2024-Q1")
    assert first["Kaatumiset / 1 000 hoitopäivää"] == "▼ alle minimin (9,01; n=28\u00a0065)"
    assert first["Suositteluhalukkuus (NPS)"] == "◐ osittain (39,9; n=61)"
    comparison = table(at, 1)
    mine = row_of(comparison, Sopimus="KH-2024-001",
                  Mittari="Asiakkaat, joiden toimintakyky (RAI ADL-H) ei heikentynyt")  # fmt: skip
    assert mine["Arvo"] == "86,79 (n=613)"
    assert mine["Kausia"] == "✔ 3 / 4"
    assert set(comparison["Sopimus"]) == {"KH-2024-001", "KH-2024-002", "KH-2024-003"}
    used = table(at, 2)
    assert row_of(used, Toimitus=51)["Tiedosto"] == "korjaus-2025-03.csv"


def test_contract_page_draws_the_engines_values_and_months_under_min_n_apart(
    shown_db: Path,
) -> None:
    """The trends and the comparison show the values settle stored (indicator_value, the
    engine's): NPS months rest on 16 to 26 answers under min_n 30, so they are drawn apart
    with the word, not as monthly values; ADL's months are all assessable."""
    at = page("sopimus", contract="KH-2024-001")
    no_exception(at)
    specs = {json.loads(c.proto.spec)["layout"]["title"]["text"]: json.loads(c.proto.spec)
             for c in at.get("plotly_chart")}  # fmt: skip
    nps = next(spec for title, spec in specs.items() if title.startswith("Suositteluhalukkuus"))
    names = [trace.get("name") for trace in nps["data"]]
    assert "Kuukausiarvo: ei arvioitavissa" in names and "Kuukausiarvo" not in names
    adl = next(spec for title, spec in specs.items() if title.startswith("Asiakkaat, joiden"))
    monthly = next(t for t in adl["data"] if t.get("name") == "Kuukausiarvo")
    assert len([y for y in monthly["y"] if y is not None]) == 24
    assert "Kuukausiarvo: ei arvioitavissa" not in [t.get("name") for t in adl["data"]]


def test_contract_page_opens_the_contract_in_the_query_string(shown_db: Path) -> None:
    at = open_as(
        VIEWS / "sopimus.py", "demo-sopimus", query={"contract": "TPA-2024-001"}, timeout=TIMEOUT
    )
    no_exception(at)
    assert at.selectbox(key="contract").value == "TPA-2024-001"
    assert "Palvelukoti Kaski Oy" in at.markdown[0].value


def test_a_supplier_cannot_open_another_suppliers_contract_by_url(shown_db: Path) -> None:
    at = open_as(
        VIEWS / "sopimus.py", "demo-toimittaja", query={"contract": "TPA-2024-001"}, timeout=TIMEOUT
    )  # Hoiva Aalto Oy: KH-2024-001 and TPA-2024-002
    no_exception(at)
    assert as_shown(at.error[0].value) == "Sinulla ei ole oikeutta sopimukseen TPA-2024-001."
    assert at.selectbox(key="contract").options == ["KH-2024-001 · Hoiva Aalto Oy",
                                                    "TPA-2024-002 · Hoiva Aalto Oy"]  # fmt: skip
    assert "Palvelukoti Kaski Oy" not in " ".join(m.value for m in at.markdown)


def test_leadership_cannot_open_client_level_pages(shown_db: Path) -> None:
    for name in ("sopimukset", "sopimus", "toimitukset", "maksut"):
        at = page(name, user="demo-johto")
        no_exception(at)
        assert [e.value for e in at.error] == ["Sinulla ei ole oikeutta tähän sivuun."], name
        assert not at.dataframe, name


def test_a_user_without_a_role_sees_only_a_notice(shown_db: Path) -> None:
    at = open_as(APP, "demo-eiroolia", timeout=TIMEOUT)
    no_exception(at)
    assert "ei ole roolia" in at.info[0].value
    assert not at.dataframe and not at.get("plotly_chart")


def test_nothing_is_shown_before_sign_in(shown_db: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.user = {"is_logged_in": False}
    at.run()
    no_exception(at)
    assert [b.label for b in at.button] == ["Kirjaudu sisään"]
    assert not at.dataframe and not at.get("plotly_chart") and not at.metric


def test_contract_page_in_swedish_uses_swedish_words_and_formats(shown_db: Path) -> None:
    at = page("sopimus", lang="sv", contract="KH-2024-001")
    no_exception(at)
    assert at.title[0].value == "Avtal i detalj"
    history = table(at, 0)
    assert history.iloc[0, 0] == "2024-Q1"
    assert "▼ under minimum (9,01; n=28\u00a0065)" in set(history.iloc[0])


# --- Maksut ----------------------------------------------------------------------------------


def test_payments_page_shows_the_correction_and_its_money_difference(shown_db: Path) -> None:
    at = page("maksut", pay_contract="KH-2024-001", pay_period="2025-Q1")
    no_exception(at)
    assert (
        at.warning[0].value
        == "Oikaisu v2 hyväksyttyyn versioon v1: nettomuutos −2\u00a0440,51\u00a0€"
    )
    versions = table(at, 0)
    assert list(versions["Versio"]) == [2, 1]
    v1 = row_of(versions, Versio=1)
    assert v1["Tila"].startswith("🔒 hyväksytty Talous / hyväksyjä (komentorivi) ")
    assert v1["Netto"] == "9\u00a0000,00\u00a0€"
    v2 = row_of(versions, Versio=2)
    assert (v2["Laji"], v2["Tila"], v2["Netto"], v2["Erotus"]) == (
        "oikaisu", "luonnos", "6\u00a0559,49\u00a0€", "−2\u00a0440,51\u00a0€",
    )  # fmt: skip
    assert [m.value for m in at.metric] == [
        "6\u00a0559,49\u00a0€",
        "0,00\u00a0€",
        "6\u00a0559,49\u00a0€",
        "180\u00a0000,00\u00a0€",
    ]


def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The page's table that has these columns (the first one)."""
    for element in at.dataframe:
        frame: pd.DataFrame = element.value
        if set(columns) <= set(frame.columns):
            return frame
    raise AssertionError(f"no table with {columns}")


def test_payments_page_draws_the_waterfall_and_lists_downloads_and_sources(
    shown_db: Path,
) -> None:
    """The line table, explanations and drill-down: tests/test_maksut_page.py."""
    at = page("maksut", pay_contract="KH-2024-001", pay_period="2025-Q1")
    no_exception(at)
    assert charts(at) == 1
    assert len(at.get("download_button")) == 2
    sources = table_with(at, "Toimitus", "Tiedosto", "Ladattu")
    assert list(sources["Toimitus"]) == [5, 51]


def test_payments_page_shows_the_totals_and_yearly_totals(shown_db: Path) -> None:
    at = page("maksut", pay_contract="TPA-2024-001", pay_period="2024-08")
    no_exception(at)
    assert [m.value for m in at.metric][:3] == [
        "0,00\u00a0€",
        "3\u00a0400,00\u00a0€",
        "−3\u00a0400,00\u00a0€",
    ]
    yearly = table(at, len(at.dataframe) - 1)
    assert list(yearly["Vuosi"]) == ["2024", "2025"]


def test_payments_four_eyes_prepare_then_approve_by_another_records_who_and_locks(
    own_db: Path,
) -> None:
    at = page("maksut", pay_contract="KH-2024-001", pay_period="2025-Q1")
    assert all(b.key != "approve" for b in at.button)
    at.button(key="prepare").click()
    at.run()
    no_exception(at)
    assert at.success[0].value == "Valmisteltu. Toinen talouden käyttäjä hyväksyy sen."
    assert row_of(table(at, 0), Versio=2)["Tila"] == "valmisteltu"
    # the same person cannot approve what they prepared
    at.button(key="approve").click()
    at.run()
    no_exception(at)
    assert "sama henkilö ei voi valmistella ja hyväksyä" in at.error[0].value
    assert row_of(table(at, 0), Versio=2)["Tila"] == "valmisteltu"
    # another finance user approves, with a comment
    other = page("maksut", user="demo-hyvaksyja", pay_contract="KH-2024-001", pay_period="2025-Q1")
    other.text_input(key="approval_comment").input("Tarkistettu liitteitä vasten")
    other.button(key="approve").click()
    other.run()
    no_exception(other)
    assert other.success[0].value == "Hyväksytty ja lukittu."
    lock = other.success[1]
    who = "Heikki Hyväksyjä (heikki.hyvaksyja@demo.invalid)"
    assert (lock.icon, as_shown(lock.value)) == ("🔒", f"hyväksytty {who} {today()}")
    assert all(b.key != "approve" for b in other.button)
    assert row_of(table(other, 0), Versio=2)["Tila"].startswith(f"🔒 hyväksytty {who}")


def test_payments_rejection_sends_back_to_draft_with_its_reason(own_db: Path) -> None:
    at = page("maksut", pay_contract="KH-2024-001", pay_period="2025-Q1")
    at.button(key="prepare").click()
    at.run()
    other = page("maksut", user="demo-hyvaksyja", pay_contract="KH-2024-001", pay_period="2025-Q1")
    other.text_input(key="reject_reason").input("Lokakuun luvut puuttuvat")
    other.button(key="reject").click()
    other.run()
    no_exception(other)
    assert row_of(table(other, 0), Versio=2)["Tila"] == "luonnos"
    assert "Lokakuun luvut puuttuvat" in other.warning[-1].value


def test_payments_are_not_approved_by_a_contract_manager_even_with_a_forged_state(
    own_db: Path,
) -> None:
    at = page("maksut", user="demo-sopimus", pay_contract="KH-2024-001", pay_period="2025-Q1")
    no_exception(at)
    assert [e.value for e in at.error] == ["Sinulla ei ole oikeutta tähän sivuun."]
    assert not at.dataframe and not at.button


def test_a_supplier_sees_only_its_own_approved_settlements(shown_db: Path) -> None:
    at = open_as(
        VIEWS / "maksut.py", "demo-toimittaja", query={"contract": "KH-2024-002"}, timeout=TIMEOUT
    )
    no_exception(at)
    assert as_shown(at.error[0].value) == "Sinulla ei ole oikeutta sopimukseen KH-2024-002."
    options = at.selectbox(key="pay_contract").options
    assert all(o.startswith(("KH-2024-001", "TPA-2024-002")) for o in options), options
    assert all(b.key not in ("prepare", "approve") for b in at.button)
    assert set(table(at, 0)["Tila"].str.startswith("🔒")) == {True}


# --- Johto -----------------------------------------------------------------------------------


def test_leadership_page_shows_shares_money_and_priority_order(shown_db: Path) -> None:
    at = page("johto")
    no_exception(at)
    assert charts(at) == 3
    by_theme = table(at, 0)
    customer = row_of(by_theme, Ryhmä="asiakaskokemus")
    assert (customer["2024"], customer["2025"]) == ("28 % (n=32)", "61 % (n=33)")
    # 4 indicator-periods, but hundreds of clients behind them: shown (suppression counts
    # clients, not indicator-periods)
    assert row_of(by_theme, Ryhmä="talouden tasapaino")["2025"] == "100 % (n=4)"
    by_service = table(at, 1)
    assert row_of(by_service, Ryhmä="lastensuojelu")["2024"] == "0 % (n=4)"
    money = table(at, 2)
    first = row_of(money, Neljännes="2024-Q1")
    assert (first["Bonus"], first["Sanktio"], first["Netto"]) == (
        "24\u00a0312,03\u00a0€", "5\u00a0600,00\u00a0€", "18\u00a0712,03\u00a0€",
    )  # fmt: skip
    kh_2025 = table(at, 3)
    assert list(kh_2025["Sopimus"]) == ["KH-2024-001", "KH-2024-003", "KH-2024-002"]
    assert list(kh_2025["Muutos"]) == ["=", "▲ 1", "▼ 1"]
    assert list(kh_2025["Pisteet"]) == ["0,9492", "0,6228", "0,5761"]
    kh_2024 = table(at, 4)
    assert set(kh_2024["Muutos"]) == {"uusi"}


# --- Toimitukset -----------------------------------------------------------------------------


def test_deliveries_page_shows_history_with_corrections(shown_db: Path) -> None:
    at = page("toimitukset")
    no_exception(at)
    history = table(at, 0)
    assert len(history) == 51
    correction = row_of(history, Toimitus=51)
    assert (correction["Tiedosto"], correction["Korjaa"], correction["Voimassa"]) == (
        "korjaus-2025-03.csv", "5", "voimassa",
    )  # fmt: skip
    original = row_of(history, Toimitus=5)
    assert (original["Voimassa"], original["Korvattu toimituksilla"]) == (
        "osittain korvattu (3/21)", "51",
    )  # fmt: skip


def test_deliveries_upload_is_loaded_settled_and_shown(own_db: Path) -> None:
    at = page("toimitukset")
    at.file_uploader(key="uploads").set_value((UPLOAD_NAME, UPLOAD_CSV.encode("utf-8"), "text/csv"))
    at.button[0].click()
    at.run()
    no_exception(at)
    assert at.success[0].icon == "✔"
    assert as_shown(at.success[0].value) == f"{UPLOAD_NAME}: toimitus 52, 1 riviä tallennettu."
    assert at.info[0].value == "Selvitykset päivitetty: 1 muuttui."
    newest = table(at, 0).iloc[0]
    assert (newest["Toimitus"], newest["Tiedosto"], newest["Lataaja"]) == (
        52, UPLOAD_NAME, "Sanna Sopimusvastaava (sanna.sopimusvastaava@demo.invalid)",
    )  # fmt: skip
    # the other pages see the new data without a restart
    contract = page("sopimukset")
    assert row_of(table(contract, 1), Sopimus="KH-2024-001")["Puuttuvia (mittari×kk)"] == 0


def test_deliveries_upload_rejected_shows_the_report(own_db: Path) -> None:
    bad = Path(__file__).resolve().parents[1] / "sample_data/deliveries/rejected"
    name = "f-tekstia-numerokentassa.csv"
    at = page("toimitukset")
    at.file_uploader(key="uploads").set_value((name, (bad / name).read_bytes(), "text/csv"))
    at.button[0].click()
    at.run()
    no_exception(at)
    assert at.error[0].icon == "✖"
    assert as_shown(at.error[0].value) == (
        f"{name} hylättiin: 2 ongelmaa; tiedostosta ei tallennettu mitään."
    )
    report = table(at, 0)
    assert list(report.columns) == ["Rivi", "Sarake", "Alkuperäinen teksti", "Syy"]
    assert "n/a" in set(report["Alkuperäinen teksti"])
    assert len(table(at, 1)) == 51


def test_a_supplier_cannot_upload_for_another_suppliers_contract(own_db: Path) -> None:
    at = page("toimitukset", user="demo-toimittaja-kaski")
    at.file_uploader(key="uploads").set_value((UPLOAD_NAME, UPLOAD_CSV.encode("utf-8"), "text/csv"))
    at.button[0].click()
    at.run()
    no_exception(at)
    assert not at.success
    assert table(at, 0)["Syy"].tolist() == [
        "sinulla ei ole oikeutta ladata toimituksia sopimukselle KH-2024-001"
    ]
    # its own history only: Palvelukoti Kaski's deliveries
    history = table(at, 1)
    assert set(history["Sopimus"]) == {"TPA-2024-001"}


def test_deliveries_upload_refuses_a_file_name_with_a_hetu_and_masks_it(own_db: Path) -> None:
    name = "Matti 010180-123A tulokset.csv"
    at = page("toimitukset")
    at.file_uploader(key="uploads").set_value((name, UPLOAD_CSV.encode("utf-8"), "text/csv"))
    at.button[0].click()
    at.run()
    no_exception(at)
    assert as_shown(at.error[0].value) == (
        "Matti 010180-**** tulokset.csv hylättiin: 1 ongelmaa; tiedostosta ei tallennettu mitään."
    )
    assert len(table(at, 1)) == 51


# --- the app ---------------------------------------------------------------------------------


def test_app_runs_the_first_page_and_switches_language(shown_db: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.user = dict(EVERY_ROLE)
    at.run()
    no_exception(at)
    assert at.title[0].value == "Sopimukset"
    at.sidebar.selectbox[0].select("sv").run()
    no_exception(at)
    assert at.title[0].value == "Avtal"
    assert at.session_state["lang"] == "sv"
    at.switch_page("views/maksut.py").run()
    no_exception(at)
    assert at.title[0].value == "Betalningar"


# --- every page for every role -----------------------------------------------------------------

OPENS = {
    "sopimukset": {"demo-sopimus", "demo-kotihoito", "demo-toimittaja", "demo-kaikki"},
    "sopimus": {"demo-sopimus", "demo-kotihoito", "demo-toimittaja", "demo-kaikki"},
    "toimitukset": {"demo-sopimus", "demo-kotihoito", "demo-toimittaja", "demo-kaikki"},
    "maksut": {"demo-valmistelija", "demo-hyvaksyja", "demo-toimittaja", "demo-kaikki"},
    "johto": {"demo-johto", "demo-kaikki"},
    "strategia": {"demo-johto", "demo-kaikki"},
    "kilpailutuskalenteri": {"demo-sopimus", "demo-kotihoito", "demo-johto", "demo-kaikki"},
    "tapahtumaloki": {"demo-valmistelija", "demo-hyvaksyja", "demo-admin", "demo-kaikki"},
    "maksuajo": {"demo-valmistelija", "demo-hyvaksyja", "demo-kaikki"},
}
"""Who may open each page (docs/access.md); everyone else is refused on the server."""


@pytest.mark.parametrize("name", list(OPENS))
def test_each_page_opens_for_its_roles_and_refuses_everyone_else(shown_db: Path, name: str) -> None:
    for user in ("demo-sopimus", "demo-kotihoito", "demo-valmistelija", "demo-johto",
                 "demo-toimittaja", "demo-admin", "demo-kaikki", "demo-eiroolia"):  # fmt: skip
        at = page(name, user=user)
        no_exception(at)
        refused = [e.value for e in at.error] == ["Sinulla ei ole oikeutta tähän sivuun."]
        no_role = any("ei ole roolia" in i.value for i in at.info)
        if user in OPENS[name]:
            assert not refused and not no_role, (name, user)
            assert at.title[0].value != "Vaikuttavuus", (name, user)
        else:
            assert refused or (no_role and user == "demo-eiroolia"), (name, user)
            assert not at.dataframe and not at.get("plotly_chart") and not at.metric, (name, user)


def test_a_supplier_compares_itself_with_other_contracts_without_their_names(
    shown_db: Path,
) -> None:
    at = page("sopimus", user="demo-toimittaja", contract="KH-2024-001")
    no_exception(at)
    shown = " ".join(
        " ".join(map(str, frame.value.to_numpy().ravel())) for frame in at.dataframe
    ) + " ".join(str(c.proto.spec) for c in at.get("plotly_chart"))
    assert "Kotihoiva Koivu Oy" not in shown and "Lähiapu Tammi Oy" not in shown
    assert "KH-2024-002" not in shown and "KH-2024-003" not in shown
    assert "Muu sopimus 1" in shown and "Muu sopimus 2" in shown
    assert "Hoiva Aalto Oy" in shown
    # a contract manager with every contract sees the names
    manager = page("sopimus", user="demo-sopimus", contract="KH-2024-001")
    assert "Kotihoiva Koivu Oy" in " ".join(
        " ".join(map(str, frame.value.to_numpy().ravel())) for frame in manager.dataframe
    )


def test_a_supplier_sees_the_approved_version_not_the_draft_correction(shown_db: Path) -> None:
    at = open_as(
        VIEWS / "maksut.py",
        "demo-toimittaja",
        query={"contract": "KH-2024-001", "period": "2025-Q1"},
        timeout=TIMEOUT,
    )
    no_exception(at)
    versions = table(at, 0)
    assert list(versions["Versio"]) == [1]  # v2, finance's draft correction, is not shown
    assert versions["Netto"].tolist() == ["9\u00a0000,00\u00a0€"]
    assert not at.warning  # neither the correction nor the awaiting note
    every_period = table(at, len(at.dataframe) - 2)
    assert set(every_period["Tila"].str.startswith("🔒")) == {True}
    yearly = table(at, len(at.dataframe) - 1)
    assert list(yearly["Kausia"]) == list(yearly["hyväksytty"]) == [1, 1]
