"""Contract terms, format 1: typed immutable objects, the TOML loader and its validation.

Every problem in a file is collected and reported at once, each with the file, the field path
(`indicator[2].levels[1].from`) and what is wrong. Numbers are read as exact decimals.
"""

import hashlib
import itertools
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, cast, get_args

from contracts.business_id import business_id_message
from contracts.exact import Rational, exact
from contracts.messages import Message, Value, message
from contracts.periods import PERIOD_KINDS, PeriodKind

Theme = Literal[
    "asiakaskokemus", "henkilostokokemus", "hyva-johtaminen", "talouden-tasapaino", "vaikuttavuus"
]
Direction = Literal["higher", "lower"]
Aggregate = Literal["ratio", "mean", "sum", "last"]
Missing = Literal["not-assessable", "fail"]
Scale = Literal["binary", "linear", "bands", "improvement", "rate"]

THEMES: tuple[str, ...] = get_args(Theme)
DIRECTIONS: tuple[str, ...] = get_args(Direction)
AGGREGATES: tuple[str, ...] = get_args(Aggregate)
MISSING_RULES: tuple[str, ...] = get_args(Missing)
SCALES: tuple[str, ...] = get_args(Scale)
LANGUAGES = ("fi", "sv", "en")

_ID = re.compile(r"[A-Za-z0-9_.-]+")
HILMA_NUMBER = re.compile(r"(19|20)[0-9]{2}-[0-9]{4,7}")
"""A Hilma notice number as Hilma shows it: the year, a hyphen and the running number
(`2026-123456`)."""
MAX_NUMBER = Decimal(10) ** 12
"""Every number of the terms is smaller than this in size (a trillion: far above any contract,
and what the store's DECIMAL(18, 2) money columns hold with room for sums)."""
MAX_PLACES = 10
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
"""Dates of the terms lie between these (a contract, its levels)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a contract file: the file, the field path and what is wrong, as a
    message (`engine.terms.…`; etl.messages renders it in the user's language)."""

    file: str
    field: str
    message: Message

    def __str__(self) -> str:
        values = ", ".join(f"{k}={v}" for k, v in self.message.values.items())
        return f"{self.file}: {self.field}: {self.message.key}" + (f" ({values})" if values else "")


class TermsError(Exception):
    """A contract file that cannot be accepted; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Text:
    """A name in Finnish, Swedish and English (a plain string serves all three)."""

    fi: str
    sv: str
    en: str

    def get(self, language: str) -> str:
        return cast(str, getattr(self, language, self.fi))


@dataclass(frozen=True)
class Money:
    """A sum of money: a fixed `eur` amount or a `percent` of the (prorated) period value."""

    eur: Decimal | None = None
    percent: Decimal | None = None

    def amount(self, period_value: Rational) -> Fraction:
        """The exact amount, unrounded: eur, or percent / 100 of the period value."""
        if self.eur is not None:
            return exact(self.eur)
        assert self.percent is not None
        return exact(period_value) * exact(self.percent) / 100


@dataclass(frozen=True)
class Level:
    """Levels in force from `start` (the TOML key `from`) until the next level's start."""

    start: date
    minimum: Decimal
    target: Decimal
    threshold: Decimal | None = None

    @property
    def zero(self) -> Decimal:
        """Where the bonus starts: the threshold if given, else the minimum."""
        return self.threshold if self.threshold is not None else self.minimum


@dataclass(frozen=True)
class Band:
    at: Decimal
    fraction: Decimal


@dataclass(frozen=True)
class Bonus:
    """A bonus clause (§4). `money` is None in pool mode and for the rate scale."""

    scale: Scale
    money: Money | None = None
    bands: tuple[Band, ...] = ()
    baseline: Decimal | Literal["previous-year"] | None = None
    eur_per_outcome: Decimal | None = None
    max_per_client: Decimal | None = None
    max_per_period: Decimal | None = None


@dataclass(frozen=True)
class Sanction:
    """A sanction clause (§5): fixed below the minimum, or per unit counted with a cap."""

    kind: Literal["below-minimum", "per-unit"]
    money: Money | None = None
    per_unit: Decimal | None = None
    cap: Decimal | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    name: Text
    theme: Theme
    unit: str
    direction: Direction
    aggregate: Aggregate
    levels: tuple[Level, ...]
    per: Decimal = Decimal(1)
    min_n: int = 1
    missing: Missing = "not-assessable"
    weight: Decimal = Decimal(1)
    bonus: Bonus | None = None
    sanction: Sanction | None = None

    def level_on(self, day: date) -> Level | None:
        """The level whose start is the latest on or before `day`."""
        in_force = [level for level in self.levels if level.start <= day]
        return in_force[-1] if in_force else None


@dataclass(frozen=True)
class Payment:
    bonus_pool: Money | None = None
    bonus_cap: Money | None = None
    sanction_cap: Money | None = None
    annual_bonus_cap: Money | None = None
    annual_sanction_cap: Money | None = None
    gates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Supplier:
    name: str
    business_id: str


@dataclass(frozen=True)
class OptionPeriod:
    """An extension the buyer may use (`[[option]]`): the contract continues from `start` to
    `end` (inclusive) if the buyer decides so by `decision_due`."""

    start: date
    end: date
    decision_due: date
    note: str | None = None


@dataclass(frozen=True)
class NextTender:
    """The planned next tender of the contract's service (`[next_tender]`): what it buys, the
    service, who prepares it, when the call for tenders is estimated to be published, and its
    Hilma notice number once there is one."""

    subject: Text
    service: str
    publication_estimate: date
    preparers: tuple[str, ...] = ()
    hilma: str | None = None


@dataclass(frozen=True)
class Contract:
    id: str
    title: str
    service: str
    buyer: str
    supplier: Supplier
    start: date
    end: date
    period: PeriodKind
    period_value: Decimal
    indicators: tuple[Indicator, ...]
    payment: Payment = field(default_factory=Payment)
    framework: str | None = None
    prorate: bool = True
    format: int = 1
    options: tuple[OptionPeriod, ...] = ()
    next_tender: NextTender | None = None

    @property
    def last_possible_end(self) -> date:
        """The last day the contract can run: the end of its last option, or its end."""
        return self.options[-1].end if self.options else self.end

    def indicator(self, indicator_id: str) -> Indicator | None:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        return None


_CONTRACT_KEYS = {
    "format", "id", "title", "service", "buyer", "supplier", "framework", "start", "end",
    "period", "period_value", "prorate", "payment", "indicator", "option", "next_tender",
}  # fmt: skip
_OPTION_KEYS = {"start", "end", "decision_due", "note"}
_NEXT_TENDER_KEYS = {"subject", "service", "preparers", "publication_estimate", "hilma"}
_INDICATOR_KEYS = {
    "id", "name", "theme", "unit", "direction", "aggregate", "per", "min_n", "missing",
    "weight", "levels", "bonus", "sanction",
}  # fmt: skip
_PAYMENT_MONEY_KEYS = (
    "bonus_pool", "bonus_cap", "sanction_cap", "annual_bonus_cap", "annual_sanction_cap",
)  # fmt: skip
_BONUS_KEYS = {
    "scale", "eur", "percent", "bands", "baseline", "eur_per_outcome", "max_per_client",
    "max_per_period",
}  # fmt: skip


class _Reader:
    """Reads fields out of parsed TOML, recording a Problem for every defect."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, path: str, key: str, **values: Value) -> None:
        """A problem of the field at `path`: `engine.terms.<key>` with its values."""
        self.problems.append(Problem(self.file, path, message(f"engine.terms.{key}", **values)))

    def table(self, value: object, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, "not_table", got=_describe(value))
            return None
        return value

    def known_keys(self, table: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in sorted(set(table) - allowed):
            self.fail(_join(path, key), "unknown_key", allowed=", ".join(sorted(allowed)))

    def text(
        self, table: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.fail(_join(path, key), "required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(_join(path, key), "not_text", got=_describe(value))
            return None
        return value

    def identifier(self, table: Mapping[str, Any], key: str, path: str) -> str | None:
        value = self.text(table, key, path)
        if value is not None and not _ID.fullmatch(value):
            self.fail(_join(path, key), "bad_id", value=repr(value))
            return None
        return value

    def choice(
        self, table: Mapping[str, Any], key: str, options: tuple[str, ...], path: str,
        default: str | None = None,
    ) -> str | None:  # fmt: skip
        value = table.get(key, default)
        if value is None:
            self.fail(_join(path, key), "required_choice", options=", ".join(options))
            return None
        if value not in options:
            self.fail(
                _join(path, key), "unknown_choice", value=repr(value), options=", ".join(options)
            )
            return None
        return cast(str, value)

    def decimal(
        self, table: Mapping[str, Any], key: str, path: str, *, required: bool = True,
        minimum: Decimal | None = None, default: Decimal | None = None,
    ) -> Decimal | None:  # fmt: skip
        value = table.get(key)
        if value is None:
            if required and default is None:
                self.fail(_join(path, key), "required")
            return default
        number = to_decimal(value)
        if number is None:
            self.fail(_join(path, key), "not_number", got=_describe(value))
            return None
        problem = size_problem(number)
        if problem is not None:
            self.problems.append(Problem(self.file, _join(path, key), problem))
            return None
        if minimum is not None and number < minimum:
            self.fail(_join(path, key), "too_small", minimum=minimum, got=str(number))
            return None
        return number

    def day(self, table: Mapping[str, Any], key: str, path: str) -> date | None:
        value = table.get(key)
        if value is None:
            self.fail(_join(path, key), "date_required")
            return None
        day: date | None = None
        if isinstance(value, date) and not hasattr(value, "hour"):
            day = value
        elif isinstance(value, str):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                day = None
        if day is None:
            self.fail(_join(path, key), "not_date", got=_describe(value))
            return None
        if not FIRST_DAY <= day <= LAST_DAY:
            self.fail(_join(path, key), "date_outside", day=day, first=FIRST_DAY, last=LAST_DAY)
            return None
        return day

    def money(self, value: object, path: str) -> Money | None:
        table = self.table(value, path)
        if table is None:
            return None
        self.known_keys(table, {"eur", "percent"}, path)
        if ("eur" in table) == ("percent" in table):
            self.fail(path, "eur_or_percent")
            return None
        eur = self.decimal(table, "eur", path, required=False, minimum=Decimal(0))
        percent = self.decimal(table, "percent", path, required=False, minimum=Decimal(0))
        if eur is None and percent is None:
            return None
        return Money(eur=eur, percent=percent)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(value: object) -> str:
    return f"{type(value).__name__} {value!r}"


def to_decimal(value: object) -> Decimal | None:
    """A TOML number or numeric string as an exact finite Decimal; None for anything else:
    booleans (although Python counts them as integers), nan and inf (which TOML accepts)."""
    if isinstance(value, bool):
        return None
    number: Decimal | None = None
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            return None
    return number if number is not None and number.is_finite() else None


def size_problem(number: Decimal) -> Message | None:
    """Why a finite number is too large or too finely written for the terms, or None."""
    if abs(number) >= MAX_NUMBER:
        return message("engine.terms.too_large", limit=int(MAX_NUMBER), got=str(number))
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_PLACES:
        return message("engine.terms.too_many_decimals", places=MAX_PLACES, got=str(number))
    return None


def _read_text(reader: _Reader, value: object, path: str) -> Text | None:
    if isinstance(value, str) and value.strip():
        return Text(value, value, value)
    table = reader.table(value, path) if not isinstance(value, str) else None
    if table is None:
        if isinstance(value, str):
            reader.fail(path, "empty")
        return None
    reader.known_keys(table, set(LANGUAGES), path)
    fi = reader.text(table, "fi", path)
    if fi is None:
        return None
    sv = reader.text(table, "sv", path, required=False) or fi
    en = reader.text(table, "en", path, required=False) or fi
    return Text(fi, sv, en)


def _read_levels(reader: _Reader, value: object, path: str) -> tuple[Level, ...]:
    if not isinstance(value, list) or not value:
        reader.fail(path, "levels_list")
        return ()
    levels: list[Level] = []
    for i, item in enumerate(value):
        item_path = f"{path}[{i}]"
        table = reader.table(item, item_path)
        if table is None:
            continue
        reader.known_keys(table, {"from", "minimum", "threshold", "target"}, item_path)
        start = reader.day(table, "from", item_path)
        minimum = reader.decimal(table, "minimum", item_path)
        target = reader.decimal(table, "target", item_path)
        threshold = reader.decimal(table, "threshold", item_path, required=False)
        if start is None or minimum is None or target is None:
            continue
        if levels and start <= levels[-1].start:
            reader.fail(f"{item_path}.from", "levels_order", day=start, previous=levels[-1].start)
        levels.append(Level(start, minimum, target, threshold))
    return tuple(levels)


def _check_level_order(
    reader: _Reader, levels: tuple[Level, ...], direction: str | None, path: str
) -> None:
    """Minimum, threshold and target must run in the indicator's direction of better."""
    if direction is None:
        return
    sign = Decimal(1) if direction == "higher" else Decimal(-1)
    for i, level in enumerate(levels):
        chain = [("minimum", level.minimum)]
        if level.threshold is not None:
            chain.append(("threshold", level.threshold))
        chain.append(("target", level.target))
        for (low_name, low), (high_name, high) in itertools.pairwise(chain):
            if (high - low) * sign < 0:
                reader.fail(
                    f"{path}[{i}]",
                    "level_at_least" if direction == "higher" else "level_at_most",
                    high_name=high_name, high=high, low_name=low_name, low=low,
                )  # fmt: skip


def _read_bonus(
    reader: _Reader, value: object, path: str, pool_mode: bool, aggregate: str | None
) -> Bonus | None:
    table = reader.table(value, path)
    if table is None:
        return None
    reader.known_keys(table, _BONUS_KEYS, path)
    scale = reader.choice(table, "scale", SCALES, path)
    if scale is None:
        return None
    money: Money | None = None
    has_money = "eur" in table or "percent" in table
    if scale == "rate":
        if has_money:
            reader.fail(path, "rate_no_money")
        if aggregate is not None and aggregate != "sum":
            reader.fail(path, "rate_needs_sum", aggregate=repr(aggregate))
    elif pool_mode:
        if has_money:
            reader.fail(path, "pool_no_money")
    elif not has_money:
        reader.fail(path, "bonus_money")
    else:
        money = reader.money({k: table[k] for k in ("eur", "percent") if k in table}, path)
    for key in ("eur_per_outcome", "max_per_client", "max_per_period"):
        if key in table and scale != "rate":
            reader.fail(_join(path, key), "only_scale", only="rate", scale=repr(scale))
    if "bands" in table and scale != "bands":
        reader.fail(_join(path, "bands"), "only_scale", only="bands", scale=repr(scale))
    if "baseline" in table and scale != "improvement":
        reader.fail(_join(path, "baseline"), "only_scale", only="improvement", scale=repr(scale))
    bands = (
        _read_bands(reader, table.get("bands"), _join(path, "bands")) if scale == "bands" else ()
    )
    baseline = _read_baseline(reader, table, path) if scale == "improvement" else None
    rate = scale == "rate"
    return Bonus(
        scale=cast(Scale, scale),
        money=money,
        bands=bands,
        baseline=baseline,
        eur_per_outcome=reader.decimal(table, "eur_per_outcome", path, minimum=Decimal(0))
        if rate
        else None,
        max_per_client=reader.decimal(
            table, "max_per_client", path, required=False, minimum=Decimal(0)
        )
        if rate
        else None,
        max_per_period=reader.decimal(
            table, "max_per_period", path, required=False, minimum=Decimal(0)
        )
        if rate
        else None,
    )


def _read_bands(reader: _Reader, value: object, path: str) -> tuple[Band, ...]:
    if not isinstance(value, list) or not value:
        reader.fail(path, "bands_list")
        return ()
    bands: list[Band] = []
    for i, item in enumerate(value):
        item_path = f"{path}[{i}]"
        table = reader.table(item, item_path)
        if table is None:
            continue
        reader.known_keys(table, {"at", "fraction"}, item_path)
        at = reader.decimal(table, "at", item_path)
        fraction = reader.decimal(table, "fraction", item_path, minimum=Decimal(0))
        if fraction is not None and fraction > 1:
            reader.fail(f"{item_path}.fraction", "at_most_one", got=str(fraction))
            continue
        if at is not None and fraction is not None:
            bands.append(Band(at, fraction))
    return tuple(bands)


def _read_baseline(
    reader: _Reader, table: Mapping[str, Any], path: str
) -> Decimal | Literal["previous-year"] | None:
    value = table.get("baseline")
    if value == "previous-year":
        return "previous-year"
    if value is None:
        reader.fail(_join(path, "baseline"), "baseline_required")
        return None
    number = to_decimal(value)
    if number is None:
        reader.fail(_join(path, "baseline"), "baseline_number", got=_describe(value))
        return None
    problem = size_problem(number)
    if problem is not None:
        reader.problems.append(Problem(reader.file, _join(path, "baseline"), problem))
        return None
    return number


def _read_sanction(
    reader: _Reader, value: object, path: str, aggregate: str | None
) -> Sanction | None:
    table = reader.table(value, path)
    if table is None:
        return None
    reader.known_keys(table, {"below", "eur", "percent", "per_unit", "cap"}, path)
    if "per_unit" in table:
        for key in ("below", "eur", "percent"):
            if key in table:
                reader.fail(_join(path, key), "not_with_per_unit")
        if aggregate is not None and aggregate != "sum":
            reader.fail(path, "per_unit_needs_sum", aggregate=repr(aggregate))
        per_unit = reader.decimal(table, "per_unit", path, minimum=Decimal(0))
        cap = reader.decimal(table, "cap", path, required=False, minimum=Decimal(0))
        return Sanction("per-unit", per_unit=per_unit, cap=cap) if per_unit is not None else None
    if "cap" in table:
        reader.fail(_join(path, "cap"), "cap_per_unit_only")
    if table.get("below") != "minimum":
        reader.fail(_join(path, "below"), "below_minimum", got=_describe(table.get("below")))
        return None
    money = reader.money({k: table[k] for k in ("eur", "percent") if k in table}, path)
    return Sanction("below-minimum", money=money) if money is not None else None


def _read_indicator(reader: _Reader, value: object, path: str, pool_mode: bool) -> Indicator | None:
    table = reader.table(value, path)
    if table is None:
        return None
    reader.known_keys(table, _INDICATOR_KEYS, path)
    indicator_id = reader.identifier(table, "id", path)
    name = None
    if "name" in table:
        name = _read_text(reader, table["name"], _join(path, "name"))
    else:
        reader.fail(_join(path, "name"), "required")
    theme = reader.choice(table, "theme", THEMES, path)
    unit = reader.text(table, "unit", path, required=False) or ""
    direction = reader.choice(table, "direction", DIRECTIONS, path)
    aggregate = reader.choice(table, "aggregate", AGGREGATES, path)
    per = reader.decimal(table, "per", path, required=False, default=Decimal(1))
    if per is not None and per <= 0:
        reader.fail(_join(path, "per"), "positive", got=str(per))
    min_n = _read_min_n(reader, table, path)
    missing = reader.choice(table, "missing", MISSING_RULES, path, default="not-assessable")
    weight = reader.decimal(table, "weight", path, required=False, default=Decimal(1))
    if weight is not None and weight < 0:
        reader.fail(_join(path, "weight"), "not_negative", got=str(weight))
    levels = _read_levels(reader, table.get("levels"), _join(path, "levels"))
    _check_level_order(reader, levels, direction, _join(path, "levels"))
    bonus = (
        _read_bonus(reader, table["bonus"], _join(path, "bonus"), pool_mode, aggregate)
        if "bonus" in table
        else None
    )
    if bonus is not None and bonus.scale == "linear":
        for i, level in enumerate(levels):
            if level.zero == level.target:
                zero_name = "threshold" if level.threshold is not None else "minimum"
                reader.fail(
                    f"{_join(path, 'levels')}[{i}]",
                    "linear_target", zero_name=zero_name, target=level.target,
                )  # fmt: skip
    sanction = (
        _read_sanction(reader, table["sanction"], _join(path, "sanction"), aggregate)
        if "sanction" in table
        else None
    )
    required = (indicator_id, name, theme, direction, aggregate, per, min_n, missing, weight)
    if any(part is None for part in required) or not levels:
        return None
    return Indicator(
        id=cast(str, indicator_id),
        name=cast(Text, name),
        theme=cast(Theme, theme),
        unit=unit,
        direction=cast(Direction, direction),
        aggregate=cast(Aggregate, aggregate),
        levels=levels,
        per=cast(Decimal, per),
        min_n=cast(int, min_n),
        missing=cast(Missing, missing),
        weight=cast(Decimal, weight),
        bonus=bonus,
        sanction=sanction,
    )


def _read_min_n(reader: _Reader, table: Mapping[str, Any], path: str) -> int | None:
    value = table.get("min_n", 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        reader.fail(_join(path, "min_n"), "min_n", got=_describe(value))
        return None
    return value


def _read_payment(
    reader: _Reader, value: object, path: str
) -> tuple[Payment, list[tuple[str, str]]]:
    table = reader.table(value, path)
    if table is None:
        return Payment(), []
    reader.known_keys(table, {*_PAYMENT_MONEY_KEYS, "gates"}, path)
    money = {
        key: reader.money(table[key], _join(path, key)) if key in table else None
        for key in _PAYMENT_MONEY_KEYS
    }
    gates_value = table.get("gates", [])
    gates: list[tuple[str, str]] = []
    if not isinstance(gates_value, list) or not all(isinstance(g, str) for g in gates_value):
        reader.fail(_join(path, "gates"), "gates_list")
    else:
        gates = [(g, f"{_join(path, 'gates')}[{i}]") for i, g in enumerate(gates_value)]
    return Payment(**money, gates=tuple(g for g, _ in gates)), gates


def parse_contract(data: Mapping[str, Any], file: str, prefix: str = "") -> Contract:
    """Build a Contract from parsed TOML (numbers as Decimal), or raise TermsError.

    `prefix` is prepended to field paths, e.g. "contract" for a check case's inline contract.
    """
    reader = _Reader(file)
    reader.known_keys(data, _CONTRACT_KEYS, prefix)
    if data.get("format") != 1:
        reader.fail(_join(prefix, "format"), "format_one", got=_describe(data.get("format")))
    contract_id = reader.identifier(data, "id", prefix)
    title = reader.text(data, "title", prefix)
    service = reader.text(data, "service", prefix)
    buyer = reader.text(data, "buyer", prefix)
    supplier = _read_supplier(reader, data.get("supplier"), _join(prefix, "supplier"))
    framework = reader.text(data, "framework", prefix, required=False)
    start = reader.day(data, "start", prefix)
    end = reader.day(data, "end", prefix)
    if start is not None and end is not None and end < start:
        reader.fail(_join(prefix, "end"), "end_before_start", end=end, start=start)
    period = reader.choice(data, "period", PERIOD_KINDS, prefix)
    period_value = reader.decimal(data, "period_value", prefix, minimum=Decimal(0))
    prorate = data.get("prorate", True)
    if not isinstance(prorate, bool):
        reader.fail(_join(prefix, "prorate"), "prorate", got=_describe(prorate))
    payment, gates = (
        _read_payment(reader, data["payment"], _join(prefix, "payment"))
        if "payment" in data
        else (Payment(), [])
    )
    indicators = _read_indicators(reader, data.get("indicator"), prefix, payment)
    raw_indicators = data.get("indicator")
    known = (
        {item.get("id") for item in raw_indicators or [] if isinstance(item, dict)}
        if isinstance(raw_indicators, list)
        else set()
    )
    for gate, gate_path in gates:
        if gate not in known:
            reader.fail(gate_path, "unknown_gate", gate=repr(gate))
    options = (
        _read_options(reader, data["option"], _join(prefix, "option"), end)
        if "option" in data
        else ()
    )
    next_tender = (
        _read_next_tender(reader, data["next_tender"], _join(prefix, "next_tender"), service)
        if "next_tender" in data
        else None
    )
    if reader.problems:
        raise TermsError(reader.problems)
    return Contract(
        id=cast(str, contract_id),
        title=cast(str, title),
        service=cast(str, service),
        buyer=cast(str, buyer),
        supplier=cast(Supplier, supplier),
        start=cast(date, start),
        end=cast(date, end),
        period=cast(PeriodKind, period),
        period_value=cast(Decimal, period_value),
        indicators=indicators,
        payment=payment,
        framework=framework,
        prorate=bool(prorate),
        options=options,
        next_tender=next_tender,
    )


def _read_options(
    reader: _Reader, value: object, path: str, end: date | None
) -> tuple[OptionPeriod, ...]:
    """`[[option]]`: each option period starts the day after the contract's end or the
    previous option's end (no gap, no overlap), ends on or after its start, and is decided
    before it starts."""
    if not isinstance(value, list):
        reader.fail(path, "option_list")
        return ()
    options: list[OptionPeriod] = []
    previous_end = end
    for i, item in enumerate(value):
        item_path = f"{path}[{i}]"
        table = reader.table(item, item_path)
        if table is None:
            previous_end = None
            continue
        reader.known_keys(table, _OPTION_KEYS, item_path)
        start = reader.day(table, "start", item_path)
        option_end = reader.day(table, "end", item_path)
        due = reader.day(table, "decision_due", item_path)
        note = reader.text(table, "note", item_path, required=False)
        if start is not None and previous_end is not None:
            expected = previous_end + timedelta(days=1)
            if start != expected:
                reader.fail(
                    _join(item_path, "start"), "option_follows",
                    day=start, expected=expected, previous=previous_end,
                )  # fmt: skip
        if start is not None and option_end is not None and option_end < start:
            reader.fail(_join(item_path, "end"), "end_before_start", end=option_end, start=start)
        if start is not None and due is not None and due >= start:
            reader.fail(_join(item_path, "decision_due"), "decision_before_start",
                        due=due, start=start)  # fmt: skip
        previous_end = option_end
        if start is not None and option_end is not None and due is not None:
            options.append(OptionPeriod(start, option_end, due, note))
    return tuple(options)


def _read_next_tender(
    reader: _Reader, value: object, path: str, service: str | None
) -> NextTender | None:
    """`[next_tender]`: subject (a text or fi/sv/en), service (the contract's unless given),
    preparers (names or units), the estimated publication day of the call for tenders, and
    the Hilma notice number when known."""
    table = reader.table(value, path)
    if table is None:
        return None
    reader.known_keys(table, _NEXT_TENDER_KEYS, path)
    subject = None
    if "subject" in table:
        subject = _read_text(reader, table["subject"], _join(path, "subject"))
    else:
        reader.fail(_join(path, "subject"), "required")
    own_service = reader.text(table, "service", path, required=False)
    preparers = _read_preparers(reader, table.get("preparers", []), _join(path, "preparers"))
    estimate = reader.day(table, "publication_estimate", path)
    hilma = reader.text(table, "hilma", path, required=False)
    if hilma is not None and not HILMA_NUMBER.fullmatch(hilma):
        reader.fail(_join(path, "hilma"), "hilma_form", value=repr(hilma))
        hilma = None
    chosen = own_service or service
    if subject is None or estimate is None or chosen is None:
        return None
    return NextTender(subject, chosen, estimate, preparers, hilma)


def _read_preparers(reader: _Reader, value: object, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        reader.fail(path, "preparers_list", got=_describe(value))
        return ()
    return tuple(v.strip() for v in value)


def _read_supplier(reader: _Reader, value: object, path: str) -> Supplier | None:
    if value is None:
        reader.fail(path, "supplier_required")
        return None
    table = reader.table(value, path)
    if table is None:
        return None
    reader.known_keys(table, {"name", "business_id"}, path)
    name = reader.text(table, "name", path)
    business_id = reader.text(table, "business_id", path)
    if business_id is not None:
        problem = business_id_message(business_id)
        if problem is not None:
            reader.problems.append(Problem(reader.file, _join(path, "business_id"), problem))
            return None
    if name is None or business_id is None:
        return None
    return Supplier(name, business_id)


def _read_indicators(
    reader: _Reader, value: object, prefix: str, payment: Payment
) -> tuple[Indicator, ...]:
    path = _join(prefix, "indicator")
    if not isinstance(value, list) or not value:
        reader.fail(path, "indicator_required")
        return ()
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        indicator = _read_indicator(reader, item, f"{path}[{i}]", payment.bonus_pool is not None)
        if indicator is None:
            continue
        if indicator.id in seen:
            reader.fail(f"{path}[{i}].id", "duplicate_id", id=repr(indicator.id))
            continue
        seen.add(indicator.id)
        indicators.append(indicator)
    return tuple(indicators)


def parse_toml_text(text: str, file: str) -> dict[str, Any]:
    """Parse TOML with every float read as an exact Decimal; a syntax error is a TermsError."""
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        problem = message("engine.terms.toml", error=str(error))
        raise TermsError([Problem(file, "(file)", problem)]) from error
    except RecursionError as error:
        problem = message("engine.terms.nested")
        raise TermsError([Problem(file, "(file)", problem)]) from error


def load_contract_text(text: str, file: str) -> Contract:
    """Parse and validate the text of one contract file."""
    return parse_contract(parse_toml_text(text, file), file)


def load_contract_file(path: Path) -> Contract:
    """Read, parse and validate one contract file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = message("engine.terms.unreadable", error=str(error))
        raise TermsError([Problem(str(path), "(file)", problem)]) from error
    return load_contract_text(text, str(path))


def canonical_json(data: Mapping[str, Any]) -> str:
    """Parsed TOML as sorted JSON: equal for files that differ only in layout or comments."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=_json_default)


def terms_digest(data: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON: what decides whether a file is a new version."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def _json_default(value: object) -> str:
    if isinstance(value, Decimal | date):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")
