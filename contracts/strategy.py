"""Procurement strategy goals register, format 1: the strategy file, its loader and validation,
and the status of each goal (docs/strategy.md).

A region's procurement strategy groups its goals under the five themes of the contract terms.
Each goal is verified either by links to contract indicators, with a target share of
indicator-periods achieved, or by a manual measure with a target and values recorded by date.
Every problem in a file is collected and reported at once with the file and the field path
(`goal[3].schedule.due`), as the contract loader does; numbers are exact decimals.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, cast, get_args

from contracts.messages import Value, message
from contracts.terms import (
    DIRECTIONS,
    THEMES,
    Direction,
    Problem,
    TermsError,
    Text,
    Theme,
    _describe,
    _join,
    _read_text,
    _Reader,
    parse_toml_text,
    terms_digest,
)

Status = Literal["achieved", "on-track", "at-risk", "late", "not-measurable"]
STATUSES: tuple[str, ...] = get_args(Status)

_STRATEGY_KEYS = {"format", "id", "name", "start", "end", "themes", "goal"}
_GOAL_KEYS = {
    "id", "theme", "title", "description", "measures", "schedule", "owner", "indicators",
    "target_share", "manual",
}  # fmt: skip
_MANUAL_KEYS = {"unit", "direction", "target", "value"}


class StrategyError(TermsError):
    """A strategy file that cannot be accepted; `problems` lists every reason."""


@dataclass(frozen=True)
class IndicatorLink:
    """An indicator id across all contracts of a service, or of one contract."""

    indicator: str
    service: str | None = None
    contract: str | None = None

    def matches(self, contract_id: str, service: str, indicator_id: str) -> bool:
        """Whether a contract x indicator of the store is one this link names."""
        if indicator_id != self.indicator:
            return False
        if self.contract is not None:
            return contract_id == self.contract
        return service == self.service


@dataclass(frozen=True)
class ManualValue:
    """A value of a manual measure as of a date, and where it comes from."""

    day: date
    value: Decimal
    source: str


@dataclass(frozen=True)
class Manual:
    """A measure kept by hand: its unit, which way is better, the target and its values."""

    unit: str
    direction: Direction
    target: Decimal
    values: tuple[ManualValue, ...]

    def met(self, value: Decimal) -> bool:
        """Whether a value reaches the target in the measure's direction (equal counts)."""
        return value >= self.target if self.direction == "higher" else value <= self.target


@dataclass(frozen=True)
class Goal:
    """One strategy goal; exactly one of `links` (with `target_share`) and `manual` is set."""

    id: str
    theme: Theme
    title: Text
    owner: str
    start: date
    due: date
    description: Text | None = None
    measures: tuple[str, ...] = ()
    links: tuple[IndicatorLink, ...] = ()
    target_share: Decimal | None = None
    manual: Manual | None = None

    @property
    def kind(self) -> Literal["indicators", "manual"]:
        """How the goal is verified: by indicator links or by a manual measure."""
        return "manual" if self.manual is not None else "indicators"


@dataclass(frozen=True)
class Strategy:
    """A procurement strategy: its validity (start and end, inclusive), its goals in file
    order, and its own headings of the themes it names."""

    id: str
    name: Text
    start: date
    end: date
    goals: tuple[Goal, ...]
    theme_names: tuple[tuple[Theme, Text], ...] = ()
    format: int = 1

    def theme_name(self, theme: str) -> Text | None:
        """The strategy's own heading of a theme, when the file gives one."""
        return dict(self.theme_names).get(cast(Theme, theme))


class _StrategyReader(_Reader):
    """The contract loader's field reader, with the strategy's own messages."""

    def own(self, path: str, key: str, **values: Value) -> None:
        """A problem of the field at `path`: `engine.strategy.<key>` with its values."""
        self.problems.append(Problem(self.file, path, message(f"engine.strategy.{key}", **values)))


# --- loading ---------------------------------------------------------------------------------


def parse_strategy(data: Mapping[str, Any], file: str) -> Strategy:
    """Build a Strategy from parsed TOML (numbers as Decimal), or raise StrategyError."""
    reader = _StrategyReader(file)
    reader.known_keys(data, _STRATEGY_KEYS, "")
    if data.get("format") != 1:
        reader.fail("format", "format_one", got=_describe(data.get("format")))
    strategy_id = reader.identifier(data, "id", "")
    name = _read_text(reader, data["name"], "name") if "name" in data else None
    if "name" not in data:
        reader.fail("name", "required")
    start = reader.day(data, "start", "")
    end = reader.day(data, "end", "")
    if start is not None and end is not None and end < start:
        reader.fail("end", "end_before_start", end=end, start=start)
    theme_names = _read_themes(reader, data.get("themes"))
    validity = (start, end) if start is not None and end is not None and start <= end else None
    goals = _read_goals(reader, data.get("goal"), validity)
    if reader.problems:
        raise StrategyError(reader.problems)
    return Strategy(
        id=cast(str, strategy_id),
        name=cast(Text, name),
        start=cast(date, start),
        end=cast(date, end),
        goals=goals,
        theme_names=theme_names,
    )


def _read_themes(reader: _StrategyReader, value: object) -> tuple[tuple[Theme, Text], ...]:
    """`[themes]`: the strategy's own heading for any of the five themes (optional)."""
    if value is None:
        return ()
    table = reader.table(value, "themes")
    if table is None:
        return ()
    reader.known_keys(table, set(THEMES), "themes")
    names: list[tuple[Theme, Text]] = []
    for theme in THEMES:
        if theme in table:
            text = _read_text(reader, table[theme], f"themes.{theme}")
            if text is not None:
                names.append((cast(Theme, theme), text))
    return tuple(names)


def _read_goals(
    reader: _StrategyReader, value: object, validity: tuple[date, date] | None
) -> tuple[Goal, ...]:
    if not isinstance(value, list) or not value:
        reader.own("goal", "goal_required")
        return ()
    goals: list[Goal] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        path = f"goal[{i}]"
        goal = _read_goal(reader, item, path, validity)
        if goal is None:
            continue
        if goal.id in seen:
            reader.own(f"{path}.id", "duplicate_goal", id=repr(goal.id))
            continue
        seen.add(goal.id)
        goals.append(goal)
    return tuple(goals)


def _read_goal(
    reader: _StrategyReader, value: object, path: str, validity: tuple[date, date] | None
) -> Goal | None:
    table = reader.table(value, path)
    if table is None:
        return None
    reader.known_keys(table, _GOAL_KEYS, path)
    goal_id = reader.identifier(table, "id", path)
    theme = reader.choice(table, "theme", THEMES, path)
    title = _read_text(reader, table["title"], _join(path, "title")) if "title" in table else None
    if "title" not in table:
        reader.fail(_join(path, "title"), "required")
    description = (
        _read_text(reader, table["description"], _join(path, "description"))
        if "description" in table
        else None
    )
    measures = _read_measures(reader, table.get("measures"), _join(path, "measures"))
    owner = reader.text(table, "owner", path)
    schedule = _read_schedule(reader, table.get("schedule"), _join(path, "schedule"), validity)
    links, target_share, manual = _read_verification(reader, table, path)
    required = (goal_id, theme, title, owner, schedule)
    if any(part is None for part in required) or (not links and manual is None):
        return None
    start, due = cast(tuple[date, date], schedule)
    return Goal(
        id=cast(str, goal_id),
        theme=cast(Theme, theme),
        title=cast(Text, title),
        owner=cast(str, owner),
        start=start,
        due=due,
        description=description,
        measures=measures,
        links=links,
        target_share=target_share,
        manual=manual,
    )


def _read_measures(reader: _StrategyReader, value: object, path: str) -> tuple[str, ...]:
    """`measures`: the strategic measures, a list of texts (optional)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(m, str) and m.strip() for m in value):
        reader.own(path, "measures_list", got=_describe(value))
        return ()
    return tuple(value)


def _read_schedule(
    reader: _StrategyReader, value: object, path: str, validity: tuple[date, date] | None
) -> tuple[date, date] | None:
    """`schedule = { start, due }`: due on or after start; start inside the validity."""
    if value is None:
        reader.own(path, "schedule_required")
        return None
    table = reader.table(value, path)
    if table is None:
        return None
    reader.known_keys(table, {"start", "due"}, path)
    start = reader.day(table, "start", path)
    due = reader.day(table, "due", path)
    if start is None or due is None:
        return None
    if due < start:
        reader.own(f"{path}.due", "due_before_start", due=due, start=start)
        return None
    if validity is not None and not validity[0] <= start <= validity[1]:
        reader.own(f"{path}.start", "start_outside", day=start, first=validity[0], last=validity[1])
        return None
    return start, due


def _read_verification(
    reader: _StrategyReader, table: Mapping[str, Any], path: str
) -> tuple[tuple[IndicatorLink, ...], Decimal | None, Manual | None]:
    """Exactly one of `indicators` (with `target_share`) and `manual`."""
    has_links, has_manual = "indicators" in table, "manual" in table
    if has_links == has_manual:
        reader.own(path, "one_verification")
        return (), None, None
    if has_manual:
        if "target_share" in table:
            reader.own(_join(path, "target_share"), "target_share_manual")
        manual = _read_manual(reader, table["manual"], _join(path, "manual"))
        return (), None, manual
    links = _read_links(reader, table["indicators"], _join(path, "indicators"))
    target_share = _read_target_share(reader, table, path)
    if target_share is None:
        return (), None, None
    return links, target_share, None


def _read_target_share(
    reader: _StrategyReader, table: Mapping[str, Any], path: str
) -> Decimal | None:
    """`target_share`: a fraction 0 < share ≤ 1 (0.8 is 80 %), exact."""
    share = reader.decimal(table, "target_share", path)
    if share is None:
        return None
    if not Decimal(0) < share <= Decimal(1):
        reader.own(_join(path, "target_share"), "target_share_range", got=str(share))
        return None
    return share


def _read_links(reader: _StrategyReader, value: object, path: str) -> tuple[IndicatorLink, ...]:
    if not isinstance(value, list) or not value:
        reader.own(path, "links_list")
        return ()
    links: list[IndicatorLink] = []
    for i, item in enumerate(value):
        item_path = f"{path}[{i}]"
        table = reader.table(item, item_path)
        if table is None:
            continue
        reader.known_keys(table, {"service", "contract", "indicator"}, item_path)
        if ("service" in table) == ("contract" in table):
            reader.own(item_path, "service_or_contract")
            continue
        indicator = reader.identifier(table, "indicator", item_path)
        service = reader.text(table, "service", item_path, required=False)
        contract = reader.identifier(table, "contract", item_path) if "contract" in table else None
        if indicator is None or (service is None and contract is None):
            continue
        link = IndicatorLink(indicator, service, contract)
        if link in links:
            reader.own(item_path, "duplicate_link")
            continue
        links.append(link)
    return tuple(links)


def _read_manual(reader: _StrategyReader, value: object, path: str) -> Manual | None:
    table = reader.table(value, path)
    if table is None:
        return None
    reader.known_keys(table, _MANUAL_KEYS, path)
    unit = reader.text(table, "unit", path)
    direction = reader.choice(table, "direction", DIRECTIONS, path)
    target = reader.decimal(table, "target", path)
    values = _read_manual_values(reader, table.get("value", []), _join(path, "value"))
    if unit is None or direction is None or target is None or values is None:
        return None
    return Manual(unit, cast(Direction, direction), target, values)


def _read_manual_values(
    reader: _StrategyReader, value: object, path: str
) -> tuple[ManualValue, ...] | None:
    """`[[goal.manual.value]]`: date, value, source; at most one value a date."""
    if not isinstance(value, list):
        reader.own(path, "values_list", got=_describe(value))
        return None
    values: list[ManualValue] = []
    ok = True
    for i, item in enumerate(value):
        item_path = f"{path}[{i}]"
        table = reader.table(item, item_path)
        if table is None:
            ok = False
            continue
        reader.known_keys(table, {"date", "value", "source"}, item_path)
        day = reader.day(table, "date", item_path)
        number = reader.decimal(table, "value", item_path)
        source = reader.text(table, "source", item_path)
        if day is None or number is None or source is None:
            ok = False
            continue
        if any(v.day == day for v in values):
            reader.own(f"{item_path}.date", "duplicate_date", day=day)
            ok = False
            continue
        values.append(ManualValue(day, number, source))
    return tuple(sorted(values, key=lambda v: v.day)) if ok else None


def load_strategy_text(text: str, file: str) -> tuple[Strategy, str]:
    """Parse and validate the text of one strategy file: the strategy and the digest that
    decides whether it is a new version (layout and comments do not count)."""
    data = parse_toml_text(text, file)
    return parse_strategy(data, file), terms_digest(data)


def load_strategy_file(path: Path) -> tuple[Strategy, str]:
    """Read, parse and validate one strategy file (see load_strategy_text)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = message("engine.terms.unreadable", error=str(error))
        raise StrategyError([Problem(str(path), "(file)", problem)]) from error
    try:
        return load_strategy_text(text, str(path))
    except StrategyError:
        raise
    except TermsError as error:
        raise StrategyError(error.problems) from error


# --- status ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearCounts:
    """A year's linked indicator-periods: how many were assessed and how many achieved."""

    year: int
    assessed: int
    achieved: int

    @property
    def share(self) -> Fraction | None:
        """achieved / assessed, exact; None when nothing was assessed (never a fake 0 %)."""
        return Fraction(self.achieved, self.assessed) if self.assessed else None


@dataclass(frozen=True)
class GoalStatus:
    """A goal's status as of a date, with what it was judged on.

    `judged_on` is the day the judgement looks at (the as-of date, or the due date once it
    has passed); `year` the year whose indicator-periods count (indicator goals);
    `measured` the share (indicator goals) or the value (manual goals) compared with
    `target`, None when not measurable; `trend` the share per year, or the manual values."""

    goal: Goal
    status: Status
    as_of: date
    judged_on: date
    target: Decimal
    measured: Fraction | Decimal | None
    counts: YearCounts | None = None
    value_day: date | None = None
    trend: tuple[tuple[int, Fraction | None], ...] = ()
    values: tuple[ManualValue, ...] = ()


def as_of_date(year: int, today: date) -> date:
    """The day a status for `year` is taken on: the year's last day, or today if earlier."""
    return min(date(year, 12, 31), today)


def judged_on(goal: Goal, as_of: date) -> date:
    """The day the judgement looks at: the as-of date, or the due date once it has passed
    (a goal is achieved or late by what was measured at its due date)."""
    return min(as_of, goal.due)


def _verdict(met: bool, goal: Goal, as_of: date) -> Status:
    """Met and due reached: achieved; met, not yet due: on-track; not met, not yet due:
    at-risk; not met and due passed: late."""
    due_reached = goal.due <= as_of
    if met:
        return "achieved" if due_reached else "on-track"
    return "late" if due_reached else "at-risk"


def indicator_goal_status(goal: Goal, as_of: date, counts: Sequence[YearCounts]) -> GoalStatus:
    """The status of a goal verified by indicator links, from the per-year counts of its
    linked indicator-periods (periods counted in the year of their first day).

    The share judged is that of the year of the judgement day (`judged_on`): achieved /
    assessed of that year's linked indicator-periods, met when it is at least
    `target_share`. Not measurable when the judgement day is before the goal's start, or
    when that year has no assessed linked period (links that match nothing included)."""
    assert goal.target_share is not None
    day = judged_on(goal, as_of)
    by_year = {c.year: c for c in counts}
    trend = tuple((c.year, c.share) for c in sorted(counts, key=lambda c: c.year))
    year_counts = by_year.get(day.year)
    share = year_counts.share if year_counts is not None else None
    status: Status
    if day < goal.start or share is None:
        status, share = "not-measurable", None
    else:
        status = _verdict(share >= Fraction(goal.target_share), goal, as_of)
    return GoalStatus(goal, status, as_of, day, goal.target_share, share, year_counts, trend=trend)


def manual_goal_status(goal: Goal, as_of: date) -> GoalStatus:
    """The status of a goal verified by a manual measure: the newest value dated on or
    before the judgement day (`judged_on`), met when it reaches the target in the measure's
    direction (equal counts). Not measurable when there is no such value, or when the
    judgement day is before the goal's start."""
    manual = goal.manual
    assert manual is not None
    day = judged_on(goal, as_of)
    known = tuple(v for v in manual.values if v.day <= as_of)
    upto = [v for v in manual.values if v.day <= day]
    latest = upto[-1] if upto else None
    status: Status
    if latest is None or day < goal.start:
        status, latest = "not-measurable", None
    else:
        status = _verdict(manual.met(latest.value), goal, as_of)
    return GoalStatus(
        goal, status, as_of, day, manual.target,
        latest.value if latest is not None else None,
        value_day=latest.day if latest is not None else None, values=known,
    )  # fmt: skip


def goal_status(goal: Goal, as_of: date, counts: Sequence[YearCounts] = ()) -> GoalStatus:
    """A goal's status as of a date (see indicator_goal_status and manual_goal_status)."""
    if goal.manual is not None:
        return manual_goal_status(goal, as_of)
    return indicator_goal_status(goal, as_of, counts)
