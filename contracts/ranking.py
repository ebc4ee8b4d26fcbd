"""The annual priority order of the contracts in a framework agreement.

Score of a contract for a year = Σ weight × fraction / Σ weight over its assessable
indicator-periods of the year. A line without a fraction (rate scale, no bonus) counts 1 when
achieved, else 0; not-assessable lines are left out. Higher scores come first; ties keep the
previous year's order, then go by contract id. A contract with nothing assessable (or only
zero weights) has no score and comes last.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from contracts.exact import Rational, exact
from contracts.settlement import PeriodSettlement

ZERO = Fraction(0)
ONE = Fraction(1)


class ScoredLine(Protocol):
    """What the ranking reads of a settlement line (`settlement.Line` has all three)."""

    @property
    def weight(self) -> Decimal: ...

    @property
    def fraction(self) -> Rational | None: ...

    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class Rank:
    """One contract's place: `movement` is previous position − position (positive = up),
    None when the contract had no place the year before."""

    contract: str
    position: int
    score: Fraction | None
    previous_position: int | None
    movement: int | None


def lines_of_year(settlements: Iterable[PeriodSettlement], year: int) -> tuple[ScoredLine, ...]:
    """Every line of the contract's settled periods that fall in the calendar year."""
    return tuple(line for s in settlements if s.period.year == year for line in s.lines)


def line_fraction(line: ScoredLine) -> Fraction:
    """The line's exact fraction; without one, 1 if achieved, else 0."""
    if line.fraction is not None:
        return exact(line.fraction)
    return ONE if line.status == "achieved" else ZERO


def contract_score(lines: Iterable[ScoredLine]) -> Fraction | None:
    """Σ weight × fraction / Σ weight over the assessable lines, exact; None if there is no
    weight."""
    assessable = [line for line in lines if line.status != "not-assessable"]
    weights = sum((exact(line.weight) for line in assessable), ZERO)
    if weights == 0:
        return None
    scored = (exact(line.weight) * line_fraction(line) for line in assessable)
    return sum(scored, ZERO) / weights


def priority_order(
    lines_by_contract: Mapping[str, Iterable[ScoredLine]],
    previous_order: Sequence[str] = (),
) -> tuple[Rank, ...]:
    """The year's order: score descending; ties by the previous year's position (contracts
    without one after those with one), then by contract id; no score last."""
    previous = {contract: i + 1 for i, contract in enumerate(previous_order)}
    scores = {contract: contract_score(lines) for contract, lines in lines_by_contract.items()}

    def key(contract: str) -> tuple[bool, Fraction, bool, int, str]:
        score, before = scores[contract], previous.get(contract)
        return (score is None, -(score or ZERO), before is None, before or 0, contract)

    ordered = sorted(scores, key=key)
    return tuple(
        Rank(
            contract=contract,
            position=position,
            score=scores[contract],
            previous_position=previous.get(contract),
            movement=_movement(previous.get(contract), position),
        )
        for position, contract in enumerate(ordered, start=1)
    )


def _movement(previous: int | None, position: int) -> int | None:
    return None if previous is None else previous - position
