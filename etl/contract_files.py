"""Contract files into the store (`vaikuttavuus contracts add`).

Each file gets its own verdict: a file with problems is refused with its file and fields, the
others are stored; a file whose terms have the digest of the contract's newest version is
unchanged (nothing stored), a changed one is the contract's next version. Every file is read,
parsed and checked once, before the write lock is taken; then all of them are stored in one
write: the versions, their indicators and the audit entries (one per file, refusals too) go
in as frames, three inserts for any number of files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb

from contracts.messages import message
from contracts.terms import (
    Contract,
    Indicator,
    Problem,
    TermsError,
    parse_contract,
    parse_toml_text,
    terms_digest,
)
from etl import audit, messages, store
from etl.access import Actor

Outcome = Literal["added", "new-version", "unchanged", "rejected"]
AUDITED_PROBLEMS = 20
"""A refusal's audit entry keeps the first this many problems (and the count of all)."""


@dataclass(frozen=True)
class ContractFile:
    """One file as read and checked: its terms and their digest, or its problems."""

    path: Path
    text: str = ""
    terms: Contract | None = None
    digest: str = ""
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """What became of one file: the contract and version it is (None when refused)."""

    path: Path
    outcome: Outcome
    contract_id: str | None = None
    version: int | None = None
    problems: tuple[Problem, ...] = ()


def file_text(path: Path) -> str | Problem:
    """A terms file's UTF-8 text, or the problem that it cannot be read (its field `(file)`)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Problem(str(path), "(file)", message("engine.terms.unreadable", error=str(error)))


def refusal_detail(path: Path, problems: Sequence[Problem]) -> dict[str, Any]:
    """A refused file's audit detail: the file, how many problems, and the first
    AUDITED_PROBLEMS of them in English."""
    first = [f"{p.field}: {messages.render(p.message, 'en')}" for p in problems[:AUDITED_PROBLEMS]]
    return {"file": str(path), "problems": len(problems), "first": first}


def read_contract_file(path: Path) -> ContractFile:
    """Read, parse (once) and check one contract file; its problems instead when it fails."""
    text = file_text(path)
    if isinstance(text, Problem):
        return ContractFile(path, problems=(text,))
    try:
        data = parse_toml_text(text, str(path))
        terms = parse_contract(data, str(path))
    except TermsError as error:
        return ContractFile(path, text, problems=tuple(error.problems))
    return ContractFile(path, text, terms, terms_digest(data))


def add_contract_files(db: Path, paths: Sequence[Path], actor: Actor) -> list[Verdict]:
    """Check every file, then store the accepted ones and record every verdict in one write."""
    files = [read_contract_file(path) for path in paths]
    with store.writing(db) as con:
        return stored_contract_files(con, files, actor)


def stored_contract_files(
    con: duckdb.DuckDBPyConnection, files: Sequence[ContractFile], actor: Actor
) -> list[Verdict]:
    """The verdicts of checked files, in their order, with the new versions and the audit
    entries inserted in the caller's transaction. A contract named by several files is
    compared with the one before it in the same call, as if they were added one by one."""
    newest = _newest_versions(con)
    verdicts: list[Verdict] = []
    versions: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    added_at = store.now()
    for file in files:
        if file.terms is None:
            verdicts.append(Verdict(file.path, "rejected", problems=file.problems))
            continue
        terms = file.terms
        version, digest = newest.get(terms.id, (0, None))
        if digest == file.digest:
            verdicts.append(Verdict(file.path, "unchanged", terms.id, version))
            continue
        version += 1
        newest[terms.id] = (version, file.digest)
        versions.append(_version_row(file, terms, version, added_at, actor.label))
        indicators += _indicator_rows(terms, version)
        outcome: Outcome = "added" if version == 1 else "new-version"
        verdicts.append(Verdict(file.path, outcome, terms.id, version))
    store.insert_rows(con, "contract_version", versions, decimals_as_text=True)
    store.insert_rows(con, "indicator_version", indicators, decimals_as_text=True)
    audit.record_many(con, actor, [_event(verdict) for verdict in verdicts])
    return verdicts


def _newest_versions(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Each stored contract's newest version and its digest."""
    rows = con.execute(
        "SELECT contract_id, version, digest FROM contract_version "
        "QUALIFY row_number() OVER (PARTITION BY contract_id ORDER BY version DESC) = 1"
    ).fetchall()
    return {str(contract): (int(version), str(digest)) for contract, version, digest in rows}


def _version_row(
    file: ContractFile, terms: Contract, version: int, added_at: datetime, added_by: str
) -> dict[str, Any]:
    return {
        "contract_id": terms.id, "version": version, "digest": file.digest,
        "source_file": str(file.path), "toml_text": file.text, "added_at": added_at,
        "added_by": added_by, "title": terms.title, "service": terms.service,
        "buyer": terms.buyer, "supplier_name": terms.supplier.name,
        "supplier_business_id": terms.supplier.business_id, "framework": terms.framework,
        "start_date": terms.start, "end_date": terms.end, "period_kind": terms.period,
        "period_value": _decimal_text(terms.period_value),
    }  # fmt: skip


def _indicator_rows(terms: Contract, version: int) -> list[dict[str, Any]]:
    return [
        _indicator_row(terms.id, version, position, indicator)
        for position, indicator in enumerate(terms.indicators)
    ]


def _indicator_row(
    contract_id: str, version: int, position: int, indicator: Indicator
) -> dict[str, Any]:
    return {
        "contract_id": contract_id, "version": version, "indicator_id": indicator.id,
        "position": position, "name_fi": indicator.name.fi, "name_sv": indicator.name.sv,
        "name_en": indicator.name.en, "theme": indicator.theme, "unit": indicator.unit,
        "direction": indicator.direction, "aggregate": indicator.aggregate,
        "per": _decimal_text(indicator.per), "min_n": indicator.min_n,
        "missing": indicator.missing, "weight": _decimal_text(indicator.weight),
        "bonus_scale": indicator.bonus.scale if indicator.bonus else None,
        "sanction_kind": indicator.sanction.kind if indicator.sanction else None,
    }  # fmt: skip


def _decimal_text(value: Decimal) -> str:
    """A decimal as plain digits, for DuckDB to cast to the column's DECIMAL
    (`store.insert_rows(..., decimals_as_text=True)`)."""
    return format(value, "f")


def _event(verdict: Verdict) -> audit.Event:
    """The audit entry of one file: done, unchanged, or rejected with its first problems."""
    if verdict.outcome != "rejected":
        outcome: audit.Outcome = "unchanged" if verdict.outcome == "unchanged" else "done"
        return audit.Event("contract-add", outcome, verdict.contract_id,
                           version=verdict.version, detail={"file": str(verdict.path)})  # fmt: skip
    return audit.Event(
        "contract-add", "rejected", detail=refusal_detail(verdict.path, verdict.problems)
    )
