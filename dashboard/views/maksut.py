"""Maksut: settlements per period with the full "why this euro" breakdown, the waterfall,
approval (which locks), correction versions and their money difference, downloads and
yearly totals. Every amount is the one the engine stored."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import polars as pl
import streamlit as st

from dashboard import auth, charts, data, downloads, i18n, line_steps, trail, ui
from dashboard.literal import markdown as literal
from etl import access, approval, audit, messages
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


def version_columns(frame: pl.DataFrame) -> dict[str, Any]:
    """Settlement versions' number, kind, state and money as table columns in the language."""
    return {
        ui.t("col.version"): frame["version"],
        ui.t("col.kind"): [i18n.t(f"kind.{k}", lang) for k in frame["kind"]],
        ui.t("col.status"): [state_text(r) for r in frame.iter_rows(named=True)],
        ui.t("col.bonus"): [i18n.euros(v, lang) for v in frame["bonus_total"]],
        ui.t("col.sanction"): [i18n.euros(v, lang) for v in frame["sanction_total"]],
        ui.t("col.net"): [i18n.euros(v, lang) for v in frame["net"]],
        ui.t("col.difference"): [i18n.euros(v, lang) for v in frame["net_difference"]],
    }


versions = data.versions(ref, contract_id, period)
if approved_only:
    versions = versions.filter(pl.col("status") == "approved")
latest = versions.row(0, named=True)

# The first chart before any table: the waterfall is drawn as soon as its lines are read,
# and the page's parts above it are filled in afterwards, each into its place (`top`: the
# versions; `middle`: the totals, approval and the step table), so the page reads as before.
top = st.container()
chosen = st.segmented_control(
    ui.t("col.version"), versions["version"].to_list(), default=latest["version"],
    format_func=lambda v: f"v{v}", key=f"pay_version_{contract_id}_{period}",
) or latest["version"]  # fmt: skip
version = versions.filter(pl.col("version") == chosen).row(0, named=True)
middle = st.container()
lines = data.lines(ref, version["settlement_id"])
indicator_names = dict(
    zip(*data.indicators(ref).filter(pl.col("contract_id") == contract_id)
        .select("indicator_id", f"name_{lang}").get_columns(), strict=True)
)  # fmt: skip
steps = charts.waterfall_steps(
    lines, Decimal(version["bonus_total"]), Decimal(version["net"]), indicator_names, lang
)
st.plotly_chart(
    charts.waterfall(steps, f"{ui.t('payments.waterfall')}: {contract_id} {period} "
                     f"v{version['version']}", lang),
    key="waterfall",
)  # fmt: skip

# --- versions and the correction's difference ---
with top:
    stale = {(c, p): why for c, p, _, why in data.stale(ref)} if not approved_only else {}
    if (contract_id, period) in stale:
        st.warning(ui.t("payments.stale", why=stale[(contract_id, period)]))
    st.subheader(ui.t("payments.versions"))
    if latest["kind"] == "correction":
        st.warning(
            ui.t(
                "payments.correction", version=latest["version"],
                corrects=latest["corrects_version"],
                difference=i18n.euros(latest["net_difference"], lang),
            )
        )  # fmt: skip
    ui.show_table(pl.DataFrame(version_columns(versions)))

# a line's net is its steps of the waterfall: the stored amounts with the sign they have on
# the net (a bonus before gates, a sanction, a gate or cap of either side)
line_net: dict[int, Decimal] = {}
step_net: dict[tuple[int, bool], Decimal] = {}  # a line's own step, and its per-unit cap's
for bar in steps:
    if bar.line_no is not None:
        line_net[bar.line_no] = line_net.get(bar.line_no, Decimal(0)) + bar.amount
        key = (bar.line_no, bar.capped)
        step_net[key] = step_net.get(key, Decimal(0)) + bar.amount
is_correction = version["kind"] == "correction"


def num(value: object, places: int = 4) -> str:
    return i18n.short_number(value, lang, places)


def euros(value: object) -> str:
    return i18n.euros(value, lang) if value is not None else ""


def explanation(row: dict[str, Any]) -> str:
    return messages.stored_text(row.get("explanation_messages"), row["explanation"], lang)


rows = list(lines.iter_rows(named=True))

with middle:
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
            ui.write(step, lambda _: ui.t(done))

    # --- why this euro: every line and step, amounts first, each opening into its
    # explanation (the waterfall of the same steps follows the table) ---
    st.subheader(ui.t("payments.breakdown"))
    st.caption(ui.t("maksut.steps_caption"))
    ui.show_table(
        line_steps.step_table(rows, step_net, indicator_names, lang, correction=is_correction)
    )

# the client codes are pseudonymous, still client-level: only for a role that may see the
# deliveries' client-level data of this contract (a supplier its own, a contract manager)
chosen_contract = contracts.filter(pl.col("contract_id") == contract_id).row(0, named=True)
with_clients = access.can(
    actor, "view-deliveries",
    access.ContractScope(contract_id, chosen_contract["service"],
                         chosen_contract["supplier_business_id"]),
)  # fmt: skip
months = data.line_months(ref, version["settlement_id"])


def month_table(row: dict[str, Any]) -> pl.DataFrame:
    """The line's months: the delivery this version read and its sums, the month's value."""
    part = months.filter(pl.col("indicator_id") == row["indicator_id"])
    table = {
        ui.t("maksut.col.month"): part["period"],
        ui.t("col.delivery"): part["delivery_id"],
        ui.t("col.rows"): part["rows"],
    }
    if row["aggregate"] == "ratio":
        table |= {
            ui.t("maksut.col.numerator_sum"): ui.each(part, "numerator_sum", lambda v: num(v, 6)),
            ui.t("maksut.col.denominator_sum"): ui.each(
                part, "denominator_sum", lambda v: num(v, 6)
            ),
            ui.t("maksut.col.excluded_sum"): ui.each(part, "excluded_sum", lambda v: num(v, 6)),
        }
    table |= {
        ui.t("col.n"): ui.each(part, "n", lambda v: num(v, 0)),
        ui.t("col.value"): ui.each(part, "value", lambda v: num(v)),
    }
    return pl.DataFrame(table)


def delivery_rows(row: dict[str, Any]) -> None:
    """The stored rows behind the line, as the supplier delivered them (text only)."""
    found = data.line_rows(ref, version["settlement_id"], row["indicator_id"], with_clients)
    if found.is_empty():
        st.info(ui.t("maksut.no_rows"))
        return
    total = int(found["total"][0])
    st.caption(ui.t("maksut.rows", count=total))
    if total > len(found):
        st.caption(ui.t("maksut.rows_cut", shown=len(found), count=total))
    table = {
        ui.t("col.delivery"): found["delivery_id"],
        ui.t("col.file"): found["file_name"],
        ui.t("maksut.col.source_row"): found["source_row"],
        ui.t("col.period"): found["period"],
        ui.t("col.value"): ui.each(found, "value", lambda v: num(v, 6)),
        ui.t("col.n"): ui.each(found, "n", lambda v: num(v, 0)),
        ui.t("maksut.col.numerator"): ui.each(found, "numerator", lambda v: num(v, 6)),
        ui.t("maksut.col.denominator"): ui.each(found, "denominator", lambda v: num(v, 6)),
        ui.t("maksut.col.excluded"): ui.each(found, "excluded", lambda v: num(v, 6)),
    }
    if with_clients:
        table[ui.t("maksut.col.client")] = found["client"].fill_null("")
    table |= {
        ui.t("maksut.col.note"): found["note"].fill_null(""),
        ui.t("maksut.col.used"): ui.each(found, "used", lambda u: "✔" if u else "–"),
        ui.t("maksut.col.superseded_by"): ui.each(
            found, "superseded_by", lambda d: "" if d is None else str(d)
        ),
    }
    ui.show_table(pl.DataFrame(table))
    if not with_clients:
        st.caption(ui.t("maksut.clients_hidden"))


st.markdown(f"**{ui.t('maksut.details')}**")
for row in rows:
    name = literal(line_steps.step_name(row, indicator_names, lang))
    net_text = euros(line_net.get(row["line_no"], Decimal("0.00")))
    if row["line_kind"] == "indicator":
        label = ui.t("maksut.line", name=name, bonus=euros(line_steps.step_bonus(row)),
                     sanction=euros(row["sanction"]), net=net_text)  # fmt: skip
    elif row["line_kind"] == "adjustment":
        label = ui.t("maksut.step", name=name, amount=euros(row["amount"]), net=net_text)
    else:
        label = ui.t("maksut.removed", name=name, net=net_text)
    with st.expander(label):
        st.markdown(literal(explanation(row)))
        if row["line_kind"] == "adjustment":
            ui.show_table(
                pl.DataFrame(
                    {
                        ui.t("maksut.col.fact"): [
                            ui.t("maksut.col.side"), ui.t("col.amount"), ui.t("col.counted"),
                        ],
                        ui.t("col.value"): [
                            ui.t(f"col.{row['side']}"), euros(row["amount"]),
                            "✔" if row["counted"] else "–",
                        ],
                    }
                )
            )  # fmt: skip
            continue
        if row["line_kind"] != "indicator":
            continue
        ui.show_table(line_steps.facts(row, lang))
        monthly = month_table(row)
        if monthly.is_empty():
            st.caption(ui.t("maksut.no_months"))
        else:
            st.caption(ui.t("maksut.months"))
            ui.show_table(monthly)
        toggle_key = f"rows_{version['settlement_id']}_{row['line_no']}"
        if st.toggle(ui.t("maksut.rows_toggle"), key=toggle_key):
            delivery_rows(row)

st.markdown(f"**{ui.t('payments.deliveries')}**")
sources = data.source_deliveries(ref, version["settlement_id"])
ui.show_table(
    sources.select(
        pl.col("delivery_id").alias(ui.t("col.delivery")),
        pl.col("file_name").alias(ui.t("col.file")),
        ui.each(sources, "loaded_at", lambda d: i18n.moment(d, lang)).alias(ui.t("col.loaded")),
        pl.col("row_count").alias(ui.t("col.rows")),
        pl.col("sha256").alias(ui.t("audit.col.digest")),
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

    def settlement_file(kind: Kind, lang: str) -> bytes:
        return data.export_files(ref, contract_id, period, kind, lang)

    downloads.localized_buttons(
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
            **version_columns(periods),
            ui.t("col.awaiting"): [
                messages.render(stale[(contract_id, p)], lang) if (contract_id, p) in stale else ""
                for p in periods["period"]
            ],
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
