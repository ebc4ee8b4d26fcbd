"""The audit trail: every action that changes or exports something leaves a row saying who,
when, what, from where and with what outcome; rows are never changed, and a change made
outside the product breaks the hash chain, which `audit --verify` reports."""

import fcntl
import getpass
import re
from pathlib import Path

import duckdb
import pytest

from etl import audit
from etl.access import Actor, Grant, RoleMap, signed_in_actor
from etl.load import load_file, load_upload
from tests.conftest import REPO, TEST_CONTRACT, Cli, run_cli, write

HEADER = "sopimus;mittari;kausi;arvo;n;osoittaja;nimittäjä;poissuljetut;asiakas;huom\n"
WHERE = ("--contract", "KH-TEST", "--period", "2025-Q1")


def trail(db: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT actor_id, actor_name, actor_roles <> '', channel, action, outcome, "
            "contract_id, period, version FROM audit_event ORDER BY event_id"
        ).fetchall()


@pytest.fixture
def worked(tmp_path: Path, db: Path, cli: Cli) -> Path:
    """KH-TEST loaded, settled, prepared, approved, ranked and exported from the CLI."""
    rows = "KH-TEST;adl;2025-01;;;80;100;;;\n"
    assert cli("load", write(tmp_path / "q1.csv", HEADER + rows), "--by", "Toimittaja")[0] == 0
    assert cli("settle", "--by", "Laskija")[0] == 0
    assert cli("prepare", *WHERE, "--by", "Paula")[0] == 0
    assert cli("approve", *WHERE, "--by", "Aino")[0] == 0
    assert cli("rank", "--framework", "TEST-PUITE", "--year", "2025", "--by", "Aino")[0] == 0
    out = tmp_path / "maksut.xlsx"
    assert cli("settle", *WHERE, "--out", out, "--by", "Aino")[0] == 0
    return db


def test_each_action_from_the_command_line_is_someones(worked: Path) -> None:
    user = getpass.getuser()
    rows = trail(worked)
    assert all(str(r[0]).startswith(f"cli:{user}:") for r in rows)
    assert [r[1:] for r in rows if r[4] != "load"] == [
        (user, True, "cli", "contract-add", "done", "KH-TEST", None, 1),
        ("Laskija", True, "cli", "settle", "done", None, None, None),
        ("Paula", True, "cli", "prepare", "done", "KH-TEST", "2025-Q1", 1),
        ("Aino", True, "cli", "approve", "done", "KH-TEST", "2025-Q1", 1),
        ("Aino", True, "cli", "rank", "done", None, None, None),
        ("Aino", True, "cli", "export", "done", "KH-TEST", "2025-Q1", None),
    ]


def test_a_refused_contract_file_is_in_the_trail_too(tmp_path: Path, empty_db: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(TEST_CONTRACT.read_text().replace("period_value = 250000.00", ""), "utf-8")
    assert run_cli("--db", empty_db, "contracts", "add", bad, "--by", "Admin")[0] == 2
    assert [r[4:6] for r in trail(empty_db)] == [("contract-add", "rejected")]


def test_the_trail_is_printed_and_filtered_by_user_contract_and_action(
    worked: Path, cli: Cli
) -> None:
    status, out = cli("audit", "--user", "paula")
    assert status == 0
    lines = out.splitlines()
    assert lines[-1] == "1 event(s)"
    assert " Paula " in lines[1] and " prepare " in lines[1] and "KH-TEST 2025-Q1" in lines[1]
    status, out = cli("audit", "--contract", "KH-TEST", "--action", "approve")
    assert out.splitlines()[-1] == "1 event(s)"
    status, out = cli("audit", "--since", "2999-01-01")
    assert out.splitlines()[-1] == "0 event(s)"


def test_an_intact_trail_verifies(worked: Path, cli: Cli) -> None:
    status, out = cli("audit", "--verify")
    assert status == 0
    assert out.splitlines()[-1].endswith("chain intact")


def test_a_row_changed_outside_the_product_breaks_the_chain(worked: Path, cli: Cli) -> None:
    with duckdb.connect(str(worked)) as con:
        con.execute("UPDATE audit_event SET actor_name = 'Joku muu' WHERE action = 'approve'")
    status, out = cli("audit", "--verify")
    assert status == 2
    assert "the row was changed after it was written" in out
    assert out.splitlines()[-1].endswith("chain BROKEN")


def test_a_row_removed_outside_the_product_breaks_the_chain(worked: Path, cli: Cli) -> None:
    with duckdb.connect(str(worked)) as con:
        con.execute("DELETE FROM audit_event WHERE action = 'prepare'")
    status, out = cli("audit", "--verify")
    assert status == 2
    assert "is missing" in out and "the row before it was changed or removed" in out


def test_no_code_of_the_product_changes_or_removes_a_trail_row() -> None:
    """The only statement that touches audit_event is the INSERT in etl/audit.py."""
    statements = r"(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE|ALTER\s+TABLE)\s+audit_event"
    touching = re.compile(statements, re.IGNORECASE)
    found = [
        str(path.relative_to(REPO))
        for folder in ("etl", "dashboard", "contracts", "sample_data")
        for path in (REPO / folder).rglob("*")
        if path.suffix in (".py", ".sql") and touching.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


# --- loads: accepted in the same write, rejected through the journal, scoped by role ---------


def supplier(business_id: str) -> Actor:
    role_map = RoleMap(
        claim="groups", groups={"s": (Grant("toimittaja", business_id=business_id),)}
    )
    return signed_in_actor({"iss": "idp", "sub": "s1", "name": "Sanna", "groups": ["s"]}, role_map)


def test_an_accepted_and_a_rejected_load_are_both_in_the_trail(tmp_path: Path, db: Path) -> None:
    good = load_file(db, write(tmp_path / "hyva.csv", HEADER + "KH-TEST;adl;2025-01;;;80;100;;;\n"))
    bad = load_file(db, write(tmp_path / "huono.csv", HEADER + "KH-TEST;adl;2025-01;;;x;100;;;\n"))
    assert (good.status, bad.status) == ("loaded", "rejected")
    rows = [r for r in trail(db) if r[4] == "load"]
    assert [(r[4], r[5]) for r in rows] == [("load", "done"), ("load", "rejected")]
    assert not audit.journal_path(db).exists()


def test_a_rejection_while_another_process_writes_waits_in_the_journal(
    tmp_path: Path, db: Path
) -> None:
    with open(db.with_name(db.name + ".lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        bad = load_file(
            db, write(tmp_path / "huono.csv", HEADER + "KH-TEST;adl;2025-01;;;x;1;;;\n")
        )
        assert bad.status == "rejected"
        assert [r[4] for r in trail(db)] == ["contract-add"]
        assert audit.journal_path(db).exists()
    assert audit.absorb(db) == 1
    assert [(r[4], r[5]) for r in trail(db)] == [("contract-add", "done"), ("load", "rejected")]
    assert not audit.journal_path(db).exists()
    with duckdb.connect(str(db), read_only=True) as con:
        assert audit.verify(con) == []


def test_a_supplier_uploads_only_for_its_own_contracts(tmp_path: Path, db: Path) -> None:
    body = HEADER + "KH-TEST;adl;2025-01;;;80;100;;;\n"
    other = load_upload(db, "toimitus.csv", body.encode(), supplier("1234567-1"))
    assert other.status == "rejected"
    assert [(p.column, p.text, p.reason) for p in other.problems] == [
        ("sopimus", "KH-TEST", "you may not upload deliveries for contract KH-TEST")
    ]
    own = load_upload(db, "toimitus.csv", body.encode(), supplier("2345678-0"))
    assert own.status == "loaded"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT loaded_by FROM delivery").fetchall() == [("Sanna",)]
    loads = [r for r in trail(db) if r[4] == "load"]
    assert [(r[0], r[5]) for r in loads] == [("oidc:idp|s1", "rejected"), ("oidc:idp|s1", "done")]
