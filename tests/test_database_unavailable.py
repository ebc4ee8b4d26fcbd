"""A user never sees a traceback: a missing or unreadable database is a plain page, in the
user's language (Finnish first), saying what is wrong and what to do, on every page."""

import logging
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.demo_users import EVERY_ROLE, show

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def missing(tmp_path: Path) -> Path:
    return tmp_path / "ei-ole.duckdb"


def garbage(tmp_path: Path) -> Path:
    path = tmp_path / "rikki.duckdb"
    path.write_bytes(b"this is not a database\n" * 100)
    return path


def empty(tmp_path: Path) -> Path:
    """A DuckDB file without our tables (never initialised)."""
    path = tmp_path / "tyhja.duckdb"
    duckdb.connect(str(path)).close()
    return path


def run_app(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "fi") -> AppTest:
    show(db, monkeypatch)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.user = dict(EVERY_ROLE)
    at.session_state["lang"] = lang
    return at.run()


def page_text(at: AppTest) -> str:
    return "\n".join(
        str(getattr(e, "value", "")) for kind in ("title", "error", "markdown", "caption")
        for e in at.get(kind)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (missing, "Tietokantaa ei löydy, joten sopimuksia ja maksuja ei voi nyt näyttää."),
        (garbage, "Tietokantaa ei voi lukea, joten sopimuksia ja maksuja ei voi nyt näyttää."),
        (empty, "Tietokantaa ei voi lukea, joten sopimuksia ja maksuja ei voi nyt näyttää."),
    ],
    ids=["missing", "not-a-database", "not-initialised"],
)
def test_an_unusable_database_is_a_plain_page_without_a_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    make: Callable[[Path], Path],
    said: str,
) -> None:
    db = make(tmp_path)
    with caplog.at_level(logging.ERROR, logger="dashboard.health"):
        at = run_app(db, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "Vaikuttavuus"
    assert at.error[0].value == said
    assert at.markdown[0].value.startswith("Yritä hetken päästä uudelleen.")
    assert "vaikuttavuus init" in at.caption[0].value
    text = page_text(at)
    for word in ("Traceback", "Error", "Exception", "Ask Google", "Ask ChatGPT", str(db)):
        assert word not in text
    # nothing of the pages ran: no other title, no table
    assert len(at.title) == 1 and not at.get("arrow_data_frame")
    assert str(db) in caplog.text  # the administrator finds the reason in the server's log


def test_the_plain_page_follows_the_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_app(missing(tmp_path), monkeypatch, lang="sv")
    assert at.error[0].value.startswith("Databasen hittas inte")
    at.sidebar.selectbox[0].select("en").run()
    assert at.error[0].value.startswith("The database cannot be found")
    assert not at.exception


def test_every_page_address_gets_the_plain_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_app(missing(tmp_path), monkeypatch)
    for page in ("sopimus", "maksut", "johto", "toimitukset", "tapahtumaloki"):
        at.query_params["contract"] = "KH-2024-001"
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception
        assert at.error[0].value.startswith("Tietokantaa ei löydy"), page


def test_before_sign_in_only_the_sign_in_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show(missing(tmp_path), monkeypatch)
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception
    assert not at.error
    assert [b.label for b in at.button] == ["Kirjaudu sisään"]
