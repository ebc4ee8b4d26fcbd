"""Maksuajo (finance): one quarter's payment run across all contracts; its settlements with
their states, totals per supplier, prepare all / approve all under the four-eyes rule, and
the payment file (approved rows only) as .xlsx and Finnish CSV, each download recorded as an
export by the signed-in user. Which settlements belong to a run: etl/payment_run.py."""

import polars as pl
import streamlit as st

from dashboard import auth, data, downloads, i18n, ui
from etl import access, payment_run

actor = auth.page("prepare")
lang = ui.lang()
ref = ui.ref()
st.title(ui.t("page.payment_run"))
ui.flash()

runs = data.payment_runs(ref)
if not runs:
    st.info(ui.t("no_data"))
    st.stop()
waiting = dict(runs)
names = [name for name, _ in runs]
ui.from_query("period", "run_period", names)
if st.session_state.get("run_period") not in names:
    # the oldest run with something still to approve, else the newest
    open_runs = [name for name, count in runs if count]
    st.session_state["run_period"] = open_runs[-1] if open_runs else names[0]
period = st.selectbox(
    ui.t("run.period"), names, key="run_period",
    format_func=lambda r: ui.t("run.waiting", run=r, count=waiting[r]) if waiting[r] else r,
)  # fmt: skip
ui.to_query("period", "run_period", period)
st.caption(ui.t("run.membership"))

run = data.payment_run_rows(ref, period)


def state_word(row: payment_run.RunRow) -> str:
    word = i18n.t(f"state.{row.status}", lang)
    if row.state == "correction-pending":
        return ui.t("run.correction_pending", state=word)
    return word


def money(amount: object) -> str:
    return i18n.euros(amount, lang)


st.subheader(ui.t("run.settlements"))
ui.show_table(
    pl.DataFrame(
        {
            ui.t("col.supplier"): [r.supplier for r in run],
            ui.t("run.business_id"): [r.business_id for r in run],
            ui.t("col.contract"): [r.contract_id for r in run],
            ui.t("col.period"): [r.period for r in run],
            ui.t("col.version"): [r.version for r in run],
            ui.t("col.kind"): [i18n.t(f"kind.{r.kind}", lang) for r in run],
            ui.t("col.status"): [state_word(r) for r in run],
            ui.t("col.bonus"): [r.bonus for r in run],
            ui.t("col.sanction"): [r.sanction for r in run],
            ui.t("run.payable"): [r.payable for r in run],
            ui.t("run.corrects"): [
                "" if r.corrects_version is None else f"v{r.corrects_version}" for r in run
            ],
            ui.t("run.approved_by"): [r.approved_by or "" for r in run],
        },
        schema_overrides={ui.t("col.version"): pl.Int64},
    ),
    numbers=dict.fromkeys((ui.t("col.bonus"), ui.t("col.sanction"), ui.t("run.payable")), money),
)

st.subheader(ui.t("run.totals"))
sums = payment_run.totals(run)
ui.show_table(
    pl.DataFrame(
        {
            ui.t("col.supplier"): [t.supplier for t in sums],
            ui.t("run.business_id"): [t.business_id for t in sums],
            ui.t("run.count"): [t.rows for t in sums],
            ui.t("col.bonus"): [t.bonus for t in sums],
            ui.t("col.sanction"): [t.sanction for t in sums],
            ui.t("col.net"): [t.net for t in sums],
            ui.t("run.approved_net"): [t.approved_net for t in sums],
        },
        schema_overrides={ui.t("run.count"): pl.Int64},
    ),
    numbers=dict.fromkeys(
        (ui.t("col.bonus"), ui.t("col.sanction"), ui.t("col.net"), ui.t("run.approved_net")),
        money,
    ),
)

# --- prepare all / approve all: one write each, under the four-eyes rule ---
drafts = sum(1 for r in run if r.status == "draft")
prepared = sum(1 for r in run if r.status == "prepared")
step: payment_run.RunStep | None = None
left, right = st.columns(2)
if drafts and left.button(ui.t("run.prepare_all", count=drafts), key="prepare_all", type="primary"):
    step = "prepare"
if (
    prepared
    and access.can(actor, "approve")
    and right.button(ui.t("run.approve_all", count=prepared), key="approve_all", type="primary")
):
    step = "approve"
if step is not None:
    four_eyes = access.installation_four_eyes()
    chosen: payment_run.RunStep = step
    done = "run.prepared_now" if step == "prepare" else "run.approved_now"
    ui.write(
        lambda: payment_run.step_all(data.db_path(), actor, chosen, period, four_eyes=four_eyes),
        lambda decisions: ui.t(done, count=len(decisions)),
    )

# --- the payment file: approved rows only; each download recorded as an export ---
approved = len(payment_run.payable(run))
st.caption(ui.t("run.file_note", approved=approved, left=len(run) - approved))


if access.can(actor, "export"):
    downloads.payment_run_buttons(actor, period, run)
