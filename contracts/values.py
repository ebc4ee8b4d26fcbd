"""The period value of an indicator (format §3), from mergeable sufficient statistics.

Observation rows are reduced to one `Tally` per indicator × observation period (a month or a
settlement period). Tallies are plain sums, so they can be computed by a SQL `GROUP BY` and
merged again in any order: merging months gives the tally of the settlement period.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from contracts.exact import exact
from contracts.messages import Message, Value, message
from contracts.periods import Period
from contracts.scales import (
    Status,
    bands_fraction,
    binary_fraction,
    improvement_fraction,
    linear_fraction,
    status_of,
)
from contracts.terms import Indicator, Level

Count = int | Decimal
"""An observation count n: whole for rows and weights, possibly fractional for a ratio's
effective denominator."""

ZERO = Decimal(0)


@dataclass(frozen=True)
class Observation:
    """One supplier data row (§7), already parsed: period is a month or a settlement period."""

    indicator: str
    period: Period
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    excluded: Decimal | None = None
    n: int | None = None
    client: str | None = None


@dataclass(frozen=True)
class Tally:
    """Sufficient statistics of the rows of one indicator × observation period.

    rows: number of rows; n: Σ n (n defaults to 1 per row); value_sum: Σ value;
    weighted_sum: Σ value × n; numerator, denominator, excluded: their sums;
    client_outcomes: Σ value per client code, sorted by client (record-level rows only).
    """

    rows: int = 0
    n: int = 0
    value_sum: Decimal = ZERO
    weighted_sum: Decimal = ZERO
    numerator: Decimal = ZERO
    denominator: Decimal = ZERO
    excluded: Decimal = ZERO
    client_outcomes: tuple[tuple[str, Decimal], ...] = ()


EMPTY_TALLY = Tally()
Tallies = Mapping[tuple[str, Period], Tally]
"""Tallies keyed by indicator id and observation period (a month or a settlement period)."""


def tally_of(observation: Observation) -> Tally:
    """The tally of a single row: n defaults to 1, missing numbers count as 0."""
    n = 1 if observation.n is None else observation.n
    value = observation.value if observation.value is not None else ZERO
    clients = ((observation.client, value),) if observation.client is not None else ()
    return Tally(
        rows=1,
        n=n,
        value_sum=value,
        weighted_sum=value * n,
        numerator=observation.numerator or ZERO,
        denominator=observation.denominator or ZERO,
        excluded=observation.excluded or ZERO,
        client_outcomes=clients,
    )


def merge_tallies(*tallies: Tally) -> Tally:
    """The tally of the union of the rows: every field adds up, client sums add per client."""
    if len(tallies) == 1:
        return tallies[0]
    rows = n = 0
    value_sum = weighted_sum = numerator = denominator = excluded = ZERO
    clients: dict[str, Decimal] = {}
    for tally in tallies:
        rows += tally.rows
        n += tally.n
        value_sum += tally.value_sum
        weighted_sum += tally.weighted_sum
        numerator += tally.numerator
        denominator += tally.denominator
        excluded += tally.excluded
        for client, outcome in tally.client_outcomes:
            clients[client] = clients.get(client, ZERO) + outcome
    return Tally(
        rows, n, value_sum, weighted_sum, numerator, denominator, excluded,
        tuple(sorted(clients.items())),
    )  # fmt: skip


def tally_observations(observations: Iterable[Observation]) -> dict[tuple[str, Period], Tally]:
    """One tally per (indicator id, observation period) of the given rows."""
    grouped: dict[tuple[str, Period], list[Tally]] = {}
    for observation in observations:
        key = (observation.indicator, observation.period)
        grouped.setdefault(key, []).append(tally_of(observation))
    return {key: merge_tallies(*parts) for key, parts in sorted(grouped.items())}


def whole(count: Decimal) -> Count:
    """A count as an int when it is whole, else the exact decimal."""
    return int(count) if count == count.to_integral_value() else count


def ratio_value(tally: Tally, per: Decimal) -> tuple[Fraction | None, Count]:
    """`ratio`: Σ numerator / (Σ denominator − Σ excluded) × per; n is that effective
    denominator. A zero (or negative) effective denominator gives no value and n = 0."""
    effective = tally.denominator - tally.excluded
    if effective <= 0:
        return None, 0
    return exact(tally.numerator) / exact(effective) * exact(per), whole(effective)


def mean_value(tally: Tally) -> tuple[Fraction | None, Count]:
    """`mean`: mean of the values weighted by each row's n; n is Σ n. No weight, no value."""
    if tally.n <= 0:
        return None, 0
    return exact(tally.weighted_sum) / tally.n, tally.n


def sum_value(tally: Tally) -> tuple[Fraction | None, Count]:
    """`sum`: Σ value; n is the number of rows. No rows, no value."""
    if tally.rows <= 0:
        return None, 0
    return exact(tally.value_sum), tally.rows


def latest_period(periods: Iterable[Period]) -> Period | None:
    """The latest observation period: the one ending last; on a tie, the one starting last
    (a month is later than the quarter that ends with it)."""
    return max(periods, key=lambda p: (p.last_day, p.first_day), default=None)


def last_value(tallies: Mapping[Period, Tally]) -> tuple[Fraction | None, Count]:
    """`last`: the value and n of the latest observation period with rows (the n-weighted
    mean of that period's rows)."""
    latest = latest_period(p for p, t in tallies.items() if t.rows > 0)
    if latest is None:
        return None, 0
    return mean_value(tallies[latest])


def period_value(
    indicator: Indicator, tallies_in_period: Mapping[Period, Tally]
) -> tuple[Fraction | None, Count]:
    """The value of the indicator over all observation periods given, and its n (§3)."""
    if indicator.aggregate == "last":
        return last_value(tallies_in_period)
    total = merge_tallies(*tallies_in_period.values())
    if indicator.aggregate == "ratio":
        return ratio_value(total, indicator.per)
    if indicator.aggregate == "mean":
        return mean_value(total)
    return sum_value(total)


# --- the status of an indicator in a period (§3) ---------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """What the data says about one indicator in one period, before money."""

    indicator: Indicator
    level: Level | None
    value: Fraction | None
    n: Count
    status: Status
    fraction: Fraction | None
    missing: bool
    baseline: Fraction | None
    clients: tuple[tuple[str, Decimal], ...]
    note: tuple[Message, ...]
    derivation: tuple[Message, ...] = ()
    """How the value came about (numerator / denominator, the mean or sum of how many rows)."""


def tallies_within(tallies: Tallies, indicator_id: str, period: Period) -> dict[Period, Tally]:
    """The tallies of an indicator whose observation period lies inside `period` (roll-up)."""
    return {p: t for (i, p), t in tallies.items() if i == indicator_id and period.contains(p)}


def assessable_value(
    indicator: Indicator, tallies: Tallies, period: Period
) -> tuple[Fraction | None, Count, bool]:
    """The period value, n, and whether it is assessable (a value, and n >= min_n)."""
    value, n = period_value(indicator, tallies_within(tallies, indicator.id, period))
    return value, n, value is not None and n >= indicator.min_n


def baseline_of(indicator: Indicator, tallies: Tallies, period: Period) -> Fraction | None:
    """§4 improvement baseline: a fixed number, or the assessable value of the same period a
    year earlier ("previous-year"); None when that period has no assessable value."""
    if indicator.bonus is None or indicator.bonus.scale != "improvement":
        return None
    if indicator.bonus.baseline is None:
        return None
    if indicator.bonus.baseline != "previous-year":
        return exact(indicator.bonus.baseline)
    value, _, ok = assessable_value(indicator, tallies, period.previous_year())
    return value if ok else None


def bonus_fraction(
    indicator: Indicator, level: Level, value: Fraction, baseline: Fraction | None
) -> Fraction | None:
    """§4: the scale's fraction; None for the rate scale and for indicators without a bonus."""
    bonus, direction = indicator.bonus, indicator.direction
    if bonus is None or bonus.scale == "rate":
        return None
    if bonus.scale == "binary":
        return binary_fraction(value, level, direction)
    if bonus.scale == "linear":
        return linear_fraction(value, level, direction)
    if bonus.scale == "bands":
        return bands_fraction(value, bonus.bands, direction)
    return improvement_fraction(value, level, direction, baseline)


def status_position(indicator: Indicator, level: Level, value: Fraction) -> Fraction:
    """The fraction the status words follow (§3): the scale's own fraction for binary, linear
    and bands; for improvement, rate and indicators without a bonus, the linear position of the
    value between the zero point and the target (the value against the levels)."""
    bonus = indicator.bonus
    if bonus is not None and bonus.scale in ("binary", "linear", "bands"):
        return bonus_fraction(indicator, level, value, None) or Fraction(0)
    return linear_fraction(value, level, indicator.direction)


def value_derivation(
    indicator: Indicator, tallies_in_period: Mapping[Period, Tally]
) -> tuple[Message, ...]:
    """§3 in words: the ratio's numerator, denominator and exclusions (× per), or how many
    rows (and which period, for `last`) the value comes from; nothing when there is no value."""
    total = merge_tallies(*tallies_in_period.values())
    if indicator.aggregate == "ratio":
        if total.denominator - total.excluded <= 0:
            return ()
        key = "engine.value.ratio" + ("_excluded" if total.excluded else "")
        key += "_per" if indicator.per != 1 else ""
        values: dict[str, Value] = {
            "numerator": total.numerator, "denominator": total.denominator,
            "excluded": total.excluded, "per": indicator.per,
        }  # fmt: skip
        return (Message(key, values),)
    if indicator.aggregate == "mean":
        return (message("engine.value.mean", rows=total.rows),) if total.n > 0 else ()
    if indicator.aggregate == "sum":
        return (message("engine.value.sum", rows=total.rows),) if total.rows > 0 else ()
    latest = latest_period(p for p, t in tallies_in_period.items() if t.rows > 0)
    if latest is None:
        return ()
    return (message("engine.value.last", period=latest.name, rows=tallies_in_period[latest].rows),)


def missing_note(value: Fraction | None, n: Count, indicator: Indicator) -> tuple[Message, ...]:
    """§3: why the data does not assess the indicator (no data, or n below min_n), and with
    missing = fail that it counts as below minimum."""
    fail = indicator.missing == "fail"
    if value is None:
        return (message("engine.note.no_data_fail" if fail else "engine.note.no_data"),)
    key = "engine.note.too_few_fail" if fail else "engine.note.too_few"
    return (message(key, n=n, min_n=indicator.min_n),)


def assess(indicator: Indicator, period: Period, day: date, tallies: Tallies) -> Assessment:
    """§3: value, n, status and fraction of one indicator in one period."""
    level = indicator.level_on(day)
    within = tallies_within(tallies, indicator.id, period)
    value, n = period_value(indicator, within)
    clients = merge_tallies(*within.values()).client_outcomes
    baseline = baseline_of(indicator, tallies, period)
    has_fraction = indicator.bonus is not None and indicator.bonus.scale != "rate"
    if level is None:
        note: tuple[Message, ...] = (message("engine.note.no_levels", day=day),)
        return Assessment(indicator, None, value, n, "not-assessable", None, True, None, (), note)
    if value is None or n < indicator.min_n:
        note = missing_note(value, n, indicator)
        if indicator.missing == "fail":
            fraction = Fraction(0) if has_fraction else None
            status: Status = "below-minimum"
            return Assessment(indicator, level, value, n, status, fraction, True, None, (), note)
        return Assessment(indicator, level, value, n, "not-assessable", None, True, None, (), note)
    fraction = bonus_fraction(indicator, level, value, baseline)
    status = status_of(value, level, indicator.direction, status_position(indicator, level, value))
    derivation = value_derivation(indicator, within)
    return Assessment(
        indicator, level, value, n, status, fraction, False, baseline, clients, (), derivation
    )
