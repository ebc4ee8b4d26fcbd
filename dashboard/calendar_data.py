"""The procurement calendar for the Kilpailutuskalenteri page: cached, read-only, and the
same entries and files as `vaikuttavuus calendar` (both call etl.procurement_calendar).
Nothing here computes a figure: the records are what etl.procurement_calendar reads from the
stored settlements."""

from collections.abc import Callable
from datetime import date

import streamlit as st

from dashboard import data
from etl import audit
from etl import procurement_calendar as procurement
from etl.access import Actor


@st.cache_data(show_spinner=False, max_entries=16)
def _calendar(
    ref: data.DbRef, months: int, today: date, scope: str, _actor: Actor
) -> procurement.Calendar:
    """The calendar of `_actor` (its grants are `scope`, the cache key) on the state `ref`."""
    with data._reading(ref) as cur:
        return procurement.calendar(cur, _actor, months, today)


def calendar(
    ref: data.DbRef, actor: Actor, months: int, today: date | None = None
) -> procurement.Calendar:
    """The entries within `months` months of `today` (the computer's day unless given) of the
    contracts the actor may see, as the command shows them."""
    scope = repr((actor.all_roles, actor.grants))
    return _calendar(ref, months, today or date.today(), scope, actor)


def file_name(found: procurement.Calendar, public: bool = False) -> str:
    """kilpailutuskalenteri-2026-12-01-24kk (public: ...-julkinen), without the extension."""
    name = f"kilpailutuskalenteri-{found.today.isoformat()}-{found.months}kk"
    return f"{name}-julkinen" if public else name


def make_file(found: procurement.Calendar, public: bool) -> Callable[[str, str], bytes]:
    """`make(kind, lang)`: the file's bytes, as dashboard.downloads wants it."""
    return lambda kind, lang: procurement.file_bytes(
        found, "xlsx" if kind == "xlsx" else "csv", public, lang
    )


def file_event(found: procurement.Calendar, public: bool) -> Callable[[str, str], audit.Event]:
    """`event(kind, file name)`: the export's row in the trail."""
    return lambda kind, name: procurement.export_event(
        found, name, "xlsx" if kind == "xlsx" else "csv", public
    )


def public_csv(actor: Actor, found: procurement.Calendar, lang: str) -> Callable[[], bytes]:
    """The public CSV, made when its button is pressed and recorded as an export by the
    signed-in actor (through the journal) before it is handed over."""

    def made() -> bytes:
        name = file_name(found, public=True) + ".fi.csv"
        content = procurement.csv_bytes(found, public=True, lang=lang)
        audit.record_soon(data.db_path(), actor, procurement.export_event(found, name, "csv", True))
        return content

    return made
