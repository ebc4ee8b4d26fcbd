"""`vaikuttavuus calendar [--months N] [--today DATE] [--out FILE] [--public]`: the
procurement calendar (etl.procurement_calendar), registered by etl.cli.

Like etl.cli, this module imports only the standard library at module level: each command
imports what it uses when it runs (tests/test_cli_start_imports.py).
"""

import argparse
from pathlib import Path
from typing import TextIO

COLUMNS = ("day", "kind", "contract", "supplier", "what", "ends", "share", "achieved_of",
           "ranks", "bonuses", "sanctions", "open_corrections")  # fmt: skip
"""The command's table (the files carry every column of etl.procurement_calendar.FIELDS)."""
PUBLIC_COLUMNS = tuple(c for c in COLUMNS if c not in ("bonuses", "sanctions", "open_corrections"))


def register(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", common: argparse.ArgumentParser
) -> None:
    """Add the subcommands to the `vaikuttavuus` parser."""
    parser = commands.add_parser(
        "calendar", parents=[common],
        help="procurement calendar: contracts ending, option decisions due and planned "
        "tenders within N months, with each supplier's record",
    )  # fmt: skip
    parser.add_argument(
        "--months", default="12", metavar="N",
        help="how far ahead, in whole months 1-120 (default 12; the page offers 6, 12, 24)",
    )  # fmt: skip
    parser.add_argument(
        "--today", metavar="DATE",
        help="count from this day instead of today (2026-12-01 or 1.12.2026)",
    )  # fmt: skip
    parser.add_argument(
        "--out", type=Path, metavar="FILE",
        help="also write FILE.xlsx or FILE.csv (Finnish Excel CSV); recorded in the trail",
    )  # fmt: skip
    parser.add_argument(
        "--public",
        action="store_true",
        help="the public variant: no bonuses, sanctions or open corrections (table and file)",
    )
    parser.add_argument("--by", help="who exports (with --out; recorded in the trail)")
    parser.set_defaults(run=cmd_calendar)


def cmd_calendar(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    """The calendar as a table in date order; --out writes it as a file, and that export is
    recorded. A bad --months or --today is refused (exit 2) with how to write it."""
    from contracts.messages import message
    from etl import audit, audit_export, messages, store
    from etl import procurement_calendar as procurement
    from etl.access import cli_actor
    from etl.cli import EXIT_ERROR, EXIT_OK, EXIT_REJECTED, _written, parse_day, say_error
    from etl.messages import MessageError
    from etl.report import format_table

    lang = args.lang
    try:
        months = procurement.checked_months(args.months)
        today = parse_day(args.today, "--today")
    except MessageError as error:
        say_error(error, lang)
        return EXIT_REJECTED
    kind = None if args.out is None else audit_export.kind_of(args.out.name)
    if args.out is not None and kind is None:
        say_error(MessageError(message("cli_out.no_kind", file=str(args.out))), lang)
        return EXIT_REJECTED
    if not db.exists():
        raise store.StoreError(message("error.no_database", db=str(db)))
    actor = cli_actor(args.by)
    with store.reading(db) as con:
        found = procurement.calendar(con, actor, months, today)
    print(messages.text("calendar.heading", lang, today=found.today, until=found.until,
                        months=found.months, count=len(found.entries)), file=out)  # fmt: skip
    if found.entries:
        shown = PUBLIC_COLUMNS if args.public else COLUMNS
        header = [messages.text(f"calendar.col.{c}", lang) for c in shown]
        rows = [[_cell(e, c, lang) for c in shown] for e in found.entries]
        print(format_table(header, rows), file=out)
    else:
        print(messages.text("calendar.none", lang, today=found.today, until=found.until),
              file=out)  # fmt: skip
    if args.out is None or kind is None:
        return EXIT_OK
    content = procurement.file_bytes(found, kind, args.public, lang)
    if not _written(args.out, content, lang):
        return EXIT_ERROR
    audit.record_alone(db, actor, procurement.export_event(found, str(args.out), kind, args.public))
    key = "calendar.wrote_public" if args.public else "calendar.wrote"
    print(messages.text(key, lang, file=args.out, count=len(found.entries)), file=out)
    return EXIT_OK


def _cell(entry: object, column: str, lang: str) -> str:
    """One cell of the command's table, in the language."""
    from etl import formats
    from etl import procurement_calendar as procurement

    assert isinstance(entry, procurement.Entry)
    record = entry.record
    match column:
        case "day":
            return formats.day(entry.day, lang)
        case "kind":
            return procurement.kind_word(entry.kind, lang)
        case "contract":
            return entry.contract.id
        case "supplier":
            return entry.contract.supplier.name
        case "what":
            return procurement.what(entry, lang)
        case "ends":
            return formats.day(entry.contract.last_possible_end, lang)
        case "share":
            return procurement.share_text(record, lang)
        case "achieved_of":
            return "" if record.suppressed else f"{record.achieved}/{record.assessed}"
        case "ranks":
            return procurement.ranks_text(record)
        case "bonuses":
            return formats.euros(record.bonuses, lang)
        case "sanctions":
            return formats.euros(record.sanctions, lang)
        case "open_corrections":
            return str(record.open_corrections)
    raise ValueError(column)
