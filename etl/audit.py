"""The audit trail: one append-only row per action that changes or exports something.

`record` writes the row inside the caller's write transaction, so the action and its row are
stored together or not at all; `record_alone` writes a row of its own (a sign-in, a refused or
rejected action, an export). Rows are only ever inserted, and each carries the SHA-256 of the
row before it and of itself: `verify` walks the chain and names the first row changed,
removed or inserted outside the product.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl

from etl import access, personal_data, store
from etl.access import Actor, Permission

Outcome = Literal["done", "unchanged", "rejected", "refused"]
GENESIS = "0" * 64
COLUMNS = (
    "event_id", "occurred_at", "actor_id", "actor_name", "actor_email", "actor_roles", "channel",
    "session_id", "action", "outcome", "contract_id", "period", "settlement_id", "version",
    "delivery_id", "file_digest", "detail", "previous_hash", "row_hash",
)  # fmt: skip


@dataclass(frozen=True)
class Event:
    """What happened: the action, its outcome and the objects it touched."""

    action: str
    outcome: Outcome = "done"
    contract_id: str | None = None
    period: str | None = None
    settlement_id: int | None = None
    version: int | None = None
    delivery_id: int | None = None
    file_digest: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


def record(con: duckdb.DuckDBPyConnection, actor: Actor, event: Event) -> int:
    """Append the event to the trail in the caller's transaction; returns its id."""
    last = store.fetch_one(
        con, "SELECT event_id, row_hash FROM audit_event ORDER BY event_id DESC LIMIT 1"
    )
    event_id, previous = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
    row: dict[str, Any] = {
        "event_id": event_id,
        "occurred_at": store.now(),
        "actor_id": actor.id,
        "actor_name": _text(actor.name),
        "actor_email": actor.email,
        "actor_roles": ",".join(actor.roles),
        "channel": actor.channel,
        "session_id": actor.session,
        "action": event.action,
        "outcome": event.outcome,
        "contract_id": event.contract_id,
        "period": event.period,
        "settlement_id": event.settlement_id,
        "version": event.version,
        "delivery_id": event.delivery_id,
        "file_digest": event.file_digest,
        "detail": json.dumps(_masked(event.detail), sort_keys=True, ensure_ascii=False)
        if event.detail
        else None,
        "previous_hash": previous,
    }
    row["row_hash"] = row_hash(row)
    con.execute(
        f"INSERT INTO audit_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
        [row[c] for c in COLUMNS],
    )
    return event_id


def record_alone(db: Path, actor: Actor, event: Event) -> int:
    """Append the event in a write of its own (refusals, rejections, sign-ins, exports)."""
    with store.writing(db) as con:
        return record(con, actor, event)


def require(db: Path, actor: Actor, permission: Permission, event: Event) -> None:
    """access.require, with a refusal written to the trail before it is raised."""
    try:
        access.require(actor, permission)
    except access.AccessError as error:
        refused = Event(event.action, "refused", event.contract_id, event.period,
                        detail={**event.detail, "reason": str(error)})  # fmt: skip
        record_alone(db, actor, refused)
        raise


def row_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 of the previous row's hash and every field of this row but its own hash."""
    fields = {c: _plain(row.get(c)) for c in COLUMNS if c != "row_hash"}
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every break in the chain, in plain words; an empty list when the trail is whole."""
    rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_event ORDER BY event_id").fetchall()
    problems: list[str] = []
    previous, expected_id = GENESIS, 1
    for values in rows:
        row = dict(zip(COLUMNS, values, strict=True))
        if row["event_id"] != expected_id:
            problems.append(f"event {expected_id} is missing (the next is {row['event_id']})")
        if row["previous_hash"] != previous:
            problems.append(f"event {row['event_id']}: the row before it was changed or removed")
        if row["row_hash"] != row_hash(row):
            problems.append(f"event {row['event_id']}: the row was changed after it was written")
        previous, expected_id = row["row_hash"], int(row["event_id"]) + 1
    return problems


def events(
    con: duckdb.DuckDBPyConnection,
    since: date | None = None,
    until: date | None = None,
    user: str | None = None,
    contract: str | None = None,
    action: str | None = None,
) -> pl.DataFrame:
    """The trail, newest first, filtered by date (inclusive), user (name, e-mail or id, part
    of it, any case), contract and action."""
    pattern = f"%{user.casefold()}%" if user else None
    frame: pl.DataFrame = con.sql(
        """
        SELECT event_id, occurred_at, actor_name, actor_email, actor_id, actor_roles, channel,
               session_id, action, outcome, contract_id, period, settlement_id, version,
               delivery_id, file_digest, detail
        FROM audit_event
        WHERE (?::DATE IS NULL OR occurred_at >= ?::DATE)
          AND (?::DATE IS NULL OR occurred_at < ?::DATE + INTERVAL 1 DAY)
          AND (?::VARCHAR IS NULL OR lower(actor_name) LIKE ? OR lower(actor_id) LIKE ?
               OR lower(coalesce(actor_email, '')) LIKE ?)
          AND (?::VARCHAR IS NULL OR contract_id = ?)
          AND (?::VARCHAR IS NULL OR action = ?)
        ORDER BY event_id DESC
        """,
        params=[since, since, until, until, pattern, pattern, pattern, pattern,
                contract, contract, action, action],
    ).pl()  # fmt: skip
    return frame


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _text(text: str) -> str:
    return personal_data.masked(text) if personal_data.hetu_in(text) else text


def _masked(detail: Mapping[str, Any]) -> dict[str, Any]:
    """Texts of the detail with anything shaped like a henkilötunnus masked."""
    return {key: _text(value) if isinstance(value, str) else value for key, value in detail.items()}
