"""Bonus scales (§4), sanction kinds (§5), status words (§3) and cent rounding (§6.1)."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from contracts.scales import (
    bands_fraction,
    below_minimum_sanction,
    binary_fraction,
    improvement_fraction,
    linear_fraction,
    meets,
    per_unit_sanction,
    rate_amount,
    round_cents,
    status_of,
)
from contracts.terms import Band, Level, Money

D = Decimal
DAY = date(2025, 1, 1)
HIGHER = Level(DAY, minimum=D(60), target=D(80))
LOWER = Level(DAY, minimum=D(10), target=D(5))
THREE = Level(DAY, minimum=D(50), threshold=D(60), target=D(80))


def test_meets_is_reaching_or_bettering_the_level() -> None:
    assert [meets(D(v), D(5), "higher") for v in ("4.99", "5", "5.01")] == [False, True, True]
    assert [meets(D(v), D(5), "lower") for v in ("4.99", "5", "5.01")] == [True, True, False]


def test_binary_pays_all_from_exactly_the_target() -> None:
    values = ("79.9", "80", "90")
    assert [binary_fraction(D(v), HIGHER, "higher") for v in values] == [0, 1, 1]
    assert [binary_fraction(D(v), LOWER, "lower") for v in ("5.1", "5", "1")] == [0, 1, 1]


def test_linear_runs_from_the_minimum_to_the_target_clamped() -> None:
    values = ("50", "60", "70", "80", "95")
    assert [linear_fraction(D(v), HIGHER, "higher") for v in values] == [0, 0, D("0.5"), 1, 1]


def test_linear_on_a_lower_indicator_uses_the_same_formula() -> None:
    values = ("12", "10", "7.5", "5", "2")
    assert [linear_fraction(D(v), LOWER, "lower") for v in values] == [0, 0, D("0.5"), 1, 1]


def test_linear_starts_at_the_threshold_when_there_is_one() -> None:
    values = ("55", "60", "70", "80")
    assert [linear_fraction(D(v), THREE, "higher") for v in values] == [0, 0, D("0.5"), 1]


def test_linear_with_zero_equal_to_target_is_binary() -> None:
    flat = Level(DAY, minimum=D("0.7"), target=D("0.7"))
    assert [linear_fraction(D(v), flat, "higher") for v in ("0.69", "0.7")] == [0, 1]


def test_bands_pay_the_best_band_met() -> None:
    bands = (Band(D(60), D("0.5")), Band(D(65), D(1)))
    values = ("59.9", "60", "64.9", "65", "99")
    got = [bands_fraction(D(v), bands, "higher") for v in values]
    assert got == [0, D("0.5"), D("0.5"), 1, 1]


def test_bands_on_a_lower_indicator() -> None:
    bands = (Band(D(10), D("0.5")), Band(D(5), D(1)))
    got = [bands_fraction(D(v), bands, "lower") for v in ("10.1", "10", "5", "0")]
    assert got == [0, D("0.5"), 1, 1]


def test_improvement_takes_the_better_of_achievement_and_improvement() -> None:
    level = Level(DAY, minimum=D(70), target=D(90))
    assert improvement_fraction(D(80), level, "higher", D(60)) == Fraction(2, 3)
    assert improvement_fraction(D(85), level, "higher", D(80)) == D("0.75")
    assert improvement_fraction(D(65), level, "higher", D(50)) == D("0.375")
    assert improvement_fraction(D(40), level, "higher", D(50)) == 0


def test_improvement_without_a_baseline_is_achievement_only() -> None:
    level = Level(DAY, minimum=D(70), target=D(90))
    assert improvement_fraction(D(80), level, "higher", None) == D("0.5")


def test_improvement_from_a_baseline_already_at_the_target_adds_nothing() -> None:
    level = Level(DAY, minimum=D(70), target=D(90))
    assert improvement_fraction(D(80), level, "higher", D(95)) == D("0.5")
    assert improvement_fraction(D(80), level, "higher", D(90)) == D("0.5")


def test_improvement_on_a_lower_indicator() -> None:
    level = Level(DAY, minimum=D(10), target=D(5))
    assert improvement_fraction(D(8), level, "lower", D(12)) == Fraction(4, 7)


@pytest.mark.parametrize(
    ("value", "fraction", "status"),
    [
        ("59.9", "0", "below-minimum"),
        ("60", "0", "not-achieved"),
        ("70", "0.5", "partial"),
        ("80", "1", "achieved"),
        ("55", "0.3", "below-minimum"),
    ],
)
def test_status_words(value: str, fraction: str, status: str) -> None:
    assert status_of(D(value), HIGHER, "higher", D(fraction)) == status


def test_rate_pays_per_outcome_up_to_the_period_maximum() -> None:
    assert rate_amount(D(12), D(800), max_per_period=D(20000)) == D(9600)
    assert rate_amount(D(30), D(800), max_per_period=D(20000)) == D(20000)
    assert rate_amount(D(-3), D(800)) == 0


def test_rate_limits_each_client_with_record_level_data() -> None:
    clients = (("A", D(3)), ("B", D(2)), ("C", D(1)))
    assert rate_amount(D(6), D(100), clients, max_per_client=D(250)) == D(550)


def test_rate_pays_rows_without_a_client_code_without_the_client_limit() -> None:
    clients = (("A", D(3)),)
    assert rate_amount(D(5), D(100), clients, max_per_client=D(250)) == D(450)


def test_rate_with_a_client_limit_but_aggregate_rows_pays_per_outcome() -> None:
    assert rate_amount(D(6), D(100), (), max_per_client=D(250)) == D(600)


def test_below_minimum_sanction_is_fixed_or_a_percent_of_the_period_value() -> None:
    assert below_minimum_sanction(Money(eur=D(500)), D(80000)) == D(500)
    assert below_minimum_sanction(Money(percent=D(2)), D(250000)) == D(5000)


def test_per_unit_sanction_is_capped_only_when_a_cap_is_given() -> None:
    assert per_unit_sanction(D(7), D(150), D(1500)) == D(1050)
    assert per_unit_sanction(D(12), D(150), D(1500)) == D(1500)
    assert per_unit_sanction(D(20), D(150), None) == D(3000)


@pytest.mark.parametrize(
    ("exact", "cents"),
    [
        ("500.025", "500.03"),
        ("500.0249999", "500.02"),
        ("0.005", "0.01"),
        ("0.004999", "0.00"),
        ("-0.005", "-0.01"),
        ("2.675", "2.68"),
        ("1.005", "1.01"),
    ],
)
def test_rounding_is_half_up_to_cents(exact: str, cents: str) -> None:
    assert str(round_cents(D(exact))) == cents
