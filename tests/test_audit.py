"""The audit trail: every action that changes or exports something leaves a row saying who,
when, what, from where and with what outcome; rows are never changed, and a change made
outside the product breaks the hash chain, which `audit --verify` reports."""

import codecs
import csv
import fcntl
import getpass
import io
import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from etl import access, audit, messages
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


def columns(out: str) -> list[dict[str, str]]:
    """The rows of `vaikuttavuus audit`'s table by column name (the header's words)."""
    lines = out.splitlines()[:-1]
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"(?<!\S)\S+(?: \S+)*", header)]
    names = [header[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
    return [
        {n: line[a:b].strip() for n, a, b in zip(names, starts, [*starts[1:], None], strict=True)}
        for line in lines[1:]
    ]


def test_the_trail_is_printed_and_filtered_by_user_contract_and_action(
    worked: Path, cli: Cli
) -> None:
    status, out = cli("audit", "--user", "paula")
    assert status == 0
    assert out.splitlines()[-1] == "tapahtumia 1"
    (row,) = columns(out)
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} \d\d\.\d\d\.\d\d", row["aika (UTC)"])
    assert (row["käyttäjä"], row["kanava"], row["toiminto"], row["tulos"]) == (
        "Paula", "cli", "prepare", "done",
    )  # fmt: skip
    assert (row["sopimus"], row["kausi"], row["versio"]) == ("KH-TEST", "2025-Q1", "v1")
    status, out = cli("audit", "--contract", "KH-TEST", "--action", "approve")
    assert out.splitlines()[-1] == "tapahtumia 1"
    status, out = cli("audit", "--since", "2999-01-01")
    assert out.splitlines()[-1] == "tapahtumia 0"
    status, out = cli("--lang", "sv", "audit", "--user", "paula")
    assert out.splitlines()[0].startswith("#  tid (UTC)")
    assert out.splitlines()[-1] == "1 händelser"


def test_the_trail_is_printed_newest_first(worked: Path, cli: Cli) -> None:
    numbers = [int(r["#"]) for r in columns(cli("audit")[1])]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) == len(trail(worked))


def test_a_contract_and_period_select_the_settles_and_loads_naming_them(
    worked: Path, cli: Cli
) -> None:
    """A settle names its versions and a load its contracts in the detail, not as the row's
    own contract: the filter finds them there too."""
    actions = [r["toiminto"] for r in columns(cli("audit", "--contract", "KH-TEST")[1])]
    assert actions == ["export", "rank", "approve", "prepare", "settle", "load", "contract-add"]
    period = [r["toiminto"] for r in columns(cli("audit", *WHERE)[1])]
    assert period == ["export", "approve", "prepare", "settle"]
    assert columns(cli("audit", "--contract", "KH-MUU")[1]) == []


@pytest.mark.parametrize("day", ["2026-12-01", "1.12.2026", "01.12.2026"])
def test_days_are_given_in_iso_or_finnish_form(worked: Path, cli: Cli, day: str) -> None:
    with duckdb.connect(str(worked), read_only=True) as con:
        first = con.execute("SELECT min(occurred_at)::DATE FROM audit_event").fetchone()
    assert first is not None
    iso = first[0].isoformat()
    finnish = f"{first[0].day}.{first[0].month}.{first[0].year}"
    given = iso if "-" in day else finnish
    everything = len(trail(worked))
    assert cli("audit", "--since", given, "--until", given)[1].splitlines()[-1] == (
        f"tapahtumia {everything}"
    )


@pytest.mark.parametrize(
    "flags",
    [("--since", "32.1.2026"), ("--until", "2026-13-01"), ("--since", "eilen"),
     ("--since", "1.12.26"), ("--since", "2.12.2026", "--until", "1.12.2026")],
)  # fmt: skip
def test_a_bad_day_is_a_plain_error(
    worked: Path, flags: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run_cli("--db", worked, "audit", *flags)
    assert (status, out) == (2, "")
    error = capsys.readouterr().err
    assert error.startswith("virhe: ") and "Traceback" not in error
    assert len(error.splitlines()) == 1


def test_the_trail_is_written_to_xlsx_and_finnish_csv_and_the_export_is_recorded(
    tmp_path: Path, worked: Path, cli: Cli
) -> None:
    shown = columns(cli("audit", *WHERE)[1])
    workbook_path, csv_path = tmp_path / "loki.xlsx", tmp_path / "loki.csv"
    status, out = cli("audit", *WHERE, "--out", workbook_path, "--by", "Reviisori")
    assert status == 0 and out.splitlines()[-1].startswith("kirjoitettu 4 tapahtumaa tiedostoon ")
    sheet = load_workbook(workbook_path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("tapahtuma", "aika (UTC)", "käyttäjä")
    assert [r[0] for r in rows[1:]] == [int(r["#"]) for r in shown]
    assert [r[8] for r in rows[1:]] == ["export", "approve", "prepare", "settle"]
    assert isinstance(rows[1][1], datetime)
    assert cli("audit", *WHERE, "--out", csv_path, "--by", "Reviisori")[0] == 0
    raw = csv_path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == [
        "tapahtuma", "aika (UTC)", "käyttäjä", "sähköposti", "tunniste", "roolit", "kanava",
        "istunto", "toiminto", "tulos", "sopimus", "kausi", "selvitys", "versio", "toimitus",
        "tiedoston tiiviste", "lisätiedot", "rivin tiiviste",
    ]  # fmt: skip
    # the xlsx export is itself an export of this contract and period, so the CSV holds it
    assert [r[8] for r in table[1:]] == ["export", "export", "approve", "prepare", "settle"]
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} \d\d\.\d\d\.\d\d", table[1][1])
    exports = [r for r in trail(worked) if r[4] == "export"][-2:]
    assert [(r[1], r[3], r[5], r[6], r[7]) for r in exports] == [
        ("Reviisori", "cli", "done", "KH-TEST", "2025-Q1"),
        ("Reviisori", "cli", "done", "KH-TEST", "2025-Q1"),
    ]
    with duckdb.connect(str(worked), read_only=True) as con:
        details = con.execute(
            "SELECT detail FROM audit_event WHERE action = 'export' ORDER BY event_id DESC LIMIT 2"
        ).fetchall()
    recorded = [json.loads(d[0]) for d in details]
    assert [{k: v for k, v in d.items() if k != audit.JOURNAL_KEY} for d in recorded] == [
        {"what": "audit-trail", "file": str(csv_path), "format": "csv", "rows": 5,
         "contract": "KH-TEST", "period": "2025-Q1"},
        {"what": "audit-trail", "file": str(workbook_path), "format": "xlsx", "rows": 4,
         "contract": "KH-TEST", "period": "2025-Q1"},
    ]  # fmt: skip


def test_an_export_of_the_trail_is_safe_to_open(tmp_path: Path, worked: Path, cli: Cli) -> None:
    assert cli("audit", "--out", tmp_path / "a.csv", "--by", '=HYPERLINK("x")')[0] == 0
    assert cli("audit", "--user", "hyperlink", "--out", tmp_path / "b.xlsx")[0] == 0
    assert cli("audit", "--user", "hyperlink", "--out", tmp_path / "b.csv")[0] == 0
    sheet = load_workbook(tmp_path / "b.xlsx").active
    assert sheet is not None
    names = [row[2].value for row in sheet.iter_rows(min_row=2)]
    assert names == ['\'=HYPERLINK("x")']
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    table = list(
        csv.reader(io.StringIO((tmp_path / "b.csv").read_text("utf-8-sig")), delimiter=";")
    )
    assert [r[2] for r in table[1:]] == ['\'=HYPERLINK("x")']


def test_out_takes_only_xlsx_or_csv(
    tmp_path: Path, worked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = trail(worked)
    assert run_cli("--db", worked, "audit", "--out", tmp_path / "loki.txt")[0] == 2
    assert "anna tiedostolle pääte .xlsx tai .csv" in capsys.readouterr().err
    assert not (tmp_path / "loki.txt").exists() and trail(worked) == before


def test_an_event_waiting_in_the_journal_is_printed_as_pending(
    tmp_path: Path, worked: Path, cli: Cli
) -> None:
    with open(worked.with_name(worked.name + ".lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        bad = load_file(
            worked, write(tmp_path / "odottaa.csv", HEADER + "KH-TEST;adl;2025-02;;;x;1;;;\n")
        )
        assert bad.status == "rejected" and audit.journal_path(worked).exists()
    status, out = cli("audit", "--action", "load")
    assert status == 0
    assert out.splitlines()[-1] == (
        "tapahtumia 2, joista 1 odottaa lokin jonossa (ei vielä taulussa)"
    )
    first, second = columns(out)
    assert (first["#"], first["tulos"]) == ("odottaa", "rejected")
    assert "tiedosto: odottaa.csv" in first["lisätiedot"] and "journal_entry" not in out
    assert (second["tulos"], second["#"].isdigit()) == ("done", True)
    status, out = cli("audit", "--verify")
    assert status == 0 and out.splitlines()[-1].startswith("1 odottaa lokin jonossa")


def test_an_intact_trail_verifies(worked: Path, cli: Cli) -> None:
    status, out = cli("audit", "--verify")
    assert status == 0
    assert out.splitlines()[-1].endswith("; ketju eheä")
    status, out = cli("--lang", "sv", "audit", "--verify")
    assert status == 0
    assert out.splitlines()[-1].endswith("händelser; kedjan är hel")


def test_a_row_changed_outside_the_product_breaks_the_chain(worked: Path, cli: Cli) -> None:
    with duckdb.connect(str(worked)) as con:
        con.execute("UPDATE audit_event SET actor_name = 'Joku muu' WHERE action = 'approve'")
    status, out = cli("audit", "--verify")
    assert status == 2
    assert "riviä on muutettu kirjoittamisen jälkeen" in out
    assert out.splitlines()[-1].endswith("; ketju RIKKI")


def test_a_row_removed_outside_the_product_breaks_the_chain(worked: Path, cli: Cli) -> None:
    with duckdb.connect(str(worked)) as con:
        con.execute("DELETE FROM audit_event WHERE action = 'prepare'")
    status, out = cli("audit", "--verify")
    assert status == 2
    assert "puuttuu" in out and "sitä edeltävää riviä on muutettu tai se on poistettu" in out


def test_no_code_of_the_product_changes_or_removes_a_trail_row() -> None:
    """The only statement that touches audit_event is the INSERT in etl/audit.py: the
    command, the Tapahtumaloki page and Maksut's settlement events only read it."""
    statements = (
        r"(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE|ALTER\s+TABLE|"
        r"CREATE\s+OR\s+REPLACE\s+TABLE|INSERT\s+OR\s+REPLACE\s+INTO)\s+audit_event"
    )
    touching = re.compile(statements, re.IGNORECASE)
    inserting = re.compile(r"INSERT\s+INTO\s+audit_event", re.IGNORECASE)
    sources = {
        str(path.relative_to(REPO)): path.read_text(encoding="utf-8")
        for folder in ("etl", "dashboard", "contracts", "sample_data")
        for path in (REPO / folder).rglob("*")
        if path.suffix in (".py", ".sql")
    }
    assert [name for name, text in sources.items() if touching.search(text)] == []
    assert [name for name, text in sources.items() if inserting.search(text)] == ["etl/audit.py"]
    assert {"dashboard/views/tapahtumaloki.py", "dashboard/trail.py", "etl/audit_export.py"} <= (
        set(sources)
    )


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
    assert [(p.column, p.text, messages.render(p.reason, "fi")) for p in other.problems] == [
        ("sopimus", "KH-TEST", "sinulla ei ole oikeutta ladata toimituksia sopimukselle KH-TEST")
    ]
    own = load_upload(db, "toimitus.csv", body.encode(), supplier("2345678-0"))
    assert own.status == "loaded"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT loaded_by FROM delivery").fetchall() == [("Sanna",)]
    loads = [r for r in trail(db) if r[4] == "load"]
    assert [(r[0], r[5]) for r in loads] == [("oidc:idp|s1", "rejected"), ("oidc:idp|s1", "done")]


def test_a_role_mapping_is_recorded_once_and_again_when_it_changes(
    tmp_path: Path, db: Path
) -> None:
    path = tmp_path / "roles.toml"
    path.write_text('claim = "groups"\n[groups."t"]\nroles = ["talous"]\n', encoding="utf-8")
    actor = access.cli_actor("Ylläpito")
    assert audit.record_role_map(db, actor, access.load_role_map(path)) is True
    assert audit.record_role_map(db, actor, access.load_role_map(path)) is False
    path.write_text('claim = "groups"\nfour_eyes = false\n[groups."t"]\nroles = ["talous"]\n')
    assert audit.record_role_map(db, actor, access.load_role_map(path)) is True
    rows = [r for r in trail(db) if r[4] == "role-mapping"]
    assert [(r[1], r[5]) for r in rows] == [("Ylläpito", "done"), ("Ylläpito", "done")]
    with duckdb.connect(str(db), read_only=True) as con:
        details = con.execute(
            "SELECT detail FROM audit_event WHERE action = 'role-mapping' ORDER BY event_id"
        ).fetchall()
    assert ['"four_eyes": true' in d[0] for d in details] == [True, False]


def test_a_listing_whose_reader_went_away_ends_quietly(db: Path) -> None:
    """`vaikuttavuus audit | head -1` with a long trail: the reader closes the pipe, the next
    write fails with EPIPE; that ends the command quietly, not with a traceback. Here the
    pipe is closed before the command writes anything, so the first write fails."""
    command = [sys.executable, "-m", "etl.cli", "--db", str(db), "audit"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, error
    assert "Traceback" not in error and "BrokenPipe" not in error, error
