"""Cached read-only strategy statuses for the Strategia page: etl.strategy over the page's
snapshot of the database (dashboard.data), the years to offer and the one to show first."""

from datetime import date

import polars as pl
import streamlit as st

from dashboard import data
from dashboard.data import DbRef
from etl import achievement, store, strategy


def today() -> date:
    """Today in UTC, as the command line takes it (etl.store.now)."""
    return store.now().date()


@st.cache_data(show_spinner=False, max_entries=16)
def reports(ref: DbRef, year: int, as_of_today: date) -> list[strategy.StrategyReport]:
    """Every stored strategy's goals with their status at the end of `year` (today if
    earlier), as `vaikuttavuus strategy status --year` computes them."""
    with data._reading(ref) as cur:
        return strategy.status_of(cur, year, None, as_of_today)


@st.cache_data(show_spinner=False, max_entries=8)
def years(ref: DbRef, as_of_today: date) -> tuple[list[int], int | None]:
    """The years to offer (the stored strategies' validity up to this year) and the one to
    show first: the newest of them with settled indicator-periods, else the newest; None
    for the years when no strategy is stored."""
    with data._reading(ref) as cur:
        spans = cur.execute(
            "SELECT min(year(start_date)), max(year(end_date)) FROM strategy_current"
        ).fetchall()
        settled = achievement.achievement(cur, [])
    first, last = spans[0] if spans else (None, None)
    if first is None or last is None:
        return [], None
    offered = list(range(int(first), min(int(last), as_of_today.year) + 1)) or [int(first)]
    with_data = settled.filter(pl.col("assessed") > 0)["year"].to_list()
    chosen = max((y for y in offered if y in with_data), default=offered[-1])
    return offered, chosen
