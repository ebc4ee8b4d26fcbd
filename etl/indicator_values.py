"""The values the dashboard shows, computed by the engine's one definition (contracts.values):
settle stores each indicator's value per delivered observation period and per calendar year
(table indicator_value, migration 008) through `value_rows`; the Maksut drill-down computes a
settlement version's months from the sums of the deliveries that version read through
`sums_values`. No value formula lives anywhere else (no SQL, no dashboard code).

Pure: terms, tallies or stored sums in, rows out; no I/O.
"""

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from contracts.exact import decimal_text
from contracts.periods import Period, parse_period_name
from contracts.terms import Contract, Indicator
from contracts.values import ZERO, Count, Tallies, Tally, assessable_value, period_value

Row = dict[str, Any]


def text(number: Fraction | Count | None) -> str | None:
    """A computed number as stored text, here and on settlement lines (etl.settle): a
    Fraction as its decimal (exact within 12 decimals, else rounded half-up), an int or a
    Decimal as str, None as None."""
    if isinstance(number, Fraction):
        return decimal_text(number)
    return None if number is None else str(number)


def _row(
    contract_id: str,
    indicator: Indicator,
    terms_version: int,
    grain: str,
    period: Period,
    value: Fraction | None,
    n: Count,
) -> Row:
    return {
        "contract_id": contract_id, "indicator_id": indicator.id, "grain": grain,
        "period": period.name, "period_start": period.first_day, "period_end": period.last_day,
        "value": text(value), "n": text(n), "min_n": indicator.min_n,
        "assessable": value is not None and n >= indicator.min_n,
        "terms_version": terms_version,
    }  # fmt: skip


def value_rows(
    contract_id: str,
    contract: Contract,
    terms_version: int,
    tallies: Tallies,
    years: Collection[int],
) -> list[Row]:
    """The indicator_value rows of a contract for the calendar `years`: per indicator, one
    'observed' row per observation period in `tallies` that starts in one of the years (the
    value of that period alone), then one 'year' row per year in which the indicator has a
    tally (the value over the observation periods lying within the calendar year, by the
    indicator's aggregate; `last` takes the year's latest). assessable: a value, and
    n >= min_n. Ordered by indicator (the contract's order), grain, period start."""
    wanted = set(years)
    by_indicator: dict[str, dict[Period, Tally]] = {}
    for (indicator_id, period), tally in tallies.items():
        by_indicator.setdefault(indicator_id, {})[period] = tally
    rows: list[Row] = []
    for indicator in contract.indicators:
        mine = by_indicator.get(indicator.id, {})
        observed = sorted(
            (p for p in mine if p.first_day.year in wanted),
            key=lambda p: (p.first_day, p.last_day),
        )
        for period in observed:
            value, n = period_value(indicator, {period: mine[period]})
            rows.append(_row(contract_id, indicator, terms_version, "observed", period, value, n))
        keyed = {(indicator.id, p): t for p, t in mine.items()}
        for year in sorted(wanted):
            calendar_year = Period(year, 1, "year")
            if not any(calendar_year.contains(p) for p in mine):
                continue
            value, n, _ = assessable_value(indicator, keyed, calendar_year)
            rows.append(_row(contract_id, indicator, terms_version, "year", calendar_year,
                             value, n))  # fmt: skip
    return rows


def _decimal(number: object) -> Decimal:
    return ZERO if number is None else Decimal(number)  # type: ignore[arg-type]


def tally_of_sums(sums: Mapping[str, Any]) -> Tally:
    """The engine's tally of one delivery's stored sums of a contract x indicator x period
    (a scope_tally row: rows, weight_sum, value_sum, weighted_sum, numerator_sum,
    denominator_sum, excluded_sum; a missing sum is 0). n is weight_sum, Σ n of the rows with
    a value: the loader requires a value of every mean, sum and last row, and a ratio's n is
    its effective denominator, not this."""
    return Tally(
        rows=int(sums["rows"] or 0),
        n=int(sums["weight_sum"] or 0),
        value_sum=_decimal(sums["value_sum"]),
        weighted_sum=_decimal(sums["weighted_sum"]),
        numerator=_decimal(sums["numerator_sum"]),
        denominator=_decimal(sums["denominator_sum"]),
        excluded=_decimal(sums["excluded_sum"]),
    )


def sums_values(
    contract: Contract, sums: Iterable[Mapping[str, Any]]
) -> list[tuple[str | None, str | None]]:
    """(value, n) as stored text of each row of delivered sums (indicator_id, period name and
    the sums of `tally_of_sums`), by the indicator of `contract` (the terms version the
    settlement used) over that period alone; (None, None) for an indicator the terms do not
    have or a period name that is none."""
    values: list[tuple[str | None, str | None]] = []
    for row in sums:
        indicator = contract.indicator(row["indicator_id"])
        period = parse_period_name(row["period"])
        if indicator is None or period is None:
            values.append((None, None))
            continue
        value, n = period_value(indicator, {period: tally_of_sums(row)})
        values.append((text(value), text(n)))
    return values
