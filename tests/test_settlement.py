"""Settlement (§2–§6): whole period settlements, gates, caps, pool mode, order and proration."""

from datetime import date
from decimal import ROUND_DOWN, Context, Decimal, localcontext
from fractions import Fraction

from contracts.messages import Value, message
from contracts.periods import Period
from contracts.settlement import (
    Adjustment,
    Line,
    PeriodSettlement,
    levels_day,
    settle_contract,
)
from contracts.terms import Contract, Level, load_contract_text
from contracts.values import Tally

D = Decimal
F = Fraction
Q1, Q2, Q3, Q4 = (Period(2025, m, "quarter") for m in (1, 4, 7, 10))

HEADER = """
format = 1
id = "T-1"
title = "Testi"
service = "kotihoito"
buyer = "Esimerkkikaupunki"
supplier = { name = "Palvelu Esimerkki Oy", business_id = "6789012-4" }
"""


def contract(body: str, start: str = "2025-01-01", end: str = "2025-12-31") -> Contract:
    text = f'{HEADER}\nstart = {start}\nend = {end}\nperiod = "quarter"\n{body}'
    return load_contract_text(text, "test.toml")


def indicator(iid: str, extra: str, levels: str = "minimum = 50, target = 80") -> str:
    return f"""
[[indicator]]
id = "{iid}"
name = "Mittari {iid}"
theme = "vaikuttavuus"
unit = "%"
direction = "higher"
aggregate = "ratio"
per = 100
levels = [{{ from = 2025-01-01, {levels} }}]
{extra}
"""


def ratio(numerator: int, denominator: int) -> Tally:
    return Tally(rows=1, n=1, numerator=D(numerator), denominator=D(denominator))


LEVELS: dict[str, Value] = {"minimum": D(50), "target": D(80), "level_from": date(2025, 1, 1)}
LINEAR_RULE = (
    message("engine.rule.scale.linear"),
    message("engine.rule.full_eur", amount=D("1000.05")),
)
SANCTION_RULE = (message("engine.rule.below_minimum_percent", percent=D("1.5")),)


def test_a_whole_period_settlement_with_bonus_and_sanction_lines() -> None:
    terms = contract(
        "period_value = 100000.00\n"
        + indicator("a", 'bonus = { scale = "linear", eur = 1000.05 }')
        + indicator("b", 'sanction = { below = "minimum", percent = 1.5 }')
    )
    tallies = {("a", Q1): ratio(65, 100), ("b", Period(2025, 2, "month")): ratio(40, 100)}
    level = Level(date(2025, 1, 1), D(50), D(80))
    assert settle_contract(terms, tallies)[0] == PeriodSettlement(
        period=Q1,
        period_value=F(100000),
        share=F(1),
        lines=(
            Line(
                indicator="a",
                status="partial",
                value=F(65),
                n=100,
                min_n=1,
                level=level,
                direction="higher",
                aggregate="ratio",
                weight=D(1),
                scale="linear",
                fraction=F(1, 2),
                money=F("1000.05"),
                bonus_exact=F("500.025"),
                bonus_before_gate=D("500.03"),
                bonus=D("500.03"),
                sanction_exact=F(0),
                sanction=D("0.00"),
                rule=LINEAR_RULE,
                explanation=(
                    message("engine.line.value_levels", value=F(65), n=100, **LEVELS),
                    message("engine.status.partial"),
                    message(
                        "engine.value.ratio_per",
                        numerator=D(65),
                        denominator=D(100),
                        excluded=D(0),
                        per=D(100),
                    ),
                    message(
                        "engine.line.fraction",
                        fraction=F(1, 2),
                        money=F("1000.05"),
                        exact=F("500.025"),
                        bonus=D("500.03"),
                    ),
                    message("engine.line.clause"),
                    *LINEAR_RULE,
                ),
            ),
            Line(
                indicator="b",
                status="below-minimum",
                value=F(40),
                n=100,
                min_n=1,
                level=level,
                direction="higher",
                aggregate="ratio",
                weight=D(1),
                scale=None,
                fraction=None,
                money=None,
                bonus_exact=F(0),
                bonus_before_gate=D("0.00"),
                bonus=D("0.00"),
                sanction_exact=F(1500),
                sanction=D("1500.00"),
                rule=SANCTION_RULE,
                explanation=(
                    message("engine.line.value_levels", value=F(40), n=100, **LEVELS),
                    message("engine.status.below-minimum"),
                    message(
                        "engine.value.ratio_per",
                        numerator=D(40),
                        denominator=D(100),
                        excluded=D(0),
                        per=D(100),
                    ),
                    message("engine.line.sanction", amount=D("1500.00")),
                    message("engine.line.clause"),
                    *SANCTION_RULE,
                ),
            ),
        ),
        adjustments=(),
        bonus_total=D("500.03"),
        sanction_total=D("1500.00"),
        net=D("-999.97"),
        gate_failed=(),
    )


def test_every_overlapped_period_is_settled_in_calendar_order_with_its_share() -> None:
    terms = contract("period_value = 91000.00\n" + indicator("a", ""), end="2025-05-15")
    settled = settle_contract(terms, {})
    assert [(s.period, s.share, s.period_value) for s in settled] == [
        (Q1, F(1), F(91000)),
        (Q2, F(45, 91), F(45000)),
    ]


def test_without_proration_a_partly_covered_period_keeps_its_full_value() -> None:
    terms = contract(
        "prorate = false\nperiod_value = 91000.00\n" + indicator("a", ""), "2025-03-01"
    )
    first = settle_contract(terms, {})[0]
    assert (first.period, first.share, first.period_value) == (Q1, F(31, 90), F(91000))


def test_levels_are_looked_up_on_the_contract_start_inside_a_period() -> None:
    terms = contract("period_value = 1\n" + indicator("a", ""), start="2025-02-15")
    assert levels_day(terms, Q1) == date(2025, 2, 15)
    assert levels_day(terms, Q2) == date(2025, 4, 1)


def test_a_failed_gate_zeroes_the_bonus_lines_and_says_so_once() -> None:
    terms = contract(
        'period_value = 100000.00\n[payment]\ngates = ["g"]\n'
        + indicator("g", 'missing = "fail"')
        + indicator("a", 'bonus = { scale = "binary", eur = 3000.00 }')
    )
    settled = settle_contract(terms, {("a", Q1): ratio(90, 100)})[0]
    assert [(li.indicator, li.status, li.bonus_before_gate, li.bonus) for li in settled.lines] == [
        ("g", "below-minimum", D("0.00"), D("0.00")),
        ("a", "achieved", D("3000.00"), D("0.00")),
    ]
    assert settled.adjustments == (
        Adjustment(
            "gate",
            "bonus",
            D("-3000.00"),
            message("engine.adjustment.gate", gates="g"),
            counted=False,
        ),
    )
    assert (settled.gate_failed, settled.bonus_total, settled.net) == (("g",), D(0), D(0))


def test_period_caps_then_annual_caps_each_add_their_own_adjustment() -> None:
    terms = contract(
        "period_value = 100000.00\n"
        "[payment]\n"
        "bonus_cap = { percent = 5.0 }\n"
        "annual_bonus_cap = { eur = 12000.00 }\n"
        "sanction_cap = { eur = 400.00 }\n"
        "annual_sanction_cap = { eur = 700.00 }\n"
        + indicator("x", 'bonus = { scale = "binary", eur = 3000.00 }')
        + indicator("y", 'bonus = { scale = "binary", eur = 3000.00 }')
        + indicator("z", 'sanction = { below = "minimum", eur = 500.00 }')
    )
    tallies: dict[tuple[str, Period], Tally] = {}
    for quarter in (Q1, Q2, Q3, Q4):
        tallies |= {(i, quarter): ratio(90, 100) for i in ("x", "y")}
        tallies[("z", quarter)] = ratio(10, 100)
    settled = settle_contract(terms, tallies)
    assert [[(a.kind, a.side, a.amount) for a in s.adjustments] for s in settled] == [
        [("bonus-cap", "bonus", D(-1000)), ("sanction-cap", "sanction", D(-100))],
        [
            ("bonus-cap", "bonus", D(-1000)),
            ("sanction-cap", "sanction", D(-100)),
            ("annual-sanction-cap", "sanction", D(-100)),
        ],
        [
            ("bonus-cap", "bonus", D(-1000)),
            ("sanction-cap", "sanction", D(-100)),
            ("annual-bonus-cap", "bonus", D(-3000)),
            ("annual-sanction-cap", "sanction", D(-400)),
        ],
        [
            ("bonus-cap", "bonus", D(-1000)),
            ("sanction-cap", "sanction", D(-100)),
            ("annual-bonus-cap", "bonus", D(-5000)),
            ("annual-sanction-cap", "sanction", D(-400)),
        ],
    ]
    assert [(s.bonus_total, s.sanction_total, s.net) for s in settled] == [
        (D(5000), D(400), D(4600)),
        (D(5000), D(300), D(4700)),
        (D(2000), D(0), D(2000)),
        (D(0), D(0), D(0)),
    ]
    assert all(line.bonus == D(3000) for s in settled for line in s.lines[:2])


def test_pool_shares_by_weight_over_assessable_bonus_indicators_only() -> None:
    terms = contract(
        "period_value = 100000.00\n[payment]\nbonus_pool = { percent = 3.0 }\n"
        + indicator("a", 'weight = 2\nbonus = { scale = "linear" }')
        + indicator("b", 'weight = 1\nbonus = { scale = "linear" }')
        + indicator("c", 'weight = 5\nmin_n = 50\nbonus = { scale = "linear" }')
        + indicator("d", "weight = 9")
        + """
[[indicator]]
id = "r"
name = "Rate"
theme = "vaikuttavuus"
unit = "kpl"
direction = "higher"
aggregate = "sum"
weight = 7
levels = [{ from = 2025-01-01, minimum = 0, target = 0 }]
bonus = { scale = "rate", eur_per_outcome = 10.00 }
"""
    )
    tallies = {
        ("a", Q1): ratio(80, 100),
        ("b", Q1): ratio(65, 100),
        ("c", Q1): ratio(9, 10),
        ("d", Q1): ratio(9, 10),
        ("r", Q1): Tally(rows=1, value_sum=D(3)),
    }
    lines = settle_contract(terms, tallies)[0].lines
    assert [(li.indicator, li.status, li.money, li.bonus) for li in lines] == [
        ("a", "achieved", D(2000), D("2000.00")),
        ("b", "partial", D(1000), D("500.00")),
        ("c", "not-assessable", None, D("0.00")),
        ("d", "achieved", None, D("0.00")),
        ("r", "achieved", None, D("30.00")),
    ]


def test_observations_outside_the_settlement_periods_are_not_used() -> None:
    terms = contract(
        "period_value = 1000.00\n" + indicator("a", 'bonus = { scale = "binary", eur = 10 }'),
        end="2025-03-31",
    )
    tallies = {("a", Period(2024, 12, "month")): ratio(90, 100), ("a", Q2): ratio(90, 100)}
    (only,) = settle_contract(terms, tallies)
    assert (only.period, only.lines[0].status, only.net) == (Q1, "not-assessable", D(0))


def test_settling_twice_or_in_another_tally_order_gives_the_same_result() -> None:
    terms = contract(
        "period_value = 100000.00\n" + indicator("a", 'bonus = { scale = "linear", eur = 7.77 }')
    )
    months = [Period(2025, m, "month") for m in range(1, 13)]
    tallies = {("a", m): ratio(50 + i, 97) for i, m in enumerate(months)}
    reversed_tallies = dict(reversed(list(tallies.items())))
    assert settle_contract(terms, tallies) == settle_contract(terms, reversed_tallies)
    assert settle_contract(terms, tallies) == settle_contract(terms, tallies)


def test_the_callers_decimal_context_does_not_change_the_money() -> None:
    terms = contract(
        "period_value = 91000.00\n" + indicator("a", 'bonus = { scale = "linear", percent = 2.5 }'),
        end="2025-05-15",
    )
    tallies = {("a", Q2): ratio(2, 3)}
    expected = settle_contract(terms, tallies)
    with localcontext(Context(prec=4, rounding=ROUND_DOWN)):
        assert settle_contract(terms, tallies) == expected
