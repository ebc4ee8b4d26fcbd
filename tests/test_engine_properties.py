"""Properties of the engine that must hold for any terms and any data."""

import random
import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import groupby
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.periods import Period, PeriodKind
from contracts.scales import (
    bands_fraction,
    binary_fraction,
    improvement_fraction,
    linear_fraction,
    round_cents,
)
from contracts.settlement import settle_contract
from contracts.terms import (
    Band,
    Bonus,
    Contract,
    Direction,
    Indicator,
    Level,
    Money,
    Payment,
    Sanction,
    Scale,
    Supplier,
    Text,
)
from contracts.values import Tally

D = Decimal
DAY = date(2025, 1, 1)
MONTHS = [Period(2025, m, "month") for m in range(1, 13)] + [Period(2026, 1, "month")]

numbers = st.decimals(min_value=-1000, max_value=1000, places=2)
money_amounts = st.decimals(min_value=0, max_value=100000, places=2)
directions: st.SearchStrategy[Direction] = st.sampled_from(["higher", "lower"])
# Strategies are built once, here, not inside the composite strategies below: hypothesis
# validates a strategy when it is first drawn from, and one built anew on every draw was
# validated anew each time (two thirds of the generation time, which is most of the test's).
three_numbers = st.lists(numbers, min_size=3, max_size=3)
eur_money = st.builds(lambda eur: Money(eur=eur), money_amounts)
bonus_money = eur_money | st.builds(
    lambda percent: Money(percent=percent), st.decimals(min_value=0, max_value=10, places=3)
)
sanction_money = eur_money | st.builds(
    lambda p: Money(percent=p), st.decimals(min_value=0, max_value=5, places=3)
)
cap_money = (
    st.none()
    | eur_money
    | st.builds(lambda percent: Money(percent=percent), st.decimals(0, 10, places=2))
)
pool_percents = st.decimals(min_value=0, max_value=10, places=2)
band_lists = st.lists(
    st.tuples(numbers, st.decimals(min_value=0, max_value=1, places=3)), min_size=1, max_size=3
)
indicator_counts = st.integers(min_value=1, max_value=4)
start_months, start_days, end_days = st.integers(1, 12), st.integers(1, 28), st.integers(1, 31)
period_kinds: st.SearchStrategy[PeriodKind] = st.sampled_from(
    ["month", "quarter", "half-year", "year"]
)


@st.composite
def levels(draw: st.DrawFn, direction: Direction) -> Level:
    low, middle, high = sorted(draw(three_numbers))
    threshold = middle if draw(st.booleans()) else None
    if direction == "higher":
        return Level(DAY, minimum=low, target=high, threshold=threshold)
    return Level(DAY, minimum=high, target=low, threshold=threshold)


levels_of = {direction: levels(direction) for direction in ("higher", "lower")}
booleans = st.booleans()


def better_or_equal(direction: Direction, a: Decimal, b: Decimal) -> tuple[Decimal, Decimal]:
    """(worse, better) of two values."""
    low, high = sorted((a, b))
    return (low, high) if direction == "higher" else (high, low)


@given(st.data(), directions, numbers, numbers)
def test_fraction_never_decreases_as_the_value_gets_better(
    data: st.DataObject, direction: Direction, a: Decimal, b: Decimal
) -> None:
    level = data.draw(levels(direction))
    worse, better = better_or_equal(direction, a, b)
    bands = tuple(
        Band(at, fraction)
        for at, fraction in data.draw(
            st.lists(st.tuples(numbers, st.decimals(min_value=0, max_value=1, places=2)))
        )
    )
    baseline = data.draw(st.none() | numbers)
    scales: list[Callable[[Decimal], Fraction]] = [
        lambda v: binary_fraction(v, level, direction),
        lambda v: linear_fraction(v, level, direction),
        lambda v: bands_fraction(v, bands, direction),
        lambda v: improvement_fraction(v, level, direction, baseline),
    ]
    for fraction in scales:
        assert 0 <= fraction(worse) <= fraction(better) <= 1


def half_up_cents(amount: Decimal | Fraction) -> Decimal:
    """Half-up rounding to cents, computed independently with exact fractions."""
    hundredths = Fraction(amount) * 100
    cents = int(abs(hundredths) + Fraction(1, 2))
    return Decimal(cents if hundredths >= 0 else -cents) / 100


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6))
def test_rounding_is_exact_half_up_for_any_amount(amount: Decimal) -> None:
    assert round_cents(amount) == half_up_cents(amount)


@given(st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**6))
def test_rounding_a_fraction_is_exact_half_up(amount: Fraction) -> None:
    assert round_cents(amount) == half_up_cents(amount)


def test_a_half_cent_that_no_finite_decimal_reaches_is_rounded_up() -> None:
    """(12.8 − 1) / (49 − 1) × 2 250 = 553.125 exactly, though the fraction 0.2458333… has no
    finite decimal expansion: a fraction cut to any number of digits pays 553.12."""
    level = Level(DAY, minimum=D(1), target=D(49))
    fraction = linear_fraction(D("12.8"), level, "higher")
    assert fraction * 2250 == Fraction("553.125")
    assert round_cents(fraction * 2250) == D("553.13")


SCALES: tuple[Scale, ...] = ("binary", "linear", "bands", "improvement")
scales = st.sampled_from(SCALES)


def indicator(
    index: int,
    direction: Direction,
    level: Level,
    bonus: Bonus | None,
    sanction: Money | None = None,
) -> Indicator:
    return Indicator(
        id=f"i{index}",
        name=Text("i", "i", "i"),
        theme="vaikuttavuus",
        unit="",
        direction=direction,
        aggregate="mean",
        levels=(level,),
        min_n=2,
        bonus=bonus,
        sanction=Sanction("below-minimum", money=sanction or Money(eur=D("123.45"))),
        weight=D(index % 3),
    )


def bonuses(draw: st.DrawFn, level: Level, pool: bool) -> Bonus:
    """A bonus for the level, drawn with `draw` (a plain function, not a strategy of its own:
    a strategy made for each level would be validated again on every draw)."""
    scale = draw(scales)
    if scale == "linear" and level.zero == level.target:
        scale = "binary"
    money = None if pool else draw(bonus_money)
    bands: tuple[Band, ...] = ()
    if scale == "bands":
        bands = tuple(Band(at, fraction) for at, fraction in draw(band_lists))
    baseline = draw(numbers) if scale == "improvement" else None
    return Bonus(scale, money, bands=bands, baseline=baseline)


@st.composite
def contracts(draw: st.DrawFn, pool: bool = False) -> Contract:
    count = draw(indicator_counts)
    indicators = []
    for i in range(count):
        direction = draw(directions)
        level = draw(levels_of[direction])
        sanction = draw(sanction_money)
        indicators.append(indicator(i, direction, level, bonuses(draw, level, pool), sanction))
    caps = cap_money
    payment = Payment(
        bonus_pool=Money(percent=draw(pool_percents)) if pool else None,
        bonus_cap=draw(caps),
        sanction_cap=draw(caps),
        annual_bonus_cap=draw(caps),
        annual_sanction_cap=draw(caps),
        gates=("i0",) if draw(booleans) else (),
    )
    return Contract(
        id="P",
        title="P",
        service="s",
        buyer="b",
        supplier=Supplier("S", "6789012-4"),
        start=date(2025, draw(start_months), draw(start_days)),
        end=date(2026, 1, draw(end_days)),
        period=draw(period_kinds),
        period_value=draw(money_amounts),
        indicators=tuple(indicators),
        payment=payment,
        prorate=draw(booleans),
    )


any_contracts = booleans.flatmap(lambda pool: contracts(pool=pool))
pool_contracts = contracts(pool=True)
Tallies = dict[tuple[str, Period], Tally]
tally_rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=11),  # the indicator: index modulo 1..4, each even
        st.sampled_from(MONTHS),
        st.integers(min_value=0, max_value=3),
        numbers,
    ),
    max_size=30,
)


def tallies(draw: Callable[[st.SearchStrategy[Any]], Any], contract: Contract) -> Tallies:
    """Monthly tallies of the contract's indicators, drawn with `draw` (a test's data.draw)."""
    count = len(contract.indicators)
    return {
        (contract.indicators[index % count].id, month): Tally(rows=1, n=n, weighted_sum=value * n)
        for index, month, n, value in draw(tally_rows)
    }


# --- a plain re-computation of format §2–§5 with fractions, independent of the engine --------


def _meets(value: Fraction, level: Fraction, direction: Direction) -> bool:
    return value >= level if direction == "higher" else value <= level


def _linear(value: Fraction, level: Level, direction: Direction) -> Fraction:
    zero = Fraction(level.threshold if level.threshold is not None else level.minimum)
    target = Fraction(level.target)
    if zero == target:
        return Fraction(int(_meets(value, target, direction)))
    return min(max((value - zero) / (target - zero), Fraction(0)), Fraction(1))


def reference_fraction(value: Fraction, level: Level, ind: Indicator) -> Fraction:
    """§4 scales, written from the format's sentences."""
    bonus, direction = ind.bonus, ind.direction
    assert bonus is not None
    target = Fraction(level.target)
    if bonus.scale == "binary":
        return Fraction(int(_meets(value, target, direction)))
    if bonus.scale == "linear":
        return _linear(value, level, direction)
    if bonus.scale == "bands":
        met = [
            Fraction(b.fraction) for b in bonus.bands if _meets(value, Fraction(b.at), direction)
        ]
        return max(met, default=Fraction(0))
    assert isinstance(bonus.baseline, Decimal)
    baseline = Fraction(bonus.baseline)
    achievement = _linear(value, level, direction)
    if _meets(baseline, target, direction) or baseline == target:
        return achievement
    improvement = min(max((value - baseline) / (target - baseline), Fraction(0)), Fraction(1))
    return max(achievement, improvement)


def reference_value(
    ind: Indicator, period: Period, rows: Mapping[tuple[str, Period], Tally]
) -> Fraction | None:
    """§3 mean weighted by n over the months inside the period; None when not assessable."""
    inside = [t for (i, m), t in rows.items() if i == ind.id and period.contains(m)]
    n = sum(t.n for t in inside)
    if n <= 0 or n < ind.min_n:
        return None
    return sum((Fraction(t.weighted_sum) for t in inside), Fraction(0)) / n


def reference_period_value(contract: Contract, period: Period) -> Fraction:
    """§2: the period value, prorated by days unless prorate = false."""
    first, last = max(period.first_day, contract.start), min(period.last_day, contract.end)
    days = max((last - first).days + 1, 0)
    value = Fraction(contract.period_value)
    return value * Fraction(days, period.days) if contract.prorate else value


def reference_money(money: Money, base: Fraction) -> Fraction:
    if money.eur is not None:
        return Fraction(money.eur)
    assert money.percent is not None
    return base * Fraction(money.percent) / 100


def reference_amounts(
    contract: Contract, period: Period, rows: Mapping[tuple[str, Period], Tally]
) -> dict[str, tuple[Fraction | None, Fraction, Fraction]]:
    """Per indicator: (fraction, exact bonus before gates, exact sanction)."""
    base = reference_period_value(contract, period)
    values = {ind.id: reference_value(ind, period, rows) for ind in contract.indicators}
    pool = contract.payment.bonus_pool
    weights = sum(
        (Fraction(i.weight) for i in contract.indicators if values[i.id] is not None),
        Fraction(0),
    )
    result: dict[str, tuple[Fraction | None, Fraction, Fraction]] = {}
    for ind in contract.indicators:
        value, level, bonus = values[ind.id], ind.levels[0], ind.bonus
        if value is None or bonus is None:
            result[ind.id] = (None, Fraction(0), Fraction(0))
            continue
        fraction = reference_fraction(value, level, ind)
        if pool is not None:
            full = reference_money(pool, base) * Fraction(ind.weight) / weights if weights else 0
        else:
            assert bonus.money is not None
            full = reference_money(bonus.money, base)
        below = not _meets(value, Fraction(level.minimum), ind.direction)
        assert ind.sanction is not None and ind.sanction.money is not None
        sanction = reference_money(ind.sanction.money, base) if below else Fraction(0)
        result[ind.id] = (fraction, fraction * full, sanction)
    return result


@settings(max_examples=3000, deadline=None)
@given(st.data())
def test_every_line_equals_a_plain_fraction_recomputation_rounded_half_up_once(
    data: st.DataObject,
) -> None:
    contract = data.draw(any_contracts)
    rows = tallies(data.draw, contract)
    for settled in settle_contract(contract, rows):
        expected = reference_amounts(contract, settled.period, rows)
        assert settled.period_value == reference_period_value(contract, settled.period)
        for line in settled.lines:
            fraction, bonus, sanction = expected[line.indicator]
            assert line.fraction == fraction
            assert line.bonus_exact == bonus
            assert line.bonus_before_gate == half_up_cents(bonus)
            assert line.sanction == half_up_cents(sanction)
            assert line.bonus == (0 if settled.gate_failed else line.bonus_before_gate)


@settings(max_examples=1000, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**6),
    st.decimals(min_value=0, max_value=10**4, places=3),
    st.none() | st.decimals(min_value=0, max_value=10**6, places=3),
)
def test_a_per_unit_sanction_is_count_times_price_up_to_its_cap_rounded_once(
    count: int, per_unit: Decimal, cap: Decimal | None
) -> None:
    breaches = Indicator(
        id="b",
        name=Text("b", "b", "b"),
        theme="vaikuttavuus",
        unit="",
        direction="lower",
        aggregate="sum",
        levels=(Level(DAY, minimum=D(10), target=D(0)),),
        sanction=Sanction("per-unit", per_unit=per_unit, cap=cap),
    )
    contract = Contract(
        id="U", title="U", service="s", buyer="b", supplier=Supplier("S", "6789012-4"),
        start=DAY, end=date(2025, 12, 31), period="year", period_value=D(1000),
        indicators=(breaches,),
    )  # fmt: skip
    rows = {("b", Period(2025, 1, "month")): Tally(rows=1, value_sum=D(count))}
    (line,) = settle_contract(contract, rows)[0].lines
    amount = Fraction(count) * Fraction(per_unit)
    expected = amount if cap is None else min(amount, Fraction(cap))
    assert line.sanction_exact == expected
    assert line.sanction == half_up_cents(expected)


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_no_period_pays_more_than_its_caps(data: st.DataObject) -> None:
    contract = data.draw(any_contracts)
    settled = settle_contract(contract, tallies(data.draw, contract))
    payment = contract.payment
    for s in settled:
        assert s.bonus_total >= 0
        assert s.sanction_total >= 0
        assert s.net == s.bonus_total - s.sanction_total
        base = reference_period_value(contract, s.period)
        if payment.bonus_cap is not None:
            assert s.bonus_total <= half_up_cents(reference_money(payment.bonus_cap, base))
        if payment.sanction_cap is not None:
            assert s.sanction_total <= half_up_cents(reference_money(payment.sanction_cap, base))
        if s.gate_failed:
            assert s.bonus_total == 0
    for _, year in groupby(settled, key=lambda s: s.period.year):
        periods = list(year)
        base = sum((reference_period_value(contract, s.period) for s in periods), Fraction(0))
        if payment.annual_bonus_cap is not None:
            cap = half_up_cents(reference_money(payment.annual_bonus_cap, base))
            assert sum(s.bonus_total for s in periods) <= cap
        if payment.annual_sanction_cap is not None:
            cap = half_up_cents(reference_money(payment.annual_sanction_cap, base))
            assert sum(s.sanction_total for s in periods) <= cap


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_pool_lines_sum_to_at_most_the_pool(data: st.DataObject) -> None:
    contract = data.draw(pool_contracts)
    assert contract.payment.bonus_pool is not None
    for s in settle_contract(contract, tallies(data.draw, contract)):
        pool = reference_money(contract.payment.bonus_pool, s.period_value)
        assert sum((line.bonus_exact for line in s.lines), Fraction(0)) <= pool
        pool_adjustments = [a for a in s.adjustments if a.reason.key == "engine.adjustment.pool"]
        paid = sum(line.bonus for line in s.lines) + sum(a.amount for a in pool_adjustments)
        assert paid <= half_up_cents(pool)


@settings(max_examples=30, deadline=None)
@given(st.data(), st.randoms(use_true_random=False))
def test_settling_is_deterministic(data: st.DataObject, rng: random.Random) -> None:
    contract = data.draw(any_contracts)
    given_tallies = tallies(data.draw, contract)
    items = list(given_tallies.items())
    rng.shuffle(items)
    first = settle_contract(contract, given_tallies)
    assert settle_contract(contract, dict(items)) == first
    assert settle_contract(contract, given_tallies) == first


def test_contracts_imports_no_io_libraries() -> None:
    code = (
        "import importlib, pkgutil, sys, contracts\n"
        "for module in pkgutil.iter_modules(contracts.__path__):\n"
        "    importlib.import_module('contracts.' + module.name)\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "contracts.settlement" in loaded
    forbidden = {
        "duckdb",
        "polars",
        "streamlit",
        "pandas",
        "openpyxl",
        "pyarrow",
        "etl",
        "dashboard",
    }
    assert {name.split(".")[0] for name in loaded} & forbidden == set()
