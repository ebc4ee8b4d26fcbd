"""Maksut: settlements per period with the full "why this euro" breakdown, the waterfall,
approval (which locks), correction versions and their money difference, downloads and
yearly totals. Every amount is the one the engine stored."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import polars as pl
import streamlit as st

from dashboard import auth, charts, data, downloads, i18n, trail, ui
from dashboard.literal import markdown as literal
from etl import access, approval, audit, personal_data, settle, store
from etl.audit_export import Kind

actor = auth.page("view-settlements")
lang = ui.lang()
ref = ui.ref()
st.title(ui.t("payments.title"))
ui.flash()

contracts = auth.visible(actor, data.contracts(ref), "view-settlements")
ids = contracts["contract_id"].to_list()
auth.refuse_if_not_visible(actor, st.query_params.get("contract"), ids)
# a supplier sees only approved settlements; finance sees every state
approved_only = not access.can(actor, "prepare")
if not ids:
    st.info(ui.t("no_data"))
    st.stop()
corrections = data.open_corrections(ref).filter(pl.col("contract_id").is_in(ids))
ui.from_query("contract", "pay_contract", ids)
if st.session_state.get("pay_contract") not in ids:
    st.session_state["pay_contract"] = corrections["contract_id"][0] if len(corrections) else ids[0]
suppliers = dict(zip(ids, contracts["supplier_name"], strict=True))
left, right = st.columns(2)
contract_id = left.selectbox(
    ui.t("col.contract"), ids, format_func=lambda c: f"{c} · {suppliers[c]}", key="pay_contract"
)
periods = data.settlements(ref, contract_id, approved_only)
if periods.is_empty():
    st.info(ui.t("no_data"))
    st.stop()
names = periods["period"].to_list()
ui.from_query("period", "pay_period", names)
if st.session_state.get("pay_period") not in names:
    mine = corrections.filter(pl.col("contract_id") == contract_id)
    st.session_state["pay_period"] = mine["period"][0] if len(mine) else names[-1]
period = right.selectbox(ui.t("payments.period"), names, key="pay_period")
ui.to_query("contract", "pay_contract", contract_id)
ui.to_query("period", "pay_period", period)


def state_text(row: dict[str, Any], text: Callable[[object], str] = str) -> str:
    """The version's state in words; `text` renders the approver's name (literal for
    Markdown, as it is for a table)."""
    if row["status"] == "approved":
        when = i18n.day(row["approved_at"], lang)
        return ui.t("payments.locked", who=text(row["approved_by"]), when=when)
    return i18n.t(f"state.{row['status']}", lang)


versions = data.versions(ref, contract_id, period)
if approved_only:
    versions = versions.filter(pl.col("status") == "approved")
latest = versions.row(0, named=True)
stale = {(c, p): why for c, p, _, why in data.stale(ref)} if not approved_only else {}
if (contract_id, period) in stale:
    st.warning(ui.t("payments.stale", why=literal(stale[(contract_id, period)])))

# --- versions and the correction's difference ---
st.subheader(ui.t("payments.versions"))
if latest["kind"] == "correction":
    st.warning(
        ui.t(
            "payments.correction", version=latest["version"],
            corrects=latest["corrects_version"],
            difference=i18n.euros(latest["net_difference"], lang),
        )
    )  # fmt: skip
ui.show_table(
    pl.DataFrame(
        {
            ui.t("col.version"): versions["version"],
            ui.t("col.kind"): [i18n.t(f"kind.{k}", lang) for k in versions["kind"]],
            ui.t("col.status"): [state_text(r) for r in versions.iter_rows(named=True)],
            ui.t("col.bonus"): [i18n.euros(v, lang) for v in versions["bonus_total"]],
            ui.t("col.sanction"): [i18n.euros(v, lang) for v in versions["sanction_total"]],
            ui.t("col.net"): [i18n.euros(v, lang) for v in versions["net"]],
            ui.t("col.difference"): [i18n.euros(v, lang) for v in versions["net_difference"]],
        }
    )
)

chosen = st.segmented_control(
    ui.t("col.version"), versions["version"].to_list(), default=latest["version"],
    format_func=lambda v: f"v{v}", key=f"pay_version_{contract_id}_{period}",
) or latest["version"]  # fmt: skip
version = versions.filter(pl.col("version") == chosen).row(0, named=True)

metrics = st.columns(4)
metrics[0].metric(ui.t("col.bonus"), i18n.euros(version["bonus_total"], lang))
metrics[1].metric(ui.t("col.sanction"), i18n.euros(version["sanction_total"], lang))
metrics[2].metric(ui.t("col.net"), i18n.euros(version["net"], lang))
metrics[3].metric(ui.t("contract.period_value"), i18n.euros(version["period_value"], lang))

# --- four-eyes approval: prepared by one finance user, approved by another ---
if version["status"] == "approved":
    st.success(state_text(version, literal))
elif version["version"] == latest["version"] and access.can(actor, "prepare"):
    where = (data.db_path(), actor, contract_id, period)
    step = None
    if version["status"] == "prepared":
        st.info(ui.t("payments.prepared_by", who=literal(version["prepared_by"])))
        comment = st.text_input(ui.t("payments.comment"), key="approval_comment")
        reason = st.text_input(ui.t("payments.reject_reason"), key="reject_reason")
        approve_column, reject_column = st.columns(2)
        if approve_column.button(ui.t("payments.approve"), key="approve", type="primary"):
            four_eyes = access.installation_four_eyes()
            step = lambda: approval.approve(*where, comment or None, four_eyes=four_eyes)  # noqa: E731
            done = "payments.approved_now"
        if reject_column.button(ui.t("payments.reject"), key="reject"):
            step = lambda: approval.reject(*where, reason)  # noqa: E731
            done = "payments.rejected_now"
    else:
        if version["rejection_reason"]:
            st.warning(ui.t("payments.rejected", reason=literal(version["rejection_reason"])))
        if st.button(ui.t("payments.prepare"), key="prepare", type="primary"):
            step = lambda: approval.prepare(*where)  # noqa: E731
            done = "payments.prepared_now"
    if step is not None:
        try:
            step()
        except (
            settle.SettleError,
            access.AccessError,
            personal_data.PersonalData,
            store.StoreError,
        ) as error:
            st.error(literal(error))
        else:
            st.cache_data.clear()
            st.session_state["flash"] = ui.t(done)
            st.rerun()

# --- why this euro ---
st.subheader(ui.t("payments.breakdown"))
lines = data.lines(ref, version["settlement_id"])
indicator_names = dict(
    zip(*data.indicators(ref).filter(pl.col("contract_id") == contract_id)
        .select("indicator_id", f"name_{lang}").get_columns(), strict=True)
)  # fmt: skip
shown = lines.filter(pl.col("line_kind") != "adjustment")


def num(value: object, places: int = 4) -> str:
    return i18n.short_number(value, lang, places)


breakdown = {
    ui.t("col.indicator"): [indicator_names.get(i, i) for i in shown["indicator_id"]],
    ui.t("col.status"): [
        i18n.status_word(s, lang) or i18n.t("state.replaced", lang) for s in shown["status"]
    ],
    ui.t("col.value"): [num(v) for v in shown["value"]],
    ui.t("col.n"): [num(v, 0) for v in shown["n"]],
    ui.t("col.min_n"): shown["min_n"],
    ui.t("col.level_from"): [i18n.day(d, lang) for d in shown["level_from"]],
    ui.t("col.minimum"): [num(v) for v in shown["minimum"]],
    ui.t("col.threshold"): [num(v) for v in shown["threshold"]],
    ui.t("col.target"): [num(v) for v in shown["target"]],
    ui.t("col.scale"): shown["scale"],
    ui.t("col.fraction"): [num(v, 6) for v in shown["fraction"]],
    ui.t("col.money"): [i18n.euros(v, lang) for v in shown["money"]],
    ui.t("col.bonus_exact"): [num(v, 6) for v in shown["bonus_exact"]],
    ui.t("col.bonus_before_gate"): [i18n.euros(v, lang) for v in shown["bonus_before_gate"]],
    ui.t("col.bonus"): [i18n.euros(v, lang) for v in shown["bonus"]],
    ui.t("col.sanction_exact"): [num(v, 6) for v in shown["sanction_exact"]],
    ui.t("col.sanction"): [i18n.euros(v, lang) for v in shown["sanction"]],
    ui.t("col.bonus_difference"): [i18n.euros(v, lang) for v in shown["bonus_difference"]],
    ui.t("col.sanction_difference"): [i18n.euros(v, lang) for v in shown["sanction_difference"]],
    ui.t("col.rule"): shown["rule"],
    ui.t("col.explanation"): shown["explanation"],
}
ui.show_table(pl.DataFrame(breakdown))

adjustments = lines.filter(pl.col("line_kind") == "adjustment")
if len(adjustments):
    st.markdown(f"**{ui.t('payments.adjustments')}**")
    ui.show_table(
        pl.DataFrame(
            {
                ui.t("col.adjustment"): [
                    i18n.adjustment_name(k, lang) for k in adjustments["adjustment_kind"]
                ],
                ui.t("col.side"): [ui.t(f"col.{side}") for side in adjustments["side"]],
                ui.t("col.amount"): [i18n.euros(v, lang) for v in adjustments["amount"]],
                ui.t("col.counted"): ["✔" if c else "–" for c in adjustments["counted"]],
                ui.t("col.amount_difference"): [
                    i18n.euros(v, lang) for v in adjustments["amount_difference"]
                ],
                ui.t("col.explanation"): adjustments["explanation"],
            }
        )
    )

steps = charts.waterfall_steps(
    lines, Decimal(version["bonus_total"]), Decimal(version["net"]), indicator_names, lang
)
st.plotly_chart(
    charts.waterfall(steps, f"{ui.t('payments.waterfall')}: {contract_id} {period} "
                     f"v{version['version']}", lang),
    key="waterfall",
)  # fmt: skip

st.markdown(f"**{ui.t('payments.deliveries')}**")
sources = data.source_deliveries(ref, version["settlement_id"])
ui.show_table(
    sources.select(
        pl.col("delivery_id").alias(ui.t("col.delivery")),
        pl.col("file_name").alias(ui.t("col.file")),
        ui.each(sources, "loaded_at", lambda d: i18n.moment(d, lang)).alias(ui.t("col.loaded")),
        pl.col("row_count").alias(ui.t("col.rows")),
        pl.col("sha256"),
    )
)  # fmt: skip
may_audit = access.can(actor, "view-audit")
with st.expander(ui.t("audit.settlement_trail")):
    events = data.settlement_trail(
        ref, data.journal_state(), contract_id, period, tuple(sources["delivery_id"])
    )
    if may_audit:
        ui.show_table(trail.table(events, lang, trail.SETTLEMENT_COLUMNS))
        st.link_button(ui.t("audit.open_log"), trail.log_url(contract_id, period))
    else:
        ui.show_table(trail.table(trail.without_audit(events), lang, trail.SEEN_WITHOUT_AUDIT))

# --- downloads (finance): each recorded in the trail as an export by the signed-in user ---
if access.can(actor, "export"):

    def settlement_file(kind: Kind) -> bytes:
        xlsx, csv, _ = data.export_files(ref, contract_id, period)
        return xlsx if kind == "xlsx" else csv

    downloads.buttons(
        actor, f"selvitys-{contract_id}-{period}", settlement_file,
        lambda kind, name: audit.Event("export", contract_id=contract_id, period=period,
                                       version=int(latest["version"]), detail={"file": name}),
        key="dl",
    )  # fmt: skip

# --- all periods of the contract, and yearly totals ---
st.subheader(ui.t("payments.settlements"))
ui.show_table(
    pl.DataFrame(
        {
            ui.t("col.period"): periods["period"],
            ui.t("col.version"): periods["version"],
            ui.t("col.kind"): [i18n.t(f"kind.{k}", lang) for k in periods["kind"]],
            ui.t("col.status"): [state_text(r) for r in periods.iter_rows(named=True)],
            ui.t("col.bonus"): [i18n.euros(v, lang) for v in periods["bonus_total"]],
            ui.t("col.sanction"): [i18n.euros(v, lang) for v in periods["sanction_total"]],
            ui.t("col.net"): [i18n.euros(v, lang) for v in periods["net"]],
            ui.t("col.difference"): [i18n.euros(v, lang) for v in periods["net_difference"]],
            ui.t("col.awaiting"): [stale.get((contract_id, p), "") for p in periods["period"]],
        }
    )
)
st.subheader(ui.t("payments.yearly"))
yearly = data.yearly_totals(ref, contract_id, approved_only)
ui.show_table(
    pl.DataFrame(
        {
            ui.t("col.year"): [str(y) for y in yearly["year"]],
            ui.t("col.periods"): yearly["periods"],
            ui.t("state.approved"): yearly["approved"],
            ui.t("col.bonus"): [i18n.euros(v, lang) for v in yearly["bonus"]],
            ui.t("col.sanction"): [i18n.euros(v, lang) for v in yearly["sanction"]],
            ui.t("col.net"): [i18n.euros(v, lang) for v in yearly["net"]],
        }
    )
)
