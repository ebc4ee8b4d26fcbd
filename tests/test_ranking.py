"""The annual priority order within a framework agreement."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from contracts.periods import Period
from contracts.ranking import Rank, contract_score, lines_of_year, priority_order
from contracts.settlement import PeriodSettlement, settle_contract
from contracts.terms import load_contract_text
from contracts.values import Tally

D = Decimal
F = Fraction


@dataclass(frozen=True)
class Scored:
    weight: Decimal
    fraction: Decimal | None
    status: str


def line(weight: str, fraction: str | None, status: str = "partial") -> Scored:
    return Scored(D(weight), D(fraction) if fraction is not None else None, status)


def test_score_is_the_weighted_mean_fraction_of_assessable_lines() -> None:
    lines = [
        line("2", "1", "achieved"),
        line("1", "0.5"),
        line("5", None, "not-assessable"),
        line("1", None, "achieved"),
        line("1", None, "below-minimum"),
    ]
    assert contract_score(lines) == D("3.5") / D(5)


def test_nothing_assessable_means_no_score() -> None:
    assert contract_score([line("1", None, "not-assessable")]) is None
    assert contract_score([]) is None


def test_order_by_score_then_previous_position_then_contract_id() -> None:
    lines = {
        "A": [line("1", "0.5")],
        "B": [line("1", "0.9")],
        "C": [line("1", "0.5")],
        "D": [line("1", None, "not-assessable")],
        "E": [line("1", "0.5")],
        "F": [line("1", "0.5")],
    }
    assert priority_order(lines, previous_order=["D", "C", "B", "A"]) == (
        Rank("B", 1, F("0.9"), 3, 2),
        Rank("C", 2, F("0.5"), 2, 0),
        Rank("A", 3, F("0.5"), 4, 1),
        Rank("E", 4, F("0.5"), None, None),
        Rank("F", 5, F("0.5"), None, None),
        Rank("D", 6, None, 1, -5),
    )


def test_the_first_year_orders_by_score_and_contract_id() -> None:
    lines = {"B": [line("1", "1", "achieved")], "A": [line("1", "1", "achieved")]}
    assert priority_order(lines) == (
        Rank("A", 1, F(1), None, None),
        Rank("B", 2, F(1), None, None),
    )


def test_settlement_lines_of_one_calendar_year_feed_the_ranking() -> None:
    terms = load_contract_text(
        """
format = 1
id = "R-1"
title = "Ranking"
service = "kotihoito"
buyer = "Esimerkkikaupunki"
supplier = { name = "Palvelu Esimerkki Oy", business_id = "6789012-4" }
framework = "PUITE"
start = 2025-07-01
end = 2026-06-30
period = "quarter"
period_value = 1000.00

[[indicator]]
id = "x"
name = "X"
theme = "vaikuttavuus"
direction = "higher"
aggregate = "mean"
weight = 3
levels = [{ from = 2025-01-01, minimum = 20, target = 40 }]
bonus = { scale = "linear", eur = 100.00 }
""",
        "r.toml",
    )
    tallies = {
        ("x", Period(2025, 7, "quarter")): Tally(rows=1, n=1, weighted_sum=D(30)),
        ("x", Period(2026, 1, "quarter")): Tally(rows=1, n=1, weighted_sum=D(40)),
    }
    settled: tuple[PeriodSettlement, ...] = settle_contract(terms, tallies)
    year_2025 = lines_of_year(settled, 2025)
    assert [(li.status, li.fraction) for li in year_2025] == [
        ("partial", D("0.5")),
        ("not-assessable", None),
    ]
    assert contract_score(year_2025) == D("0.5")
    assert contract_score(lines_of_year(settled, 2026)) == D(1)
