"""The `vaikuttavuus` command.

Exit status: 0 when everything asked was done, 2 when an input was rejected (the report
says why; nothing of a rejected input is stored), 1 for other errors.

The command starts in the time Python takes to start: this module imports only the standard
library and contracts.messages at module level, and each command imports what it uses (polars,
pandera, DuckDB, Babel, the engine) when it runs; tests/test_cli_start_imports.py holds it so.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from contracts.messages import Message, message
from etl import cli_calendar, cli_strategy
from etl.report import format_table

if TYPE_CHECKING:
    from datetime import date

    import duckdb

    from contracts.checks import CaseResult
    from contracts.terms import Problem
    from etl.load import LoadResult

LANGUAGES = ("fi", "sv", "en")
"""The choices of --lang: etl.formats.LANGUAGES, written here so that parsing the command line
imports no formatting library (a test holds the two equal)."""

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_REJECTED = 2
SHOWN_PROBLEMS = 50


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from etl import formats, personal_data, store

    args.lang = formats.language(getattr(args, "lang", None))
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_ERROR
    db = store.resolve_db_path(getattr(args, "db", None))
    try:
        personal_data.refuse_hetu("--by", getattr(args, "by", None))
    except personal_data.PersonalData as error:
        say_error(error, args.lang)
        return EXIT_REJECTED
    try:
        return int(args.run(args, db, sys.stdout))
    except store.StoreError as error:
        say_error(error, args.lang)
        return EXIT_ERROR
    except BrokenPipeError:
        # the reader went away (`vaikuttavuus audit | head`): what was done stays done, and
        # nothing more is written; stdout goes to /dev/null so that its flush at exit is quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def say_error(error: BaseException, lang: str, key: str = "cli.error") -> None:
    """`virhe: ...` on stderr: the error's message in the language (its text otherwise)."""
    from etl import messages

    print(messages.text(key, lang, text=messages.error_text(error, lang)), file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        help="database file (default: $VAIKUTTAVUUS_DB or ./vaikuttavuus.duckdb)",
    )
    common.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help="language of messages, numbers and dates: fi (default), sv or en",
    )
    parser = argparse.ArgumentParser(
        prog="vaikuttavuus",
        description="Effectiveness-based contracts: terms, supplier deliveries, settlements.",
        parents=[common],
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    init = commands.add_parser("init", parents=[common], help="create or migrate the database")
    init.set_defaults(run=cmd_init)

    contracts = commands.add_parser("contracts", parents=[common], help="contract terms")
    contract_commands = contracts.add_subparsers(title="contracts commands", metavar="ACTION")
    add = contract_commands.add_parser(
        "add", parents=[common], help="store contract files (a changed file is a new version)"
    )
    add.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add.add_argument("--by", help="who adds the terms")
    add.set_defaults(run=cmd_contracts_add)
    listing = contract_commands.add_parser("list", parents=[common], help="list stored terms")
    listing.set_defaults(run=cmd_contracts_list)

    load = commands.add_parser(
        "load", parents=[common], help="load supplier delivery files (each all or nothing)"
    )
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--by", help="who delivered or loads the files")
    load.add_argument("--quiet", action="store_true", help="no progress display")
    load.set_defaults(run=cmd_load)

    deliveries = commands.add_parser(
        "deliveries", parents=[common], help="delivery history, with what later ones superseded"
    )
    deliveries.add_argument("--contract", help="only deliveries that cover this contract")
    deliveries.set_defaults(run=cmd_deliveries)

    check_parser = commands.add_parser(
        "check", parents=[common], help="run check-case files against the engine"
    )
    check_parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check_parser.set_defaults(run=cmd_check)

    settle_parser = commands.add_parser(
        "settle", parents=[common], help="settle periods from the stored deliveries"
    )
    settle_parser.add_argument("--contract", help="only this contract")
    settle_parser.add_argument(
        "--period", help="only this period (2025-03, 2025-Q1, 2025-H1, 2025)"
    )
    settle_parser.add_argument("--year", type=int, help="only the periods of this year")
    settle_parser.add_argument(
        "--out", type=Path, help="also write FILE.csv, FILE.fi.csv or FILE.xlsx"
    )
    settle_parser.add_argument("--by", help="who settles")
    settle_parser.set_defaults(run=cmd_settle)

    for name, run, helptext in (
        ("prepare", cmd_prepare, "four-eyes step 1: mark the newest draft as checked"),
        ("approve", cmd_approve, "four-eyes step 2: approve (lock) a prepared settlement"),
        ("reject", cmd_reject, "send a prepared settlement back to draft with a reason"),
    ):
        step = commands.add_parser(name, parents=[common], help=helptext)
        step.add_argument("--contract", required=True)
        step.add_argument("--period", required=True)
        step.add_argument("--by", required=True, help="your name, recorded with your OS user")
        if name == "approve":
            step.add_argument("--comment", help="a comment kept with the approval")
        if name == "reject":
            step.add_argument("--reason", required=True, help="why it goes back to draft")
        step.set_defaults(run=run)

    audit_parser = commands.add_parser(
        "audit", parents=[common], help="the audit trail: who did what, when, from where"
    )
    audit_parser.add_argument(
        "--since", metavar="DATE", help="from this day, UTC (2026-12-01 or 1.12.2026)"
    )
    audit_parser.add_argument("--until", metavar="DATE", help="to this day, inclusive")
    audit_parser.add_argument("--user", help="name, e-mail or id (part of it, any case)")
    audit_parser.add_argument(
        "--contract", help="this contract's events (also the settles and loads naming it)"
    )
    audit_parser.add_argument("--period", help="this period's events (2025-Q1, 2025-03, ...)")
    audit_parser.add_argument("--action", help="load, settle, prepare, approve, export, ...")
    audit_parser.add_argument(
        "--verify", action="store_true", help="check that no row was changed or removed"
    )
    audit_parser.add_argument(
        "--out", type=Path, metavar="FILE",
        help="also write the events shown to FILE.xlsx or FILE.csv (for Finnish Excel)",
    )  # fmt: skip
    audit_parser.add_argument("--by", help="who exports (with --out; recorded in the trail)")
    audit_parser.set_defaults(run=cmd_audit)

    settlements_parser = commands.add_parser(
        "settlements", parents=[common], help="list settlements and what awaits correction"
    )
    settlements_parser.add_argument("--contract")
    settlements_parser.add_argument("--period")
    settlements_parser.set_defaults(run=cmd_settlements)

    run_parser = commands.add_parser(
        "payment-run", parents=[common],
        help="a period's settlements across all contracts, totals per supplier, the payment file",
    )  # fmt: skip
    run_parser.add_argument(
        "--period", required=True, help="the run's period (2025-Q1, 2025-03, 2025-H1, 2025)"
    )
    run_step = run_parser.add_mutually_exclusive_group()
    run_step.add_argument("--prepare", action="store_true", help="prepare every draft of it")
    run_step.add_argument("--approve", action="store_true", help="approve every prepared one")
    run_parser.add_argument(
        "--out", type=Path, metavar="FILE",
        help="write the approved rows for the payment system to FILE.xlsx or FILE.csv",
    )  # fmt: skip
    run_parser.add_argument("--by", help="your name, recorded with your OS user")
    run_parser.set_defaults(run=cmd_payment_run)

    export_parser = commands.add_parser(
        "export", parents=[common], help="open data exports (aggregates only)"
    )
    export_commands = export_parser.add_subparsers(title="export formats", metavar="FORMAT")
    ocds_parser = export_commands.add_parser(
        "ocds", parents=[common],
        help="contracts, agreed and realised metrics and approved payments as an OCDS 1.1 "
        "release package (JSON)",
    )  # fmt: skip
    ocds_parser.add_argument("--contract", help="only this contract (default: all)")
    ocds_parser.add_argument(
        "--out", type=Path, metavar="FILE", help="write the package to FILE (default: stdout)"
    )
    ocds_parser.add_argument(
        "--ocid-prefix", default=None,
        help="the publisher's registered OCID prefix (default: the placeholder ocds-vaikuttavuus-)",
    )  # fmt: skip
    ocds_parser.add_argument("--by", help="who exports (recorded in the trail)")
    ocds_parser.set_defaults(run=cmd_export_ocds)

    cli_strategy.register(commands, common)
    cli_calendar.register(commands, common)

    rank_parser = commands.add_parser(
        "rank", parents=[common], help="annual priority order of a framework's contracts"
    )
    rank_parser.add_argument("--framework", required=True)
    rank_parser.add_argument("--year", required=True, type=int)
    rank_parser.add_argument("--by", help="who recomputes the order")
    rank_parser.set_defaults(run=cmd_rank)

    serve_parser = commands.add_parser(
        "serve", parents=[common], help="start the dashboard on an existing database"
    )
    serve_parser.add_argument("--port", type=int, default=8501)
    serve_parser.add_argument(
        "--address", default="localhost", help="where to listen (default: localhost)"
    )
    serve_parser.add_argument(
        "--secrets", type=Path, default=Path(".streamlit/secrets.toml"),
        help="Streamlit's secrets file with the [auth] section for sign-in "
        "(default: .streamlit/secrets.toml)",
    )  # fmt: skip
    serve_parser.add_argument(
        "--roles",
        type=Path,
        help="the role-mapping file (default: $VAIKUTTAVUUS_ROLES or ./roles.toml)",
    )
    serve_parser.add_argument(
        "--no-auth", action="store_true",
        help="no sign-in: local use only (listens on 127.0.0.1, a banner on every page)",
    )  # fmt: skip
    serve_parser.set_defaults(run=cmd_serve)
    return parser


def cmd_init(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    from etl import messages, store

    existed = db.exists()
    with store.writing(db, create=True) as con:
        applied = store.migrate(con)
        version = store.schema_version(con)
    if not existed:
        said = messages.text("cli_init.created", args.lang, db=db, version=version)
    elif applied:
        said = messages.text(
            "cli_init.migrated", args.lang, db=db, version=version, steps=", ".join(applied)
        )
    else:
        said = messages.text("cli_init.up_to_date", args.lang, db=db, version=version)
    print(said, file=out)
    return EXIT_OK


def cmd_contracts_add(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    """Every file its own verdict, all of them stored in one write; exit 2 if any is refused."""
    from etl import messages
    from etl.access import cli_actor
    from etl.contract_files import add_contract_files

    verdicts = add_contract_files(db, args.files, cli_actor(args.by))
    for verdict in verdicts:
        if verdict.outcome == "rejected":
            print_refused("cli_contracts.rejected", verdict.path, verdict.problems, out, args.lang)
            continue
        key = "cli_contracts." + verdict.outcome.replace("-", "_")
        said = messages.text(
            key, args.lang, contract=verdict.contract_id, version=verdict.version,
            file=verdict.path,
        )  # fmt: skip
        print(said, file=out)
    refused = any(verdict.outcome == "rejected" for verdict in verdicts)
    return EXIT_REJECTED if refused else EXIT_OK


def print_refused(
    key: str, path: Path, problems: Sequence[Problem], out: TextIO, lang: str
) -> None:
    """A refused terms file: the line `key` says of it (its file and count of problems),
    then each problem with its field, in the language."""
    from etl import messages

    print(messages.text(key, lang, file=path, count=len(problems)), file=out)
    for problem in problems:
        print(f"  {problem.field}: {messages.render(problem.message, lang)}", file=out)


def cmd_contracts_list(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    from etl import export, formats, messages, store

    with store.reading(db) as con:
        rows = con.execute(
            """
            SELECT c.contract_id, c.version, c.supplier_name, c.service,
                   coalesce(c.framework, ''), c.period_kind, c.start_date, c.end_date,
                   (SELECT count(*) FROM indicator_current i WHERE i.contract_id = c.contract_id),
                   c.added_at
            FROM contract_current c ORDER BY c.contract_id
            """
        ).fetchall()
    lang = args.lang
    table = [
        (contract, version, supplier, service, framework, export.word("period_kind", kind, lang),
         f"{formats.day(start, lang)}–{formats.day(end, lang)}", formats.count(indicators, lang),
         formats.moment(added, lang))
        for contract, version, supplier, service, framework, kind, start, end, indicators, added
        in rows
    ]  # fmt: skip
    print(format_table(_header("cli_contracts.col", CONTRACT_COLUMNS, lang), table), file=out)
    print(messages.text("cli_contracts.count", lang, count=len(rows)), file=out)
    return EXIT_OK


CONTRACT_COLUMNS = ("contract", "version", "supplier", "service", "framework", "period", "term",
                    "indicators", "added")  # fmt: skip


def _header(group: str, columns: Sequence[str], lang: str) -> tuple[str, ...]:
    """A table's column names in the language (keys `group.column`)."""
    from etl import messages

    return tuple(messages.text(f"{group}.{column}", lang) for column in columns)


def cmd_load(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    from etl import messages, personal_data, settle, store
    from etl.access import cli_actor
    from etl.load import load_file

    status = EXIT_OK
    if not db.exists():
        raise store.StoreError(message("error.no_database", db=str(db)))
    failed = False
    actor = cli_actor(args.by)
    for path in args.files:
        progress = None if args.quiet or not sys.stderr.isatty() else _progress(path, args.lang)
        try:
            result = load_file(db, path, actor, progress)
        except store.StoreError:
            raise
        except Exception as error:  # one file's failure never stops the others
            failed = True
            said = messages.text(
                "cli_load.error", args.lang, file=personal_data.masked(str(path)),
                error=personal_data.masked(_first_line(error)),
            )  # fmt: skip
            print(said, file=out)
            continue
        finally:
            if progress is not None:
                print(file=sys.stderr)
        print_load_result(result, out, args.lang)
        if result.status == "rejected":
            status = EXIT_REJECTED
    if failed and status == EXIT_OK:
        status = EXIT_ERROR
    with store.reading(db) as con:
        stale = settle.stale_settlements(con)
    for contract, period, version, why in stale:
        said = messages.text(
            "cli_load.stale", args.lang, contract=contract, period=period, version=version,
            why=why,
        )  # fmt: skip
        print(said, file=out)
    return status


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]


def _progress(path: Path, lang: str) -> _ProgressLine:
    return _ProgressLine(path.name, lang)


class _ProgressLine:
    def __init__(self, name: str, lang: str) -> None:
        self.name = name
        self.lang = lang

    def __call__(self, rows: int) -> None:
        from etl import messages

        line = messages.text("cli_load.progress", self.lang, file=self.name, rows=rows)
        print(f"\r{line}", end="", file=sys.stderr)


def print_load_result(result: LoadResult, out: TextIO, lang: str = LANGUAGES[0]) -> None:
    """One file's outcome in the language: LOADED, UNCHANGED or REJECTED with its problems
    (the first SHOWN_PROBLEMS in a table, the rest counted by reason) and its notes."""
    from decimal import ROUND_HALF_UP, Decimal

    from etl import messages

    if result.status == "loaded":
        shape = messages.text(f"cli_load.shape.{result.shape}", lang)
        seconds = Decimal(result.seconds).quantize(Decimal("0.1"), ROUND_HALF_UP)
        said = messages.text(
            "cli_load.loaded_superseding" if result.superseded else "cli_load.loaded", lang,
            file=result.file, delivery=result.delivery_id, rows=result.rows, shape=shape,
            superseded=result.superseded, seconds=seconds,
        )  # fmt: skip
        print(said, file=out)
    elif result.status == "already-loaded":
        notes = "; ".join(messages.render(warning, lang) for warning in result.warnings)
        print(messages.text("cli_load.unchanged", lang, file=result.file, notes=notes), file=out)
        return
    else:
        print(
            messages.text("cli_load.rejected", lang, file=result.file, count=result.problem_count),
            file=out,
        )
        shown_problems = result.problems[:SHOWN_PROBLEMS]
        rows = [
            (
                p.row if p.row is not None else "",
                messages.plain(p.column, lang),
                _quoted(p.text, lang) if p.row is not None else "",
                messages.render(p.reason, lang),
            )
            for p in shown_problems
        ]
        header = tuple(
            messages.text(f"cli_load.col.{c}", lang) for c in ("row", "column", "text", "reason")
        )
        print(_indent(format_table(header, rows)), file=out)
        if result.problem_count > len(shown_problems):
            more = result.problem_count - len(shown_problems)
            print("  " + messages.text("cli_load.more", lang, count=more), file=out)
            for reason, count in result.reasons.most_common():
                said = messages.text(
                    "cli_load.reason_count", lang, count=count, reason=messages.render(reason, lang)
                )
                print(f"    {said}", file=out)
    for warning in result.warnings:
        print(
            "  " + messages.text("cli_load.note", lang, note=messages.render(warning, lang)),
            file=out,
        )


def _quoted(cell: str | Message | None, lang: str) -> str:
    from etl import messages

    if cell is None:
        return messages.text("cli_load.empty", lang)
    if isinstance(cell, Message):
        return messages.render(cell, lang)
    return f'"{cell}"'


def _indent(lines: str) -> str:
    return "\n".join("  " + line for line in lines.splitlines())


def cmd_deliveries(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    from etl import formats, messages, store

    with store.reading(db) as con:
        rows = con.execute(
            """
            WITH scope AS (
                SELECT s.delivery_id,
                       string_agg(DISTINCT s.contract_id, ', ' ORDER BY s.contract_id) AS contracts,
                       min(s.period_start) AS first_period, max(s.period_start) AS last_period,
                       count(*) AS keys,
                       count(*) FILTER (WHERE c.delivery_id IS NULL) AS superseded_keys,
                       count(*) FILTER (WHERE EXISTS (
                           SELECT 1 FROM delivery_scope e WHERE e.delivery_id < s.delivery_id
                           AND e.contract_id = s.contract_id AND e.indicator_id = s.indicator_id
                           AND e.period = s.period)) AS corrects_keys
                FROM delivery_scope s
                LEFT JOIN scope_current c USING (delivery_id, contract_id, indicator_id, period)
                WHERE ? IS NULL OR s.contract_id = ?
                GROUP BY s.delivery_id
            )
            SELECT d.delivery_id, d.file_name, d.loaded_at, coalesce(d.loaded_by, ''),
                   d.row_count, d.shape, scope.contracts,
                   strftime(scope.first_period, '%Y-%m') || '..'
                       || strftime(scope.last_period, '%Y-%m'),
                   scope.superseded_keys, scope.keys, scope.corrects_keys, left(d.sha256, 12)
            FROM delivery d JOIN scope USING (delivery_id)
            ORDER BY d.delivery_id
            """,
            [args.contract, args.contract],
        ).fetchall()
    lang = args.lang
    table = [
        (delivery, file, formats.moment(loaded, lang), by, formats.count(row_count, lang),
         messages.text(f"cli_load.shape.{shape}", lang), contracts, periods,
         _delivery_state(superseded, keys, lang),
         messages.text("cli_deliveries.corrects", lang, count=corrects) if corrects else "",
         digest)
        for delivery, file, loaded, by, row_count, shape, contracts, periods, superseded, keys,
        corrects, digest in rows
    ]  # fmt: skip
    print(format_table(_header("cli_deliveries.col", DELIVERY_COLUMNS, lang), table), file=out)
    print(messages.text("cli_deliveries.count", lang, count=len(rows)), file=out)
    return EXIT_OK


DELIVERY_COLUMNS = ("id", "file", "loaded", "by", "rows", "shape", "contracts", "periods",
                    "state", "correction", "sha256")  # fmt: skip


def _delivery_state(superseded: int, keys: int, lang: str) -> str:
    """current, superseded, or partly superseded (3/12): of its contract × indicator × period."""
    from etl import messages

    if superseded == 0:
        return messages.text("delivery.current", lang)
    if superseded == keys:
        return messages.text("delivery.superseded", lang)
    state = messages.text("delivery.partly", lang)
    return messages.text(
        "cli_deliveries.partly", lang, state=state, superseded=superseded, keys=keys
    )


def cmd_check(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    """Each file gets its own verdict: a case the engine cannot run is that file's error, and
    every other file is still run and reported. Differences and problems are in --lang."""
    from contracts.checks import failed_case, run_case_file
    from etl import messages

    results = []
    for path in args.files:
        try:
            result = run_case_file(path)
        except Exception as error:  # the last guard: one case never hides the others
            result = failed_case(str(path), error)
        results.append(result)
        print(_case_result(result, args.lang), file=out)
    passed = sum(1 for r in results if r.passed)
    said = messages.text(
        "cli_check.summary", args.lang, passed=passed, failed=len(results) - passed
    )
    print(said, file=out)
    return EXIT_OK if passed == len(results) else EXIT_REJECTED


def _case_result(result: CaseResult, lang: str) -> str:
    """PASS file: name, or FAIL file: name and one indented line per difference, or one
    ERROR file: field: message line per problem (the verdict words in the language)."""
    from contracts.checks import difference_message
    from etl import messages

    if result.outcome == "error":
        return "\n".join(
            messages.text(
                "cli_check.error",
                lang,
                file=p.file,
                field=p.field,
                text=messages.render(p.message, lang),
            )
            for p in result.problems
        )
    key = "cli_check.pass" if result.outcome == "pass" else "cli_check.fail"
    head = messages.text(key, lang, file=result.file, name=result.name)
    rows = [f"  {messages.render(difference_message(d), lang)}" for d in result.differences]
    return "\n".join([head, *rows])


def cmd_settle(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    from etl import audit, export, messages, settle, store
    from etl.access import cli_actor

    try:
        report = settle.settle(db, cli_actor(args.by), args.contract, args.period, args.year)
    except settle.SettleError as error:
        say_error(error, args.lang)
        return EXIT_ERROR
    lang = args.lang
    changed = [o for o in report.outcomes if o.action != "unchanged"]
    for outcome in changed:
        line = messages.text(
            "cli_settle." + outcome.action.replace("-", "_"), lang, contract=outcome.contract,
            period=outcome.period, version=outcome.version, net=outcome.net,
        )  # fmt: skip
        if outcome.net_difference is not None:
            line = messages.text(
                "cli_settle.difference", lang, line=line, difference=outcome.net_difference
            )
        print(line, file=out)
    said = messages.text(
        "cli_settle.summary", lang, count=len(report.outcomes), created=report.count("created"),
        drafts=report.count("new-draft"), corrections=report.count("correction"),
        unchanged=report.count("unchanged"),
    )  # fmt: skip
    print(said, file=out)
    for framework, year in report.reranked:
        print(messages.text("cli_settle.reranked", lang, framework=framework, year=year), file=out)
    if args.out is not None:
        with store.reading(db) as con:
            try:
                count = export.export(con, args.out, args.contract, args.period, args.lang)
            except ValueError as error:
                say_error(error, args.lang)
                return EXIT_ERROR
        detail = {"file": str(args.out), "rows": count}
        event = audit.Event("export", contract_id=args.contract, period=args.period, detail=detail)
        audit.record_alone(db, cli_actor(args.by), event)
        print(messages.text("cli_settle.wrote", lang, count=count, file=args.out), file=out)
    return EXIT_OK


def cmd_prepare(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    return _approval_step(args, db, out, "cli_step.prepared")


def cmd_approve(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    return _approval_step(args, db, out, "cli_step.approved")


def cmd_reject(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    return _approval_step(args, db, out, "cli_step.rejected")


def _approval_step(args: argparse.Namespace, db: Path, out: TextIO, key: str) -> int:
    """prepare / approve / reject from the command line, refused with exit 2 and the reason."""
    from etl import access, approval, messages, personal_data, settle
    from etl.access import cli_actor

    actor = cli_actor(args.by)
    step = args.run.__name__.removeprefix("cmd_")
    try:
        if step == "prepare":
            decision = approval.prepare(db, actor, args.contract, args.period)
        elif step == "approve":
            four_eyes = access.installation_four_eyes()
            decision = approval.approve(
                db, actor, args.contract, args.period, args.comment, four_eyes=four_eyes
            )
        else:
            decision = approval.reject(db, actor, args.contract, args.period, args.reason)
    except (settle.SettleError, access.AccessError, personal_data.PersonalData) as error:
        say_error(error, args.lang)
        return EXIT_REJECTED
    settlement = _settlement_name(
        decision.contract_id, decision.period, decision.version, decision.kind, args.lang
    )
    said = messages.text(
        key, args.lang, settlement=settlement, who=actor.label, reason=getattr(args, "reason", "")
    )
    if decision.four_eyes_relaxed:
        said = messages.text("cli_step.relaxed", args.lang, line=said)
    print(said, file=out)
    return EXIT_OK


def _settlement_name(contract: str, period: str, version: int, kind: str, lang: str) -> str:
    """K-001 2025-Q1 v2 (oikaisu): a settlement version and its kind in the language."""
    from etl import export, messages

    return messages.text(
        "cli_step.settlement", lang, contract=contract, period=period, version=version,
        kind=export.word("kind", kind, lang),
    )  # fmt: skip


def cmd_audit(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    """The trail newest first, with the journal's pending entries; --verify checks the chain;
    --out writes what is shown to a file, and that export is itself recorded."""
    from etl import audit, audit_export, messages, store
    from etl.access import cli_actor
    from etl.messages import MessageError

    try:
        since, until = parse_day(args.since, "--since"), parse_day(args.until, "--until")
    except MessageError as error:
        say_error(error, args.lang)
        return EXIT_REJECTED
    if since is not None and until is not None and since > until:
        after = message("cli.since_after_until", since=since, until=until)
        print(messages.text("cli.error", args.lang, text=after), file=sys.stderr)
        return EXIT_REJECTED
    kind = None if args.out is None else audit_export.kind_of(args.out.name)
    if args.out is not None and kind is None:
        say_error(MessageError(message("cli_out.no_kind", file=str(args.out))), args.lang)
        return EXIT_REJECTED
    filters = audit.Filters(since, until, args.user or None, args.contract or None,
                            args.period or None, args.action or None)  # fmt: skip
    with store.reading(db) as con:
        waiting = audit.pending(con, db)
        if args.verify:
            return _verify_trail(con, len(waiting), out, args.lang)
        frame = audit.events(con, filters, waiting)
    rows = [
        (
            audit_export.PENDING if r["pending"] else r["event_id"],
            audit_export.when(r["occurred_at"]), r["actor_name"], r["actor_roles"],
            r["channel"], r["action"], r["outcome"], r["contract_id"] or "", r["period"] or "",
            "" if r["version"] is None else f"v{r['version']}",
            "" if r["delivery_id"] is None else r["delivery_id"],
            (r["file_digest"] or "")[:12], audit.detail_text(r["detail"], args.lang, DETAIL_CHARS),
        )
        for r in frame.iter_rows(named=True)
    ]  # fmt: skip
    print(format_table(_header("cli_audit.col", AUDIT_COLUMNS, args.lang), rows), file=out)
    waiting_shown = int(frame["pending"].sum())
    key = "cli_audit.count_pending" if waiting_shown else "cli_audit.count"
    print(messages.text(key, args.lang, count=len(rows), pending=waiting_shown), file=out)
    if args.out is None or kind is None:
        return EXIT_OK
    if not _written(args.out, audit_export.file_bytes(frame, kind), args.lang):
        return EXIT_ERROR
    event = audit_export.export_event(filters, str(args.out), kind, len(frame))
    audit.record_soon(db, cli_actor(args.by), event)
    print(messages.text("cli_audit.wrote", args.lang, count=len(frame), file=args.out), file=out)
    return EXIT_OK


AUDIT_COLUMNS = ("number", "at", "user", "roles", "channel", "action", "outcome", "contract",
                 "period", "version", "delivery", "digest", "detail")  # fmt: skip


DETAIL_CHARS = 120
"""The detail column of `vaikuttavuus audit` is cut here (the export holds all of it)."""


def _verify_trail(con: duckdb.DuckDBPyConnection, waiting: int, out: TextIO, lang: str) -> int:
    from etl import audit, messages, store

    problems = audit.verify(con)
    count = store.fetch_one(con, "SELECT count(*) FROM audit_event")
    for problem in problems:
        print(messages.text("cli_audit.broken", lang, problem=problem), file=out)
    total = count[0] if count else 0
    key = "cli_audit.intact_summary" if not problems else "cli_audit.broken_summary"
    print(messages.text(key, lang, count=total), file=out)
    if waiting:
        print(messages.text("cli_audit.pending", lang, count=waiting), file=out)
    return EXIT_OK if not problems else EXIT_REJECTED


def parse_day(text: str | None, flag: str) -> date | None:
    """A day written 2026-12-01 or 1.12.2026; a MessageError saying how to write it otherwise."""
    from datetime import date

    from etl.messages import MessageError

    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        if "." in text:
            day, month, year = (int(part) for part in text.split("."))
            if len(text.split(".")[2]) != 4:
                raise ValueError(text)
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise MessageError(message("cli.not_a_date", flag=flag, text=text)) from None


def cmd_settlements(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    from etl import export, formats, messages, settle, store

    with store.reading(db) as con:
        frame = settle.settlements_frame(con, args.contract, args.period)
        stale = {
            (c, p): messages.render(why, args.lang)
            for c, p, _, why in settle.stale_settlements(con)
        }
    lang = args.lang
    rows = [
        (
            r["contract_id"], r["period"], r["version"], export.word("kind", r["kind"], lang),
            export.word("state", r["status"], lang), formats.euros(r["bonus_total"], lang),
            formats.euros(r["sanction_total"], lang), formats.euros(r["net"], lang),
            formats.euros(r["net_difference"], lang), r["approved_by"] or "",
            stale.get((r["contract_id"], r["period"]), ""),
        )
        for r in frame.iter_rows(named=True)
    ]  # fmt: skip
    header = _header("cli_settlements.col", SETTLEMENT_COLUMNS, lang)
    print(format_table(header, rows), file=out)
    said = messages.text("cli_settlements.summary", lang, count=len(rows), stale=len(stale))
    print(said, file=out)
    return EXIT_OK


SETTLEMENT_COLUMNS = ("contract", "period", "version", "kind", "status", "bonus", "sanction",
                      "net", "difference", "approved_by", "awaiting")  # fmt: skip


def cmd_payment_run(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    """The run's settlements and totals per supplier; --prepare / --approve every one waiting
    (refused with exit 2 and the reason); --out writes the approved rows, recorded."""
    from etl import (
        access,
        audit,
        audit_export,
        export,
        formats,
        messages,
        payment_run,
        personal_data,
        settle,
        store,
    )
    from etl.access import cli_actor
    from etl.messages import MessageError

    lang = args.lang
    kind = None if args.out is None else audit_export.kind_of(args.out.name)
    if args.out is not None and kind is None:
        say_error(MessageError(message("cli_out.no_kind", file=str(args.out))), lang)
        return EXIT_REJECTED
    step: payment_run.RunStep | None = (
        "prepare" if args.prepare else "approve" if args.approve else None
    )
    if step is not None and not (args.by or "").strip():
        say_error(MessageError(message("cli_run.needs_by", step=step)), lang)
        return EXIT_REJECTED
    actor = cli_actor(args.by)
    try:
        name = payment_run.run_period(args.period).name
        if step is not None:
            four_eyes = access.installation_four_eyes()
            decisions = payment_run.step_all(db, actor, step, name, four_eyes=four_eyes)
            for d in decisions:
                settlement = _settlement_name(d.contract_id, d.period, d.version, d.kind, lang)
                print(messages.text(f"cli_run.stepped_{step}", lang, settlement=settlement),
                      file=out)  # fmt: skip
            said = messages.text(
                f"cli_run.summary_{step}", lang, count=len(decisions), who=actor.label
            )
            print(said, file=out)
    except (settle.SettleError, access.AccessError, personal_data.PersonalData) as error:
        say_error(error, lang)
        return EXIT_REJECTED
    with store.reading(db) as con:
        run = payment_run.rows(con, name)
    table = [
        (
            r.supplier, r.business_id, r.contract_id, r.period, r.version,
            export.word("kind", r.kind, lang), export.word("state", r.status, lang),
            formats.euros(r.bonus, lang), formats.euros(r.sanction, lang),
            formats.euros(r.payable, lang),
            "" if r.corrects_version is None else f"v{r.corrects_version}", r.approved_by or "",
        )
        for r in run
    ]  # fmt: skip
    print(messages.text("cli_run.title", lang, run=name), file=out)
    print(format_table(_header("cli_run.col", RUN_COLUMNS, lang), table), file=out)
    sums = [
        (t.supplier, t.business_id, formats.count(t.rows, lang), formats.euros(t.bonus, lang),
         formats.euros(t.sanction, lang), formats.euros(t.net, lang),
         formats.euros(t.approved_net, lang))
        for t in payment_run.totals(run)
    ]  # fmt: skip
    print(file=out)
    print(format_table(_header("cli_run.col", TOTAL_COLUMNS, lang), sums), file=out)
    approved = len(payment_run.payable(run))
    print(messages.text("cli_run.summary", lang, count=len(run), approved=approved), file=out)
    if args.out is None or kind is None:
        return EXIT_OK
    if not _written(args.out, payment_run.file_bytes(run, kind, lang), lang):
        return EXIT_ERROR
    audit.record_alone(db, actor, payment_run.export_event(name, run, str(args.out), kind))
    said = messages.text(
        "cli_run.wrote", lang, approved=approved, file=args.out, left=len(run) - approved
    )
    print(said, file=out)
    return EXIT_OK


RUN_COLUMNS = ("supplier", "business_id", "contract", "period", "version", "kind", "state",
               "bonus", "sanction", "net", "corrects", "approved_by")  # fmt: skip
TOTAL_COLUMNS = ("supplier", "business_id", "settlements", "bonus", "sanction", "net",
                 "approved_net")  # fmt: skip


def cmd_rank(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    from etl import formats, messages, rank
    from etl.access import cli_actor

    try:
        ranked = rank.rank(db, cli_actor(args.by), args.framework, args.year)
    except ValueError as error:
        say_error(error, args.lang)
        return EXIT_ERROR
    lang = args.lang
    rows = [
        (
            r.rank.position, r.rank.contract, r.supplier,
            "–" if r.rank.score is None else formats.number(r.rank.score, lang, 4),
            formats.count(r.assessed, lang),
            "" if r.rank.previous_position is None else r.rank.previous_position,
            _movement(r.rank.movement, lang),
        )
        for r in ranked
    ]  # fmt: skip
    print(messages.text("cli_rank.title", lang, framework=args.framework, year=args.year),
          file=out)  # fmt: skip
    print(format_table(_header("cli_rank.col", RANK_COLUMNS, lang), rows), file=out)
    return EXIT_OK


RANK_COLUMNS = ("position", "contract", "supplier", "score", "assessed", "last_year", "movement")


def cmd_export_ocds(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    """The OCDS release package of one contract or all (docs/open-data.md), to --out or
    stdout; an unknown contract is refused with exit 2; the export is recorded in the trail."""
    from datetime import date

    from etl import access, audit, messages, ocds, store
    from etl.access import cli_actor
    from etl.messages import MessageError

    lang = args.lang
    if not db.exists():
        raise store.StoreError(message("error.no_database", db=str(db)))
    actor = cli_actor(args.by)
    file = "-" if args.out is None else str(args.out)
    detail: dict[str, object] = {"what": "ocds", "file": file, "format": "json"}
    try:
        audit.require(db, actor, "export", audit.Event("export", contract_id=args.contract,
                                                       detail=detail))  # fmt: skip
    except access.AccessError as error:
        say_error(error, lang)
        return EXIT_REJECTED
    prefix = ocds.OCID_PREFIX if args.ocid_prefix is None else args.ocid_prefix
    with store.reading(db) as con:
        known = ocds.contract_ids(con)
        if args.contract is not None and args.contract not in known:
            why = message("error.unknown_contracts", contracts=args.contract)
            say_error(MessageError(why), lang)
            return EXIT_REJECTED
        if not known:
            say_error(MessageError(message("cli_export.no_contracts", db=str(db))), lang)
            return EXIT_REJECTED
        chosen = known if args.contract is None else [args.contract]
        package = ocds.release_package(con, chosen, date.today(), prefix)
    text = ocds.dumps(package) + "\n"
    if args.out is None:
        out.write(text)
    elif not _written(args.out, text.encode("utf-8"), lang):
        return EXIT_ERROR
    detail["rows"] = len(chosen)
    audit.record_soon(db, actor, audit.Event("export", contract_id=args.contract, detail=detail))
    if args.out is not None:
        said = messages.text("cli_export.wrote", lang, count=len(chosen), file=args.out)
        print(said, file=out)
    return EXIT_OK


def _written(out: Path, content: bytes, lang: str) -> bool:
    """Write an export to --out; a file that cannot be written is said in plain words."""
    from etl.messages import MessageError

    try:
        out.write_bytes(content)
    except OSError as error:
        why = message("cli_out.not_written", file=str(out), reason=error.strerror or str(error))
        say_error(MessageError(why), lang)
        return False
    return True


def cmd_serve(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    """Run Streamlit on dashboard/app.py; the database path reaches it via $VAIKUTTAVUUS_DB.

    With sign-in: the secrets file's [auth] section (OpenID Connect) and the role mapping are
    checked before the server starts. Without [auth] it refuses to start unless --no-auth is
    given, and then listens on 127.0.0.1 only."""
    from etl import access, audit, messages, store
    from etl.access import cli_actor
    from etl.messages import MessageError

    if not db.exists():
        raise store.StoreError(message("error.no_database_demo", db=str(db)))
    app = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
    env = dict(os.environ, **{store.DB_ENV: str(db.resolve())})
    env.pop(access.NO_AUTH_ENV, None)
    command = streamlit_command(app, args.port)
    lang = args.lang
    problem = _auth_problem(args.secrets)
    if args.no_auth:
        if args.address not in ("localhost", "127.0.0.1"):
            why = message("cli_serve.no_auth_address", address=args.address)
            say_error(MessageError(why), lang, "cli.refused")
            return EXIT_REJECTED
        address = "127.0.0.1"
        env[access.NO_AUTH_ENV] = "1"
        print(messages.text("cli_serve.warning", lang, who=access.local_actor().name), file=out)
    elif problem is not None:
        why = message("cli_serve.no_sign_in", problem=problem)
        say_error(MessageError(why), lang, "cli.refused")
        return EXIT_REJECTED
    else:
        address = args.address
        command += ["--secrets.files", str(args.secrets.resolve())]
        roles = access.role_map_path(args.roles)
        if roles is None:
            say_error(MessageError(message("cli_serve.no_roles")), lang, "cli.refused")
            return EXIT_REJECTED
        try:
            role_map = access.load_role_map(roles)
        except access.RoleMapError as error:
            say_error(error, args.lang, "cli.refused")
            return EXIT_REJECTED
        audit.record_role_map(db, cli_actor(None), role_map)
        env[access.ROLES_ENV] = str(roles.resolve())
    command += ["--server.address", address]
    said = messages.text("cli_serve.running", lang, address=address, port=args.port, db=db)
    print(said, file=out, flush=True)
    # become Streamlit, so that Ctrl-C and SIGTERM reach the server itself
    os.execve(sys.executable, command, env)


def streamlit_command(app: Path, port: int) -> list[str]:
    """How `serve` runs Streamlit on an app (without the address and the secrets): also how
    bench/dashboard_pages.py serves its floor, a minimal app, so that both are served alike."""
    from etl import limits

    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--runner.magicEnabled", "false", "--client.toolbarMode", "viewer",
        "--server.fileWatcherType", "none", "--server.enableXsrfProtection", "true",
        "--client.showErrorDetails", "none", "--client.showErrorLinks", "false",
        "--server.maxUploadSize", str(limits.MAX_UPLOAD_BYTES // limits.MiB),
    ]  # fmt: skip


AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def _auth_problem(secrets: Path) -> Message | None:
    """Why the secrets file cannot sign anyone in (None when its [auth] section is complete)."""
    import tomllib

    try:
        data = tomllib.loads(secrets.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return message("cli_serve.no_secrets", file=str(secrets))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return message("cli_serve.unreadable", file=str(secrets), reason=str(error))
    section = data.get("auth")
    if not isinstance(section, dict):
        return message("cli_serve.no_auth_section", file=str(secrets))
    flat = dict(section)
    for value in section.values():  # [auth.<provider>] sections hold the provider's keys
        if isinstance(value, dict):
            flat.update(value)
    missing = [key for key in AUTH_KEYS if not flat.get(key)]
    if missing:
        return message("cli_serve.auth_lacks", file=str(secrets), keys=", ".join(missing))
    return None


def _movement(movement: int | None, lang: str) -> str:
    from etl import messages

    if movement is None:
        return messages.text("movement.new", lang)
    if movement == 0:
        return "="
    return f"▲ {movement}" if movement > 0 else f"▼ {-movement}"


if __name__ == "__main__":
    sys.exit(main())
