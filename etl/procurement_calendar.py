"""The procurement calendar (kilpailutuskalenteri): what comes up within N months of a day,
and for each its supplier's effectiveness record over the contract.

Entries, in date order (then kind, then contract), of the contracts the actor may see:
- **ends**: the last day a contract can run, its end or its last option's end (the stored
  terms do not say whether an option has been used: using one is a new terms version with the
  end moved and that option removed, see docs/calendar.md);
- **option**: the day by which the buyer must decide on an option period;
- **tender**: the estimated publication day of the call for tenders of its planned next
  tender.
An entry counts when its day lies from `today` to the same day N months later, both
included (31.8. + 6 months is 28.2. or 29.2.).

The record (from the stored settlements, never recomputed): indicator-periods assessed and
achieved and the share, by `etl.achievement`'s one definition, the share shown only when at
least `SUPPRESS_BELOW` clients lie behind it; bonuses and sanctions paid, the totals of the
newest approved version of each settlement period; the priority position of each year in the
newest stored order of its framework; open corrections, correction versions not yet
approved. Money is exact (Decimal).

Files: an .xlsx workbook and Finnish CSV (`;`, decimal comma, UTF-8 with BOM) for the
procurement team, and a public variant without money and without the internal settlement
workflow (no bonuses, sanctions or open corrections), what the region would publish. Every
cell goes through `etl.safe_cells`.
"""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Literal, get_args

import duckdb

from contracts.exact import round_half_up
from contracts.messages import message
from contracts.terms import Contract, NextTender, OptionPeriod, load_contract_text
from etl import audit, formats, messages
from etl.access import Actor, ContractScope, can, require
from etl.achievement import achievement
from etl.messages import MessageError
from etl.personal_data import SUPPRESS_BELOW
from etl.safe_cells import Column, ColumnKind, csv_table, workbook, xlsx_table

Kind = Literal["ends", "option", "tender"]
KINDS: tuple[Kind, ...] = get_args(Kind)
HORIZONS = (6, 12, 24)
"""The horizons the page offers, in months; the command takes any of MIN_MONTHS..MAX_MONTHS."""
MIN_MONTHS = 1
MAX_MONTHS = 120
ICONS: dict[Kind, str] = {"ends": "■", "option": "◆", "tender": "✎"}
"""Each kind's icon, always shown beside its word (symbols every font has, as the statuses')."""


class CalendarError(MessageError):
    """A calendar asked for with a horizon or day it cannot have."""


@dataclass(frozen=True)
class Rank:
    """A contract's position in its framework's newest stored priority order of a year."""

    year: int
    position: int
    of: int


@dataclass(frozen=True)
class Record:
    """A supplier's effectiveness record over one contract, from the stored settlements."""

    assessed: int = 0
    achieved: int = 0
    clients: int = 0
    bonuses: Decimal = Decimal("0.00")
    sanctions: Decimal = Decimal("0.00")
    ranks: tuple[Rank, ...] = ()
    open_corrections: int = 0

    @property
    def suppressed(self) -> bool:
        """Fewer than SUPPRESS_BELOW clients behind the share: it is not shown."""
        return self.assessed > 0 and self.clients < SUPPRESS_BELOW

    @property
    def share(self) -> Fraction | None:
        """Achieved / assessed; None when nothing was assessed or the cell is suppressed."""
        if self.assessed == 0 or self.suppressed:
            return None
        return Fraction(self.achieved, self.assessed)


@dataclass(frozen=True)
class Entry:
    """One line of the calendar: its day, kind, the contract and its supplier's record."""

    day: date
    kind: Kind
    contract: Contract
    record: Record
    option: OptionPeriod | None = None

    @property
    def tender(self) -> NextTender | None:
        return self.contract.next_tender if self.kind == "tender" else None


@dataclass(frozen=True)
class Calendar:
    """The entries from `today` to `until` (both included), for `months` months."""

    today: date
    months: int
    until: date
    entries: list[Entry] = field(default_factory=list)


def months_after(day: date, months: int) -> date:
    """The same day `months` months later, or the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_of_next = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last = (first_of_next - timedelta(days=1)).day
    return date(year, month + 1, min(day.day, last))


def checked_months(value: object) -> int:
    """The horizon in whole months, MIN_MONTHS..MAX_MONTHS; a CalendarError otherwise."""
    text = str(value).strip()
    if not text.isdigit() or not MIN_MONTHS <= int(text) <= MAX_MONTHS:
        raise CalendarError(
            message("calendar.bad_months", got=text, low=MIN_MONTHS, high=MAX_MONTHS)
        )
    return int(text)


def stored_contracts(con: duckdb.DuckDBPyConnection) -> list[Contract]:
    """The current terms of every contract, parsed from their stored TOML text."""
    rows = con.execute(
        "SELECT source_file, toml_text FROM contract_current ORDER BY contract_id"
    ).fetchall()
    return [load_contract_text(text, source) for source, text in rows]


def records(con: duckdb.DuckDBPyConnection) -> dict[str, Record]:
    """Every contract's record (see the module), by contract id."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in achievement(con, ["contract"]).iter_rows(named=True):
        found = counts[row["contract_id"]]
        found[0] += int(row["assessed"])
        found[1] += int(row["achieved"])
        found[2] += int(row["clients"])
    paid = {
        contract: (Decimal(bonus), Decimal(sanction))
        for contract, bonus, sanction in con.execute(
            """
            SELECT contract_id, sum(bonus_total), sum(sanction_total) FROM (
                SELECT contract_id, bonus_total, sanction_total FROM settlement
                WHERE status = 'approved'
                QUALIFY row_number() OVER (PARTITION BY contract_id, period
                                           ORDER BY version DESC) = 1
            ) GROUP BY contract_id
            """
        ).fetchall()
    }
    ranks: dict[str, list[Rank]] = defaultdict(list)
    for contract, year, position, of in con.execute(
        """
        SELECT contract_id, year, position, count(*) OVER (PARTITION BY framework, year)
        FROM priority_order p
        WHERE computed_at = (SELECT max(computed_at) FROM priority_order q
                             WHERE q.framework = p.framework AND q.year = p.year)
        ORDER BY contract_id, year
        """
    ).fetchall():
        ranks[contract].append(Rank(int(year), int(position), int(of)))
    open_corrections = dict(
        con.execute(
            """
            SELECT contract_id, count(*) FROM settlement
            WHERE kind = 'correction' AND status NOT IN ('approved', 'replaced')
            GROUP BY contract_id
            """
        ).fetchall()
    )
    result: dict[str, Record] = {}
    for contract in {*counts, *paid, *ranks, *open_corrections}:
        assessed, achieved, clients = counts.get(contract, [0, 0, 0])
        bonuses, sanctions = paid.get(contract, (Decimal("0.00"), Decimal("0.00")))
        result[contract] = Record(
            assessed, achieved, clients, bonuses, sanctions, tuple(ranks.get(contract, [])),
            int(open_corrections.get(contract, 0)),
        )  # fmt: skip
    return result


def contract_entries(contract: Contract, record: Record, today: date, until: date) -> list[Entry]:
    """The contract's entries whose day lies from `today` to `until`."""
    found: list[Entry] = []
    if today <= contract.last_possible_end <= until:
        found.append(Entry(contract.last_possible_end, "ends", contract, record))
    for option in contract.options:
        if today <= option.decision_due <= until:
            found.append(Entry(option.decision_due, "option", contract, record, option))
    tender = contract.next_tender
    if tender is not None and today <= tender.publication_estimate <= until:
        found.append(Entry(tender.publication_estimate, "tender", contract, record))
    return found


def calendar(
    con: duckdb.DuckDBPyConnection, actor: Actor, months: int, today: date | None = None
) -> Calendar:
    """The calendar for `months` months from `today` (the computer's day unless given) of the
    contracts the actor may see; an AccessError without the calendar permission."""
    require(actor, "view-calendar")
    months = checked_months(months)
    today = today or date.today()
    until = months_after(today, months)
    every = records(con)
    entries: list[Entry] = []
    for contract in stored_contracts(con):
        scope = ContractScope(contract.id, contract.service, contract.supplier.business_id)
        if can(actor, "view-calendar", scope):  # a contract manager: his grant's contracts
            entries += contract_entries(contract, every.get(contract.id, Record()), today, until)
    entries.sort(key=lambda e: (e.day, KINDS.index(e.kind), e.contract.id))
    return Calendar(today, months, until, entries)


# --- words and cells ----------------------------------------------------------------------


def kind_word(kind: Kind, lang: str, icon: bool = True) -> str:
    """`◆ Optiosta päätettävä`: the kind's icon and word in the language."""
    word = messages.text(f"calendar.kind.{kind}", lang)
    return f"{ICONS[kind]} {word}" if icon else word


def what(entry: Entry, lang: str) -> str:
    """What the entry is about: the contract's title, the option period (and its note), or
    the planned tender's subject."""
    if entry.kind == "option" and entry.option is not None:
        said = messages.text(
            "calendar.option_period", lang, start=entry.option.start, end=entry.option.end
        )
        return f"{said}: {entry.option.note}" if entry.option.note else said
    if entry.tender is not None:
        return entry.tender.subject.get(formats.language(lang))
    return entry.contract.title


def share_text(record: Record, lang: str) -> str:
    """The share achieved as a percentage, `<5` when suppressed, `–` when nothing assessed."""
    if record.suppressed:
        return f"<{SUPPRESS_BELOW}"
    share = record.share
    return "–" if share is None else formats.percent(share, lang)


def achieved_text(record: Record, lang: str) -> str:
    """`83,3 % (20/24)`: the share and its counts; `<5` or `–` alone (see share_text)."""
    shown = share_text(record, lang)
    return shown if record.share is None else f"{shown} ({record.achieved}/{record.assessed})"


def ranks_text(record: Record) -> str:
    """`2024: 2/3, 2025: 1/3`: position of how many, per year."""
    return ", ".join(f"{r.year}: {r.position}/{r.of}" for r in record.ranks)


FIELDS: tuple[tuple[str, ColumnKind], ...] = (
    ("day", "date"), ("kind", "text"), ("contract", "text"), ("title", "text"),
    ("supplier", "text"), ("business_id", "text"), ("service", "text"), ("framework", "text"),
    ("what", "text"), ("ends", "date"), ("options_left", "int"), ("preparers", "text"),
    ("hilma", "text"), ("share", "number"), ("achieved", "int"), ("assessed", "int"),
    ("ranks", "text"), ("bonuses", "money"), ("sanctions", "money"),
    ("open_corrections", "int"),
)  # fmt: skip
"""The file's columns (headers: calendar.col.* of etl/texts/<lang>/calendar.toml)."""
PRIVATE = frozenset({"bonuses", "sanctions", "open_corrections"})
"""The columns the public variant leaves out."""


def fields(public: bool) -> tuple[tuple[str, ColumnKind], ...]:
    return tuple(f for f in FIELDS if not (public and f[0] in PRIVATE))


def columns(public: bool, lang: str) -> list[Column]:
    """The file's columns, headers in the language."""
    return [Column(messages.text(f"calendar.col.{n}", lang), k) for n, k in fields(public)]


def options_left(entry: Entry) -> int:
    """How many option periods remain whose decision day is on or after the entry's day."""
    return sum(1 for o in entry.contract.options if o.decision_due >= entry.day)


def values(entry: Entry, lang: str) -> dict[str, object]:
    """One entry's cells by field: the share in percent to one decimal (half-up), money
    exact."""
    contract, record = entry.contract, entry.record
    tender = entry.tender
    share = record.share
    service = tender.service if tender is not None else contract.service
    return {
        "day": entry.day, "kind": kind_word(entry.kind, lang, icon=False),
        "contract": contract.id, "title": contract.title, "supplier": contract.supplier.name,
        "business_id": contract.supplier.business_id,
        "service": messages.service_name(service, lang),
        "framework": contract.framework or "", "what": what(entry, lang),
        "ends": contract.last_possible_end, "options_left": options_left(entry),
        "preparers": ", ".join(tender.preparers) if tender is not None else "",
        "hilma": (tender.hilma or "") if tender is not None else "",
        "share": None if share is None else round_half_up(share * 100, 1),
        "achieved": None if record.suppressed else record.achieved,
        "assessed": None if record.suppressed else record.assessed,
        "ranks": ranks_text(record), "bonuses": record.bonuses, "sanctions": record.sanctions,
        "open_corrections": record.open_corrections,
    }  # fmt: skip


def rows(found: Calendar, public: bool, lang: str) -> list[list[object]]:
    names = [name for name, _ in fields(public)]
    return [[values(e, lang)[n] for n in names] for e in found.entries]


def csv_bytes(found: Calendar, public: bool = False, lang: str = formats.DEFAULT) -> bytes:
    """Finnish CSV: `;`, decimal comma, CRLF, UTF-8 with BOM (opens right in Finnish Excel);
    the share in percent (61,5), dates as 31.12.2026."""
    lang = formats.language(lang)
    return csv_table(columns(public, lang), rows(found, public, lang)).encode("utf-8-sig")


def xlsx_bytes(found: Calendar, public: bool = False, lang: str = formats.DEFAULT) -> bytes:
    """One sheet, Kilpailutuskalenteri: text as text, dates as date cells, money as euros."""
    lang = formats.language(lang)
    buffer = io.BytesIO()
    book = workbook(buffer)
    xlsx_table(book, messages.text("calendar.sheet", lang), columns(public, lang),
               rows(found, public, lang))  # fmt: skip
    book.close()
    return buffer.getvalue()


FileKind = Literal["xlsx", "csv"]


def file_bytes(
    found: Calendar, kind: FileKind, public: bool = False, lang: str = formats.DEFAULT
) -> bytes:
    return xlsx_bytes(found, public, lang) if kind == "xlsx" else csv_bytes(found, public, lang)


def export_event(found: Calendar, file_name: str, kind: FileKind, public: bool) -> audit.Event:
    """The trail's row for a calendar file: the file, its variant, horizon and rows."""
    detail = {"what": "calendar", "file": file_name, "format": kind, "rows": len(found.entries),
              "public_variant": public, "horizon_months": found.months,
              "as_of": found.today.isoformat()}  # fmt: skip
    return audit.Event("export", detail=detail)
