"""Open data: contracts as an OCDS 1.1 release package with the metrics extension.

One release per contract (docs/open-data.md): the parties (the buyer; the supplier with its
Y-tunnus, scheme FI-PRO), the award and the contract (title, term, value, status), the agreed
metrics (`agreedMetrics`: each indicator's dated minimum, threshold and target levels), the
realised metrics (`implementation.metrics`: each indicator's value and n per settlement
period, from the newest settlement version's lines) and the approved settlements' money as
`implementation.transactions`. Only approved settlements' money leaves; nothing of a client
(codes, rows) leaves, and an observation resting on fewer than SUPPRESS_BELOW is published
without its value and n, marked suppressed.

Money and measures stay exact: they are Decimals here and are written as JSON numbers from
their decimal text (`dumps`), never through a float.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import duckdb

from contracts.exact import round_cents
from contracts.periods import periods_between
from contracts.settlement import prorated_value
from contracts.terms import Contract, Indicator, load_contract_text
from etl.personal_data import SUPPRESS_BELOW

OCID_PREFIX = "ocds-vaikuttavuus-"
"""A placeholder: a real publisher registers its own prefix with the Open Contracting
Partnership (ocds-xxxxxx) and gives it with `--ocid-prefix`."""

PACKAGE_URI = "urn:vaikuttavuus:ocds:"
"""The package's uri is this and a digest of its releases; a publisher that keeps packages
at a web address replaces it with that address."""

OCDS_VERSION = "1.1"
METRICS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/"
    "master/extension.json"
)
SUPPLIER_SCHEME = "FI-PRO"
"""org-id.guide's scheme for Finnish business ids (Y-tunnus), the Patent and Registration
Office's register."""
CURRENCY = "EUR"
LEVELS = ("minimum", "threshold", "target")
JsonObject = dict[str, Any]


def contract_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every stored contract, in order."""
    rows = con.execute("SELECT contract_id FROM contract_current ORDER BY contract_id")
    return [str(r[0]) for r in rows.fetchall()]


def release_package(
    con: duckdb.DuckDBPyConnection,
    contracts: Sequence[str],
    today: date,
    prefix: str = OCID_PREFIX,
) -> JsonObject:
    """The release package of these contracts (ids known to be stored), as of `today` (the
    contract status: active until its end, terminated after)."""
    releases = [contract_release(con, c, today, prefix) for c in contracts]
    buyers = sorted({r["buyer"]["name"] for r in releases})
    digest = hashlib.sha256(
        "\n".join(f"{r['ocid']} {r['id']}" for r in releases).encode("utf-8")
    ).hexdigest()
    return {
        "uri": PACKAGE_URI + digest[:32],
        "version": OCDS_VERSION,
        "extensions": [METRICS_EXTENSION],
        "publishedDate": max((r["date"] for r in releases), default=_moment(datetime(2000, 1, 1))),
        "publisher": {"name": ", ".join(buyers) or "Vaikuttavuus"},
        "releases": releases,
    }


def contract_release(
    con: duckdb.DuckDBPyConnection, contract_id: str, today: date, prefix: str = OCID_PREFIX
) -> JsonObject:
    """One contract's release: parties, award, contract with its metrics and transactions."""
    toml_text, source, added_at = _one(
        con,
        "SELECT toml_text, source_file, added_at FROM contract_current WHERE contract_id = ?",
        contract_id,
    )
    terms = load_contract_text(str(toml_text), str(source))
    buyer = {"id": _buyer_id(terms), "name": terms.buyer}
    supplier = {"id": _supplier_id(terms), "name": terms.supplier.name}
    period = _period(terms.start, terms.end)
    value = {"amount": contract_value(terms), "currency": CURRENCY}
    settlements = _settlement_rows(con, contract_id)
    payments = transactions(settlements, buyer, supplier)
    metrics = realised_metrics(con, terms)
    implementation: JsonObject = {}
    if payments:
        implementation["transactions"] = payments
    if metrics:
        implementation["metrics"] = metrics
    contract: JsonObject = {
        "id": terms.id,
        "awardID": _award_id(terms),
        "title": terms.title,
        "status": "active" if today <= terms.end else "terminated",
        "period": period,
        "value": value,
        "agreedMetrics": [agreed_metric(i, terms.end) for i in terms.indicators],
    }
    if implementation:
        contract["implementation"] = implementation
    approvals = [s["approved_at"] for s in settlements if s["approved_at"] is not None]
    changed = [added_at, *(s["created_at"] for s in settlements), *approvals]
    release: JsonObject = {
        "ocid": prefix + terms.id,
        "id": "",
        "date": _moment(max(changed)),
        "tag": ["award", "contract", "implementation"],
        "initiationType": "tender",
        "language": "fi",
        "parties": [
            {**buyer, "roles": ["buyer", "payer"]},
            {
                **supplier,
                "identifier": {
                    "scheme": SUPPLIER_SCHEME,
                    "id": terms.supplier.business_id,
                    "legalName": terms.supplier.name,
                },
                "roles": ["supplier", "payee"],
            },
        ],
        "buyer": buyer,
        "awards": [
            {
                "id": _award_id(terms),
                "title": terms.title,
                "status": "active",
                "value": value,
                "suppliers": [supplier],
                "contractPeriod": period,
            }
        ],
        "contracts": [contract],
    }
    release["id"] = f"{terms.id}-{_digest(release)[:16]}"
    return release


def contract_value(terms: Contract) -> Decimal:
    """The contract's value over its term: the sum of its periods' values, prorated by the
    days the term covers unless the terms say otherwise, rounded to cents."""
    periods = periods_between(terms.start, terms.end, terms.period)
    total = sum((prorated_value(terms, p)[0] for p in periods), Fraction(0))
    return round_cents(total)


def agreed_metric(indicator: Indicator, end: date) -> JsonObject:
    """An indicator as agreed: each level's minimum, threshold (if any) and target as an
    observation over the days the level is in force."""
    observations: list[JsonObject] = []
    for i, level in enumerate(indicator.levels):
        last = (
            indicator.levels[i + 1].start - timedelta(days=1)
            if i + 1 < len(indicator.levels)
            else end
        )
        for kind in LEVELS:
            measure = getattr(level, kind)
            if measure is None:
                continue
            observations.append({
                "id": f"{indicator.id}-{level.start.isoformat()}-{kind}",
                "period": _period(level.start, last),
                "measure": measure,
                "unit": {"name": indicator.unit},
                "dimensions": {"level": kind},
            })  # fmt: skip
    return {
        "id": indicator.id,
        "title": indicator.name.fi,
        "description": _description(indicator),
        "observations": observations,
    }


def _description(indicator: Indicator) -> str:
    better = "suurempi on parempi" if indicator.direction == "higher" else "pienempi on parempi"
    return (
        f"{indicator.name.fi}; {better}; laskenta {indicator.aggregate}; "
        f"arvioitavissa, kun n vähintään {indicator.min_n}; teema {indicator.theme}"
    )


def realised_metrics(con: duckdb.DuckDBPyConnection, terms: Contract) -> list[JsonObject]:
    """Each indicator's value and n per settlement period, from the lines of the newest
    settlement version of each period; observations on fewer than SUPPRESS_BELOW suppressed."""
    rows = con.execute(
        """
        SELECT l.indicator_id, s.period, s.period_start, s.period_end, l.value, l.n, l.status
        FROM settlement_latest s JOIN settlement_line l USING (settlement_id)
        WHERE s.contract_id = ? AND l.line_kind = 'indicator'
        ORDER BY s.period_start, l.line_no
        """,
        [terms.id],
    ).fetchall()
    by_indicator: dict[str, list[JsonObject]] = {}
    for indicator_id, period, start, end, value, n, status in rows:
        indicator = terms.indicator(str(indicator_id))
        if indicator is None:
            continue
        by_indicator.setdefault(indicator.id, []).append(
            realised_observation(indicator, str(period), start, end, value, n, status)
        )
    return [
        {"id": i.id, "title": i.name.fi, "observations": by_indicator[i.id]}
        for i in terms.indicators
        if i.id in by_indicator
    ]


def realised_observation(
    indicator: Indicator,
    period: str,
    start: date,
    end: date,
    value: str | None,
    n: str | None,
    status: str | None,
) -> JsonObject:
    """One period's value and n, or the period marked suppressed when it rests on fewer than
    SUPPRESS_BELOW (n, and for a count indicator the count itself) or has no n."""
    observation: JsonObject = {
        "id": f"{indicator.id}-{period}",
        "period": _period(start, end),
    }
    count = _decimal(n)
    measure = _decimal(value)
    small = count is None or count < SUPPRESS_BELOW
    if indicator.aggregate == "sum" and measure is not None and measure < SUPPRESS_BELOW:
        small = True
    if small:
        observation["dimensions"] = {"suppressed": f"n<{SUPPRESS_BELOW}"}
        observation["notes"] = (
            f"Alle {SUPPRESS_BELOW} havainnon solu: arvo ja n jätetty pois (tietosuoja)."
        )
        return observation
    if measure is not None:
        observation["measure"] = measure
        observation["unit"] = {"name": indicator.unit}
    dimensions = {"n": _number_text(count)}
    if status:
        dimensions["status"] = str(status)
    observation["dimensions"] = dimensions
    return observation


def transactions(
    settlements: Iterable[Mapping[str, Any]], buyer: JsonObject, supplier: JsonObject
) -> list[JsonObject]:
    """Each approved settlement version as the money it moved, on its approval date: an
    original's net, a correction's difference to the version it corrects (that one was paid
    already). A negative amount is a deduction."""
    paid: list[JsonObject] = []
    for s in settlements:
        if s["status"] != "approved" or s["approved_at"] is None:
            continue
        amount = s["net_difference"] if s["kind"] == "correction" else s["net"]
        if amount is None:
            amount = s["net"]
        paid.append({
            "id": f"{s['contract_id']}-{s['period']}-v{s['version']}",
            "date": _moment(s["approved_at"]),
            "value": {"amount": Decimal(amount), "currency": CURRENCY},
            "payer": buyer,
            "payee": supplier,
        })  # fmt: skip
    return paid


_SETTLEMENT_COLUMNS = ("contract_id", "period", "version", "kind", "status", "net",
                       "net_difference", "created_at", "approved_at")  # fmt: skip


def _settlement_rows(con: duckdb.DuckDBPyConnection, contract_id: str) -> list[dict[str, Any]]:
    rows = con.execute(
        f"SELECT {', '.join(_SETTLEMENT_COLUMNS)} FROM settlement WHERE contract_id = ? "
        "AND status <> 'replaced' ORDER BY period_start, version",
        [contract_id],
    ).fetchall()
    return [dict(zip(_SETTLEMENT_COLUMNS, row, strict=True)) for row in rows]


def _one(con: duckdb.DuckDBPyConnection, sql: str, *values: object) -> tuple[Any, ...]:
    row = con.execute(sql, list(values)).fetchone()
    if row is None:
        raise LookupError(values)
    return tuple(row)


def _buyer_id(terms: Contract) -> str:
    return "buyer-" + hashlib.sha256(terms.buyer.encode("utf-8")).hexdigest()[:12]


def _supplier_id(terms: Contract) -> str:
    return f"{SUPPLIER_SCHEME}-{terms.supplier.business_id}"


def _award_id(terms: Contract) -> str:
    return f"{terms.id}-award"


def _period(start: date, end: date) -> JsonObject:
    """Days as OCDS date-times: from the first day's start to the last day's end (UTC)."""
    return {
        "startDate": f"{start.isoformat()}T00:00:00Z",
        "endDate": f"{end.isoformat()}T23:59:59Z",
    }


def _moment(moment: datetime) -> str:
    """A stored UTC timestamp as an OCDS date-time."""
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _decimal(text: object) -> Decimal | None:
    if text is None:
        return None
    try:
        number = Decimal(str(text))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _number_text(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _digest(release: Mapping[str, Any]) -> str:
    return hashlib.sha256(dumps(release).encode("utf-8")).hexdigest()


def dumps(value: object, indent: int = 2) -> str:
    """JSON text with non-ASCII characters as they are and every Decimal written as a JSON
    number from its decimal text (6559.49 stays 6559.49; no float on the way)."""
    return _encoded(value, indent, 0)


def _encoded(value: object, indent: int, depth: int) -> str:
    pad, inner = " " * (indent * depth), " " * (indent * (depth + 1))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a JSON number: {value}")
        return format(value, "f")
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_encoded(v, indent, depth + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [f"{inner}{_encoded(v, indent, depth + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    if isinstance(value, float):
        raise TypeError("a float has no place in an export: use Decimal")
    return json.dumps(value, ensure_ascii=False)
