"""Bonus scales (format §4), sanction kinds (§5), the status words (§3) and cent rounding.

Every function is pure and exact: Decimal in, Decimal out, no rounding except `round_cents`.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from contracts.terms import Band, Direction, Level, Money

Status = Literal["achieved", "partial", "not-achieved", "below-minimum", "not-assessable"]
STATUSES: tuple[Status, ...] = (
    "achieved",
    "partial",
    "not-achieved",
    "below-minimum",
    "not-assessable",
)

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")


def round_cents(amount: Decimal) -> Decimal:
    """§6.1: money is rounded once to cents, half-up (0.005 → 0.01, −0.005 → −0.01)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def clamp(fraction: Decimal) -> Decimal:
    """A fraction limited to [0, 1]."""
    return min(max(fraction, ZERO), ONE)


def meets(value: Decimal, level: Decimal, direction: Direction) -> bool:
    """§3: "meets" means reaches or betters: value >= level (higher), value <= level (lower)."""
    return value >= level if direction == "higher" else value <= level


def worse_than(value: Decimal, level: Decimal, direction: Direction) -> bool:
    """Strictly worse than the level: the opposite of meeting it."""
    return not meets(value, level, direction)


def binary_fraction(value: Decimal, level: Level, direction: Direction) -> Decimal:
    """§4 binary: f = 1 if the value meets the target, else 0."""
    return ONE if meets(value, level.target, direction) else ZERO


def linear_fraction(value: Decimal, level: Level, direction: Direction) -> Decimal:
    """§4 linear: f = (value − zero) / (target − zero), clamped to [0, 1]; zero is the
    threshold, else the minimum. Serves `lower` unchanged. When zero equals the target (only
    possible under the improvement scale) the scale degenerates to binary."""
    if level.zero == level.target:
        return binary_fraction(value, level, direction)
    return clamp((value - level.zero) / (level.target - level.zero))


def bands_fraction(value: Decimal, bands: Sequence[Band], direction: Direction) -> Decimal:
    """§4 bands: the fraction of the best band whose `at` the value meets, else 0. "Best" is
    the largest fraction among the bands met, so a better value never earns less."""
    met = [band.fraction for band in bands if meets(value, band.at, direction)]
    return max(met, default=ZERO)


def improvement_only(value: Decimal, baseline: Decimal, target: Decimal) -> Decimal:
    """The improvement part of §4 improvement: clamp((value − baseline) / (target − baseline)).
    A baseline that already meets the target leaves nothing to improve towards: 0."""
    if (target - baseline) == 0:
        return ZERO
    return clamp((value - baseline) / (target - baseline))


def improvement_fraction(
    value: Decimal, level: Level, direction: Direction, baseline: Decimal | None
) -> Decimal:
    """§4 improvement: f = max(linear achievement, improvement against the baseline). With no
    assessable baseline (None) only the achievement counts."""
    achievement = linear_fraction(value, level, direction)
    if baseline is None or meets(baseline, level.target, direction):
        return achievement
    return max(achievement, improvement_only(value, baseline, level.target))


def status_of(value: Decimal, level: Level, direction: Direction, fraction: Decimal) -> Status:
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
    outcomes: Decimal,
    eur_per_outcome: Decimal,
    client_outcomes: Sequence[tuple[str, Decimal]] = (),
    max_per_client: Decimal | None = None,
    max_per_period: Decimal | None = None,
) -> Decimal:
    """§4 rate: eur_per_outcome × outcomes achieved (negative counts pay nothing); with
    record-level rows each client's pay is limited to max_per_client (outcomes in rows without
    a client code are paid uncapped per client); the total is limited to max_per_period."""
    if max_per_client is not None and client_outcomes:
        per_client = [
            min(max(count, ZERO) * eur_per_outcome, max_per_client) for _, count in client_outcomes
        ]
        attributed = sum((count for _, count in client_outcomes), ZERO)
        unattributed = max(outcomes - attributed, ZERO) * eur_per_outcome
        amount = sum(per_client, ZERO) + unattributed
    else:
        amount = max(outcomes, ZERO) * eur_per_outcome
    return amount if max_per_period is None else min(amount, max_per_period)


def below_minimum_sanction(money: Money, period_value: Decimal) -> Decimal:
    """§5: a fixed `eur` amount, or `percent` of the (prorated) period value, when the value is
    worse than the minimum."""
    return money.amount(period_value)


def per_unit_sanction(count: Decimal, per_unit: Decimal, cap: Decimal | None) -> Decimal:
    """§5 per_unit: min(count × X, cap) for a count of breaches; no cap, no limit."""
    amount = max(count, ZERO) * per_unit
    return amount if cap is None else min(amount, cap)
