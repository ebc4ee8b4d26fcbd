"""Strategia: the procurement strategy's goals by theme with their status at the end of the
chosen year (as `vaikuttavuus strategy status --year` computes it), each with its owner, due
date, measured share or value against the target and its trend; one goal opened shows its
trend chart and the contracts behind it. Shares resting on fewer than 5 clients show "<5"."""

from fractions import Fraction

import pandas as pd
import polars as pl
import streamlit as st

from dashboard import auth, i18n, strategy_charts, strategy_data, ui
from dashboard.literal import markdown as literal
from etl.cli_strategy import measured_text, target_text, theme_heading
from etl.personal_data import SUPPRESS_BELOW
from etl.strategy import GoalReport

auth.page("view-strategy")
lang = ui.lang()
ref = ui.ref()
limit = SUPPRESS_BELOW
st.title(ui.t("strategy.title"))
st.caption(f"{ui.t('strategy.intro')} {ui.t('strategy.suppressed_note')}")

today = strategy_data.today()
years, chosen = strategy_data.years(ref, today)
if chosen is None:
    st.info(ui.t("strategy.none"))
    st.stop()
year = st.selectbox(ui.t("strategy.year"), years, index=years.index(chosen), key="strategy_year")
reports = strategy_data.reports(ref, year, today)
if len(reports) > 1:
    ids = [r.strategy.id for r in reports]
    picked = st.selectbox(ui.t("strategy.choose_strategy"), ids, key="strategy_id")
    report = reports[ids.index(picked)]
else:
    report = reports[0]
strategy = report.strategy

st.subheader(
    literal(
        ui.t(
            "strategy.as_of", name=strategy.name.get(lang), version=report.version,
            day=report.as_of,
        )
    )
)  # fmt: skip
statuses: list[str] = [g.status.status for g in report.goals]
counts = [
    ui.t(
        "strategy.count_item", status=strategy_charts.status_label(s, lang), count=statuses.count(s)
    )
    for s in strategy_charts.STATUS_ICONS
]
st.markdown(literal(ui.t("strategy.summary", count=len(report.goals), counts=" · ".join(counts))))


def measured(goal_report: GoalReport) -> str:
    """The measured share or value as the command prints it; '<5' for a small cell."""
    judged = goal_report.status
    small = goal_report.clients < limit
    if judged.goal.manual is None and judged.measured is not None and small:
        return f"<{limit}"
    return measured_text(judged, lang)


def trend(goal_report: GoalReport) -> str:
    """The yearly shares (or a manual measure's values) as a line of text."""
    judged = goal_report.status
    if judged.goal.manual is not None:
        return strategy_charts.value_trend_text([(v.day, v.value) for v in judged.values], lang)
    return strategy_charts.share_trend_text(judged.trend, goal_report.yearly_clients, lang, limit)


columns = {c: ui.t(f"strategy.col.{c}") for c in
           ("goal", "status", "title", "owner", "due", "measured", "target", "trend")}  # fmt: skip
for theme in i18n.THEMES:
    goals = [g for g in report.goals if g.status.goal.theme == theme]
    if not goals:
        continue
    st.subheader(literal(theme_heading(report, theme, lang)))
    rows = [
        {
            columns["goal"]: literal(g.status.goal.id),
            columns["status"]: strategy_charts.status_label(g.status.status, lang),
            columns["title"]: literal(g.status.goal.title.get(lang)),
            columns["owner"]: literal(g.status.goal.owner),
            columns["due"]: i18n.day(g.status.goal.due, lang),
            columns["measured"]: literal(measured(g)),
            columns["target"]: literal(target_text(g.status, lang)),
            columns["trend"]: literal(trend(g)),
        }
        for g in goals
    ]
    st.table(pd.DataFrame(rows).set_index(columns["goal"]))

# --- one goal: its trend and the contracts behind it -----------------------------------------

st.subheader(ui.t("strategy.detail"))
by_id = {g.status.goal.id: g for g in report.goals}
goal_id = st.selectbox(
    ui.t("strategy.choose_goal"),
    list(by_id),
    format_func=lambda i: f"{i} · {by_id[i].status.goal.title.get(lang)}",
    key="strategy_goal",
)
opened = by_id[goal_id]
judged = opened.status
goal = judged.goal
st.markdown(
    f"**{strategy_charts.status_label(judged.status, lang)}** · {literal(goal.title.get(lang))}"
)
facts = [
    ui.t("strategy.owner", owner=goal.owner),
    ui.t("strategy.schedule", start=goal.start, due=goal.due),
]
if judged.measured is None:
    facts.append(ui.t("strategy.not_measured"))
elif goal.manual is None:
    facts.append(
        ui.t(
            "strategy.share_vs_target", share=measured(opened),
            target=i18n.percent(judged.target, lang, 0),
        )
    )  # fmt: skip
else:
    facts.append(
        ui.t(
            "strategy.value_vs_target", value=measured_text(judged, lang), day=judged.value_day,
            comparison=ui.t("strategy.at_least" if goal.manual.direction == "higher"
                            else "strategy.at_most"),
            target=f"{i18n.short_number(judged.target, lang, 4)} {goal.manual.unit}",
        )
    )  # fmt: skip
if judged.judged_on < judged.as_of:
    facts.append(ui.t("strategy.judged_on", day=judged.judged_on))
if opened.unmatched:
    facts.append(ui.t("strategy.unmatched", links=", ".join(opened.unmatched)))
st.markdown("  \n".join(literal(f) for f in facts))
if goal.description is not None:
    st.markdown(f"**{ui.t('strategy.description')}:** {literal(goal.description.get(lang))}")
if goal.measures:
    st.markdown(
        f"**{ui.t('strategy.measures')}**\n\n" + "\n".join(f"- {literal(m)}" for m in goal.measures)
    )

if goal.manual is None:
    if judged.trend:
        words = {
            "title": ui.t("strategy.trend"), "x": ui.t("strategy.col.year"),
            "y": ui.t("strategy.share_axis"), "target": ui.t("strategy.target_line"),
        }  # fmt: skip
        figure = strategy_charts.share_trend(
            judged.trend, opened.yearly_clients, judged.target, words, lang, limit
        )
        st.plotly_chart(figure, key="strategy-trend")
    st.markdown(f"**{ui.t('strategy.contracts', year=judged.judged_on.year)}**")
    if not opened.contracts:
        st.info(ui.t("strategy.no_contracts"))
    else:
        contracts = pl.DataFrame(
            {
                ui.t("strategy.col.contract"): [c.contract_id for c in opened.contracts],
                ui.t("strategy.col.supplier"): [c.supplier for c in opened.contracts],
                ui.t("strategy.col.indicators"): [
                    ", ".join(c.indicators) for c in opened.contracts
                ],
                ui.t("strategy.col.assessed"): [
                    f"<{limit}" if c.clients < limit else str(c.assessed) for c in opened.contracts
                ],
                ui.t("strategy.col.achieved"): [
                    f"<{limit}" if c.clients < limit else str(c.achieved) for c in opened.contracts
                ],
                ui.t("strategy.col.share"): [
                    strategy_charts.share_text(
                        Fraction(c.achieved, c.assessed) if c.assessed else None,
                        c.clients,
                        lang,
                        limit,
                    )
                    for c in opened.contracts
                ],
            }
        )
        ui.show_table(contracts)
else:
    manual = goal.manual
    if judged.values:
        words = {"title": ui.t("strategy.values"), "x": ui.t("strategy.col.date"),
                 "target": ui.t("strategy.target_line")}  # fmt: skip
        values = [(v.day, v.value) for v in judged.values]
        figure = strategy_charts.value_trend(values, manual.target, manual.unit, words, lang)
        st.plotly_chart(figure, key="strategy-values")
        ui.show_table(
            pl.DataFrame(
                {
                    ui.t("strategy.col.date"): [i18n.day(v.day, lang) for v in judged.values],
                    ui.t("strategy.col.value"): [
                        f"{i18n.short_number(v.value, lang, 4)} {manual.unit}"
                        for v in judged.values
                    ],
                    ui.t("strategy.col.source"): [v.source for v in judged.values],
                }
            )
        )
