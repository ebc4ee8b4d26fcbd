"""The priority order follows its inputs: a settle that changes the newest settlements of a
framework's contracts for a year recomputes that year's stored order in the same write (with
its audit row); a settle that changes nothing writes no order; the Johto page shows the order
with the date of the data behind it, and marks an order older than its settlements stale."""

import json
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from tests.conftest import REPO, run_cli
from tests.demo_users import show, signed_in

SAMPLE = REPO / "sample_data"
VIEWS = REPO / "dashboard" / "views"
FRAMEWORK = "KH-PUITE-2024"
# KH-PUITE-2024's contracts, and TPA-2024-002: Hoiva Aalto's files also report for it.
CONTRACTS = ("KH-2024-001", "KH-2024-002", "KH-2024-003", "TPA-2024-002")
SUPPLIERS = ("hoiva-aalto", "kotihoiva-koivu", "lahiapu-tammi")
# Kotihoiva Koivu corrects its ADL data of 2025: 34 of 36 clients kept their functional
# ability every month (it had reported 72–86 %).
CORRECTION_NAME = "koivu-adl-korjaus-2025.csv"
CORRECTION = "sopimus;mittari;kuukausi;osoittaja;nimittäjä\n" + "".join(
    f"KH-2024-002;adl;{month}/2025;34;36\n" for month in range(1, 13)
)
TIMEOUT = 120


@pytest.fixture(scope="module")
def ranked_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """KH-PUITE-2024's contracts with their original deliveries, settled and ranked for
    2024 and 2025 by the real command."""
    db = tmp_path_factory.mktemp("ranked") / "ranked.duckdb"
    files = sorted(
        p
        for folder in SUPPLIERS
        for p in (SAMPLE / "deliveries" / folder).iterdir()
        if not p.name.startswith("korjaus-")
    )
    contracts = [SAMPLE / "contracts" / f"{c}.toml" for c in CONTRACTS]
    for step in (
        ["init"],
        ["contracts", "add", *contracts, "--by", "testi"],
        ["load", "--quiet", "--by", "testi", *files],
        ["settle", "--by", "testi"],
        ["rank", "--framework", FRAMEWORK, "--year", "2024", "--by", "Talous"],
        ["rank", "--framework", FRAMEWORK, "--year", "2025", "--by", "Talous"],
    ):
        status, out = run_cli("--db", db, *step)
        assert status == 0, (step, out)
    return db


@pytest.fixture
def ranked_db(ranked_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "ranked.duckdb"
    shutil.copyfile(ranked_template, db)
    return show(db, monkeypatch)


def newest_order(db: Path, year: int = 2025) -> list[tuple[str, str, int | None]]:
    """(contract, exact score to 4 decimals, movement) of the newest stored order."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT contract_id, score, movement FROM priority_order "
            "WHERE framework = ? AND year = ? AND computed_at = (SELECT max(computed_at) "
            "FROM priority_order WHERE framework = ? AND year = ?) ORDER BY position",
            [FRAMEWORK, year, FRAMEWORK, year],
        ).fetchall()
    return [(c, str(Decimal(s).quantize(Decimal("0.0001"), ROUND_HALF_UP)), m) for c, s, m in rows]


def counts(db: Path) -> tuple[int, int, int]:
    """Rows of priority_order, of the audit trail, and its rank rows."""
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT (SELECT count(*) FROM priority_order), (SELECT count(*) FROM audit_event), "
            "(SELECT count(*) FROM audit_event WHERE action = 'rank')"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def rank_events(db: Path) -> list[tuple[str, str, dict[str, object]]]:
    """(actor id, actor name, detail) of the rank rows of the trail, oldest first."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT actor_id, actor_name, detail FROM audit_event WHERE action = 'rank' "
            "ORDER BY event_id"
        ).fetchall()
    return [(a, n, json.loads(d)) for a, n, d in rows]


BEFORE = [("KH-2024-001", "1,0000", 0), ("KH-2024-003", "0,6228", 1), ("KH-2024-002", "0,5761", -1)]


def as_stored(order: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    return [(c, s.replace(",", "."), m) for c, s, m in order]


def test_settle_after_a_correction_recomputes_the_order_in_the_same_write(
    ranked_db: Path, tmp_path: Path
) -> None:
    assert newest_order(ranked_db) == as_stored(BEFORE)
    orders, events, ranks = counts(ranked_db)
    correction = write_correction(tmp_path)
    assert run_cli("--db", ranked_db, "load", "--by", "Koivu", correction)[0] == 0
    # loading alone changes no settlement: the order is left as it was
    assert counts(ranked_db) == (orders, events + 1, ranks)

    status, out = run_cli("--db", ranked_db, "settle", "--by", "Talous / valmistelija")
    assert status == 0, out
    assert (
        f"etusijajärjestys {FRAMEWORK} 2025 laskettu uudelleen (sen selvitykset muuttuivat)" in out
    )
    assert f"etusijajärjestys {FRAMEWORK} 2024" not in out  # no 2024 settlement changed
    assert newest_order(ranked_db) == as_stored(
        [("KH-2024-001", "1,0000", 0), ("KH-2024-002", "0,6976", 0), ("KH-2024-003", "0,6228", 0)]
    )
    # one settle row and one rank row, by the same actor
    assert counts(ranked_db) == (orders + 3, events + 3, ranks + 1)
    actor, name, detail = rank_events(ranked_db)[-1]
    assert name == "Talous / valmistelija"
    assert detail == {
        "framework": FRAMEWORK, "year": 2025, "reason": "after settle",
        "order": ["KH-2024-001", "KH-2024-002", "KH-2024-003"],
    }  # fmt: skip
    with duckdb.connect(str(ranked_db), read_only=True) as con:
        settle_actor = con.execute(
            "SELECT actor_id FROM audit_event WHERE action = 'settle' ORDER BY event_id DESC "
            "LIMIT 1"
        ).fetchone()
    assert settle_actor == (actor,)

    # settling again changes nothing: no order, no audit row
    status, out = run_cli("--db", ranked_db, "settle", "--by", "Talous / valmistelija")
    assert status == 0, out
    assert "recomputed" not in out
    assert counts(ranked_db) == (orders + 3, events + 3, ranks + 1)


def test_rank_command_still_computes_and_records_the_order(ranked_db: Path) -> None:
    orders, events, ranks = counts(ranked_db)
    status, out = run_cli("--db", ranked_db, "rank", "--framework", FRAMEWORK, "--year", "2025")
    assert status == 0, out
    assert "KH-2024-003  Lähiapu Tammi Oy    0,6228" in out
    assert counts(ranked_db) == (orders + 3, events + 1, ranks + 1)
    assert "reason" not in rank_events(ranked_db)[-1][2]
    assert newest_order(ranked_db) == as_stored(BEFORE)


def page(name: str, user: str) -> AppTest:
    at = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=TIMEOUT)
    at.user = signed_in(user)
    at.session_state["lang"] = "fi"
    return at.run()


def shown_order(at: AppTest) -> list[tuple[str, str, str]]:
    """(contract, score, movement) of KH-PUITE-2024 2025 on the Johto page."""
    frame = at.dataframe[3].value
    return list(zip(frame["Sopimus"], frame["Pisteet"], frame["Muutos"], strict=True))


def unescaped(body: str) -> str:
    """What a Markdown body shows: names in it are escaped (dashboard.literal)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", body)


def newest_delivery_day(db: Path) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT max(loaded_at) FROM delivery").fetchone()
    assert row is not None
    return i18n.day(row[0], "fi")


def test_an_upload_reorders_the_johto_page_with_the_date_of_its_data(ranked_db: Path) -> None:
    at = page("johto", "demo-johto")
    assert not at.exception, [e.value for e in at.exception]
    assert shown_order(at) == [
        ("KH-2024-001", "1,0000", "="), ("KH-2024-003", "0,6228", "▲ 1"),
        ("KH-2024-002", "0,5761", "▼ 1"),
    ]  # fmt: skip
    assert not at.warning

    upload = page("toimitukset", "demo-sopimus")
    upload.file_uploader(key="uploads").set_value(
        (CORRECTION_NAME, CORRECTION.encode("utf-8"), "text/csv")
    )
    upload.button[0].click()
    upload.run()
    assert not upload.exception, [e.value for e in upload.exception]
    assert upload.info[0].value == "Selvitykset päivitetty: 12 muuttui."
    actor, name, detail = rank_events(ranked_db)[-1]
    assert (actor, name, detail["reason"], detail["year"]) == (
        "oidc:http://localhost:9400|demo-sopimus", "Sanna Sopimusvastaava", "after settle", 2025,
    )  # fmt: skip

    at = page("johto", "demo-johto")
    assert not at.exception, [e.value for e in at.exception]
    assert shown_order(at) == [
        ("KH-2024-001", "1,0000", "="), ("KH-2024-002", "0,6976", "="),
        ("KH-2024-003", "0,6228", "="),
    ]  # fmt: skip
    heading = next(
        shown for m in at.markdown if f"{FRAMEWORK} 2025" in (shown := unescaped(m.value))
    )
    assert f"uusin toimitus {newest_delivery_day(ranked_db)}" in heading
    assert "laskettu " in heading
    assert not at.warning


def test_an_order_older_than_its_settlements_is_marked_stale(ranked_db: Path) -> None:
    """A database from before the order followed settle: an order computed, then a settle
    that did not recompute it (here: the recomputed order removed again)."""
    status, _ = run_cli("--db", ranked_db, "load", "--by", "Koivu",
                        write_correction(ranked_db.parent))  # fmt: skip
    assert status == 0
    assert run_cli("--db", ranked_db, "settle")[0] == 0
    with duckdb.connect(str(ranked_db)) as con:
        con.execute(
            "DELETE FROM priority_order WHERE computed_at = (SELECT max(computed_at) "
            "FROM priority_order WHERE framework = ? AND year = 2025)",
            [FRAMEWORK],
        )
    at = page("johto", "demo-johto")
    assert not at.exception, [e.value for e in at.exception]
    assert shown_order(at)[2] == ("KH-2024-002", "0,5761", "▼ 1")
    (warning,) = at.warning
    assert warning.icon == "⚠️"
    assert warning.value.startswith("Vanhentunut: järjestys on laskettu ")
    assert "sopimusten tilityksiä on muutettu sen jälkeen, viimeksi " in warning.value
    # the data the old order used: the original deliveries, not the correction
    with duckdb.connect(str(ranked_db), read_only=True) as con:
        row = con.execute(
            "SELECT max(loaded_at) FROM delivery WHERE file_name <> ?", [CORRECTION_NAME]
        ).fetchone()
    assert row is not None
    assert f"(uusin toimitus {i18n.day(row[0], 'fi')})" in warning.value
    # recomputing it (finance's one action) clears the mark
    assert run_cli("--db", ranked_db, "rank", "--framework", FRAMEWORK, "--year", "2025")[0] == 0
    at = page("johto", "demo-johto")
    assert not at.warning
    assert shown_order(at)[1] == ("KH-2024-002", "0,6976", "=")


def write_correction(folder: Path) -> Path:
    path = folder / CORRECTION_NAME
    path.write_text(CORRECTION, encoding="utf-8")
    return path
