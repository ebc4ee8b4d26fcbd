"""The procurement calendar (etl/procurement_calendar.py, `vaikuttavuus calendar`) on the demo
store built by the real ETL: which entries fall within 6, 12 and 24 months of 1.12.2026, each
supplier's record against a count of its own, who sees what, and the files."""

import contextlib
import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from etl import procurement_calendar as procurement
from etl import store
from etl.access import AccessError, Actor, Grant
from etl.safe_cells import is_safe
from tests.conftest import TEST_CONTRACT, audit_rows, run_cli
from tests.e2e.demo_db import copy_db, demo_template

TODAY = date(2026, 12, 1)
SIX = [
    (date(2026, 12, 31), "ends", "KH-2024-003"),
    (date(2026, 12, 31), "option", "TPA-2024-001"),
    (date(2026, 12, 31), "option", "TPA-2024-002"),
    (date(2026, 12, 31), "option", "TPA-2024-003"),
    (date(2027, 2, 15), "tender", "KH-2024-002"),
    (date(2027, 3, 31), "ends", "LS-2024-001"),
    (date(2027, 4, 30), "option", "TY-2024-001"),
]
TWELVE = [
    *SIX,
    (date(2027, 6, 30), "option", "KH-2024-001"),
    (date(2027, 9, 1), "tender", "TPA-2024-001"),
    (date(2027, 9, 1), "tender", "TPA-2024-002"),
    (date(2027, 9, 1), "tender", "TPA-2024-003"),
]
TWENTY_FOUR = [
    *TWELVE,
    (date(2027, 12, 31), "ends", "KH-2024-002"),
    (date(2028, 3, 1), "tender", "KH-2024-001"),
    (date(2028, 4, 1), "tender", "PK-2024-001"),
    (date(2028, 6, 30), "ends", "TPA-2024-001"),
    (date(2028, 6, 30), "ends", "TPA-2024-002"),
    (date(2028, 6, 30), "ends", "TPA-2024-003"),
]
MONEY_HEADERS = {"bonukset maksettu", "sanktiot maksettu", "avoimia oikaisuja"}


def actor(*grants: Grant) -> Actor:
    return Actor("test:user", "Testi Käyttäjä", None, "browser", grants=grants)


LEADERSHIP = actor(Grant("johto"))


@pytest.fixture(scope="session")
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store exactly as `make demo` builds it (shared with the dashboard tests)."""
    return demo_template(request.config, tmp_path_factory.mktemp("calendar-demo"))


@pytest.fixture(scope="session")
def con(demo: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with store.reading(demo) as connection:
        yield connection


def listed(found: procurement.Calendar) -> list[tuple[date, str, str]]:
    return [(e.day, e.kind, e.contract.id) for e in found.entries]


@pytest.mark.parametrize(
    ("months", "until", "expected"),
    [(6, date(2027, 6, 1), SIX), (12, date(2027, 12, 1), TWELVE),
     (24, date(2028, 12, 1), TWENTY_FOUR)],
)  # fmt: skip
def test_entries_within_6_12_and_24_months_in_date_order(
    con: duckdb.DuckDBPyConnection, months: int, until: date, expected: list[object]
) -> None:
    found = procurement.calendar(con, LEADERSHIP, months, TODAY)
    assert (found.today, found.until) == (TODAY, until)
    assert listed(found) == expected


def test_the_first_and_last_day_of_the_horizon_both_count(con: duckdb.DuckDBPyConnection) -> None:
    tender = (date(2027, 2, 15), "tender", "KH-2024-002")
    assert tender in listed(procurement.calendar(con, LEADERSHIP, 6, date(2026, 8, 15)))
    assert tender not in listed(procurement.calendar(con, LEADERSHIP, 6, date(2026, 8, 14)))
    assert listed(procurement.calendar(con, LEADERSHIP, 1, date(2027, 2, 15)))[0] == tender
    assert tender not in listed(procurement.calendar(con, LEADERSHIP, 1, date(2027, 2, 16)))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2026, 8, 31), 6, date(2027, 2, 28)), (date(2027, 11, 30), 3, date(2028, 2, 29)),
     (date(2026, 12, 1), 24, date(2028, 12, 1)), (date(2026, 1, 31), 1, date(2026, 2, 28))],
)  # fmt: skip
def test_months_after_keeps_the_day_or_takes_the_months_last(
    day: date, months: int, expected: date
) -> None:
    assert procurement.months_after(day, months) == expected


Counted = tuple[int, int, Decimal, Decimal, int]


def counted_independently(con: duckdb.DuckDBPyConnection) -> dict[str, Counted]:
    """Per contract from the raw settlement rows, in Python: (assessed, achieved) over the
    newest version of each period, bonuses and sanctions of the newest approved version of
    each period, and corrections neither approved nor replaced."""
    versions = con.execute(
        "SELECT settlement_id, contract_id, period, version, kind, status, bonus_total, "
        "sanction_total FROM settlement"
    ).fetchall()
    lines: dict[int, list[str]] = defaultdict(list)
    for sid, status in con.execute(
        "SELECT settlement_id, status FROM settlement_line WHERE line_kind = 'indicator'"
    ).fetchall():
        lines[sid].append(status)
    newest: dict[tuple[str, str], tuple[int, int]] = {}
    approved: dict[tuple[str, str], tuple[int, Decimal, Decimal]] = {}
    open_corrections: dict[str, int] = defaultdict(int)
    for sid, contract, period, version, kind, status, bonus, sanction in versions:
        if newest.get((contract, period), (0, 0))[0] < version:
            newest[(contract, period)] = (version, sid)
        if status == "approved" and approved.get((contract, period), (0,))[0] < version:
            approved[(contract, period)] = (version, bonus, sanction)
        if kind == "correction" and status in ("draft", "prepared"):
            open_corrections[contract] += 1
    result: dict[str, list[object]] = defaultdict(lambda: [0, 0, Decimal(0), Decimal(0), 0])
    for (contract, _), (_, sid) in newest.items():
        statuses = lines[sid]
        result[contract][0] += sum(1 for s in statuses if s != "not-assessable")  # type: ignore[operator]
        result[contract][1] += statuses.count("achieved")  # type: ignore[operator]
    for (contract, _), (_, bonus, sanction) in approved.items():
        result[contract][2] += bonus  # type: ignore[operator]
        result[contract][3] += sanction  # type: ignore[operator]
    for contract, count in open_corrections.items():
        result[contract][4] = count
    return {c: tuple(v) for c, v in result.items()}  # type: ignore[misc]


def test_each_suppliers_record_matches_a_count_of_its_own(con: duckdb.DuckDBPyConnection) -> None:
    records = procurement.records(con)
    expected = counted_independently(con)
    assert len(expected) == 9
    got = {
        c: (r.assessed, r.achieved, r.bonuses, r.sanctions, r.open_corrections)
        for c, r in records.items()
    }
    assert got == expected
    aalto = records["KH-2024-001"]
    assert (aalto.achieved, aalto.assessed, aalto.bonuses, aalto.open_corrections) == (
        20, 24, Decimal("16376.42"), 1,
    )  # fmt: skip
    assert [(r.year, r.position, r.of) for r in aalto.ranks] == [(2024, 1, 3), (2025, 1, 3)]
    assert procurement.share_text(aalto, "fi") == "83,3\u00a0%"
    assert procurement.ranks_text(records["KH-2024-002"]) == "2024: 2/3, 2025: 3/3"


def test_a_share_on_fewer_than_5_clients_is_not_shown() -> None:
    small = procurement.Record(assessed=2, achieved=1, clients=4)
    assert (small.suppressed, small.share, procurement.share_text(small, "fi")) == (
        True, None, "<5",
    )  # fmt: skip
    assert procurement.share_text(procurement.Record(), "en") == "–"


def test_a_contract_manager_sees_only_the_contracts_of_his_grant(
    con: duckdb.DuckDBPyConnection,
) -> None:
    home_care = actor(Grant("sopimusvastaava", services=frozenset({"kotihoito"})))
    shown = listed(procurement.calendar(con, home_care, 24, TODAY))
    assert shown == [e for e in TWENTY_FOUR if e[2].startswith("KH-")]
    assert len(shown) == 5
    one = actor(Grant("sopimusvastaava", contracts=frozenset({"LS-2024-001"})))
    assert listed(procurement.calendar(con, one, 24, TODAY)) == [
        (date(2027, 3, 31), "ends", "LS-2024-001")
    ]
    every = actor(Grant("sopimusvastaava"))
    assert listed(procurement.calendar(con, every, 24, TODAY)) == TWENTY_FOUR


@pytest.mark.parametrize(
    "grant",
    [Grant("talous"), Grant("toimittaja", business_id="2345678-0"), Grant("paakayttaja")],
    ids=["finance", "supplier", "administrator"],
)
def test_roles_without_the_calendar_are_refused(
    con: duckdb.DuckDBPyConnection, grant: Grant
) -> None:
    with pytest.raises(AccessError):
        procurement.calendar(con, actor(grant), 12, TODAY)


def test_the_command_prints_the_entries_in_date_order(demo: Path) -> None:
    status, out = run_cli("--db", demo, "calendar", "--months", "24", "--today", "1.12.2026")
    assert status == 0, out
    lines = out.splitlines()
    assert lines[0] == "Kilpailutuskalenteri 1.12.2026–1.12.2028 (24 kk): merkintöjä 17"
    assert lines[1].split()[:3] == ["päivä", "merkintä", "sopimus"]
    rows = lines[2:]
    assert [r.split()[0] for r in rows] == [procurement_day(d) for d, _, _ in TWENTY_FOUR]
    aalto = next(r for r in rows if "KH-2024-001" in r and "Optiosta" in r)
    for shown in ("◆ Optiosta päätettävä", "30.6.2027", "Hoiva Aalto Oy", "83,3 %", "20/24",
                  "2024: 1/3, 2025: 1/3", "16 376,42 €"):  # fmt: skip
        assert shown in aalto.replace("\u00a0", " "), shown
    status, english = run_cli("--db", demo, "--lang", "en", "calendar", "--months", "6",
                              "--today", "2026-12-01")  # fmt: skip
    assert english.splitlines()[0] == (
        "Procurement calendar 1 Dec 2026–1 Jun 2027 (6 months): 7 entries"
    )
    assert "Contract ends" in english


def procurement_day(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def test_the_public_table_shows_no_money(demo: Path) -> None:
    status, out = run_cli("--db", demo, "calendar", "--months", "24", "--today", "2026-12-01",
                          "--public")  # fmt: skip
    assert status == 0, out
    assert "€" not in out
    assert not any(header in out for header in MONEY_HEADERS)
    assert "83,3" in out


def test_the_xlsx_and_csv_open_and_the_public_variant_has_no_money(
    demo: Path, tmp_path: Path
) -> None:
    db = copy_db(demo, tmp_path / "db")
    files = {}
    for name, public in (("k.xlsx", False), ("k.fi.csv", False), ("julkinen.csv", True)):
        args: list[str | Path] = ["--months", "24", "--today", "2026-12-01", "--out",
                                  tmp_path / name, "--by", "H"]  # fmt: skip
        status, out = run_cli("--db", db, "calendar", *args, *(["--public"] if public else []))
        assert status == 0, out
        assert out.splitlines()[-1].startswith(f"kirjoitettu {tmp_path / name}: merkintöjä 17")
        files[name] = tmp_path / name
    sheet = load_workbook(files["k.xlsx"], read_only=True).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = table[0]
    assert len(table) == 18
    assert set(header) >= MONEY_HEADERS
    at = 1 + TWENTY_FOUR.index((date(2027, 6, 30), "option", "KH-2024-001"))
    row = dict(zip(header, table[at], strict=True))
    assert row["sopimus"] == "KH-2024-001" and row["merkintä"] == "Optiosta päätettävä"
    assert row["päivä"].date() == date(2027, 6, 30)
    assert row["bonukset maksettu"] == pytest.approx(16376.42)
    assert row["saavutettu (%)"] == pytest.approx(83.3)
    assert (row["mittarijaksoja saavutettu"], row["mittarijaksoja arvioitu"]) == (20, 24)
    assert all(is_safe(cell) for r in table for cell in r)

    raw = files["k.fi.csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 17
    aalto = next(r for r in rows if r["sopimus"] == "KH-2024-001" and r["päivä"] == "30.6.2027")
    assert (aalto["bonukset maksettu"], aalto["saavutettu (%)"], aalto["avoimia oikaisuja"]) == (
        "16376,42", "83,3", "1",
    )  # fmt: skip
    tender = next(
        r for r in rows if r["sopimus"] == "KH-2024-002" and r["merkintä"].startswith("Kil")
    )
    assert (tender["Hilma-ilmoitus"], tender["päivä"]) == ("2026-184213", "15.2.2027")
    assert (
        tender["valmistelijat"] == "Hankintapalvelut / sosiaali- ja terveyspalvelut, Minna Mäkelä"
    )

    published = list(csv.reader(io.StringIO(files["julkinen.csv"].read_bytes().decode("utf-8-sig")),
                             delimiter=";"))  # fmt: skip
    assert len(published) == 18
    assert not MONEY_HEADERS & set(published[0])
    assert set(published[0]) == set(header) - MONEY_HEADERS
    assert not any("16376" in cell for r in published for cell in r)
    assert ("export", "done") in audit_rows(db)[-3:]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--months", "0"], "--months pitää olla kokonaisluku 1–120, nyt '0'"),
        (["--months", "121"], "--months pitää olla kokonaisluku 1–120, nyt '121'"),
        (["--months", "puoli"], "--months pitää olla kokonaisluku 1–120, nyt 'puoli'"),
        (["--months", "-6"], "--months pitää olla kokonaisluku 1–120, nyt '-6'"),
        (["--today", "31.2.2026"], "--today '31.2.2026' ei ole päivämäärä"),
        (["--today", "huomenna"], "--today 'huomenna' ei ole päivämäärä"),
        (["--out", "kalenteri.pdf"], "kalenteri.pdf"),
    ],
)
def test_a_bad_horizon_day_or_file_is_refused_with_how_to_write_it(
    demo: Path, args: list[str], said: str
) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status, out = run_cli("--db", demo, "calendar", *args)
    assert status == 2
    assert out == ""
    assert err.getvalue().startswith("virhe: ")
    assert said in err.getvalue()


def test_contract_text_opens_as_text_never_as_a_formula(empty_db: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(
        TEST_CONTRACT.read_text(encoding="utf-8").replace(
            'title = "Kotihoidon testisopimus"', 'title = "=HYPERLINK(\\"http://x\\")"'
        )
        + '\n[next_tender]\nsubject = "@SUM(A1)"\npreparers = ["+358 40 123"]\n'
        "publication_estimate = 2026-03-01\n",
        encoding="utf-8",
    )
    assert run_cli("--db", empty_db, "contracts", "add", hostile)[0] == 0
    out = tmp_path / "k.xlsx"
    status, said = run_cli("--db", empty_db, "calendar", "--today", "2025-12-01", "--months",
                           "6", "--out", out)  # fmt: skip
    assert status == 0, said
    table = [list(r) for r in load_workbook(out, read_only=True).active.iter_rows(values_only=True)]
    assert len(table) == 3  # the contract ends 31.12.2025, its tender 1.3.2026
    assert '\'=HYPERLINK("http://x")' in table[1] and "'@SUM(A1)" in table[2]
    assert "'+358 40 123" in table[2]
    assert all(is_safe(cell) for r in table for cell in r)
