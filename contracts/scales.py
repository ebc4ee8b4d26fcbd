"""Bonus scales (format §4), sanction kinds (§5) and the status words (§3).

Every function is pure and exact: values, fractions and money are `Fraction`s computed from
the exact decimals of the terms; the only rounding is `round_cents`, once per line (§6.1).
"""

from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from contracts.exact import Rational, exact, round_cents
from contracts.terms import Band, Direction, Level, Money

__all__ = ["round_cents"]

Status = Literal["achieved", "partial", "not-achieved", "below-minimum", "not-assessable"]
STATUSES: tuple[Status, ...] = (
    "achieved",
    "partial",
    "not-achieved",
    "below-minimum",
    "not-assessable",
)

ZERO = Fraction(0)
ONE = Fraction(1)


def clamp(fraction: Fraction) -> Fraction:
    """A fraction limited to [0, 1]."""
    return min(max(fraction, ZERO), ONE)


def meets(value: Rational, level: Rational, direction: Direction) -> bool:
    """§3: "meets" means reaches or betters: value >= level (higher), value <= level (lower)."""
    value, level = exact(value), exact(level)
    return value >= level if direction == "higher" else value <= level


def worse_than(value: Rational, level: Rational, direction: Direction) -> bool:
    """Strictly worse than the level: the opposite of meeting it."""
    return not meets(value, level, direction)


def binary_fraction(value: Rational, level: Level, direction: Direction) -> Fraction:
    """§4 binary: f = 1 if the value meets the target, else 0."""
    return ONE if meets(value, level.target, direction) else ZERO


def linear_fraction(value: Rational, level: Level, direction: Direction) -> Fraction:
    """§4 linear: f = (value − zero) / (target − zero), clamped to [0, 1]; zero is the
    threshold, else the minimum. Serves `lower` unchanged. When zero equals the target (only
    possible under the improvement scale) the scale degenerates to binary."""
    if level.zero == level.target:
        return binary_fraction(value, level, direction)
    zero = exact(level.zero)
    return clamp((exact(value) - zero) / (exact(level.target) - zero))


def bands_fraction(value: Rational, bands: Sequence[Band], direction: Direction) -> Fraction:
    """§4 bands: the fraction of the best band whose `at` the value meets, else 0. "Best" is
    the largest fraction among the bands met, so a better value never earns less."""
    met = [exact(band.fraction) for band in bands if meets(value, band.at, direction)]
    return max(met, default=ZERO)


def improvement_only(value: Rational, baseline: Rational, target: Rational) -> Fraction:
    """The improvement part of §4 improvement: clamp((value − baseline) / (target − baseline)).
    A baseline that already meets the target leaves nothing to improve towards: 0."""
    value, baseline, target = exact(value), exact(baseline), exact(target)
    if target == baseline:
        return ZERO
    return clamp((value - baseline) / (target - baseline))


def improvement_fraction(
    value: Rational, level: Level, direction: Direction, baseline: Rational | None
) -> Fraction:
    """§4 improvement: f = max(linear achievement, improvement against the baseline). With no
    assessable baseline (None) only the achievement counts."""
    achievement = linear_fraction(value, level, direction)
    if baseline is None or meets(baseline, level.target, direction):
        return achievement
    return max(achievement, improvement_only(value, baseline, level.target))


def status_of(value: Rational, level: Level, direction: Direction, fraction: Rational) -> Status:
    """§3 status of an assessable value: below-minimum if worse than the minimum; otherwise
    achieved (fraction 1), partial (0 < fraction < 1) or not-achieved (fraction 0). For the
    improvement scale, for the rate scale and for indicators without a bonus the fraction
    given is the linear position of the value between zero point and target, so the status
    follows the value against the levels."""
    if worse_than(value, level.minimum, direction):
        return "below-minimum"
    if fraction >= ONE:
        return "achieved"
    if fraction > ZERO:
        return "partial"
    return "not-achieved"


def rate_amount(
    outcomes: Rational,
    eur_per_outcome: Rational,
    client_outcomes: Sequence[tuple[str, Rational]] = (),
    max_per_client: Rational | None = None,
    max_per_period: Rational | None = None,
) -> Fraction:
    """§4 rate: eur_per_outcome × outcomes achieved (negative counts pay nothing); with
    record-level rows each client's pay is limited to max_per_client (outcomes in rows without
    a client code are paid uncapped per client); the total is limited to max_per_period."""
    outcomes, price = exact(outcomes), exact(eur_per_outcome)
    if max_per_client is not None and client_outcomes:
        counts = [exact(count) for _, count in client_outcomes]
        per_client = [min(max(count, ZERO) * price, exact(max_per_client)) for count in counts]
        unattributed = max(outcomes - sum(counts, ZERO), ZERO) * price
        amount = sum(per_client, ZERO) + unattributed
    else:
        amount = max(outcomes, ZERO) * price
    return amount if max_per_period is None else min(amount, exact(max_per_period))


def below_minimum_sanction(money: Money, period_value: Rational) -> Fraction:
    """§5: a fixed `eur` amount, or `percent` of the (prorated) period value, when the value is
    worse than the minimum."""
    return money.amount(period_value)


def per_unit_sanction(count: Rational, per_unit: Rational, cap: Rational | None) -> Fraction:
    """§5 per_unit: min(count × X, cap) for a count of breaches; no cap, no limit."""
    amount = max(exact(count), ZERO) * exact(per_unit)
    return amount if cap is None else min(amount, exact(cap))
