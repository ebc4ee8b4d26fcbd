"""`vaikuttavuus contracts add` of many files: one write for all of them, each file its own
verdict, and the audit trail one entry per file, as when they were added one by one."""

import json
from contextlib import AbstractContextManager
from pathlib import Path

import duckdb
import pytest

from etl import contract_files, store
from tests.conftest import TEST_CONTRACT, run_cli

MANY = 300


def contract_file(folder: Path, number: int, old: str = "", new: str = "") -> Path:
    """The test contract under the id KH-T0001..., with the text `old` replaced by `new`."""
    text = TEST_CONTRACT.read_text(encoding="utf-8").replace(
        'id = "KH-TEST"', f'id = "KH-T{number:04d}"'
    )
    assert old in text
    text = text.replace(old, new)
    path = folder / f"KH-T{number:04d}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def trail(db: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT action, outcome, contract_id, version, detail FROM audit_event "
            "ORDER BY event_id"
        ).fetchall()


def stored(db: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT contract_id, version, source_file, count(i.indicator_id) "
            "FROM contract_version c LEFT JOIN indicator_version i USING (contract_id, version) "
            "GROUP BY ALL ORDER BY contract_id, version"
        ).fetchall()


def test_300_files_are_stored_in_one_write_each_with_its_own_verdict(
    tmp_path: Path, empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "contracts"
    folder.mkdir()
    files = [contract_file(folder, n) for n in range(1, MANY + 1)]
    bad = contract_file(folder, 9999, "period_value = ", "period_valu = ")
    files.insert(150, bad)
    writes: list[Path] = []
    real_writing = store.writing

    def writing(db: Path, **options: bool) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        writes.append(db)
        return real_writing(db, **options)

    monkeypatch.setattr(store, "writing", writing)

    status, out = run_cli("--db", empty_db, "contracts", "add", *files)

    assert status == 2, out
    assert len(writes) == 1
    lines = out.splitlines()
    assert lines[0] == f"KH-T0001 v1: lisätty ({files[0]})"
    assert f"HYLÄTTY {bad}: ongelmia 2" in lines
    assert "  period_valu: tuntematon avain" in out and "  period_value: " in out
    assert lines[-1] == f"KH-T{MANY:04d} v1: lisätty ({files[-1]})"
    indicators = len(TEST_CONTRACT.read_text(encoding="utf-8").split("[[indicator]]")) - 1
    assert stored(empty_db) == [
        (f"KH-T{n:04d}", 1, str(folder / f"KH-T{n:04d}.toml"), indicators)
        for n in range(1, MANY + 1)
    ]
    entries: list[tuple[object, ...]] = [
        ("contract-add", "done", f"KH-T{n:04d}", 1, json.dumps({"file": str(path)}))
        for n, path in zip(range(1, MANY + 1), files[:150] + files[151:], strict=True)
    ]
    refusal = trail(empty_db)[150]
    entries.insert(150, ("contract-add", "rejected", None, None, refusal[4]))
    assert trail(empty_db) == entries
    detail = json.loads(str(refusal[4]))
    assert (detail["file"], detail["problems"]) == (str(bad), 2)
    assert [reason.split(":")[0] for reason in detail["first"]] == ["period_valu", "period_value"]
    assert run_cli("--db", empty_db, "audit", "--verify")[0] == 0


def test_adding_them_again_is_unchanged_and_a_changed_one_is_a_new_version(
    tmp_path: Path, empty_db: Path
) -> None:
    files = [contract_file(tmp_path, n) for n in range(1, 6)]
    assert run_cli("--db", empty_db, "contracts", "add", *files)[0] == 0
    changed = contract_file(tmp_path, 3, "period_value = 250000.00", "period_value = 260000.00")
    status, out = run_cli("--db", empty_db, "contracts", "add", *files)
    assert status == 0, out
    assert out.splitlines() == [
        f"KH-T0001 v1: ennallaan, mitään ei tallennettu ({files[0]})",
        f"KH-T0002 v1: ennallaan, mitään ei tallennettu ({files[1]})",
        f"KH-T0003 v2: tallennettu uutena versiona ({changed})",
        f"KH-T0004 v1: ennallaan, mitään ei tallennettu ({files[3]})",
        f"KH-T0005 v1: ennallaan, mitään ei tallennettu ({files[4]})",
    ]
    assert [row[:2] for row in stored(empty_db)] == [
        ("KH-T0001", 1), ("KH-T0002", 1), ("KH-T0003", 1), ("KH-T0003", 2), ("KH-T0004", 1),
        ("KH-T0005", 1),
    ]  # fmt: skip
    assert [row[1:4] for row in trail(empty_db)[5:]] == [
        ("unchanged", "KH-T0001", 1), ("unchanged", "KH-T0002", 1), ("done", "KH-T0003", 2),
        ("unchanged", "KH-T0004", 1), ("unchanged", "KH-T0005", 1),
    ]  # fmt: skip


def test_one_contract_twice_in_one_call_is_compared_with_the_file_before_it(
    tmp_path: Path, empty_db: Path
) -> None:
    first = contract_file(tmp_path, 1)
    same = tmp_path / "copy.toml"
    same.write_text(first.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text(
        first.read_text(encoding="utf-8").replace("250000.00", "1.005"), encoding="utf-8"
    )
    status, out = run_cli("--db", empty_db, "contracts", "add", first, same, other)
    assert status == 0, out
    assert out.splitlines() == [
        f"KH-T0001 v1: lisätty ({first})",
        f"KH-T0001 v1: ennallaan, mitään ei tallennettu ({same})",
        f"KH-T0001 v2: tallennettu uutena versiona ({other})",
    ]
    with duckdb.connect(str(empty_db), read_only=True) as con:
        values = con.execute(
            "SELECT version, period_value FROM contract_version ORDER BY version"
        ).fetchall()
    assert [(v, str(p)) for v, p in values] == [(1, "250000.00"), (2, "1.01")]


def test_an_unreadable_file_is_refused_with_its_reason(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    read = contract_files.read_contract_file(missing)
    assert read.terms is None
    assert [p.field for p in read.problems] == ["(file)"]
