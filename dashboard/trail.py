"""The audit trail as a table for people: the rows `etl.audit.events` selected, with the
action, outcome, channel and roles in the chosen language and the time in its format (UTC).
Pure (frame in, frame out), shared by Tapahtumaloki and Maksut."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import polars as pl

from dashboard import i18n
from etl import audit

_KNOWN = frozenset(i18n.all_keys())
COLUMNS = ("event", "time", "action", "outcome", "user", "contract", "period", "version",
           "roles", "channel", "delivery", "digest", "detail")  # fmt: skip
"""Every column of the table, in order (what happened and who first, so that a laptop screen
shows them without scrolling the table sideways); a caller may show fewer."""
HEADERS = {
    "event": "audit.col.event", "time": "audit.col.time", "user": "audit.col.user",
    "roles": "audit.col.roles", "channel": "audit.col.channel", "action": "audit.col.action",
    "outcome": "audit.col.outcome", "contract": "col.contract", "period": "col.period",
    "version": "col.version", "delivery": "col.delivery", "digest": "audit.col.digest",
    "detail": "audit.col.detail",
}  # fmt: skip


def word(kind: str, code: str | None, lang: str) -> str:
    """An action, outcome or channel in words (its code when it has none)."""
    key = f"audit.{kind}.{code}"
    return i18n.t(key, lang) if key in _KNOWN else code or ""


def roles_text(roles: str | None, lang: str) -> str:
    """`talous,paakayttaja` -> `talous, pääkäyttäjä`."""
    names = [r for r in (roles or "").split(",") if r]
    return ", ".join(i18n.t(f"role.{r}", lang) if f"role.{r}" in _KNOWN else r for r in names)


def time_text(moment: datetime, lang: str) -> str:
    """1.12.2026 14.05.09 (fi), 1.12.2026 14:05:09 (sv), 1 Dec 2026 14:05:09 (en)."""
    separator = "." if lang == "fi" else ":"
    clock = separator.join(f"{v:02d}" for v in (moment.hour, moment.minute, moment.second))
    return f"{i18n.day(moment, lang)} {clock}"


def table(trail: pl.DataFrame, lang: str, columns: Sequence[str] = COLUMNS) -> pl.DataFrame:
    """The events as shown: one row each, in the order given, headers in the language."""
    pending = i18n.t("audit.pending", lang)
    values: dict[str, Callable[[], Any]] = {
        "event": lambda: [
            pending if p else str(e)
            for e, p in zip(trail["event_id"], trail["pending"], strict=True)
        ],
        "time": lambda: [time_text(v, lang) for v in trail["occurred_at"]],
        "user": lambda: [
            f"{n} ({e})" if e else n
            for n, e in zip(trail["actor_name"], trail["actor_email"], strict=True)
        ],
        "roles": lambda: [roles_text(r, lang) for r in trail["actor_roles"]],
        "channel": lambda: [word("channel", c, lang) for c in trail["channel"]],
        "action": lambda: [word("action", a, lang) for a in trail["action"]],
        "outcome": lambda: [word("outcome", o, lang) for o in trail["outcome"]],
        "contract": lambda: trail["contract_id"].cast(pl.String),
        "period": lambda: trail["period"].cast(pl.String),
        "version": lambda: trail["version"],
        "delivery": lambda: trail["delivery_id"],
        "digest": lambda: trail["file_digest"].cast(pl.String).str.slice(0, 12),
        "detail": lambda: [audit.detail_text(d, lang) for d in trail["detail"]],
    }  # fmt: skip
    return pl.DataFrame(
        {i18n.t(HEADERS[c], lang): pl.Series(values[c](), dtype=_DTYPES.get(c)) for c in columns}
    )


_DTYPES: dict[str, Any] = {c: pl.String for c in COLUMNS if c not in ("version", "delivery")}
_DTYPES.update(version=pl.Int64, delivery=pl.Int64)


SETTLEMENT_COLUMNS = ("event", "time", "user", "action", "outcome", "version", "delivery",
                      "detail")  # fmt: skip
"""A settlement's events on Maksut."""
SEEN_WITHOUT_AUDIT = ("time", "user", "action", "version", "delivery")
"""A settlement's events for whoever may not read the audit trail (a supplier): who loaded
the deliveries used and who approved, nothing of preparation, rejection or refusals."""


def without_audit(events: pl.DataFrame) -> pl.DataFrame:
    """The events of `SEEN_WITHOUT_AUDIT`: loads and approvals that were done."""
    return events.filter(
        pl.col("action").is_in(["load", "approve"]) & (pl.col("outcome") == "done")
    )


def log_url(contract_id: str, period: str) -> str:
    """The Tapahtumaloki page filtered to one contract and period."""
    return "/tapahtumaloki?" + urlencode({"contract": contract_id, "period": period})
