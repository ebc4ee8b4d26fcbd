"""Kilpailutuskalenteri (leadership, contract managers): contracts ending, option decisions
due and planned tenders within 6, 12 or 24 months, in date order, each with the share its
supplier achieved; each contract's full record over the contract (ends, priority order,
bonuses and sanctions paid, open corrections) in a table of its own, so that both fit a
laptop screen without sideways scrolling; the planned tenders' details; .xlsx, Finnish CSV
and the public CSV (no money). The same entries and files as `vaikuttavuus calendar`
(etl/procurement_calendar.py); a contract manager sees the contracts of his grant only."""

from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from dashboard import auth, calendar_data, downloads, i18n, ui
from etl import procurement_calendar as procurement

ROW_PX = 35  # the height of a table row (Streamlit's default), for tables shown whole
ALL_ROWS = 30

actor = auth.page("view-calendar")
lang = ui.lang()
ref = ui.ref()
st.title(ui.t("calendar.title"))

if st.session_state.get("calendar_months") not in procurement.HORIZONS:
    st.session_state["calendar_months"] = 12
if not isinstance(st.session_state.get("calendar_today"), date):
    st.session_state["calendar_today"] = date.today()
left, right = st.columns([2, 1])
months = left.radio(
    ui.t("calendar.horizon"), procurement.HORIZONS, key="calendar_months", horizontal=True,
    format_func=lambda m: ui.t("calendar.horizon_months", months=m),
)  # fmt: skip
today = right.date_input(ui.t("calendar.today"), key="calendar_today", format="DD.MM.YYYY")
found = calendar_data.calendar(ref, actor, int(months), today)

st.caption(ui.t("calendar.caption", today=found.today, until=found.until))
st.caption(ui.t("calendar.ends_note") + " " + ui.t("calendar.suppressed"))
if any(g.services is not None or g.contracts is not None for g in actor.grants):
    st.caption(ui.t("calendar.scope_note"))

entries = found.entries
if not entries:
    st.info(ui.t("calendar.none", today=found.today, until=found.until))
    st.stop()


def col(name: str, group: str = "col") -> str:
    return ui.t(f"calendar.{group}.{name}")


def widths(sizes: dict[str, int | str]) -> dict[str, Any]:
    return {name: st.column_config.Column(width=size) for name, size in sizes.items()}  # type: ignore[arg-type]


def height(rows: int) -> int:
    """The whole table at once (up to ALL_ROWS rows; more scroll in the table)."""
    return ROW_PX * (min(rows, ALL_ROWS) + 1) + 3


# the entries in date order: when, what, whose, and how the supplier did
st.dataframe(
    pl.DataFrame(
        {
            col("day"): [i18n.day(e.day, lang) for e in entries],
            col("kind"): [procurement.kind_word(e.kind, lang) for e in entries],
            col("contract"): [e.contract.id for e in entries],
            col("supplier"): [e.contract.supplier.name for e in entries],
            col("what"): [procurement.what(e, lang) for e in entries],
            col("achieved_short"): [procurement.achieved_text(e.record, lang) for e in entries],
        }
    ),
    hide_index=True, height=height(len(entries)), placeholder=ui.MISSING,
    column_config=widths({col("day"): 90, col("kind"): 190, col("contract"): 110,
                          col("supplier"): 170, col("what"): 260, col("achieved_short"): 130}),
)  # fmt: skip

# each contract's record over the whole contract, in the order the calendar meets them
st.subheader(ui.t("calendar.records"))
st.caption(ui.t("calendar.records_note"))
contracts = list({e.contract.id: e for e in entries}.values())
st.dataframe(
    pl.DataFrame(
        {
            col("contract"): [e.contract.id for e in contracts],
            col("supplier"): [e.contract.supplier.name for e in contracts],
            col("ends", "short"): [i18n.day(e.contract.last_possible_end, lang) for e in contracts],
            col("ranks"): [procurement.ranks_text(e.record) for e in contracts],
            col("bonuses", "short"): [i18n.euros(e.record.bonuses, lang) for e in contracts],
            col("sanctions", "short"): [i18n.euros(e.record.sanctions, lang) for e in contracts],
            col("open_corrections", "short"): [e.record.open_corrections for e in contracts],
        }
    ),
    hide_index=True, height=height(len(contracts)), placeholder=ui.MISSING,
    column_config=widths({col("contract"): 110, col("supplier"): 170, col("ends", "short"): 100,
                          col("ranks"): 160, col("bonuses", "short"): 120,
                          col("sanctions", "short"): 110, col("open_corrections", "short"): 90}),
)  # fmt: skip

tenders = [e for e in entries if e.tender is not None]
if tenders:
    st.subheader(ui.t("calendar.tenders"))
    cells = [procurement.values(e, lang) for e in tenders]  # as the files have them
    st.dataframe(
        pl.DataFrame(
            {
                col("day"): [i18n.day(e.day, lang) for e in tenders],
                col("contract"): [e.contract.id for e in tenders],
                col("what"): [c["what"] for c in cells],
                col("service"): [c["service"] for c in cells],
                col("preparers"): [c["preparers"] for c in cells],
                col("hilma"): [c["hilma"] for c in cells],
            }
        ),
        hide_index=True, height=height(len(tenders)), placeholder=ui.MISSING,
        column_config=widths({col("day"): 90, col("contract"): 110, col("what"): 260,
                              col("service"): 150, col("preparers"): 190, col("hilma"): 110}),
    )  # fmt: skip

downloads.localized_buttons(
    actor, calendar_data.file_name(found), calendar_data.make_file(found, public=False),
    calendar_data.file_event(found, public=False), key="calendar",
    labels=("calendar.download_xlsx", "calendar.download_csv"),
)  # fmt: skip
st.download_button(
    ui.t("calendar.download_public"), calendar_data.public_csv(actor, found, lang),
    file_name=calendar_data.file_name(found, public=True) + ".fi.csv", mime="text/csv",
    key="calendar_public",
)  # fmt: skip
