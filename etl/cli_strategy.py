"""`vaikuttavuus strategy add FILE` and `vaikuttavuus strategy status [--year]`:
the subcommands, registered by etl.cli.

Like etl.cli, this module imports only the standard library at module level: each command
imports what it uses when it runs (tests/test_cli_start_imports.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from contracts.strategy import GoalStatus
    from etl.strategy import StrategyReport

STATUS_COLUMNS = ("goal", "status", "measured", "target", "due", "owner", "title")


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add the subcommands to the `vaikuttavuus` parser."""
    strategy = commands.add_parser(
        "strategy", parents=[common], help="procurement strategy goals and their status"
    )
    actions = strategy.add_subparsers(title="strategy commands", metavar="ACTION")
    add = actions.add_parser(
        "add", parents=[common], help="store a strategy file (a changed file is a new version)"
    )
    add.add_argument("file", type=Path, metavar="FILE")
    add.add_argument("--by", help="who adds the strategy")
    add.set_defaults(run=cmd_strategy_add)
    status = actions.add_parser(
        "status", parents=[common], help="each goal's status at the end of a year, by theme"
    )
    status.add_argument(
        "--year", type=_year, help="status at the end of this year, or today if earlier "
        "(default: this year)",
    )  # fmt: skip
    status.add_argument("--strategy", help="the strategy id (default: every stored strategy)")
    status.set_defaults(run=cmd_strategy_status)


def _year(text: str) -> int:
    """A calendar year 1900..2999 (the range of the dates of the terms)."""
    try:
        year = int(text)
    except ValueError:
        year = 0
    if not 1900 <= year <= 2999:
        raise argparse.ArgumentTypeError(f"not a year 1900..2999: {text!r}")
    return year


def cmd_strategy_add(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    """Store the file as the strategy's next version; exit 2 with every problem if refused."""
    from etl import messages
    from etl.access import cli_actor
    from etl.cli import EXIT_OK, EXIT_REJECTED, print_refused
    from etl.strategy import add_strategy_file

    lang = args.lang
    verdict = add_strategy_file(db, args.file, cli_actor(args.by))
    if verdict.outcome == "rejected":
        print_refused("cli_strategy.rejected", verdict.path, verdict.problems, out, lang)
        return EXIT_REJECTED
    said = messages.text(
        "cli_strategy." + verdict.outcome.replace("-", "_"), lang, strategy=verdict.strategy_id,
        version=verdict.version, goals=verdict.goals, file=verdict.path,
    )  # fmt: skip
    print(said, file=out)
    return EXIT_OK


def cmd_strategy_status(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    """Each goal's status as a table per theme, then the count of each status."""
    from contracts.messages import message
    from etl.cli import EXIT_ERROR, EXIT_OK, say_error
    from etl.messages import MessageError
    from etl.strategy import status, strategy_ids

    lang = args.lang
    reports = status(db, args.year, args.strategy)
    if not reports:
        if args.strategy is None:
            why = message("cli_strategy.none")
        else:
            known = ", ".join(strategy_ids(db)) or "–"
            why = message("cli_strategy.unknown", strategy=args.strategy, known=known)
        say_error(MessageError(why), lang)
        return EXIT_ERROR
    for i, report in enumerate(reports):
        if i:
            print(file=out)
        print_report(report, out, lang)
    return EXIT_OK


def print_report(report: StrategyReport, out: TextIO, lang: str) -> None:
    """The strategy's title line, a table per theme (in the themes' order), the unmatched
    links, and the count of each status."""
    from contracts.strategy import STATUSES
    from contracts.terms import THEMES
    from etl import messages
    from etl.report import format_table

    strategy = report.strategy
    title = messages.text(
        "cli_strategy.title", lang, name=strategy.name.get(lang), strategy=strategy.id,
        version=report.version, day=report.as_of,
    )  # fmt: skip
    print(title, file=out)
    header = tuple(messages.text(f"cli_strategy.col.{c}", lang) for c in STATUS_COLUMNS)
    for theme in THEMES:
        goals = [g for g in report.goals if g.status.goal.theme == theme]
        if not goals:
            continue
        print(file=out)
        print(theme_heading(report, theme, lang), file=out)
        rows = [status_row(g.status, lang) for g in goals]
        print(format_table(header, rows), file=out)
    print(file=out)
    for goal in report.goals:
        if goal.unmatched:
            said = messages.text(
                "cli_strategy.unmatched", lang, goal=goal.status.goal.id,
                links=", ".join(goal.unmatched),
            )  # fmt: skip
            print(said, file=out)
    counts = [
        messages.text(
            "strategy.count_item",
            lang,
            status=status_word(s, lang),
            count=sum(1 for g in report.goals if g.status.status == s),
        )
        for s in STATUSES
    ]
    said = messages.text(
        "cli_strategy.summary", lang, count=len(report.goals), counts=", ".join(counts)
    )
    print(said, file=out)


def theme_heading(report: StrategyReport, theme: str, lang: str) -> str:
    """The strategy's own heading of a theme, else the theme's name in the language."""
    from etl import messages

    own = report.strategy.theme_name(theme)
    return own.get(lang) if own is not None else messages.text(f"theme.{theme}", lang)


def status_word(status: str, lang: str) -> str:
    from etl import messages

    return messages.text(f"strategy.status.{status}", lang)


def status_row(judged: GoalStatus, lang: str) -> tuple[str, ...]:
    """goal, status, measured, target, due, owner, title as the command prints them."""
    from etl import formats

    goal = judged.goal
    return (
        goal.id, status_word(judged.status, lang), measured_text(judged, lang),
        target_text(judged, lang), formats.day(goal.due, lang), goal.owner, goal.title.get(lang),
    )  # fmt: skip


def measured_text(judged: GoalStatus, lang: str) -> str:
    """`52,6 % (10/19)` for an indicator goal, `86,5 % palautteista (31.12.2025)` for a
    manual one; empty when nothing was measured."""
    from etl import formats, messages

    if judged.measured is None:
        return ""
    manual = judged.goal.manual
    if manual is None:
        assert judged.counts is not None
        return messages.text(
            "cli_strategy.share", lang, share=formats.percent(judged.measured, lang),
            achieved=judged.counts.achieved, assessed=judged.counts.assessed,
        )  # fmt: skip
    return messages.text(
        "cli_strategy.value", lang, value=formats.short_number(judged.measured, lang, 4),
        unit=manual.unit, day=judged.value_day,
    )  # fmt: skip


def target_text(judged: GoalStatus, lang: str) -> str:
    """`≥ 50 %` (a target share), `≤ 100 % talousarviosta` (a manual target)."""
    from etl import formats, messages

    manual = judged.goal.manual
    if manual is None:
        return messages.text(
            "cli_strategy.target_share", lang, comparison=messages.text("strategy.at_least", lang),
            share=formats.percent(judged.target, lang),
        )  # fmt: skip
    comparison = "strategy.at_least" if manual.direction == "higher" else "strategy.at_most"
    return messages.text(
        "cli_strategy.target_value", lang, comparison=messages.text(comparison, lang),
        value=formats.short_number(judged.target, lang, 4), unit=manual.unit,
    )  # fmt: skip
