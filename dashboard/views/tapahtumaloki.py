"""Tapahtumaloki: the audit trail for finance and administrators. Filters by day, user,
contract, period and action (?contract=ID&period=P pre-filters, so other pages link here);
the events newest first with the journal's pending ones on top; whether the hash chain is
whole; downloads of the rows shown, each recorded in the trail as an export."""

import re

import streamlit as st

from dashboard import auth, data, downloads, i18n, ui
from dashboard import trail as trail_table
from etl import audit, audit_export

actor = auth.page("view-audit")
lang = ui.lang()
ref = ui.ref()
st.title(ui.t("page.audit"))


def keep_in_url(param: str, key: str, value: str) -> None:
    """The chosen value in the URL (so that the view can be linked to); none: no parameter."""
    if value:
        ui.to_query(param, key, value)
    else:
        st.query_params.pop(param, None)
        st.session_state[f"_query_{key}"] = None


def only(options: list[str], key: str) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = ""


# --- filters ---
pairs, actions = data.audit_choices(ref)
contract_ids = sorted(set(pairs["contract_id"]))
ui.from_query("contract", "audit_contract", contract_ids)
only(["", *contract_ids], "audit_contract")
first, second, third = st.columns(3)
since = first.date_input(ui.t("audit.since"), value=None, format="DD.MM.YYYY", key="audit_since")
until = second.date_input(ui.t("audit.until"), value=None, format="DD.MM.YYYY", key="audit_until")
user = third.text_input(ui.t("audit.user"), key="audit_user").strip()
first, second, third = st.columns(3)
everything = ui.t("audit.all")
contract = first.selectbox(
    ui.t("col.contract"), ["", *contract_ids], format_func=lambda c: c or everything,
    key="audit_contract",
)  # fmt: skip
periods = sorted(
    {p for c, p in zip(pairs["contract_id"], pairs["period"], strict=True) if c == contract and p}
)
ui.from_query("period", "audit_period", periods)
only(["", *periods], "audit_period")
period = second.selectbox(
    ui.t("col.period"), ["", *periods], format_func=lambda p: p or everything, key="audit_period"
)
only(["", *actions], "audit_action")
action = third.selectbox(
    ui.t("audit.col.action"), ["", *actions],
    format_func=lambda a: trail_table.word("action", a, lang) or everything, key="audit_action",
)  # fmt: skip
keep_in_url("contract", "audit_contract", contract)
keep_in_url("period", "audit_period", period)
if since is not None and until is not None and since > until:
    st.warning(ui.t("audit.bad_range"))

filters = audit.Filters(
    since=since, until=until, user=user or None, contract=contract or None,
    period=period or None, action=action or None,
)  # fmt: skip
trail = data.audit_trail(ref, data.journal_state(), filters)

# --- is the chain whole ---
count, breaks = data.audit_chain(ref)
if breaks:
    st.error(ui.t("audit.chain_broken", count=len(breaks)))
    st.text(
        "\n".join(
            ui.t(f"audit.break.{b.kind}", event=b.event_id, following=b.following) for b in breaks
        )
    )
else:
    st.success(ui.t("audit.chain_ok", count=i18n.count(count, lang)))
waiting = int(trail["pending"].sum())
if waiting:
    st.info(ui.t("audit.pending_note", count=waiting))

# --- the events, newest first ---
st.caption(ui.t("audit.shown", count=i18n.count(len(trail), lang)))
ui.show_table(trail_table.table(trail, lang))

# --- downloads of the rows shown, each recorded as an export by the signed-in user ---
base = "-".join(
    ["tapahtumaloki", *(re.sub(r"[^A-Za-z0-9_-]", "_", p) for p in (contract, period) if p)]
)
downloads.buttons(
    actor, base, lambda kind: audit_export.file_bytes(trail, kind),
    lambda kind, name: audit_export.export_event(filters, name, kind, len(trail)),
    key="audit", labels=("audit.download_xlsx", "audit.download_csv"),
)  # fmt: skip
st.caption(ui.t("audit.download_note"))
