"""Kilpailutuskalenteri (leadership, contract managers): contracts ending, option decisions
due and planned tenders within 6, 12 or 24 months, in date order, each with its supplier's
record over the contract; the planned tenders' details; .xlsx, Finnish CSV and the public CSV
(no money). The same entries and files as `vaikuttavuus calendar` (etl/calendar.py); a
contract manager sees the contracts of his grant only."""

from datetime import date

import polars as pl
import streamlit as st

from dashboard import auth, calendar_data, downloads, i18n, ui
from etl import calendar as procurement

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


def col(name: str) -> str:
    return ui.t(f"calendar.col.{name}")


table = pl.DataFrame(
    {
        col("day"): [i18n.day(e.day, lang) for e in entries],
        col("kind"): [procurement.kind_word(e.kind, lang) for e in entries],
        col("contract"): [e.contract.id for e in entries],
        col("supplier"): [e.contract.supplier.name for e in entries],
        col("what"): [procurement.what(e, lang) for e in entries],
        col("ends"): [i18n.day(e.contract.last_possible_end, lang) for e in entries],
        col("share"): [procurement.share_text(e.record, lang) for e in entries],
        col("achieved_of"): [
            "" if e.record.suppressed else f"{e.record.achieved}/{e.record.assessed}"
            for e in entries
        ],
        col("ranks"): [procurement.ranks_text(e.record) for e in entries],
        col("bonuses"): [i18n.euros(e.record.bonuses, lang) for e in entries],
        col("sanctions"): [i18n.euros(e.record.sanctions, lang) for e in entries],
        col("open_corrections"): [e.record.open_corrections for e in entries],
    }
)
narrow = {
    name: st.column_config.Column(width="small")
    for name in (col("day"), col("ends"), col("share"), col("achieved_of"),
                 col("open_corrections"))
}  # fmt: skip
wide = {name: st.column_config.Column(width="medium") for name in (col("kind"), col("what"))}
ui.show_table(table, column_config={**narrow, **wide})

tenders = [e for e in entries if e.tender is not None]
if tenders:
    st.subheader(ui.t("calendar.tenders"))
    ui.show_table(
        pl.DataFrame(
            {
                col("day"): [i18n.day(e.day, lang) for e in tenders],
                col("contract"): [e.contract.id for e in tenders],
                col("what"): [procurement.what(e, lang) for e in tenders],
                col("service"): [
                    i18n.service_name(e.tender.service, lang) if e.tender else "" for e in tenders
                ],
                col("preparers"): [
                    ", ".join(e.tender.preparers) if e.tender else "" for e in tenders
                ],
                col("hilma"): [(e.tender.hilma or "") if e.tender else "" for e in tenders],
            }
        )
    )

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
