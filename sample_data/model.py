"""Contract terms as plain data, rendered to contract TOML format 1, and Y-tunnus check digits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeAlias

TomlValue: TypeAlias = "str | int | bool | Decimal | date | list[TomlValue] | dict[str, TomlValue]"
Table: TypeAlias = "dict[str, TomlValue]"

_YTUNNUS_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def d(text: str) -> Decimal:
    """An exact decimal written as text ("3000.00", "0.70")."""
    return Decimal(text)


def ytunnus_check_digit(digits: str) -> int | None:
    """Check digit of a 7-digit Y-tunnus body, or None when no valid ID has this body."""
    remainder = sum(int(c) * w for c, w in zip(digits, _YTUNNUS_WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def is_valid_ytunnus(business_id: str) -> bool:
    body, _, check = business_id.partition("-")
    if len(body) != 7 or not body.isdigit() or len(check) != 1 or not check.isdigit():
        return False
    return ytunnus_check_digit(body) == int(check)


def ytunnus(digits: str) -> str:
    """A full valid Y-tunnus for a 7-digit body (the body must not leave remainder 1)."""
    check = ytunnus_check_digit(digits)
    if check is None:
        raise ValueError(f"{digits} cannot carry a check digit (remainder 1)")
    return f"{digits}-{check}"


def level(
    start: date, minimum: str, target: str, threshold: str | None = None
) -> dict[str, TomlValue]:
    """One dated level: minimum, optional threshold, target."""
    table: dict[str, TomlValue] = {"from": start, "minimum": d(minimum)}
    if threshold is not None:
        table["threshold"] = d(threshold)
    table["target"] = d(target)
    return table


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str | dict[str, str]
    theme: str
    unit: str
    direction: str
    aggregate: str
    min_n: int
    levels: list[dict[str, TomlValue]]
    missing: str = "not-assessable"
    per: int | None = None
    weight: Decimal | None = None
    bonus: dict[str, TomlValue] | None = None
    sanction: dict[str, TomlValue] | None = None


@dataclass(frozen=True)
class Contract:
    id: str
    title: str
    service: str
    buyer: str
    supplier: str
    business_id: str
    start: date
    end: date
    period: str
    period_value: Decimal
    indicators: list[Indicator]
    framework: str | None = None
    payment: dict[str, TomlValue] = field(default_factory=dict)

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(f"{self.id} has no indicator {indicator_id}")


def toml_value(value: TomlValue) -> str:
    """A TOML value on one line (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"


def _levels_line(levels: list[dict[str, TomlValue]]) -> str:
    if len(levels) == 1:
        return f"levels = [{toml_value(levels[0])}]"
    inner = "".join(f"  {toml_value(item)},\n" for item in levels)
    return f"levels = [\n{inner}]"


def _indicator_lines(indicator: Indicator) -> list[str]:
    name: TomlValue = indicator.name if isinstance(indicator.name, str) else dict(indicator.name)
    optional: list[tuple[str, TomlValue | None]] = [
        ("per", indicator.per),
        ("min_n", indicator.min_n),
        ("missing", indicator.missing),
        ("weight", indicator.weight),
    ]
    lines = ["[[indicator]]", f"id = {toml_value(indicator.id)}", f"name = {toml_value(name)}"]
    for key in ("theme", "unit", "direction", "aggregate"):
        lines.append(f"{key} = {toml_value(getattr(indicator, key))}")
    lines += [f"{key} = {toml_value(value)}" for key, value in optional if value is not None]
    lines.append(_levels_line(indicator.levels))
    if indicator.bonus is not None:
        lines.append(f"bonus = {toml_value(indicator.bonus)}")
    if indicator.sanction is not None:
        lines.append(f"sanction = {toml_value(indicator.sanction)}")
    return lines


def _header_lines(contract: Contract) -> list[str]:
    supplier: TomlValue = {"name": contract.supplier, "business_id": contract.business_id}
    head: list[tuple[str, TomlValue | None]] = [
        ("format", 1),
        ("id", contract.id),
        ("title", contract.title),
        ("service", contract.service),
        ("buyer", contract.buyer),
        ("supplier", supplier),
        ("framework", contract.framework),
        ("start", contract.start),
        ("end", contract.end),
        ("period", contract.period),
        ("period_value", contract.period_value),
    ]
    return [f"{key} = {toml_value(value)}" for key, value in head if value is not None]


def render_contract(contract: Contract, comment: str) -> str:
    """The contract as a format-1 TOML file."""
    lines = [f"# {comment}", *_header_lines(contract)]
    if contract.payment:
        lines += ["", "[payment]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in contract.payment.items()]
    for indicator in contract.indicators:
        lines += ["", *_indicator_lines(indicator)]
    return "\n".join(lines) + "\n"
