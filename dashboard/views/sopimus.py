"""Sopimus: one contract (selectbox, or ?contract=ID): trends against the dated levels, the
status history, comparison with the same service's other contracts, the deliveries used."""

import polars as pl
import streamlit as st

from dashboard import auth, charts, data, i18n, ui
from dashboard.literal import markdown as literal

actor = auth.page("view-contracts")
lang = ui.lang()
ref = ui.ref()
contracts = auth.visible(actor, data.contracts(ref), "view-contracts")
ids = contracts["contract_id"].to_list()
st.title(ui.t("contract.title"))
auth.refuse_if_not_visible(actor, st.query_params.get("contract"), ids)
if not ids:
    st.info(ui.t("no_data"))
    st.stop()

ui.from_query("contract", "contract", ids)
if st.session_state.get("contract") not in ids:
    st.session_state["contract"] = ids[0]
titles = dict(zip(ids, contracts["supplier_name"], strict=True))
contract_id = st.selectbox(
    ui.t("contract.select"), ids, format_func=lambda c: f"{c} · {titles[c]}", key="contract"
)
ui.to_query("contract", "contract", contract_id)
info = contracts.filter(pl.col("contract_id") == contract_id).row(0, named=True)
st.markdown(
    f"**{literal(info['title'])}** · {literal(info['supplier_name'])} · "
    f"{literal(i18n.service_name(info['service'], lang))} · {literal(info['framework'] or '–')}"
    f" · {ui.t('contract.term')} {i18n.day(info['start_date'], lang)}"
    f"–{i18n.day(info['end_date'], lang)} · {ui.t('contract.period_value')} "
    f"{i18n.euros(info['period_value'], lang)} ({ui.t('period_kind.' + info['period_kind'])})"
)

indicators = data.indicators(ref).filter(pl.col("contract_id") == contract_id)
names = dict(zip(indicators["indicator_id"], indicators[f"name_{lang}"], strict=True))
monthly = data.monthly_values(ref, contract_id)
periods = data.period_lines(ref, contract_id)
levels = data.levels(ref, contract_id)

st.subheader(ui.t("contract.trends"))
# every axis says which way is good: a falls indicator improves downwards
better = {"higher": ui.t("chart.higher_better"), "lower": ui.t("chart.lower_better")}
for row in indicators.iter_rows(named=True):
    indicator = row["indicator_id"]
    words = charts.TrendWords(
        title=names[indicator]
        if row["unit"] in names[indicator]
        else f"{names[indicator]} ({row['unit']})",
        x_title=ui.t("chart.month"),
        y_title=f"{ui.t('col.value')} ({row['unit']}) · {better[row['direction']]}",
        monthly=ui.t("chart.monthly"),
        period=ui.t("chart.period"),
        minimum=ui.t("chart.minimum"),
        target=ui.t("chart.target"),
        not_assessable=ui.t("chart.not_assessable"),
    )
    figure = charts.indicator_trend(
        monthly.filter(pl.col("indicator_id") == indicator),
        periods.filter(pl.col("indicator_id") == indicator),
        levels.filter(pl.col("indicator_id") == indicator),
        words,
        lang,
    )
    st.plotly_chart(figure, key=f"trend-{indicator}")

st.subheader(ui.t("contract.history"))
history = periods.with_columns(
    ui.each(
        periods,
        ["status", "value", "n"],
        lambda status, value, n: (
            f"{i18n.status_word(status, lang)} "
            f"({i18n.short_number(value, lang)}; n={i18n.short_number(n, lang, 0)})"
            if value is not None
            else f"{i18n.status_word(status, lang)} (n={i18n.short_number(n, lang, 0)})"
        ),
    ).alias("cell"),
    pl.col("indicator_id").replace_strict(names, default=pl.col("indicator_id")).alias("name"),
)
if history.is_empty():
    st.info(ui.t("no_data"))
else:
    pivot = history.pivot(on="name", index="period", values="cell", sort_columns=False)
    ui.show_table(pivot.rename({"period": ui.t("col.period")}))

st.subheader(ui.t("contract.comparison"))
years = sorted({d.year for d in periods["period_start"]}, reverse=True) or [2025]
year = (
    st.segmented_control(
        ui.t("contract.comparison_year"), years, default=years[0], key="comparison_year"
    )
    or years[0]
)
comparison = data.service_comparison(ref, info["service"], int(year))
# contracts the user may not see (another supplier's, outside a manager's scope) are compared
# without their names
others = {c: n for n, c in enumerate(sorted(set(comparison["contract_id"]) - set(ids)), start=1)}
comparison = comparison.with_columns(
    pl.when(pl.col("contract_id").is_in(ids))
    .then(pl.concat_str(pl.col("contract_id"), pl.lit(" · "), pl.col("supplier_name")))
    .otherwise(
        pl.col("contract_id").replace_strict(
            {c: ui.t("contract.other", n=n) for c, n in others.items()},
            default=None,
            return_dtype=pl.String,
        )
    )
    .alias("label")
)
for indicator, part in comparison.group_by("indicator_id", maintain_order=True):
    name = part[f"name_{lang}"][0]
    if part["value"].drop_nulls().len() == 0:
        continue
    figure = charts.comparison_bars(
        part.select("label", "value", "n", "value_text", "n_text", "assessable"),
        ui.t("chart.comparison", name=name, year=year),
        f"{ui.t('col.value')} ({part['unit'][0]}) · {better[part['direction'][0]]}",
        ui.t("col.contract"),
        lang,
        highlight=f"{contract_id} · {info['supplier_name']}",
        not_assessable=ui.t("chart.not_assessable"),
    )
    st.plotly_chart(figure, key=f"cmp-{indicator[0]}")
ui.show_table(
    comparison.select(
        pl.when(pl.col("contract_id").is_in(ids)).then(pl.col("contract_id"))
        .otherwise(pl.col("label")).alias(ui.t("col.contract")),
        pl.when(pl.col("contract_id").is_in(ids)).then(pl.col("supplier_name"))
        .otherwise(pl.lit("–")).alias(ui.t("col.supplier")),
        pl.col(f"name_{lang}").alias(ui.t("col.indicator")),
        ui.each(
            comparison,
            ["value_text", "n_text", "assessable"],
            lambda value, n, assessable: "–" if value is None
            else f"{i18n.short_number(value, lang)} (n={i18n.short_number(n, lang, 0)})"
            + ("" if assessable else f" {i18n.status_word('not-assessable', lang)}"),
        ).alias(ui.t("col.value")),
        pl.concat_str(
            pl.lit(i18n.STATUS_ICONS["achieved"] + " "), pl.col("achieved"), pl.lit(" / "),
            pl.col("assessed"),
        ).alias(ui.t("col.periods")),
    )
)  # fmt: skip

st.subheader(ui.t("contract.deliveries"))
used = data.contract_deliveries(ref, contract_id)
ui.show_table(
    used.select(
        pl.col("delivery_id").alias(ui.t("col.delivery")),
        pl.col("file_name").alias(ui.t("col.file")),
        ui.each(used, "loaded_at", lambda d: i18n.moment(d, lang)).alias(ui.t("col.loaded")),
        pl.col("loaded_by").alias(ui.t("col.loaded_by")),
        pl.col("row_count").alias(ui.t("col.rows")),
        pl.col("periods").alias(ui.t("col.used_for")),
    )
)  # fmt: skip
