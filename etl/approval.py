"""Four-eyes approval of a settlement: one finance user prepares (checks) the newest draft,
another approves it, which locks it; a rejection sends a prepared settlement back to draft
with its reason. The same person cannot prepare and approve, unless the installation's role
mapping says `four_eyes = false`, and then the trail says so on every such approval.

Each step is one write: the settlement's new state and its audit row together. A step that is
refused (no role, wrong state, inputs changed, the preparer approving) changes nothing and
leaves an audit row saying it was refused and why. The CLI and the dashboard both call these.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from contracts.messages import message
from etl import personal_data, store
from etl.access import AccessError, Actor, Permission, require
from etl.audit import Event, record, record_alone
from etl.settle import SettleError, parse_wanted_period, stale_settlements

Step = Literal["prepare", "approve", "reject"]


@dataclass(frozen=True)
class Decision:
    """What a step did: the settlement, its version and kind, and its new status."""

    contract_id: str
    period: str
    settlement_id: int
    version: int
    kind: str
    status: str
    four_eyes_relaxed: bool = False


@dataclass(frozen=True)
class _Latest:
    settlement_id: int
    version: int
    status: str
    kind: str
    prepared_by_id: str | None
    prepared_by: str | None


def prepare(db: Path, actor: Actor, contract_id: str, period_name: str) -> Decision:
    """Mark the newest draft as checked by the actor (finance)."""
    return _step(db, actor, "prepare", contract_id, period_name, text=None, four_eyes=True)


def approve(
    db: Path,
    actor: Actor,
    contract_id: str,
    period_name: str,
    comment: str | None = None,
    *,
    four_eyes: bool = True,
) -> Decision:
    """Approve (lock) the newest version, prepared by someone else (finance)."""
    return _step(db, actor, "approve", contract_id, period_name, comment, four_eyes)


def reject(db: Path, actor: Actor, contract_id: str, period_name: str, reason: str) -> Decision:
    """Send the prepared version back to draft with the reason (finance)."""
    return _step(db, actor, "reject", contract_id, period_name, reason, four_eyes=True)


_PERMISSION: dict[Step, Permission] = {
    "prepare": "prepare",
    "approve": "approve",
    "reject": "approve",
}
_NEEDS: dict[Step, str] = {"prepare": "draft", "approve": "prepared", "reject": "prepared"}


def _step(
    db: Path,
    actor: Actor,
    step: Step,
    contract_id: str,
    period_name: str,
    text: str | None,
    four_eyes: bool,
) -> Decision:
    period = parse_wanted_period(period_name)
    try:
        require(actor, _PERMISSION[step])
        _check_text(step, text)
        with store.writing(db) as con:
            decision = step_in(con, actor, step, contract_id, period.name, text, four_eyes)
    except (AccessError, SettleError, personal_data.PersonalData) as error:
        refused = Event(step, "refused", contract_id, period.name, detail={"reason": str(error)})
        record_alone(db, actor, refused)
        raise
    return decision


def step_in(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    step: Step,
    contract_id: str,
    period: str,
    text: str | None,
    four_eyes: bool,
    extra: dict[str, str] | None = None,
) -> Decision:
    """One step inside the caller's write (the role and the text already checked): the
    state's rules, the new state and its audit row (with `extra` in its detail); a
    SettleError, and nothing written, when the rules refuse it."""
    latest = _latest(con, contract_id, period)
    relaxed = _check_state(con, actor, step, contract_id, period, latest, four_eyes)
    _apply(con, actor, step, latest, text)
    detail: dict[str, str] = dict(extra or {})
    if text:
        detail["reason" if step == "reject" else "comment"] = text
    if relaxed:
        detail["four_eyes"] = "relaxed by configuration: the preparer approved"
    record(
        con, actor,
        Event(step, "done", contract_id, period, latest.settlement_id, latest.version,
              detail=detail),
    )  # fmt: skip
    status = {"prepare": "prepared", "approve": "approved", "reject": "draft"}[step]
    return Decision(
        contract_id, period, latest.settlement_id, latest.version, latest.kind, status, relaxed
    )


def _check_text(step: Step, text: str | None) -> None:
    if step == "reject" and not (text or "").strip():
        raise SettleError(message("error.reject_needs_reason"))
    what = "the reason" if step == "reject" else "the comment"
    personal_data.refuse_hetu(what, text)


def _latest(con: duckdb.DuckDBPyConnection, contract_id: str, period: str) -> _Latest:
    row = store.fetch_one(
        con,
        "SELECT settlement_id, version, status, kind, prepared_by_id, prepared_by "
        "FROM settlement_latest WHERE contract_id = ? AND period = ?",
        [contract_id, period],
    )
    if row is None:
        raise SettleError(message("error.not_settled", contract=contract_id, period=period))
    return _Latest(int(row[0]), int(row[1]), row[2], row[3], row[4], row[5])


def _check_state(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    step: Step,
    contract_id: str,
    period: str,
    latest: _Latest,
    four_eyes: bool,
) -> bool:
    """Refuse a step that does not fit the settlement's state; True when the four-eyes rule
    was relaxed for this approval."""
    name = f"{contract_id} {period} v{latest.version}"
    if latest.status == "approved":
        raise SettleError(message("error.already_approved", name=name))
    needs = _NEEDS[step]
    if latest.status != needs:
        if needs == "prepared":
            state = message(f"state.{latest.status}")
            raise SettleError(message("error.not_prepared", name=name, state=state))
        raise SettleError(message("error.already_prepared", name=name, who=latest.prepared_by))
    stale = stale_settlements(con, contract_id, period, include_drafts=True)
    if stale and step != "reject":
        raise SettleError(message("error.inputs_changed", name=name, why=stale[0][3]))
    same_person = step == "approve" and latest.prepared_by_id == actor.id
    if same_person and four_eyes:
        raise SettleError(message("error.four_eyes", name=name, who=latest.prepared_by))
    return same_person


def _apply(
    con: duckdb.DuckDBPyConnection, actor: Actor, step: Step, latest: _Latest, text: str | None
) -> None:
    now, who = store.now(), actor.label
    if step == "prepare":
        con.execute(
            "UPDATE settlement SET status = 'prepared', prepared_at = ?, prepared_by = ?, "
            "prepared_by_id = ? WHERE settlement_id = ?",
            [now, who, actor.id, latest.settlement_id],
        )
    elif step == "approve":
        con.execute(
            "UPDATE settlement SET status = 'approved', approved_at = ?, approved_by = ?, "
            "approved_by_id = ?, approval_comment = ? WHERE settlement_id = ?",
            [now, who, actor.id, text or None, latest.settlement_id],
        )
    else:
        con.execute(
            "UPDATE settlement SET status = 'draft', prepared_at = NULL, prepared_by = NULL, "
            "prepared_by_id = NULL, rejected_at = ?, rejected_by = ?, rejection_reason = ? "
            "WHERE settlement_id = ?",
            [now, who, text, latest.settlement_id],
        )
