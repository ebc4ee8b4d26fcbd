"""Johto: share of indicator-periods achieved by theme and by service over the years,
bonuses and sanctions per quarter, and each framework's priority order with its movement.
Cells resting on fewer than 5 indicator-periods show "<5"."""

import polars as pl
import streamlit as st

from dashboard import auth, charts, data, i18n, ui
from dashboard.literal import markdown as literal
from etl.personal_data import SUPPRESS_BELOW

auth.page("view-leadership")
lang = ui.lang()
ref = ui.ref()
st.title(ui.t("leadership.title"))
st.caption(ui.t("leadership.suppressed"))
limit = SUPPRESS_BELOW

for by, key, names in (
    ("theme", "leadership.by_theme", {k: i18n.theme_name(k, lang) for k in i18n.THEMES}),
    ("service", "leadership.by_service", {k: i18n.service_name(k, lang) for k in i18n.SERVICES}),
):
    shares = data.achieved_share(ref, by)
    st.subheader(ui.t(key))
    figure = charts.share_bars(
        shares, ui.t(key), ui.t("col." + by), ui.t("leadership.share_axis"), names, lang, limit
    )
    st.plotly_chart(figure, key=f"share-{by}")
    table = shares.with_columns(
        ui.each(
            shares,
            ["achieved", "assessed", "clients"],
            lambda achieved, assessed, clients: charts.share_label(
                achieved, assessed, clients, lang, limit
            ),
        ).alias("label"),
        pl.col("grp").replace_strict(names, default=pl.col("grp")),
        pl.col("year").cast(pl.String),
    ).pivot(on="year", index="grp", values="label")
    ui.show_table(table.rename({"grp": ui.t("col.group")}))

st.subheader(ui.t("leadership.money"))
st.caption(ui.t("leadership.money_note"))
money = data.money_per_quarter(ref)
words = {
    "title": ui.t("leadership.money"), "x": ui.t("col.quarter"), "y": ui.t("wf.eur"),
    "bonus": ui.t("col.bonus"), "sanction": ui.t("col.sanction"), "net": ui.t("col.net"),
}  # fmt: skip
st.plotly_chart(charts.money_bars(money, words, lang), key="money")
ui.show_table(
    pl.DataFrame(
        {
            ui.t("col.quarter"): money["quarter"],
            ui.t("col.bonus"): [i18n.euros(v, lang) for v in money["bonus"]],
            ui.t("col.sanction"): [i18n.euros(v, lang) for v in money["sanction"]],
            ui.t("col.net"): [i18n.euros(v, lang) for v in money["net"]],
            ui.t("col.periods"): money["periods"],
            ui.t("state.approved"): money["approved"],
        }
    )
)

st.subheader(ui.t("leadership.priority"))
order = data.priority(ref)
if order.is_empty():
    st.info(ui.t("leadership.no_priority"))


def movement(value: int | None) -> str:
    if value is None:
        return ui.t("movement.new")
    if value == 0:
        return "="
    return f"▲ {value}" if value > 0 else f"▼ {-value}"


for (framework, year), part in order.group_by("framework", "year", maintain_order=True):
    computed_at, data_until = part["computed_at"][0], part["data_until"][0]
    heading = [f"**{literal(framework)} {year}**",
               ui.t("leadership.computed", when=i18n.moment(computed_at, lang))]  # fmt: skip
    if data_until is not None:
        heading.append(ui.t("leadership.data_until", when=i18n.day(data_until, lang)))
    st.markdown(" · ".join(heading))
    if part["stale"][0]:
        st.warning(
            ui.t(
                "leadership.stale", computed=i18n.moment(computed_at, lang),
                data=i18n.day(data_until, lang) or "–",
                settled=i18n.moment(part["settled_at"][0], lang),
            ),
            icon="⚠️",
        )  # fmt: skip
    ui.show_table(
        pl.DataFrame(
            {
                ui.t("col.position"): part["position"],
                ui.t("col.contract"): part["contract_id"],
                ui.t("col.supplier"): part["supplier_name"],
                ui.t("col.score"): [
                    "–" if s is None else (f"<{limit}" if n < limit else i18n.number(s, lang, 4))
                    for s, n in zip(part["score"], part["assessed"], strict=True)
                ],
                ui.t("col.assessed"): [
                    f"<{limit}" if n < limit else str(n) for n in part["assessed"]
                ],
                ui.t("col.previous"): [
                    "" if p is None else str(p) for p in part["previous_position"]
                ],
                ui.t("col.movement"): [movement(m) for m in part["movement"]],
            }
        )
    )
