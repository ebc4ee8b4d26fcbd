"""The audit trail: one append-only row per action that changes or exports something.

`record` writes the row inside the caller's write transaction, so the action and its row are
stored together or not at all; `record_alone` writes a row of its own (a refused action, an
export). Events that must never wait for another writer (a rejected file, whose checking
takes no write lock; a sign-in) go through `record_soon`: appended at once, flushed to disk,
to the journal beside the database, and moved into the table by the next write that finds
the lock free (`absorb`); until then `events` shows them as pending. Rows are only ever
inserted, and each carries the SHA-256 of the row before it and of itself: `verify` walks
the chain and names the first row changed, removed or inserted outside the product.
"""

import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl

from contracts.messages import Message, message
from etl import access, messages, personal_data, store
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
    return _insert(con, {"occurred_at": store.now(), **_fields(actor, event)})


def record_many(con: duckdb.DuckDBPyConnection, actor: Actor, events: Sequence[Event]) -> list[int]:
    """Append the events to the trail in the caller's transaction, in their order, as one
    insert (one row each, chained as `record` chains them); returns their ids."""
    rows = _chained(con, [{"occurred_at": store.now(), **_fields(actor, e)} for e in events])
    if rows:
        store.insert_rows(con, "audit_event", rows)
    return [row["event_id"] for row in rows]


def _chained(
    con: duckdb.DuckDBPyConnection, entries: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The entries as the trail's next rows: numbered on from the last, each carrying the
    hash of the one before it and its own."""
    last = store.fetch_one(
        con, "SELECT event_id, row_hash FROM audit_event ORDER BY event_id DESC LIMIT 1"
    )
    event_id, previous = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        row: dict[str, Any] = {"event_id": event_id, **entry, "previous_hash": previous}
        row["row_hash"] = previous = row_hash(row)
        rows.append(row)
        event_id += 1
    return rows


def _insert(con: duckdb.DuckDBPyConnection, fields: Mapping[str, Any]) -> int:
    (row,) = _chained(con, [fields])
    con.execute(
        f"INSERT INTO audit_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
        [row[c] for c in COLUMNS],
    )
    return int(row["event_id"])


def _fields(actor: Actor, event: Event) -> dict[str, Any]:
    return {
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
    }


def record_alone(db: Path, actor: Actor, event: Event) -> int:
    """Append the event in a write of its own (refusals, exports); pending journal entries
    are moved in first."""
    with store.writing(db) as con:
        _absorb_into(con, db)
        event_id = record(con, actor, event)
    _forget_absorbed(db)
    return event_id


# --- the journal: events that never wait for the write lock ----------------------------------

JOURNAL_KEY = "journal_entry"


def journal_path(db: Path) -> Path:
    db = db.resolve()
    return db.with_name(f".{db.name}.audit-journal")


def record_soon(db: Path, actor: Actor, event: Event) -> None:
    """Append the event to the journal at once (flushed to disk), then move the journal into
    the trail if no other process is writing; otherwise the next write does."""
    fields = {"occurred_at": store.now().isoformat(), **_fields(actor, event)}
    detail = json.loads(fields["detail"]) if fields["detail"] else {}
    detail[JOURNAL_KEY] = uuid.uuid4().hex
    fields["detail"] = json.dumps(detail, sort_keys=True, ensure_ascii=False)
    line = (json.dumps(fields, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    path = journal_path(db)
    while True:
        with open(path, "ab") as journal:
            fcntl.flock(journal, fcntl.LOCK_EX)
            if not _same_file(journal.fileno(), path):
                continue  # emptied and removed meanwhile: append to the new one
            journal.write(line)
            journal.flush()
            os.fsync(journal.fileno())
            break
    absorb(db, wait=False)


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def absorb(db: Path, *, wait: bool = True) -> int:
    """Move pending journal entries into the trail; returns how many were moved (0 when the
    lock is held by another writer and `wait` is False)."""
    if not _pending(db):
        return 0
    try:
        with store.writing(db, wait=wait) as con:
            moved = _absorb_into(con, db)
    except store.Busy:
        return 0
    _forget_absorbed(db)
    return moved


def _pending(db: Path) -> list[dict[str, Any]]:
    """The journal's entries (a torn last line, from a kill mid-write, is skipped)."""
    path = journal_path(db)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [entry for line in text.splitlines() if (entry := _entry(line)) is not None]


def _entry(line: str) -> dict[str, Any] | None:
    """One journal line's entry; None for a line that is not one (torn by a kill)."""
    try:
        entry = json.loads(line)
    except json.JSONDecodeError:
        return None
    return entry if isinstance(entry, dict) else None


def _entry_id(entry: Mapping[str, Any]) -> str:
    return str(json.loads(entry.get("detail") or "{}").get(JOURNAL_KEY, ""))


def _absorbed(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        f"SELECT json_extract_string(detail, '$.{JOURNAL_KEY}') FROM audit_event "
        f"WHERE detail LIKE '%{JOURNAL_KEY}%'"
    ).fetchall()
    return {str(r[0]) for r in rows if r[0]}


def _absorb_into(con: duckdb.DuckDBPyConnection, db: Path) -> int:
    """Insert the journal's entries not yet in the trail, in the order they were written."""
    done = _absorbed(con)
    moved = 0
    for entry in _pending(db):
        if _entry_id(entry) in done:
            continue
        fields = {
            c: entry.get(c) for c in COLUMNS if c not in ("event_id", "previous_hash", "row_hash")
        }
        fields["occurred_at"] = datetime.fromisoformat(str(entry["occurred_at"]))
        _insert(con, fields)
        moved += 1
    return moved


def _forget_absorbed(db: Path) -> None:
    """Drop from the journal what the trail now holds (entries added meanwhile stay)."""
    path = journal_path(db)
    if not path.exists():
        return
    with store.reading(db) as con:
        done = _absorbed(con)
    try:
        journal = open(path, "r+b")  # noqa: SIM115
    except FileNotFoundError:
        return
    with journal:
        fcntl.flock(journal, fcntl.LOCK_EX)
        if not _same_file(journal.fileno(), path):
            return
        lines = journal.read().decode("utf-8", errors="replace").splitlines(keepends=True)
        keep = [
            line for line in lines if line.strip() and _entry_id(_entry(line) or {}) not in done
        ]
        if not keep:
            path.unlink(missing_ok=True)  # appenders check the file they locked is still it
            return
        journal.seek(0)
        journal.write("".join(keep).encode("utf-8"))
        journal.truncate()
        journal.flush()
        os.fsync(journal.fileno())


def record_role_map(db: Path, actor: Actor, role_map: access.RoleMap) -> bool:
    """Record the role mapping in use when it is not the one last recorded (a new file, or an
    administrator's edit): its digest, its file, its claim and whether four eyes are required.
    Returns whether a row was written. Through the journal: never waits for a writer."""
    with store.reading(db) as con:
        last = store.fetch_one(
            con, "SELECT file_digest FROM audit_event WHERE action = 'role-mapping' "
            "ORDER BY event_id DESC LIMIT 1",
        )  # fmt: skip
    recorded = {str(last[0])} if last else set()
    recorded |= {
        str(e.get("file_digest")) for e in _pending(db) if e.get("action") == "role-mapping"
    }
    if role_map.digest in recorded:
        return False
    detail = {"file": role_map.file, "claim": role_map.claim, "four_eyes": role_map.four_eyes,
              "groups": len(role_map.groups)}  # fmt: skip
    record_soon(db, actor, Event("role-mapping", file_digest=role_map.digest, detail=detail))
    return True


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


@dataclass(frozen=True)
class Break:
    """Where the chain is broken: `missing` (event `event_id` is not there; `following` is
    the next one that is), `relinked` (the row before this one was changed or removed) or
    `changed` (this row was changed after it was written)."""

    event_id: int
    kind: Literal["missing", "relinked", "changed"]
    following: int | None = None

    def message(self) -> Message:
        """The break in words (etl/texts/*/audit.toml)."""
        return message(f"audit_break.{self.kind}", event=self.event_id, following=self.following)


def breaks(con: duckdb.DuckDBPyConnection) -> list[Break]:
    """Every break in the chain, oldest first; an empty list when the trail is whole."""
    rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_event ORDER BY event_id").fetchall()
    found: list[Break] = []
    previous, expected_id = GENESIS, 1
    for values in rows:
        row = dict(zip(COLUMNS, values, strict=True))
        if row["event_id"] != expected_id:
            found.append(Break(expected_id, "missing", int(row["event_id"])))
        if row["previous_hash"] != previous:
            found.append(Break(int(row["event_id"]), "relinked"))
        if row["row_hash"] != row_hash(row):
            found.append(Break(int(row["event_id"]), "changed"))
        previous, expected_id = row["row_hash"], int(row["event_id"]) + 1
    return found


def verify(con: duckdb.DuckDBPyConnection) -> list[Message]:
    """Every break in the chain, as messages; an empty list when the trail is whole."""
    return [found.message() for found in breaks(con)]


# --- reading the trail -----------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Which events to show. `since` and `until` are days (inclusive, UTC); `user` is part of
    a name, e-mail or id, in any case; `contract` and `period` also match the events that
    name them in their detail (a settle's versions, a load's contracts, a rank's order);
    `deliveries` adds the loads of these deliveries to what the other filters select."""

    since: date | None = None
    until: date | None = None
    user: str | None = None
    contract: str | None = None
    period: str | None = None
    action: str | None = None
    deliveries: tuple[int, ...] = ()

    def named(self) -> dict[str, Any]:
        """The filters given, by name (for an export's detail)."""
        given = {
            "since": self.since, "until": self.until, "user": self.user,
            "contract": self.contract, "period": self.period, "action": self.action,
            "deliveries": list(self.deliveries) or None,
        }  # fmt: skip
        return {k: _plain(v) for k, v in given.items() if v is not None}


_PENDING_TYPES = {
    "occurred_at": "TIMESTAMP", "settlement_id": "INTEGER", "version": "INTEGER",
    "delivery_id": "INTEGER",
}  # fmt: skip
_PENDING_STRUCTURE = json.dumps(
    [{c: _PENDING_TYPES.get(c, "VARCHAR") for c in COLUMNS
      if c not in ("event_id", "previous_hash", "row_hash")}]
)  # fmt: skip
_SHOWN = (
    "event_id, occurred_at, actor_name, actor_email, actor_id, actor_roles, channel, "
    "session_id, action, outcome, contract_id, period, settlement_id, version, delivery_id, "
    "file_digest, detail"
)


def pending(con: duckdb.DuckDBPyConnection, db: Path) -> list[dict[str, Any]]:
    """The journal's entries not yet moved into the trail, in the order they were written."""
    entries = _pending(db)
    if not entries:
        return []
    done = _absorbed(con)
    return [e for e in entries if _entry_id(e) not in done]


def events(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    waiting: list[dict[str, Any]] | None = None,
) -> pl.DataFrame:
    """The trail, newest first, with the journal's `waiting` entries (`pending`) first and
    marked `pending` (they are numbered when moved into the table); filtered by `filters`."""
    f = filters or Filters()
    pattern = f"%{f.user.casefold()}%" if f.user else None
    frame: pl.DataFrame = con.sql(
        f"""
        WITH waiting AS (
            SELECT unnest(from_json(?::JSON, '{_PENDING_STRUCTURE}'), recursive := true)
        ),
        trail AS (
            SELECT {_SHOWN}, row_hash, false AS pending FROM audit_event
            UNION ALL BY NAME
            SELECT *, NULL::BIGINT AS event_id, NULL::VARCHAR AS row_hash, true AS pending
            FROM waiting
        ),
        named AS (
            SELECT *,
                   coalesce(json_extract_string(detail, '$.versions[*]'), []) AS versions,
                   coalesce(json_extract_string(detail, '$.contracts[*]'), [])
                       || coalesce(json_extract_string(detail, '$.order[*]'), []) AS contracts
            FROM trail
        )
        SELECT {_SHOWN}, row_hash, pending
        FROM named
        WHERE (?::DATE IS NULL OR occurred_at >= ?::DATE)
          AND (?::DATE IS NULL OR occurred_at < ?::DATE + INTERVAL 1 DAY)
          AND (?::VARCHAR IS NULL OR lower(actor_name) LIKE ? OR lower(actor_id) LIKE ?
               OR lower(coalesce(actor_email, '')) LIKE ?)
          AND (?::VARCHAR IS NULL OR action = ?)
          AND (
              ((?::VARCHAR IS NULL OR contract_id = ? OR list_contains(contracts, ?))
               AND (?::VARCHAR IS NULL OR period = ?))
              OR ((?::VARCHAR IS NOT NULL OR ?::VARCHAR IS NOT NULL) AND len(list_filter(
                  versions, lambda v: (?::VARCHAR IS NULL OR split_part(v, ' ', 1) = ?)
                                  AND (?::VARCHAR IS NULL OR split_part(v, ' ', 2) = ?))) > 0)
              OR (action = 'load' AND list_contains(?::INTEGER[], delivery_id))
          )
        ORDER BY pending DESC, event_id DESC, occurred_at DESC
        """,
        params=[
            json.dumps(waiting or [], ensure_ascii=False),
            f.since, f.since, f.until, f.until, pattern, pattern, pattern, pattern,
            f.action, f.action,
            f.contract, f.contract, f.contract, f.period, f.period,
            f.contract, f.period, f.contract, f.contract, f.period, f.period,
            list(f.deliveries),
        ],
    ).pl()  # fmt: skip
    return frame


def detail_text(detail: str | None, lang: str, limit: int | None = None) -> str:
    """An event's detail in the language as `key: value; key: value` (lists joined by
    commas, the journal's own entry id left out), cut at `limit` characters with an ellipsis.
    Keys and the codes of known keys are put into words (etl/texts/*/audit.toml); messages
    stored as data (a key and values) are rendered; other text is shown as recorded."""
    if not detail:
        return ""
    try:
        values = json.loads(detail)
    except json.JSONDecodeError:
        values = None
    if not isinstance(values, dict):
        text = detail
    else:
        text = "; ".join(
            f"{_word('key', key, lang)}: {_detail_value(key, value, lang)}"
            for key, value in values.items()
            if key != JOURNAL_KEY
        )
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _word(kind: str, code: str, lang: str) -> str:
    key = f"audit_detail.{kind}.{code}"
    return messages.text(key, lang) if messages.has(key) else code


def _detail_value(key: str, value: object, lang: str) -> str:
    if isinstance(value, list):
        return ", ".join(_detail_value(key, item, lang) for item in value)
    if isinstance(value, bool):
        return messages.text("audit_detail.yes" if value else "audit_detail.no", lang)
    if isinstance(value, dict) and "key" in value and messages.has(str(value["key"])):
        return messages.render_all(messages.from_json(json.dumps([value])), lang)
    if isinstance(value, str) and key in ("permission", "what"):
        return _word(key, value, lang)
    if isinstance(value, str) and key == "versions":
        # "KH-2024-001 2025-Q1 v2 correction": the settle's outcome is its last word
        named, _, outcome = value.rpartition(" ")
        return f"{named} {_word('version', outcome, lang)}" if named else value
    return str(value)


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _text(text: str) -> str:
    return personal_data.masked(text) if personal_data.hetu_in(text) else text


def _masked(detail: Mapping[str, Any]) -> dict[str, Any]:
    """Texts of the detail with anything shaped like a henkilötunnus masked."""
    return {key: _text(value) if isinstance(value, str) else value for key, value in detail.items()}
