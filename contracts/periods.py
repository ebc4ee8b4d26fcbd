"""Settlement periods: names (2025-03, 2025-Q1, 2025-H1, 2025), bounds, roll-up, proration."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Literal, get_args

PeriodKind = Literal["month", "quarter", "half-year", "year"]
PERIOD_KINDS: tuple[str, ...] = get_args(PeriodKind)

_MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}
_NAME = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])))?$")


@dataclass(frozen=True, order=True)
class Period:
    """One settlement period: a calendar month, quarter, half-year or year."""

    year: int
    first_month: int
    kind: PeriodKind

    @cached_property
    def name(self) -> str:
        """The period's name: `2025-03`, `2025-Q1`, `2025-H1` or `2025`."""
        if self.kind == "month":
            return f"{self.year}-{self.first_month:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{(self.first_month - 1) // 3 + 1}"
        if self.kind == "half-year":
            return f"{self.year}-H{(self.first_month - 1) // 6 + 1}"
        return str(self.year)

    @cached_property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    @cached_property
    def last_day(self) -> date:
        last_month = self.first_month + _MONTHS_PER_PERIOD[self.kind] - 1
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)

    @cached_property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def months(self) -> tuple["Period", ...]:
        """The calendar months the period consists of, in order."""
        count = _MONTHS_PER_PERIOD[self.kind]
        return tuple(Period(self.year, self.first_month + i, "month") for i in range(count))

    def contains(self, other: "Period") -> bool:
        """True when `other` lies wholly inside this period."""
        return self.first_day <= other.first_day and other.last_day <= self.last_day

    def previous_year(self) -> "Period":
        """The same period one year earlier (the `previous-year` baseline)."""
        return Period(self.year - 1, self.first_month, self.kind)

    def __str__(self) -> str:
        return self.name


def parse_period_name(text: str) -> Period | None:
    """Parse `2025-03`, `2025-Q1`, `2025-H1` or `2025`; None if it is none of them."""
    match = _NAME.match(text.strip())
    if match is None:
        return None
    year = int(match.group(1))
    month, quarter, half = match.group(2), match.group(3), match.group(4)
    if month is not None:
        number = int(month)
        return Period(year, number, "month") if 1 <= number <= 12 else None
    if quarter is not None:
        return Period(year, (int(quarter) - 1) * 3 + 1, "quarter")
    if half is not None:
        return Period(year, (int(half) - 1) * 6 + 1, "half-year")
    return Period(year, 1, "year")


def period_containing(day: date, kind: PeriodKind) -> Period:
    """The period of the given kind that contains `day`."""
    size = _MONTHS_PER_PERIOD[kind]
    first_month = (day.month - 1) // size * size + 1
    return Period(day.year, first_month, kind)


def periods_between(start: date, end: date, kind: PeriodKind) -> tuple[Period, ...]:
    """Every period of `kind` that overlaps the inclusive date range start..end, in order."""
    periods: list[Period] = []
    current = period_containing(start, kind)
    while current.first_day <= end:
        periods.append(current)
        current = period_containing(current.last_day + timedelta(days=1), kind)
    return tuple(periods)


def covered_share(period: Period, start: date, end: date) -> Decimal:
    """Days of `period` inside start..end divided by the period's days (the proration factor)."""
    first = max(period.first_day, start)
    last = min(period.last_day, end)
    covered = max((last - first).days + 1, 0)
    return Decimal(covered) / Decimal(period.days)


_MONTH_SLASH = re.compile(r"^(\d{1,2})/(\d{4})$")
_FINNISH_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_delivery_period(text: str) -> Period | None:
    """A period as suppliers write it (§7): a month as `2025-03`, `3/2025`, `1.3.2025` or
    `2025-03-01` (a date stands for its month), or a settlement period name.
    """
    cleaned = text.strip()
    for pattern, day_group in ((_FINNISH_DATE, 1), (_ISO_DATE, 3)):
        match = pattern.match(cleaned)
        if match:
            parts = [int(g) for g in match.groups()]
            day = parts[day_group - 1]
            year, month = (parts[2], parts[1]) if pattern is _FINNISH_DATE else parts[:2]
            try:
                date(year, month, day)
            except ValueError:
                return None
            return Period(year, month, "month")
    match = _MONTH_SLASH.match(cleaned)
    if match:
        month, year = int(match.group(1)), int(match.group(2))
        return Period(year, month, "month") if 1 <= month <= 12 else None
    return parse_period_name(cleaned)


def covered_days(period: Period, start: date, end: date) -> int:
    """Days of `period` inside the inclusive range start..end (0 when they do not overlap)."""
    first = max(period.first_day, start)
    last = min(period.last_day, end)
    return max((last - first).days + 1, 0)
