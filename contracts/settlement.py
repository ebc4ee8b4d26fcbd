"""Settlement (format §2–§6): terms + tallies -> one PeriodSettlement per settlement period.

Order of operations (§6): each indicator line computed exactly and rounded once to cents;
gates; period caps; annual caps in calendar order; net = bonus total − sanction total.
Every function is pure; the same terms and tallies always give the same settlement.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from fractions import Fraction
from itertools import groupby
from typing import Literal

from contracts.exact import exact, round_cents
from contracts.messages import Message, Value, message
from contracts.periods import Period, covered_days, periods_between
from contracts.scales import (
    ZERO,
    Status,
    below_minimum_sanction,
    per_unit_sanction,
    rate_amount,
)
from contracts.terms import Aggregate, Contract, Direction, Indicator, Level, Money, Scale
from contracts.values import Assessment, Count, Tallies, Tally, assess

NO_MONEY = Decimal("0.00")
Side = Literal["bonus", "sanction"]
AdjustmentKind = Literal[
    "gate", "bonus-cap", "sanction-cap", "annual-bonus-cap", "annual-sanction-cap"
]


@dataclass(frozen=True)
class Line:
    """One indicator in one settlement period: its value, status, rule and money.

    `level` is the level in force (None if none is); `fraction` is None for the rate scale,
    for indicators without a bonus and when not assessable; `money` is the exact money at full
    achievement (None for the rate scale, without a bonus, and for a not-assessable pool line);
    `bonus_before_gate` is the rounded bonus, `bonus` the same after gates (0 when a gate
    failed); `baseline` is the improvement baseline used, if any. Amounts are in EUR.
    `rule` is the clause in words and `explanation` how the line came about, both as messages
    (etl.messages renders them); the explanation ends with the clause. `sanction_before_cap`
    is a per-unit sanction's units × price, rounded, when its cap took it down to `sanction`
    (a step of its own for the reader; None otherwise).
    """

    indicator: str
    status: Status
    value: Fraction | None
    n: Count
    min_n: int
    level: Level | None
    direction: Direction
    aggregate: Aggregate
    weight: Decimal
    scale: Scale | None
    fraction: Fraction | None
    money: Fraction | None
    bonus_exact: Fraction
    bonus_before_gate: Decimal
    bonus: Decimal
    sanction_exact: Fraction
    sanction: Decimal
    rule: tuple[Message, ...]
    explanation: tuple[Message, ...]
    baseline: Fraction | None = None
    sanction_before_cap: Decimal | None = None


@dataclass(frozen=True)
class Adjustment:
    """A period-level change to the bonus or the sanction side; negative = a reduction.

    Cap adjustments count towards the totals. The "gate" adjustment is informational only
    (`counted` is False): the gate has already set each bonus line's `bonus` to 0, so the
    adjustment just states the amount withheld and must not be subtracted again.
    """

    kind: AdjustmentKind
    side: Side
    amount: Decimal
    reason: Message
    counted: bool = True


@dataclass(frozen=True)
class PeriodSettlement:
    """The settlement of one period. `share` is the share of the period's days the contract
    covers; `period_value` is the contract value of the period, prorated by that share unless
    the contract says `prorate = false` (kept exact: it is the base of every percent)."""

    period: Period
    period_value: Fraction
    share: Fraction
    lines: tuple[Line, ...]
    adjustments: tuple[Adjustment, ...]
    bonus_total: Decimal
    sanction_total: Decimal
    net: Decimal
    gate_failed: tuple[str, ...]


def settle_contract(
    contract: Contract, tallies: Tallies, years: Collection[int] | None = None
) -> tuple[PeriodSettlement, ...]:
    """Settle every period the contract overlaps (or those of the calendar `years` only: a
    year's settlements depend on nothing of another year's but their data), in calendar
    order (§2, §6). Values, fractions and money are exact fractions; each line's money is
    rounded once to cents. The decimal sums of the tallies run in a fixed context (50
    digits), whatever the caller's."""
    with localcontext(Context(prec=50, rounding=ROUND_HALF_EVEN)):
        periods = periods_between(contract.start, contract.end, contract.period)
        if years is not None:
            periods = tuple(p for p in periods if p.year in years)
        split = by_indicator(tallies)
        settled = [_settle_period(contract, period, split) for period in periods]
        return tuple(apply_annual_caps(contract, settled))


def levels_day(contract: Contract, period: Period) -> date:
    """§2: levels in force are those of the period's first day, or of the contract's start
    when the contract starts inside the period."""
    return max(period.first_day, contract.start)


def prorated_value(contract: Contract, period: Period) -> tuple[Fraction, Fraction]:
    """§2: (period value, covered share); the value is prorated by days unless prorate=false."""
    share = Fraction(covered_days(period, contract.start, contract.end), period.days)
    value = exact(contract.period_value)
    return (value * share if contract.prorate else value), share


def pool_weight_total(assessments: Sequence[Assessment]) -> Fraction:
    """§4 pool mode: the sum of the weights of the period's assessable bonus indicators (the
    rate scale pays per outcome and takes no share of the pool)."""
    return sum((exact(a.indicator.weight) for a in assessments if _pooled(a)), ZERO)


def _pooled(assessment: Assessment) -> bool:
    bonus = assessment.indicator.bonus
    return bonus is not None and bonus.scale != "rate" and assessment.status != "not-assessable"


def full_money(
    contract: Contract, assessment: Assessment, value: Fraction, weights: Fraction
) -> Fraction | None:
    """§4 money at full achievement: pool × weight / Σ weights in pool mode, else eur or
    percent of the prorated period value."""
    bonus = assessment.indicator.bonus
    if bonus is None or bonus.scale == "rate":
        return None
    pool = contract.payment.bonus_pool
    if pool is None:
        return bonus.money.amount(value) if bonus.money is not None else None
    if not _pooled(assessment):
        return None
    if weights == 0:
        return ZERO
    return pool.amount(value) * exact(assessment.indicator.weight) / weights


def bonus_amount(assessment: Assessment, money: Fraction | None) -> Fraction:
    """§4 line amount, exact: f × money; the rate scale pays per outcome; not assessable: 0."""
    bonus = assessment.indicator.bonus
    if bonus is None or assessment.status == "not-assessable":
        return ZERO
    if bonus.scale == "rate":
        if assessment.missing or assessment.value is None or bonus.eur_per_outcome is None:
            return ZERO
        return rate_amount(
            assessment.value,
            bonus.eur_per_outcome,
            assessment.clients,
            bonus.max_per_client,
            bonus.max_per_period,
        )
    if assessment.fraction is None or money is None:
        return ZERO
    return assessment.fraction * money


def uncapped_per_unit(assessment: Assessment) -> Fraction | None:
    """A per-unit sanction's units × price when its cap takes it down (§5: min(count × X,
    cap)); None for any other sanction, and when the cap does not bite."""
    sanction = assessment.indicator.sanction
    if sanction is None or sanction.kind != "per-unit" or sanction.cap is None:
        return None
    if assessment.status == "not-assessable" or assessment.missing:
        return None
    uncapped = per_unit_sanction(assessment.value or ZERO, sanction.per_unit or ZERO, None)
    return uncapped if uncapped > exact(sanction.cap) else None


def sanction_amount(assessment: Assessment, value: Fraction) -> Fraction:
    """§5, exact. below-minimum: the fixed or percent amount when below the minimum. per_unit:
    min(count × X, cap) for every unit counted; when the count is missing and missing = fail,
    the cap (or, without a cap, the units counted, if any)."""
    sanction = assessment.indicator.sanction
    if sanction is None or assessment.status == "not-assessable":
        return ZERO
    if sanction.kind == "below-minimum":
        if assessment.status != "below-minimum" or sanction.money is None:
            return ZERO
        return below_minimum_sanction(sanction.money, value)
    per_unit = sanction.per_unit or ZERO
    if assessment.missing and sanction.cap is not None:
        return exact(sanction.cap)
    return per_unit_sanction(assessment.value or ZERO, per_unit, sanction.cap)


def settle_period(contract: Contract, period: Period, tallies: Tallies) -> PeriodSettlement:
    """One period: lines, gates and period caps (annual caps come later)."""
    return _settle_period(contract, period, by_indicator(tallies))


def by_indicator(tallies: Tallies) -> dict[str, Tallies]:
    """The tallies split by indicator: an indicator's assessment reads only its own."""
    split: dict[str, dict[tuple[str, Period], Tally]] = {}
    for key, tally in tallies.items():
        split.setdefault(key[0], {})[key] = tally
    return dict(split)


def _settle_period(
    contract: Contract, period: Period, tallies: Mapping[str, Tallies]
) -> PeriodSettlement:
    value, share = prorated_value(contract, period)
    day = levels_day(contract, period)
    assessments = [assess(ind, period, day, tallies.get(ind.id, {})) for ind in contract.indicators]
    weights = pool_weight_total(assessments)
    gates = failed_gates(contract, assessments)
    lines = tuple(make_line(contract, a, value, weights, gates) for a in assessments)
    adjustments = (*gate_adjustment(lines, gates), *period_caps(contract, lines, value))
    zero = NO_MONEY
    settlement = PeriodSettlement(period, value, share, lines, adjustments, zero, zero, zero, gates)
    return with_totals(settlement)


def failed_gates(contract: Contract, assessments: Sequence[Assessment]) -> tuple[str, ...]:
    """§1 gates: gate indicators below their minimum or not assessable this period."""
    bad = ("below-minimum", "not-assessable")
    return tuple(
        a.indicator.id
        for a in assessments
        if a.indicator.id in contract.payment.gates and a.status in bad
    )


def make_line(
    contract: Contract,
    assessment: Assessment,
    value: Fraction,
    weights: Fraction,
    gates: tuple[str, ...],
) -> Line:
    """§6.1–2: the exact amounts, rounded once to cents; a failed gate zeroes the bonus."""
    indicator = assessment.indicator
    money = full_money(contract, assessment, value, weights)
    bonus_exact = bonus_amount(assessment, money)
    before_gate = round_cents(bonus_exact)
    sanction_exact = sanction_amount(assessment, value)
    uncapped = uncapped_per_unit(assessment)
    line = Line(
        indicator=indicator.id,
        status=assessment.status,
        value=assessment.value,
        n=assessment.n,
        min_n=indicator.min_n,
        level=assessment.level,
        direction=indicator.direction,
        aggregate=indicator.aggregate,
        weight=indicator.weight,
        scale=indicator.bonus.scale if indicator.bonus is not None else None,
        fraction=assessment.fraction,
        money=money,
        bonus_exact=bonus_exact,
        bonus_before_gate=before_gate,
        bonus=NO_MONEY if gates else before_gate,
        sanction_exact=sanction_exact,
        sanction=round_cents(sanction_exact),
        rule=rule_words(contract, indicator),
        explanation=(),
        baseline=assessment.baseline,
        sanction_before_cap=None if uncapped is None else round_cents(uncapped),
    )
    pooled = contract.payment.bonus_pool is not None
    return replace(line, explanation=explain(line, assessment, weights, pooled, gates))


def gate_adjustment(lines: Sequence[Line], gates: tuple[str, ...]) -> list[Adjustment]:
    """§6.2, informational: the bonus withheld because a gate failed (already 0 on the lines)."""
    if not gates:
        return []
    withheld = sum((line.bonus_before_gate for line in lines), NO_MONEY)
    reason = message("engine.adjustment.gate", gates=", ".join(gates))
    return [Adjustment("gate", "bonus", NO_MONEY - withheld, reason, counted=False)]


def cap_reduction(
    total: Decimal, cap: Decimal, kind: AdjustmentKind, side: Side, reason: Message
) -> list[Adjustment]:
    """§6.3: a total above its cap is reduced to the cap by an adjustment line of its own;
    `reason` names the cap (its message gets the cap and the total)."""
    if total <= cap:
        return []
    values = {**reason.values, "cap": cap, "total": total}
    return [Adjustment(kind, side, cap - total, Message(reason.key, values))]


def cap_amount(cap: Money, base: Fraction) -> Decimal:
    """A cap in euros, or a percent of the base, rounded to cents like every amount."""
    return round_cents(cap.amount(base))


def pool_limit(contract: Contract, lines: Sequence[Line], value: Fraction) -> list[Adjustment]:
    """§4 pool mode: the pool is the most the pooled lines pay together. Rounding each line
    half-up (§6.1) can pass it by half a cent per line; any such excess is cut by a
    "bonus-cap" adjustment, so the period never pays more than the pool."""
    pool = contract.payment.bonus_pool
    if pool is None:
        return []
    pooled = sum((line.bonus for line in lines if line.money is not None), NO_MONEY)
    cap = cap_amount(pool, value)
    return cap_reduction(pooled, cap, "bonus-cap", "bonus", message("engine.adjustment.pool"))


def period_caps(contract: Contract, lines: Sequence[Line], value: Fraction) -> list[Adjustment]:
    """§6.3 period caps on the sums of the rounded (post-gate) lines, after the pool limit."""
    payment, adjustments = contract.payment, pool_limit(contract, lines, value)
    if payment.bonus_cap is not None:
        total = sum((line.bonus for line in lines), NO_MONEY) + _adjusted(adjustments, "bonus")
        cap = cap_amount(payment.bonus_cap, value)
        why = message("engine.adjustment.bonus_cap")
        adjustments += cap_reduction(total, cap, "bonus-cap", "bonus", why)
    if payment.sanction_cap is not None:
        total = sum((line.sanction for line in lines), NO_MONEY)
        cap = cap_amount(payment.sanction_cap, value)
        why = message("engine.adjustment.sanction_cap")
        adjustments += cap_reduction(total, cap, "sanction-cap", "sanction", why)
    return adjustments


def apply_annual_caps(
    contract: Contract, settled: Sequence[PeriodSettlement]
) -> list[PeriodSettlement]:
    """§6.3 annual caps, per calendar year, periods in calendar order: each period may use
    what the earlier periods of the year left of the cap. A percent cap is of the sum of the
    year's prorated period values."""
    result: list[PeriodSettlement] = []
    for _, group in groupby(settled, key=lambda s: s.period.year):
        year = list(group)
        base = sum((s.period_value for s in year), ZERO)
        payment = contract.payment
        if payment.annual_bonus_cap is not None:
            cap = cap_amount(payment.annual_bonus_cap, base)
            year = _annual_cap(year, cap, "bonus")
        if payment.annual_sanction_cap is not None:
            cap = cap_amount(payment.annual_sanction_cap, base)
            year = _annual_cap(year, cap, "sanction")
        result += year
    return result


def _annual_cap(year: list[PeriodSettlement], cap: Decimal, side: Side) -> list[PeriodSettlement]:
    kind: AdjustmentKind = "annual-bonus-cap" if side == "bonus" else "annual-sanction-cap"
    used, out = NO_MONEY, []
    for settlement in year:
        total = settlement.bonus_total if side == "bonus" else settlement.sanction_total
        left = max(cap - used, NO_MONEY)
        why = message(f"engine.adjustment.annual_{side}_cap", year_cap=cap)
        extra = cap_reduction(total, left, kind, side, why)
        used += min(total, left)
        out.append(with_totals(replace(settlement, adjustments=(*settlement.adjustments, *extra))))
    return out


def with_totals(settlement: PeriodSettlement) -> PeriodSettlement:
    """§6.4 totals: Σ line amounts + Σ counted adjustments of that side; net = bonus − sanction."""
    lines, adjustments = settlement.lines, settlement.adjustments
    bonus = sum((line.bonus for line in lines), NO_MONEY) + _adjusted(adjustments, "bonus")
    sanction = sum((line.sanction for line in lines), NO_MONEY) + _adjusted(adjustments, "sanction")
    return replace(settlement, bonus_total=bonus, sanction_total=sanction, net=bonus - sanction)


def _adjusted(adjustments: Sequence[Adjustment], side: Side) -> Decimal:
    return sum((a.amount for a in adjustments if a.side == side and a.counted), NO_MONEY)


# --- words: the rule and the explanation of a line, as messages ------------------------------
# Every key is `engine.…`; the texts are in etl/texts/<language>/engine.toml.


def _money_rule(money: Money | None, key: str) -> Message:
    """Money of a clause: `<key>_eur` with `amount`, or `<key>_percent` with `percent` (of the
    period value); no money at all reads as 0 €."""
    if money is not None and money.percent is not None:
        return message(f"{key}_percent", percent=money.percent)
    amount = money.eur if money is not None and money.eur is not None else NO_MONEY
    return message(f"{key}_eur", amount=amount)


def _bonus_rule(contract: Contract, indicator: Indicator) -> tuple[Message, ...]:
    bonus = indicator.bonus
    if bonus is None:
        return ()
    if bonus.scale == "rate":
        words = [message("engine.rule.rate", per_outcome=bonus.eur_per_outcome or NO_MONEY)]
        if bonus.max_per_client is not None:
            words.append(message("engine.rule.rate_max_client", amount=bonus.max_per_client))
        if bonus.max_per_period is not None:
            words.append(message("engine.rule.rate_max_period", amount=bonus.max_per_period))
        return tuple(words)
    scale = message(f"engine.rule.scale.{bonus.scale}")
    if contract.payment.bonus_pool is not None:
        return scale, _money_rule(contract.payment.bonus_pool, "engine.rule.pool")
    return scale, _money_rule(bonus.money, "engine.rule.full")


def _sanction_rule(indicator: Indicator) -> tuple[Message, ...]:
    sanction = indicator.sanction
    if sanction is None:
        return ()
    if sanction.kind == "per-unit":
        per_unit = sanction.per_unit or NO_MONEY
        if sanction.cap is None:
            return (message("engine.rule.per_unit", per_unit=per_unit),)
        return (message("engine.rule.per_unit_cap", per_unit=per_unit, cap=sanction.cap),)
    return (_money_rule(sanction.money, "engine.rule.below_minimum"),)


def rule_words(contract: Contract, indicator: Indicator) -> tuple[Message, ...]:
    """The clause in words: scale and money, sanction kind and money."""
    words = (*_bonus_rule(contract, indicator), *_sanction_rule(indicator))
    return words or (message("engine.rule.monitored"),)


def _value_words(line: Line, assessment: Assessment) -> tuple[Message, ...]:
    """The value against the levels in force (and their date), or why there is none; then
    the status in words and how the value came about."""
    status = message(f"engine.status.{line.status}")
    if assessment.note:
        return (*assessment.note, message("engine.line.status_is"), status)
    level = line.level
    value = line.value if line.value is not None else ZERO
    if level is None:
        return message("engine.line.value", value=value, n=line.n), status
    levels: dict[str, Value] = {
        "minimum": level.minimum,
        "target": level.target,
        "level_from": level.start,
    }
    if level.threshold is not None:
        against = message(
            "engine.line.value_threshold", value=value, n=line.n,
            threshold=level.threshold, **levels,
        )  # fmt: skip
    else:
        against = message("engine.line.value_levels", value=value, n=line.n, **levels)
    return (against, status, *assessment.derivation)


def _money_words(line: Line, weights: Fraction, pooled: bool) -> tuple[Message, ...]:
    """The rate card's pay, or fraction × money = the exact amount, rounded once."""
    if line.scale == "rate" and line.value is not None and line.status != "not-assessable":
        return (
            message(
                "engine.line.rate", outcomes=line.value, exact=line.bonus_exact,
                amount=line.bonus_before_gate,
            ),
        )  # fmt: skip
    if line.fraction is None or line.money is None:
        return ()
    values: dict[str, Value] = {
        "fraction": line.fraction, "money": line.money,
        "exact": line.bonus_exact, "bonus": line.bonus_before_gate,
    }  # fmt: skip
    key = "engine.line.fraction"
    if line.baseline is not None:
        key += "_baseline"
        values["baseline"] = line.baseline
    if pooled:
        key += "_pool"
        values |= {"weight": line.weight, "weights": weights}
    return (Message(key, values),)


def _sanction_words(line: Line, assessment: Assessment) -> tuple[Message, ...]:
    """The sanction charged; for a per-unit sanction its units × price, and the per-unit cap
    as a step of its own when it takes the amount down (§5: min(count × X, cap))."""
    if not line.sanction:
        return ()
    sanction = assessment.indicator.sanction
    if sanction is None or sanction.kind != "per-unit" or assessment.missing:
        return (message("engine.line.sanction", amount=line.sanction),)
    units, per_unit = line.value or ZERO, sanction.per_unit or NO_MONEY
    values: dict[str, Value] = {"units": units, "per_unit": per_unit, "amount": line.sanction}
    if line.sanction_before_cap is not None:
        return (
            message(
                "engine.line.sanction_per_unit_capped",
                uncapped=line.sanction_before_cap, cap=sanction.cap, **values,
            ),
        )  # fmt: skip
    return (message("engine.line.sanction_per_unit", **values),)


CLAUSE = "engine.line.clause"
"""The message after which an explanation says the clause the line comes from."""


def clause_of(explanation: Sequence[Message]) -> tuple[Message, ...]:
    """The clause at the end of an explanation (`explain`); () when it names none."""
    keys = [m.key for m in explanation]
    return tuple(explanation[keys.index(CLAUSE) + 1 :]) if CLAUSE in keys else ()


def explain(
    line: Line, assessment: Assessment, weights: Fraction, pooled: bool, gates: tuple[str, ...]
) -> tuple[Message, ...]:
    """How the euro came about: value against the levels, fraction × money, gate, sanction,
    and last the clause the line comes from (after `engine.line.clause`)."""
    words = [*_value_words(line, assessment), *_money_words(line, weights, pooled)]
    if gates and line.bonus_before_gate:
        words.append(message("engine.line.gate_withheld", gates=", ".join(gates), paid=NO_MONEY))
    words += _sanction_words(line, assessment)
    if line.status == "not-assessable":
        words.append(message("engine.line.nothing"))
    return (*words, message(CLAUSE), *line.rule)
