"""The period value of an indicator (§3) and the mergeable tallies it is computed from."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from contracts.messages import message
from contracts.periods import Period, parse_period_name
from contracts.terms import Bonus, Indicator, Level, Money, Text
from contracts.values import (
    Assessment,
    Observation,
    Tally,
    assess,
    merge_tallies,
    period_value,
    tally_observations,
)

D = Decimal
F = Fraction
JAN, FEB, MAR = (Period(2025, m, "month") for m in (1, 2, 3))
Q1 = Period(2025, 1, "quarter")


def indicator(aggregate: str = "mean", **changes: object) -> Indicator:
    base = Indicator(
        id="x",
        name=Text("X", "X", "X"),
        theme="vaikuttavuus",
        unit="%",
        direction="higher",
        aggregate="mean",
        levels=(Level(date(2025, 1, 1), D(20), D(40)),),
    )
    return replace(base, aggregate=aggregate, **changes)  # type: ignore[arg-type]


def test_rows_become_one_tally_per_indicator_and_observation_period() -> None:
    rows = [
        Observation("x", JAN, value=D(40), n=20),
        Observation("x", JAN, value=D(50), n=10, client="A"),
        Observation("x", JAN, value=D(1), client="A"),
        Observation("y", Q1, numerator=D(6), denominator=D(10), excluded=D(2)),
    ]
    assert tally_observations(rows) == {
        ("x", JAN): Tally(
            rows=3,
            n=31,
            value_sum=D(91),
            weighted_sum=D(1301),
            client_outcomes=(("A", D(51)),),
        ),
        ("y", Q1): Tally(rows=1, n=1, numerator=D(6), denominator=D(10), excluded=D(2)),
    }


def test_merging_adds_every_sum_and_client_outcomes_per_client() -> None:
    a = Tally(rows=1, n=2, value_sum=D(3), weighted_sum=D(6), client_outcomes=(("B", D(1)),))
    b = Tally(rows=2, n=1, numerator=D(5), denominator=D(9), client_outcomes=(("A", D(2)),))
    c = Tally(rows=1, n=1, value_sum=D(1), excluded=D(1), client_outcomes=(("B", D(4)),))
    assert merge_tallies(a, b, c) == Tally(
        rows=4,
        n=4,
        value_sum=D(4),
        weighted_sum=D(6),
        numerator=D(5),
        denominator=D(9),
        excluded=D(1),
        client_outcomes=(("A", D(2)), ("B", D(5))),
    )
    assert merge_tallies() == Tally()


def test_ratio_is_numerator_over_effective_denominator_times_per() -> None:
    tallies = {JAN: Tally(rows=1, numerator=D(300), denominator=D(500), excluded=D(100))}
    tallies[FEB] = Tally(rows=1, numerator=D(300), denominator=D(400))
    assert period_value(indicator("ratio", per=D(100)), tallies) == (F(75), 800)


def test_ratio_with_a_fractional_effective_denominator_keeps_it_exact() -> None:
    tallies = {JAN: Tally(rows=1, numerator=D(1), denominator=D("2.5"))}
    assert period_value(indicator("ratio"), tallies) == (F("0.4"), D("2.5"))


def test_ratio_with_zero_effective_denominator_has_no_value() -> None:
    tallies = {JAN: Tally(rows=1, numerator=D(0), denominator=D(5), excluded=D(5))}
    assert period_value(indicator("ratio"), tallies) == (None, 0)


def test_mean_is_weighted_by_each_rows_n() -> None:
    tallies = {
        JAN: Tally(rows=1, n=10, weighted_sum=D(440)),
        FEB: Tally(rows=1, n=10, weighted_sum=D(460)),
        MAR: Tally(rows=1, n=20, weighted_sum=D(900)),
    }
    assert period_value(indicator("mean"), tallies) == (F(45), 40)


def test_sum_counts_rows_as_n() -> None:
    tallies = {JAN: Tally(rows=2, n=7, value_sum=D(5)), FEB: Tally(rows=1, value_sum=D(2))}
    assert period_value(indicator("sum"), tallies) == (F(7), 3)


def test_last_takes_the_latest_month_and_its_n() -> None:
    tallies = {
        MAR: Tally(rows=2, n=4, weighted_sum=D("2.6")),
        JAN: Tally(rows=1, n=1, weighted_sum=D("0.9")),
    }
    assert period_value(indicator("last"), tallies) == (F("0.65"), 4)


def test_last_prefers_the_month_over_a_period_row_ending_the_same_day() -> None:
    tallies = {
        Q1: Tally(rows=1, n=1, weighted_sum=D(1)),
        MAR: Tally(rows=1, n=1, weighted_sum=D(2)),
    }
    assert period_value(indicator("last"), tallies) == (F(2), 1)


def test_no_rows_no_value_for_every_aggregate() -> None:
    for aggregate in ("ratio", "mean", "sum", "last"):
        assert period_value(indicator(aggregate), {}) == (None, 0)


def test_assessment_of_a_partial_value() -> None:
    ind = indicator("mean", bonus=Bonus("linear", Money(eur=D(1000))))
    tallies = {("x", JAN): Tally(rows=1, n=50, weighted_sum=D(1500))}
    assert assess(ind, JAN, JAN.first_day, tallies) == Assessment(
        indicator=ind,
        level=ind.levels[0],
        value=F(30),
        n=50,
        status="partial",
        fraction=F(1, 2),
        missing=False,
        baseline=None,
        clients=(),
        note=(),
        derivation=(message("engine.value.mean", rows=1),),
    )


def test_assessment_rolls_up_only_observations_inside_the_period() -> None:
    ind = indicator("sum")
    tallies = {
        ("x", JAN): Tally(rows=1, value_sum=D(2)),
        ("x", Period(2025, 4, "month")): Tally(rows=1, value_sum=D(5)),
        ("y", JAN): Tally(rows=1, value_sum=D(9)),
    }
    result = assess(ind, Q1, Q1.first_day, tallies)
    assert (result.value, result.n, result.status) == (F(2), 1, "below-minimum")


def test_assessment_without_levels_in_force_is_not_assessable() -> None:
    ind = indicator("sum", levels=(Level(date(2025, 4, 1), D(1), D(2)),))
    tallies = {("x", JAN): Tally(rows=1, value_sum=D(2))}
    result = assess(ind, JAN, JAN.first_day, tallies)
    assert (result.status, result.level, result.note) == (
        "not-assessable",
        None,
        (message("engine.note.no_levels", day=date(2025, 1, 1)),),
    )


def test_previous_year_baseline_comes_from_the_same_period_a_year_earlier() -> None:
    ind = indicator(
        "mean",
        bonus=Bonus("improvement", Money(eur=D(100)), baseline="previous-year"),
        levels=(Level(date(2024, 1, 1), D(20), D(40)),),
    )
    year = parse_period_name("2025")
    before = parse_period_name("2024")
    assert year is not None
    assert before is not None
    tallies = {
        ("x", before): Tally(rows=1, n=1, weighted_sum=D(10)),
        ("x", year): Tally(rows=1, n=1, weighted_sum=D(25)),
    }
    result = assess(ind, year, year.first_day, tallies)
    assert (result.baseline, result.status, result.fraction) == (F(10), "partial", F(1, 2))
