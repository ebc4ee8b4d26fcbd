"""Sopimukset: every contract, the status of each indicator in its latest settled period,
and data completeness (missing and late months)."""

import polars as pl
import streamlit as st

from dashboard import auth, data, i18n, ui

actor = auth.page("view-contracts")
lang = ui.lang()
ref = ui.ref()
st.title(ui.t("contracts.title"))
st.caption(ui.t("contracts.intro"))

contracts = auth.visible(actor, data.contracts(ref), "view-contracts")
indicators = data.indicators(ref)

columns = st.columns(4)
everything = ui.t("filter.all")
filters = {
    "service": columns[0].multiselect(
        ui.t("filter.service"), sorted(set(contracts["service"])),
        format_func=lambda s: i18n.service_name(s, lang), key="f_service", placeholder=everything,
    ),
    "supplier_name": columns[1].multiselect(
        ui.t("filter.supplier"), sorted(set(contracts["supplier_name"])), key="f_supplier",
        placeholder=everything,
    ),
    "framework": columns[2].multiselect(
        ui.t("filter.framework"), sorted(f for f in set(contracts["framework"]) if f),
        key="f_framework", placeholder=everything,
    ),
}  # fmt: skip
themes = columns[3].multiselect(
    ui.t("filter.theme"), list(i18n.THEMES), format_func=lambda s: i18n.theme_name(s, lang),
    key="f_theme", placeholder=everything,
)  # fmt: skip
shown = contracts
for column, chosen in filters.items():
    if chosen:
        shown = shown.filter(pl.col(column).is_in(chosen))

status = (
    data.latest_status(ref)
    .join(shown.select("contract_id", "supplier_name", "service"), on="contract_id")
    .join(indicators, on=["contract_id", "indicator_id"])
)
if themes:
    status = status.filter(pl.col("theme").is_in(themes))
# the most severe first (below the minimum), then by contract and the indicators' order
severity = {code: rank for rank, code in enumerate(i18n.SEVERITY)}
status = status.sort(
    pl.col("status").replace_strict(severity, default=len(severity), return_dtype=pl.Int32),
    "contract_id",
    "position",
)

st.subheader(ui.t("contracts.status_header"))
# the answer first (indicator, status, value, n), the context after: at 1 400 px the right
# end of a wide table is off screen
table = status.select(
    pl.concat_str(pl.lit("/sopimus?contract="), pl.col("contract_id")).alias(
        ui.t("col.contract")
    ),
    pl.col(f"name_{lang}").alias(ui.t("col.indicator")),
    ui.each(status, "status", lambda s: i18n.status_word(s, lang))
    .alias(ui.t("col.status")),
    # numbers as numbers (the table sorts them so), written in the language (show_table)
    pl.col("value").cast(pl.Decimal(38, 12)).alias(ui.t("col.value")),
    pl.col("n").cast(pl.Decimal(38, 6)).alias(ui.t("col.n")),
    pl.col("min_n").alias(ui.t("col.min_n")),
    pl.col("period").alias(ui.t("col.latest_period")),
    pl.col("supplier_name").alias(ui.t("col.supplier")),
    ui.each(status, "service", lambda s: i18n.service_name(s, lang))
    .alias(ui.t("col.service")),
    ui.each(status, "theme", lambda s: i18n.theme_name(s, lang))
    .alias(ui.t("col.theme")),
)  # fmt: skip
ui.show_table(
    table,
    column_config={
        ui.t("col.contract"): st.column_config.LinkColumn(display_text=r"contract=(.*)$")
    },
    numbers={
        ui.t("col.value"): lambda v: i18n.short_number(v, lang),
        ui.t("col.n"): lambda v: i18n.short_number(v, lang, 0),
    },
)

st.subheader(ui.t("contracts.completeness_header"))
completeness = data.completeness(ref).join(shown, on="contract_id")
through = completeness["through"].drop_nulls()
st.caption(
    ui.t(
        "contracts.completeness_note",
        through=through[0].strftime("%Y-%m") if len(through) else "–",
        days=data.LATE_AFTER_DAYS,
    )
)
ui.show_table(
    completeness.select(
        pl.col("contract_id").alias(ui.t("col.contract")),
        pl.col("supplier_name").alias(ui.t("col.supplier")),
        pl.col("framework").alias(ui.t("col.framework")),
        pl.col("expected").alias(ui.t("col.expected")),
        pl.col("missing").alias(ui.t("col.missing_count")),
        pl.col("late").alias(ui.t("col.late_count")),
        pl.col("missing_months").alias(ui.t("col.missing")),
    )
)
