"""Check cases (format §8): load a case file, settle its contract, compare with expectations.

A case that cannot be read (bad TOML, bad contract, bad row, unknown field) is an error result
naming the file and the field, never an exception. This module and `terms` are the only ones
in `contracts` that read files.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from contracts.data_rules import (
    LIMIT,
    NEGATIVE_COUNT,
    NEGATIVE_SUM,
    NOT_A_NUMBER,
    TOO_LARGE,
    TOO_MANY_DECIMALS,
    number_problem,
)
from contracts.exact import Rational, round_half_up
from contracts.messages import Message, Value, message
from contracts.periods import (
    Period,
    parse_delivery_period,
    parse_period_name,
    period_containing,
    periods_between,
)
from contracts.scales import STATUSES
from contracts.settlement import Line, PeriodSettlement, settle_contract
from contracts.terms import (
    Contract,
    Problem,
    TermsError,
    parse_contract,
    parse_toml_text,
    to_decimal,
)
from contracts.values import Observation, tally_observations

CASE_KEYS = ("name", "source", "contract", "observation", "expect")
LINE_FIELDS = ("status", "value", "n", "fraction", "bonus", "bonus_before_gate", "sanction")
TOTAL_FIELDS = ("bonus", "sanction", "net")
MONEY_FIELDS = ("bonus", "bonus_before_gate", "sanction", "net")
NUMBER_FIELDS = ("value", "n", "fraction")
ROW_ALIASES = {
    "sopimus": "contract",
    "mittari": "indicator",
    "kausi": "period",
    "kuukausi": "period",
    "arvo": "value",
    "osoittaja": "numerator",
    "nimittäjä": "denominator",
    "poissuljetut": "excluded",
    "asiakas": "client",
}
ROW_KEYS = (
    "contract",
    "indicator",
    "period",
    "value",
    "n",
    "numerator",
    "denominator",
    "excluded",
    "client",
)
ROW_NUMBERS = ("value", "numerator", "denominator", "excluded")
NONE = "none"

Expected = str | Decimal


class Fail:
    """Records a problem of one row's field: `engine.check.<key>` with its values."""

    def __init__(self, problems: list[Problem], file: str, where: str, bare: bool) -> None:
        self.problems, self.file, self.where, self.bare = problems, file, where, bare

    def __call__(self, field: str, key: str, **values: Value) -> None:
        path = f"{self.where}.{field}" if field or not self.bare else self.where
        self.problems.append(Problem(self.file, path, message(f"engine.check.{key}", **values)))


_DATA_RULES = {
    NOT_A_NUMBER: "not_a_number",
    TOO_LARGE: "number_too_large",
    TOO_MANY_DECIMALS: "too_many_decimals",
    NEGATIVE_COUNT: "negative_count",
    NEGATIVE_SUM: "negative_sum",
}
"""The data rules' problems (shared with the delivery loader) as check-case message keys."""


@dataclass(frozen=True)
class Expectation:
    """One [[expect]] row: a line (indicator given) or the period totals (indicator None)."""

    where: str
    period: Period
    indicator: str | None
    fields: tuple[tuple[str, Expected], ...]


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    source: str
    contract: Contract
    observations: tuple[Observation, ...]
    expectations: tuple[Expectation, ...]


@dataclass(frozen=True)
class Difference:
    """An expectation the engine did not meet: indicator None means the period totals."""

    period: str
    indicator: str | None
    field: str
    expected: str
    got: str


@dataclass(frozen=True)
class CaseResult:
    file: str
    name: str
    differences: tuple[Difference, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def outcome(self) -> Literal["pass", "fail", "error"]:
        if self.problems:
            return "error"
        return "fail" if self.differences else "pass"

    @property
    def passed(self) -> bool:
        return self.outcome == "pass"


def run_case_file(path: Path | str) -> CaseResult:
    """Read, run and compare one case file."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = Problem(file, "(file)", message("engine.terms.unreadable", error=str(error)))
        return CaseResult(file, "", problems=(problem,))
    return run_case_text(text, file)


def run_case_text(text: str, file: str) -> CaseResult:
    """Run the case in `text`; `file` names it in results and problems."""
    try:
        case = load_case_text(text, file)
    except TermsError as error:
        return CaseResult(file, "", problems=tuple(error.problems))
    return run_case(case)


def run_case(case: Case) -> CaseResult:
    """Settle the case's contract on its observations and compare every expectation."""
    settlements = settle_contract(case.contract, tally_observations(case.observations))
    by_period = {s.period: s for s in settlements}
    differences = [
        difference
        for expectation in case.expectations
        for difference in compare(expectation, by_period[expectation.period])
    ]
    return CaseResult(case.file, case.name, differences=tuple(differences))


def difference_message(difference: Difference) -> Message:
    """A difference in words: `engine.check.difference` (a line) or `…difference_total`."""
    values: dict[str, Value] = {
        "period": difference.period, "field": difference.field,
        "expected": difference.expected, "got": difference.got,
    }  # fmt: skip
    if difference.indicator is None:
        return Message("engine.check.difference_total", values)
    return Message("engine.check.difference", {**values, "indicator": difference.indicator})


def _key_and_values(said: Message) -> str:
    values = ", ".join(f"{k}={v}" for k, v in said.values.items())
    return f"{said.key} ({values})" if values else said.key


def format_case_result(
    result: CaseResult, render: Callable[[Message], str] = _key_and_values
) -> str:
    """`PASS file: name`, or `FAIL file: name` and one indented line per difference, or one
    `ERROR file: field: message` line per problem; `render` puts a message into words (the
    command line passes etl.messages.render in the user's language)."""
    if result.outcome == "error":
        return "\n".join(f"ERROR {p.file}: {p.field}: {render(p.message)}" for p in result.problems)
    head = f"{result.outcome.upper()} {result.file}: {result.name}"
    rows = [f"  {render(difference_message(d))}" for d in result.differences]
    return "\n".join([head, *rows])


# --- comparing -------------------------------------------------------------------------------


def compare(expectation: Expectation, settlement: PeriodSettlement) -> list[Difference]:
    """Every field of the expectation that the settlement does not meet."""
    line = _line(settlement, expectation.indicator)
    differences = []
    for field, expected in expectation.fields:
        got = _got(settlement, line, field)
        if not matches(field, expected, got):
            shown = shown_as(field, expected, got)
            period = settlement.period.name
            differences.append(
                Difference(period, expectation.indicator, field, str(expected), shown)
            )
    return differences


def _line(settlement: PeriodSettlement, indicator: str | None) -> Line | None:
    return next((line for line in settlement.lines if line.indicator == indicator), None)


def _got(settlement: PeriodSettlement, line: Line | None, field: str) -> object:
    if line is None:
        totals = {
            "bonus": settlement.bonus_total,
            "sanction": settlement.sanction_total,
            "net": settlement.net,
        }
        return totals[field]
    return getattr(line, field)


def decimals_of(expected: Decimal) -> int:
    """How many decimals the expectation is written with."""
    exponent = expected.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def round_like(got: Rational, expected: Decimal) -> Decimal:
    """The computed number rounded half-up to as many decimals as the expectation has."""
    return round_half_up(got, decimals_of(expected))


def matches(field: str, expected: Expected, got: object) -> bool:
    """Money: exactly, to the cent. Status: the word. Value, fraction and n: after rounding
    half-up to as many decimals as the expectation is written with."""
    if isinstance(expected, str):
        return (got is None) if expected == NONE else got == expected
    if not isinstance(got, Decimal | Fraction | int):
        return False
    if field in MONEY_FIELDS:
        return got == expected
    return round_like(got, expected) == expected


def shown_as(field: str, expected: Expected, got: object) -> str:
    """The computed value as compared: money as is, numbers rounded like the expectation."""
    if got is None:
        return NONE
    if field in NUMBER_FIELDS and isinstance(expected, Decimal) and isinstance(got, Rational):
        return str(round_like(got, expected))
    return str(got)


# --- loading ---------------------------------------------------------------------------------


def load_case_file(path: Path) -> Case:
    """Read and validate one case file, or raise TermsError with every problem."""
    return load_case_text(path.read_text(encoding="utf-8"), str(path))


def load_case_text(text: str, file: str) -> Case:
    """Parse and validate a case: the contract, its observation rows and its expectations."""
    data = parse_toml_text(text, file)
    allowed = ", ".join(CASE_KEYS)
    problems = [
        Problem(file, key, message("engine.terms.unknown_key", allowed=allowed))
        for key in sorted(set(data) - set(CASE_KEYS))
    ]
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(file, "name", message("engine.check.name_required")))
    source = data.get("source", "")
    contract_data = data.get("contract")
    if not isinstance(contract_data, dict):
        problems.append(Problem(file, "contract", message("engine.check.contract_required")))
        raise TermsError(problems)
    try:
        contract = parse_contract(contract_data, file, prefix="contract")
    except TermsError as error:
        raise TermsError(problems + error.problems) from error
    observations = [
        _observation(contract, row, f"observation[{i}]", file, problems)
        for i, row in enumerate(_rows(data, "observation", file, problems))
    ]
    expectations = [
        _expectation(contract, row, f"expect[{i}]", file, problems)
        for i, row in enumerate(_rows(data, "expect", file, problems))
    ]
    if not expectations and not problems:
        problems.append(Problem(file, "expect", message("engine.check.expect_required")))
    if problems:
        raise TermsError(problems)
    return Case(
        file,
        str(name),
        str(source),
        contract,
        tuple(o for o in observations if o is not None),
        tuple(e for e in expectations if e is not None),
    )


def _rows(
    data: Mapping[str, Any], key: str, file: str, problems: list[Problem]
) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        problems.append(Problem(file, key, message("engine.check.array", table=key)))
        return []
    return value


def _observation(
    contract: Contract, raw: Mapping[str, Any], where: str, file: str, problems: list[Problem]
) -> Observation | None:
    """One §7 row: known fields (English or Finnish names), a period that rolls up into one
    settlement period, and the fields its indicator's aggregate needs."""
    before = len(problems)
    fail = Fail(problems, file, where, bare=True)
    row = {ROW_ALIASES.get(key, key): value for key, value in raw.items()}
    for key in sorted(set(row) - set(ROW_KEYS)):
        fail(key, "unknown_field", allowed=", ".join(ROW_KEYS))
    if "contract" in row and row["contract"] != contract.id:
        fail("contract", "other_contract", got=repr(row["contract"]), contract=repr(contract.id))
    indicator = contract.indicator(str(row.get("indicator", "")))
    if indicator is None:
        fail("indicator", "unknown_indicator", got=repr(row.get("indicator")))
    period = _row_period(row.get("period"), contract, fail)
    aggregate = indicator.aggregate if indicator is not None else None
    numbers = {key: _number(row[key], key, aggregate, fail) for key in ROW_NUMBERS if key in row}
    n = _count(row["n"], fail) if "n" in row else None
    if indicator is not None:
        _check_fit(indicator.aggregate, row, numbers, fail)
    if len(problems) > before or period is None or indicator is None:
        return None
    client = row.get("client")
    return Observation(
        indicator=indicator.id,
        period=period,
        value=numbers.get("value"),
        numerator=numbers.get("numerator"),
        denominator=numbers.get("denominator"),
        excluded=numbers.get("excluded"),
        n=n,
        client=str(client) if client is not None else None,
    )


def _row_period(value: object, contract: Contract, fail: Fail) -> Period | None:
    """A month (`2025-03`, `3/2025`, `1.3.2025`) or a period name, inside one settlement
    period of the contract."""
    if isinstance(value, date):
        period: Period | None = Period(value.year, value.month, "month")
    elif isinstance(value, str | int) and not isinstance(value, bool):
        period = parse_delivery_period(str(value))
    else:
        period = None
    if period is None:
        fail("period", "row_period", got=repr(value))
        return None
    if not period_containing(period.first_day, contract.period).contains(period):
        fail("period", "period_fit", period=period.name, kind=contract.period)
        return None
    return period


def _number(value: object, key: str, aggregate: str | None, fail: Fail) -> Decimal | None:
    """A number of the row, by the rule the delivery loader applies too (`data_rules`)."""
    number = to_decimal(value)
    problem = number_problem(number, key, aggregate)
    if problem is not None:
        fail(key, _DATA_RULES[problem], got=repr(value))
        return None
    return number


def _count(value: object, fail: Fail) -> int | None:
    number = to_decimal(value)
    if number is None or not 0 <= number < LIMIT or number != number.to_integral_value():
        fail("n", "count", limit=LIMIT - 1, got=repr(value))
        return None
    return int(number)


def _check_fit(
    aggregate: str, row: Mapping[str, Any], numbers: Mapping[str, Decimal | None], fail: Fail
) -> None:
    """§7: ratio rows carry numerator and denominator (optional excluded); mean, sum and last
    rows carry a value (with n)."""
    needed: tuple[str, ...] = ("value",)
    foreign: tuple[str, ...] = ("numerator", "denominator", "excluded")
    if aggregate == "ratio":
        needed, foreign = ("numerator", "denominator"), ("value", "n")
    for key in needed:
        if key not in row:
            fail(key, "field_required", aggregate=aggregate)
    for key in foreign:
        if key in row:
            fail(key, "field_not_applicable", aggregate=aggregate)
    denominator, excluded = numbers.get("denominator"), numbers.get("excluded")
    if denominator is not None and excluded is not None and excluded > denominator:
        fail("excluded", "excluded", excluded=excluded, denominator=denominator)


def _expectation(
    contract: Contract, row: Mapping[str, Any], where: str, file: str, problems: list[Problem]
) -> Expectation | None:
    """One [[expect]]: a settlement period of the contract, an optional known indicator, and
    known fields with well-formed expected values."""
    before = len(problems)
    fail = Fail(problems, file, where, bare=False)
    indicator = row.get("indicator")
    allowed = LINE_FIELDS if indicator is not None else TOTAL_FIELDS
    period = _expected_period(row.get("period"), contract, fail)
    if indicator is not None and contract.indicator(str(indicator)) is None:
        fail("indicator", "unknown_indicator", got=repr(indicator))
    fields = []
    for key in sorted(set(row) - {"period", "indicator"}):
        if key not in allowed:
            what = "line" if indicator is not None else "totals"
            fail(key, f"unknown_{what}_field", allowed=", ".join(allowed))
            continue
        expected = _expected_value(key, row[key], fail)
        if expected is not None:
            fields.append((key, expected))
    if not fields and len(problems) == before:
        fail("(fields)", "compares_nothing", allowed=", ".join(allowed))
    if len(problems) > before or period is None:
        return None
    return Expectation(where, period, str(indicator) if indicator else None, tuple(fields))


def _expected_period(value: object, contract: Contract, fail: Fail) -> Period | None:
    period = parse_period_name(str(value)) if isinstance(value, str | int) else None
    settled = periods_between(contract.start, contract.end, contract.period)
    if period is None or period not in settled:
        if settled:
            fail("period", "not_a_period", got=repr(value), first=settled[0].name,
                 last=settled[-1].name)  # fmt: skip
        else:
            fail("period", "no_periods", got=repr(value))
        return None
    return period


def _expected_value(field: str, value: object, fail: Fail) -> Expected | None:
    if field == "status":
        if value not in STATUSES:
            fail(field, "unknown_status", got=repr(value), options=", ".join(STATUSES))
            return None
        return str(value)
    if field in NUMBER_FIELDS and value == NONE:
        return NONE
    number = to_decimal(value)
    if number is None:
        fail(field, "number_string", got=repr(value))
    return number


def failed_case(file: str, error: Exception) -> CaseResult:
    """A case the engine could not run: that file's error, so that the other files are still
    run and reported."""
    problem = Problem(file, "(case)", message("engine.check.engine_failed", error=repr(error)))
    return CaseResult(file, "", problems=(problem,))
