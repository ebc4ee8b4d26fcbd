"""Whether the database can be shown, checked on every run before any page: a missing or
unreadable database is a plain page saying what is wrong and what to do, never Streamlit's
exception box with a traceback (and its links that send the error text to search engines).
The reason itself goes to the server's log, for the administrator."""

import logging

import streamlit as st

from dashboard import auth, data, ui
from etl import store

log = logging.getLogger(__name__)


def database_problem() -> str | None:
    """None when the database opens and its contracts can be read; otherwise the message key
    of what is wrong (`db.missing` or `db.unreadable`). A readable database costs one cached
    query (the contracts every page reads anyway)."""
    try:
        ref = data.db_ref()
    except store.StoreError as error:
        log.error("the dashboard has no database: %s", error)
        return "db.missing"
    except OSError as error:
        log.error("the dashboard cannot reach its database: %s", error)
        return "db.unreadable"
    try:
        data.contracts(ref)
    except Exception:  # any failure to open or read it: the log keeps the reason
        log.exception("the dashboard cannot read its database %s", ref.path)
        return "db.unreadable"
    return None


def stop_unless_database_readable() -> None:
    """Show the plain page and stop this run when the database cannot be shown to a signed-in
    user. Before sign-in the sign-in page comes first (nothing of the app before it); the page
    is shown before the sign-in is recorded, since the trail is in the database."""
    if not (auth.sign_in_off() or st.user.get("is_logged_in")):
        return
    problem = database_problem()
    if problem is None:
        return
    st.title("Vaikuttavuus")
    st.error(ui.t(problem), icon="⚠️")
    st.write(ui.t("db.what_to_do"))
    st.caption(ui.t("db.for_admin"))
    st.stop()
