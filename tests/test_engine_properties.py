"""Properties of the engine that must hold for any terms and any data."""

import random
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import groupby

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.periods import Period
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
    Supplier,
    Text,
)
from contracts.values import Tally

D = Decimal
DAY = date(2025, 1, 1)
MONTHS = [Period(2025, m, "month") for m in range(1, 13)] + [Period(2026, 1, "month")]

numbers = st.decimals(min_value=-1000, max_value=1000, places=2)
money = st.decimals(min_value=0, max_value=100000, places=2)
directions: st.SearchStrategy[Direction] = st.sampled_from(["higher", "lower"])


@st.composite
def levels(draw: st.DrawFn, direction: Direction) -> Level:
    low, middle, high = sorted(draw(st.lists(numbers, min_size=3, max_size=3)))
    threshold = middle if draw(st.booleans()) else None
    if direction == "higher":
        return Level(DAY, minimum=low, target=high, threshold=threshold)
    return Level(DAY, minimum=high, target=low, threshold=threshold)


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
    scales: list[Callable[[Decimal], Decimal]] = [
        lambda v: binary_fraction(v, level, direction),
        lambda v: linear_fraction(v, level, direction),
        lambda v: bands_fraction(v, bands, direction),
        lambda v: improvement_fraction(v, level, direction, baseline),
    ]
    for fraction in scales:
        assert 0 <= fraction(worse) <= fraction(better) <= 1


def half_up_cents(amount: Decimal) -> Decimal:
    """Half-up rounding to cents, computed independently with exact fractions."""
    hundredths = Fraction(amount) * 100
    cents = int(abs(hundredths) + Fraction(1, 2))
    return Decimal(cents if hundredths >= 0 else -cents) / 100


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6))
def test_rounding_is_exact_half_up_for_any_amount(amount: Decimal) -> None:
    assert round_cents(amount) == half_up_cents(amount)


def indicator(index: int, direction: Direction, level: Level, bonus: Money | None) -> Indicator:
    return Indicator(
        id=f"i{index}",
        name=Text("i", "i", "i"),
        theme="vaikuttavuus",
        unit="",
        direction=direction,
        aggregate="mean",
        levels=(level,),
        min_n=2,
        bonus=Bonus("linear", bonus) if level.zero != level.target else Bonus("binary", bonus),
        sanction=Sanction("below-minimum", money=Money(eur=D("123.45"))),
        weight=D(index % 3),
    )


@st.composite
def contracts(draw: st.DrawFn, pool: bool = False) -> Contract:
    count = draw(st.integers(min_value=1, max_value=4))
    indicators = []
    for i in range(count):
        direction = draw(directions)
        amount = None if pool else Money(eur=draw(money))
        indicators.append(indicator(i, direction, draw(levels(direction)), amount))
    percents = st.decimals(min_value=0, max_value=10, places=2)
    caps = (
        st.none()
        | st.builds(lambda eur: Money(eur=eur), money)
        | st.builds(lambda percent: Money(percent=percent), percents)
    )
    payment = Payment(
        bonus_pool=Money(percent=draw(st.decimals(min_value=0, max_value=10, places=2)))
        if pool
        else None,
        bonus_cap=draw(caps),
        sanction_cap=draw(caps),
        annual_bonus_cap=draw(caps),
        annual_sanction_cap=draw(caps),
        gates=("i0",) if draw(st.booleans()) else (),
    )
    return Contract(
        id="P",
        title="P",
        service="s",
        buyer="b",
        supplier=Supplier("S", "6789012-4"),
        start=date(2025, draw(st.integers(1, 12)), draw(st.integers(1, 28))),
        end=date(2026, 1, draw(st.integers(1, 31))),
        period=draw(st.sampled_from(["month", "quarter", "half-year", "year"])),
        period_value=draw(money),
        indicators=tuple(indicators),
        payment=payment,
    )


@st.composite
def tallies(draw: st.DrawFn, contract: Contract) -> dict[tuple[str, Period], Tally]:
    rows = st.tuples(
        st.sampled_from(contract.indicators),
        st.sampled_from(MONTHS),
        st.integers(min_value=0, max_value=3),
        numbers,
    )
    return {
        (ind.id, month): Tally(rows=1, n=n, weighted_sum=value * n)
        for ind, month, n, value in draw(st.lists(rows, max_size=30))
    }


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_no_period_pays_more_than_its_caps(data: st.DataObject) -> None:
    contract = data.draw(contracts(pool=data.draw(st.booleans())))
    settled = settle_contract(contract, data.draw(tallies(contract)))
    payment = contract.payment
    for s in settled:
        assert s.bonus_total >= 0
        assert s.sanction_total >= 0
        assert s.net == s.bonus_total - s.sanction_total
        if payment.bonus_cap is not None:
            assert s.bonus_total <= round_cents(payment.bonus_cap.amount(s.period_value))
        if payment.sanction_cap is not None:
            assert s.sanction_total <= round_cents(payment.sanction_cap.amount(s.period_value))
        if s.gate_failed:
            assert s.bonus_total == 0
    for _, year in groupby(settled, key=lambda s: s.period.year):
        periods = list(year)
        if payment.annual_bonus_cap is not None and payment.annual_bonus_cap.eur is not None:
            assert sum(s.bonus_total for s in periods) <= payment.annual_bonus_cap.eur
        if payment.annual_sanction_cap is not None and payment.annual_sanction_cap.eur is not None:
            assert sum(s.sanction_total for s in periods) <= payment.annual_sanction_cap.eur


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_pool_lines_sum_to_at_most_the_pool(data: st.DataObject) -> None:
    contract = data.draw(contracts(pool=True))
    assert contract.payment.bonus_pool is not None
    for s in settle_contract(contract, data.draw(tallies(contract))):
        pool = contract.payment.bonus_pool.amount(s.period_value)
        exact = sum(line.bonus_exact for line in s.lines)
        assert exact <= pool + D("1e-20")  # shares of the pool are exact to 50 digits
        pool_adjustments = [a for a in s.adjustments if a.reason.startswith("bonus pool")]
        paid = sum(line.bonus for line in s.lines) + sum(a.amount for a in pool_adjustments)
        assert paid <= round_cents(pool)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_line_is_its_exact_amount_rounded_once(data: st.DataObject) -> None:
    contract = data.draw(contracts())
    for s in settle_contract(contract, data.draw(tallies(contract))):
        for line in s.lines:
            assert line.bonus_before_gate == half_up_cents(line.bonus_exact)
            assert line.sanction == half_up_cents(line.sanction_exact)
            assert line.bonus in (line.bonus_before_gate, 0)


@settings(max_examples=30, deadline=None)
@given(st.data(), st.randoms(use_true_random=False))
def test_settling_is_deterministic(data: st.DataObject, rng: random.Random) -> None:
    contract = data.draw(contracts(pool=data.draw(st.booleans())))
    given_tallies = data.draw(tallies(contract))
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
