"""The demo's users (sample_data/auth/users.json), as their ID tokens' claims: the same users
`make demo` gives the local OpenID provider, so that AppTest and the browser tests sign in as
the people a newcomer meets."""

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from etl.access import NO_AUTH_ENV, ROLES_ENV
from etl.store import DB_ENV

AUTH = Path(__file__).resolve().parents[1] / "sample_data" / "auth"
ROLES_FILE = AUTH / "roles.toml"
USERS: dict[str, dict[str, Any]] = {
    u["sub"]: u for u in json.loads((AUTH / "users.json").read_text(encoding="utf-8"))
}
ISSUER = "http://localhost:9400"


def signed_in(user: str, **extra: object) -> dict[str, Any]:
    """What `st.user` holds for this demo user once signed in."""
    return {"is_logged_in": True, "iss": ISSUER, **USERS[user], **extra}


EVERY_ROLE = signed_in("demo-kaikki")
"""The demo user holding every role but supplier."""


def show(db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The dashboard (AppTest in this process) shows `db` to users signed in with the demo's
    role mapping, as `vaikuttavuus serve` with sign-in would."""
    monkeypatch.setenv(DB_ENV, str(db))
    monkeypatch.setenv(ROLES_ENV, str(ROLES_FILE))
    monkeypatch.delenv(NO_AUTH_ENV, raising=False)
    return db


def open_as(
    script: Path,
    user: str,
    lang: str = "fi",
    query: dict[str, str] | None = None,
    timeout: float = 120,
    state: dict[str, object] | None = None,
) -> AppTest:
    """Run a page (or the app) as this signed-in demo user, with the session state and the
    URL's query parameters seeded."""
    at = AppTest.from_file(str(script), default_timeout=timeout)
    at.user = signed_in(user)
    at.session_state["lang"] = lang
    for key, value in (state or {}).items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def shown(element: Any) -> Any:
    """What a table element shows, as a pandas frame of texts: the display values of a table
    whose number columns are written by the page (ui.show_table's `numbers`), else its data."""
    from streamlit import dataframe_util

    display = element.proto.arrow_data.styler.display_values
    if display:
        return dataframe_util.convert_arrow_bytes_to_pandas_df(display)
    return element.value
