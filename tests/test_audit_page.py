"""The Tapahtumaloki page and a settlement's events on Maksut, run by AppTest on the demo
database (and the command on a copy of it): who may read the trail, the filters, the link
from Maksut, pending journal entries, the chain check, and downloads that are themselves
recorded in the trail."""

# The demo database's fixtures are those of the other page tests: imported, then named as
# test arguments, which ruff takes for a redefinition.
# ruff: noqa: F811

import csv
import fcntl
import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from etl import audit
from etl.access import signed_in_actor
from tests.conftest import run_cli
from tests.demo_users import ISSUER, open_as, signed_in
from tests.test_dashboard_pages import (  # noqa: F401 (fixtures)
    TIMEOUT,
    VIEWS,
    demo_db,
    no_exception,
    own_db,
    page,
    shown_db,
    table,
)

FORBIDDEN = ["Sinulla ei ole oikeutta tähän sivuun."]
# KH-2024-001 2025-Q1 in the demo: settled (v1), prepared, approved, settled again (v2, the
# correction after delivery 51)
SETTLEMENT = ("KH-2024-001", "2025-Q1")


def log(user: str = "demo-admin", lang: str = "fi", **query: str) -> AppTest:
    return open_as(VIEWS / "tapahtumaloki.py", user, lang, query=query, timeout=TIMEOUT)


def events(at: AppTest) -> pd.DataFrame:
    return table(at, 0)


def demo_trail(db: Path, where: str = "true") -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            f"SELECT event_id, action, outcome, actor_id, channel, contract_id, period, detail "
            f"FROM audit_event WHERE {where} ORDER BY event_id DESC"
        ).fetchall()


# --- who may read it -------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["demo-admin", "demo-valmistelija", "demo-hyvaksyja"])
def test_administrators_and_finance_read_the_trail(shown_db: Path, user: str) -> None:
    at = log(user)
    no_exception(at)
    assert at.title[0].value == "Tapahtumaloki"
    assert not at.error
    assert at.success[0].icon == "✔"
    assert at.success[0].value.startswith("Tarkistusketju eheä: ")
    shown = events(at)
    assert list(shown.columns) == [
        "Tapahtuma", "Aika (UTC)", "Toiminto", "Tulos", "Käyttäjä", "Sopimus", "Kausi",
        "Versio", "Roolit", "Kanava", "Toimitus", "Tiedoston tiiviste", "Lisätiedot",
    ]  # fmt: skip
    numbers = [int(n) for n in shown["Tapahtuma"]]
    assert numbers == sorted(numbers, reverse=True)
    assert len(shown) == len(demo_trail(shown_db))
    assert [b.proto.label for b in at.get("download_button")] == [
        "Lataa .xlsx", "Lataa CSV (suomalainen Excel)",
    ]  # fmt: skip


@pytest.mark.parametrize("user", ["demo-sopimus", "demo-johto", "demo-toimittaja"])
def test_others_are_refused_and_see_nothing_of_the_trail(shown_db: Path, user: str) -> None:
    at = log(user, contract="KH-2024-001")
    no_exception(at)
    assert [e.value for e in at.error] == FORBIDDEN
    assert not at.dataframe and not at.get("download_button") and not at.selectbox
    subject = signed_in(user)["sub"]
    refusals = demo_trail(shown_db, f"action = 'open-page' AND actor_id LIKE '%|{subject}'")
    assert refusals and refusals[0][2] == "refused"
    assert json.loads(str(refusals[0][7]))["permission"] == "view-audit"


# --- filters ---------------------------------------------------------------------------------


def test_the_url_filters_to_one_settlements_events(shown_db: Path) -> None:
    at = log(contract=SETTLEMENT[0], period=SETTLEMENT[1])
    no_exception(at)
    assert at.selectbox(key="audit_contract").value == "KH-2024-001"
    assert at.selectbox(key="audit_period").value == "2025-Q1"
    shown = events(at)
    assert list(shown["Toiminto"]) == ["selvitys", "hyväksyntä", "valmistelu", "selvitys"]
    approval = shown.iloc[1]
    assert (approval["Käyttäjä"], approval["Kanava"], approval["Tulos"]) == (
        "Talous / hyväksyjä", "komentorivi", "tehty",
    )  # fmt: skip
    assert (approval["Sopimus"], approval["Kausi"], approval["Versio"]) == (
        "KH-2024-001", "2025-Q1", 1,
    )  # fmt: skip
    assert shown.iloc[0]["Lisätiedot"] == "versiot: KH-2024-001 2025-Q1 v2 oikaisu"


def test_filters_narrow_the_rows(shown_db: Path) -> None:
    at = log()
    everything = len(events(at))
    at.selectbox(key="audit_action").select("approve").run()
    no_exception(at)
    assert list(events(at)["Kausi"]) == ["2024-Q4", "2025-Q1"]
    at.selectbox(key="audit_contract").select("KH-2024-001").run()
    at.selectbox(key="audit_period").select("2025-Q1").run()
    assert list(events(at)["Kausi"]) == ["2025-Q1"]
    assert at.query_params["contract"] == "KH-2024-001"
    at.selectbox(key="audit_action").select("").run()
    at.selectbox(key="audit_contract").select("").run()
    assert len(events(at)) >= everything and "contract" not in at.query_params
    at.text_input(key="audit_user").input("TALOUS / HYV").run()
    assert set(events(at)["Käyttäjä"]) == {"Talous / hyväksyjä"}
    assert len(events(at)) == 2
    at.text_input(key="audit_user").input("").run()
    loads = len(demo_trail(shown_db, "action = 'load'"))
    at.selectbox(key="audit_action").select("load").run()
    assert len(events(at)) == loads
    assert set(events(at)["Tulos"]) == {"tehty", "hylätty"}


def test_days_narrow_the_rows(shown_db: Path) -> None:
    with duckdb.connect(str(shown_db), read_only=True) as con:
        first = con.execute("SELECT min(occurred_at)::DATE FROM audit_event").fetchone()
    assert first is not None
    built: date = first[0]
    at = log()
    at.date_input(key="audit_until").set_value(built - timedelta(days=1)).run()
    no_exception(at)
    assert len(events(at)) == 0
    assert at.caption[0].value == "0 tapahtumaa, uusin ensin."
    at.date_input(key="audit_until").set_value(built).run()
    at.date_input(key="audit_since").set_value(built).run()
    built_that_day = demo_trail(shown_db, f"occurred_at::DATE = DATE '{built.isoformat()}'")
    assert len(events(at)) == len(built_that_day)
    at.date_input(key="audit_since").set_value(built + timedelta(days=1)).run()
    assert [w.value for w in at.warning] == ["Alkupäivä on loppupäivän jälkeen."]
    assert len(events(at)) == 0


def test_the_page_in_swedish(shown_db: Path) -> None:
    at = log(lang="sv", contract=SETTLEMENT[0], period=SETTLEMENT[1])
    no_exception(at)
    assert at.title[0].value == "Händelselogg"
    shown = events(at)
    assert list(shown["Åtgärd"]) == ["avräkning", "godkännande", "förberedelse", "avräkning"]
    assert shown.iloc[1]["Tid (UTC)"].count(":") == 2


# --- pending entries and the chain -----------------------------------------------------------


def test_an_event_waiting_in_the_journal_is_shown_as_pending(own_db: Path) -> None:
    waiting = signed_in_actor({"iss": ISSUER, "sub": "s1", "name": "Odottava Olli"}, None)
    with open(own_db.with_name(own_db.name + ".lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another writer: the journal cannot be moved in
        audit.record_soon(own_db, waiting, audit.Event("load", "rejected", detail={"file": "x"}))
        at = log(user="demo-valmistelija")
    no_exception(at)
    assert audit.journal_path(own_db).exists()
    shown = events(at)
    pending = shown[shown["Tapahtuma"] == "⏳ odottaa"]
    # the sign-in of this very visit waits too
    assert sorted(pending["Toiminto"]) == ["kirjautuminen", "toimituksen lataus"]
    olli = pending[pending["Käyttäjä"] == "Odottava Olli"].iloc[0]
    assert (olli["Tulos"], olli["Kanava"], olli["Lisätiedot"]) == (
        "hylätty",
        "selain",
        "tiedosto: x",
    )
    assert list(shown["Tapahtuma"][:2]) == ["⏳ odottaa", "⏳ odottaa"]
    assert at.info[0].value.startswith("2 tapahtumaa odottaa lokin jonossa")
    # the next write moves them in, numbered after the rest
    assert audit.absorb(own_db) == 2
    again = log(user="demo-valmistelija")
    assert "⏳ odottaa" not in set(events(again)["Tapahtuma"])
    assert not again.info


def test_a_row_changed_outside_the_product_is_shown_as_a_break(own_db: Path) -> None:
    with duckdb.connect(str(own_db)) as con:
        con.execute("UPDATE audit_event SET actor_name = 'Joku muu' WHERE event_id = 3")
    at = log()
    no_exception(at)
    assert at.error[0].icon == "✖"
    assert at.error[0].value.startswith("Tarkistusketju katkennut 1 kohdasta")
    assert at.text[0].value == "Tapahtuma 3: riviä on muutettu kirjaamisen jälkeen."


# --- downloads -------------------------------------------------------------------------------


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MediaFileManager]:
    """Streamlit's media file managers of the AppTest runs, to press a download button as the
    browser does: the button's file is made when it is asked for."""
    made: list[MediaFileManager] = []

    class Kept(MediaFileManager):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            made.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Kept)
    return made


def download(at: AppTest, key: str, media: list[MediaFileManager]) -> bytes:
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith(key)]
    url = media[-1].execute_deferred(button.proto.deferred_file_id)
    return bytes(media[-1]._storage.get_file(url.rsplit("/", 1)[1]).content)  # type: ignore[attr-defined]


def test_a_download_holds_exactly_the_rows_shown_and_is_itself_recorded(
    own_db: Path, media: list[MediaFileManager]
) -> None:
    at = log(user="demo-hyvaksyja", contract=SETTLEMENT[0], period=SETTLEMENT[1])
    shown = events(at)
    numbers = [int(n) for n in shown["Tapahtuma"]]
    before = demo_trail(own_db)

    sheet = load_workbook(io.BytesIO(download(at, "audit_xlsx", media))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("tapahtuma", "aika (UTC)")
    assert [r[0] for r in rows[1:]] == numbers
    assert [r[8] for r in rows[1:]] == ["settle", "approve", "prepare", "settle"]

    raw = download(at, "audit_csv", media)
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert [int(r[0]) for r in lines[1:]] == numbers  # what the page showed when pressed

    after = demo_trail(own_db)
    exports = after[: len(after) - len(before)]
    who = f"oidc:{ISSUER}|demo-hyvaksyja"
    assert [(e[1], e[2], e[3], e[4], e[5], e[6]) for e in exports] == [
        ("export", "done", who, "browser", *SETTLEMENT),
        ("export", "done", who, "browser", *SETTLEMENT),
    ]
    details = [json.loads(str(e[7])) for e in reversed(exports)]
    assert [(d["what"], d["format"], d["file"], d["rows"]) for d in details] == [
        ("audit-trail", "xlsx", "tapahtumaloki-KH-2024-001-2025-Q1.xlsx", 4),
        ("audit-trail", "csv", "tapahtumaloki-KH-2024-001-2025-Q1.fi.csv", 4),
    ]
    # the next visit shows both downloads in the trail of this settlement
    again = log(user="demo-hyvaksyja", contract=SETTLEMENT[0], period=SETTLEMENT[1])
    assert list(events(again)["Toiminto"])[:2] == ["vienti", "vienti"]


def test_a_settlement_download_on_maksut_is_recorded_as_an_export(
    own_db: Path, media: list[MediaFileManager]
) -> None:
    at = page("maksut", user="demo-hyvaksyja", pay_contract=SETTLEMENT[0], pay_period=SETTLEMENT[1])
    content = download(at, "dl_xlsx", media)
    assert load_workbook(io.BytesIO(content))["Yhteenveto"] is not None
    (latest,) = demo_trail(own_db, "action = 'export'")[:1]
    assert latest[1:7] == (
        "export", "done", f"oidc:{ISSUER}|demo-hyvaksyja", "browser", *SETTLEMENT,
    )  # fmt: skip
    assert json.loads(str(latest[7]))["file"] == "selvitys-KH-2024-001-2025-Q1.xlsx"


def test_a_supplier_gets_no_settlement_downloads(shown_db: Path) -> None:
    at = page("maksut", user="demo-toimittaja")
    no_exception(at)
    assert not at.get("download_button")


def test_the_command_prints_and_writes_what_the_page_shows(own_db: Path, tmp_path: Path) -> None:
    at = log(contract=SETTLEMENT[0], period=SETTLEMENT[1])
    shown = [int(n) for n in events(at)["Tapahtuma"]]
    out_file = tmp_path / "loki.fi.csv"
    status, out = run_cli(
        "--db", own_db, "audit", "--contract", SETTLEMENT[0], "--period", SETTLEMENT[1],
        "--out", out_file, "--by", "Tarkastaja",
    )  # fmt: skip
    assert status == 0
    assert out.splitlines()[-2] == "tapahtumia 4"
    printed = [int(line.split()[0]) for line in out.splitlines()[1:-2]]
    assert printed == shown
    lines = list(csv.reader(io.StringIO(out_file.read_text("utf-8-sig")), delimiter=";"))
    assert [int(r[0]) for r in lines[1:]] == shown
    last = demo_trail(own_db)[0]
    assert (last[1], last[4], last[5], last[6]) == ("export", "cli", *SETTLEMENT)


# --- Maksut: the settlement's events ---------------------------------------------------------


def events_fold(at: AppTest) -> Any:
    """Maksut's fold-out of the settlement's events (each line folds out too)."""
    (folded,) = [
        e for e in at.expander if e.label == "Tapahtumat: selvitys, hyväksyntä ja toimitukset"
    ]
    return folded


def test_payments_show_the_settlements_events_and_link_to_the_log(shown_db: Path) -> None:
    at = page("maksut", pay_contract=SETTLEMENT[0], pay_period=SETTLEMENT[1])
    no_exception(at)
    folded = events_fold(at)
    shown: pd.DataFrame = folded.dataframe[0].value
    assert list(shown.columns) == [
        "Tapahtuma", "Aika (UTC)", "Käyttäjä", "Toiminto", "Tulos", "Versio", "Toimitus",
        "Lisätiedot",
    ]  # fmt: skip
    assert list(shown["Toiminto"]) == [
        "selvitys", "toimituksen lataus", "hyväksyntä", "valmistelu", "selvitys",
        "toimituksen lataus",
    ]  # fmt: skip
    # the deliveries the shown version (v2) used: 5 and its correction 51
    assert sorted(shown["Toimitus"].dropna().astype(int)) == [5, 51]
    (link,) = folded.get("link_button")
    assert (link.proto.label, link.proto.url) == (
        "Avaa tapahtumaloki", "/tapahtumaloki?contract=KH-2024-001&period=2025-Q1",
    )  # fmt: skip


def test_a_supplier_sees_only_the_loads_and_the_approval_and_no_link(shown_db: Path) -> None:
    at = AppTest.from_file(str(VIEWS / "maksut.py"), default_timeout=TIMEOUT)
    at.user = signed_in("demo-toimittaja")
    at.session_state["lang"] = "fi"
    at.session_state["pay_contract"] = "KH-2024-001"
    at.session_state["pay_period"] = "2024-Q4"
    at.run()
    no_exception(at)
    folded = events_fold(at)
    shown: pd.DataFrame = folded.dataframe[0].value
    assert list(shown.columns) == ["Aika (UTC)", "Käyttäjä", "Toiminto", "Versio", "Toimitus"]
    assert set(shown["Toiminto"]) == {"hyväksyntä", "toimituksen lataus"}
    assert not folded.get("link_button")
