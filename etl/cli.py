"""The `vaikuttavuus` command.

Exit status: 0 when everything asked was done, 2 when an input was rejected (the report
says why; nothing of a rejected input is stored), 1 for other errors.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from contracts.terms import TermsError, load_contract_file, parse_toml_text, terms_digest
from etl import store
from etl.load import LoadResult, load_file
from etl.report import format_table, thousands

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_REJECTED = 2
SHOWN_PROBLEMS = 50


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_ERROR
    db = store.resolve_db_path(getattr(args, "db", None))
    try:
        return int(args.run(args, db, sys.stdout))
    except store.StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        help="database file (default: $VAIKUTTAVUUS_DB or ./vaikuttavuus.duckdb)",
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
    return parser


def cmd_init(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    existed = db.exists()
    with store.writing(db, create=True) as con:
        applied = store.migrate(con)
        version = store.schema_version(con)
    if not existed:
        print(f"created {db} (schema version {version})", file=out)
    elif applied:
        print(f"migrated {db} to schema version {version}: {', '.join(applied)}", file=out)
    else:
        print(f"{db} is up to date (schema version {version})", file=out)
    return EXIT_OK


def cmd_contracts_add(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    status = EXIT_OK
    with store.writing(db) as con:
        for path in args.files:
            try:
                terms = load_contract_file(path)
            except TermsError as error:
                status = EXIT_REJECTED
                print(f"REJECTED {path}: {len(error.problems)} problem(s)", file=out)
                for problem in error.problems:
                    print(f"  {problem.field}: {problem.message}", file=out)
                continue
            text = path.read_text(encoding="utf-8")
            digest = terms_digest(parse_toml_text(text, str(path)))
            outcome, version = store.add_contract_version(
                con, terms, digest, str(path), text, args.by
            )
            words = {
                "added": "added",
                "new-version": "stored as a new version",
                "unchanged": "unchanged, nothing stored",
            }
            print(f"{terms.id} v{version}: {words[outcome]} ({path})", file=out)
    return status


def cmd_contracts_list(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    with store.reading(db) as con:
        rows = con.execute(
            """
            SELECT c.contract_id, c.version, c.supplier_name, c.service,
                   coalesce(c.framework, ''), c.period_kind,
                   strftime(c.start_date, '%-d.%-m.%Y') || '–'
                       || strftime(c.end_date, '%-d.%-m.%Y'),
                   (SELECT count(*) FROM indicator_current i WHERE i.contract_id = c.contract_id),
                   strftime(c.added_at, '%-d.%-m.%Y %H.%M')
            FROM contract_current c ORDER BY c.contract_id
            """
        ).fetchall()
    header = ("contract", "ver", "supplier", "service", "framework", "period", "term",
              "indicators", "added")  # fmt: skip
    print(format_table(header, rows), file=out)
    print(f"{len(rows)} contract(s)", file=out)
    return EXIT_OK


def cmd_load(args: argparse.Namespace, db: Path, out: TextIO) -> int:
    status = EXIT_OK
    if not db.exists():
        raise store.StoreError(f"{db}: no database here; run `vaikuttavuus init` first")
    for path in args.files:
        progress = None if args.quiet or not sys.stderr.isatty() else _progress(path)
        result = load_file(db, path, args.by, progress)
        if progress is not None:
            print(file=sys.stderr)
        print_load_result(result, out)
        if result.status == "rejected":
            status = EXIT_REJECTED
    return status


def _progress(path: Path) -> "_ProgressLine":
    return _ProgressLine(path.name)


class _ProgressLine:
    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, rows: int) -> None:
        print(f"\r{self.name}: {thousands(rows)} rows checked", end="", file=sys.stderr)


def print_load_result(result: LoadResult, out: TextIO) -> None:
    if result.status == "loaded":
        note = f", superseding earlier data for {result.superseded} contract x indicator x period"
        print(
            f"LOADED {result.file}: delivery {result.delivery_id}, {thousands(result.rows)} rows "
            f"({result.shape}){note if result.superseded else ''} in {result.seconds:.1f} s",
            file=out,
        )
    elif result.status == "already-loaded":
        print(f"UNCHANGED {result.file}: {'; '.join(result.warnings)}", file=out)
        return
    else:
        print(
            f"REJECTED {result.file}: {thousands(result.problem_count)} problem(s); "
            "nothing from this file was stored",
            file=out,
        )
        shown = result.problems[:SHOWN_PROBLEMS]
        rows = [
            (p.row if p.row is not None else "", p.column or "", _quoted(p.text), p.reason)
            for p in shown
        ]
        print(_indent(format_table(("row", "column", "text", "reason"), rows)), file=out)
        if result.problem_count > len(shown):
            print(f"  ... and {thousands(result.problem_count - len(shown))} more:", file=out)
            for reason, count in result.reasons.most_common():
                print(f"    {thousands(count)} x {reason}", file=out)
    for warning in result.warnings:
        print(f"  note: {warning}", file=out)


def _quoted(text: str | None) -> str:
    if text is None:
        return "(empty)"
    return f'"{text}"'


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def cmd_deliveries(args: argparse.Namespace, db: Path, out: TextIO) -> int:
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
            SELECT d.delivery_id, d.file_name, strftime(d.loaded_at, '%-d.%-m.%Y %H.%M'),
                   coalesce(d.loaded_by, ''), d.row_count, d.shape, scope.contracts,
                   strftime(scope.first_period, '%Y-%m') || '..'
                       || strftime(scope.last_period, '%Y-%m'),
                   CASE WHEN scope.superseded_keys = 0 THEN 'current'
                        WHEN scope.superseded_keys = scope.keys THEN 'superseded'
                        ELSE 'partly superseded (' || scope.superseded_keys || '/'
                             || scope.keys || ')' END,
                   CASE WHEN scope.corrects_keys > 0
                        THEN 'corrects ' || scope.corrects_keys ELSE '' END,
                   left(d.sha256, 12)
            FROM delivery d JOIN scope USING (delivery_id)
            ORDER BY d.delivery_id
            """,
            [args.contract, args.contract],
        ).fetchall()
    header = ("id", "file", "loaded", "by", "rows", "shape", "contracts", "periods", "state",
              "correction", "sha256")  # fmt: skip
    print(format_table(header, [_with_thousands(r, 4) for r in rows]), file=out)
    print(f"{len(rows)} deliveries", file=out)
    return EXIT_OK


def _with_thousands(row: tuple[object, ...], column: int) -> tuple[object, ...]:
    values = list(row)
    value = values[column]
    if isinstance(value, int):
        values[column] = thousands(value)
    return tuple(values)


if __name__ == "__main__":
    sys.exit(main())
