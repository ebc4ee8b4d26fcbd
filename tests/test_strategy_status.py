"""Goal statuses (docs/strategy.md): the rules on each side of the due date and the target,
the sample strategy on the demo database built by the real ETL, and `vaikuttavuus strategy
add` / `status` (versions, refusals that store nothing, the audit trail with its actor)."""

import getpass
import json
from datetime import date
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest

from contracts.strategy import (
    Goal,
    YearCounts,
    as_of_date,
    goal_status,
    load_strategy_text,
)
from etl import strategy
from tests.conftest import data_digest, run_cli
from tests.e2e.demo_db import demo_template

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "strategy" / "strategia-2025.toml"

SAMPLE_2025 = {
    "AK-1": "achieved", "AK-2": "at-risk", "AK-3": "on-track", "AK-4": "late",
    "AK-5": "not-measurable", "HK-1": "achieved", "HK-2": "late", "HK-3": "at-risk",
    "HK-4": "on-track", "HJ-1": "late", "HJ-2": "achieved", "HJ-3": "at-risk",
    "HJ-4": "not-measurable", "TT-1": "late", "TT-2": "on-track", "TT-3": "achieved",
    "TT-4": "not-measurable", "VA-1": "late", "VA-2": "on-track", "VA-3": "at-risk",
    "VA-4": "achieved",
}  # fmt: skip
"""What `vaikuttavuus strategy status --year 2025` computes for the sample on the demo data."""

GOALS = """
format = 1
id = "S"
name = "S"
start = 2025-01-01
end = 2027-12-31

[[goal]]
id = "SHARE"
theme = "vaikuttavuus"
title = "t"
owner = "o"
schedule = { start = 2025-01-01, due = 2025-12-31 }
indicators = [{ service = "kotihoito", indicator = "adl" }]
target_share = 0.5

[[goal]]
id = "UP"
theme = "asiakaskokemus"
title = "t"
owner = "o"
schedule = { start = 2025-01-01, due = 2025-12-31 }
manual = { unit = "%", direction = "higher", target = 90, value = [
  { date = 2025-06-30, value = 80, source = "s" },
  { date = 2025-12-31, value = 90, source = "s" },
  { date = 2026-03-31, value = 70, source = "s" },
] }

[[goal]]
id = "DOWN"
theme = "talouden-tasapaino"
title = "t"
owner = "o"
schedule = { start = 2025-01-01, due = 2025-12-31 }
manual = { unit = "%", direction = "lower", target = 100, value = [
  { date = 2025-06-30, value = "100.0", source = "s" },
  { date = 2025-12-31, value = "100.1", source = "s" },
] }
"""
SHARE, UP, DOWN = load_strategy_text(GOALS, "t.toml")[0].goals
BEFORE_DUE, DUE, AFTER_DUE = date(2025, 6, 30), date(2025, 12, 31), date(2026, 12, 31)


def counts(*years: tuple[int, int, int]) -> list[YearCounts]:
    return [YearCounts(*year) for year in years]


SHARE_CASES = [
    ("met so far, not yet due", BEFORE_DUE, counts((2025, 4, 2)), "on-track"),
    ("not met so far, not yet due", BEFORE_DUE, counts((2025, 4, 1)), "at-risk"),
    ("met on the due date", DUE, counts((2025, 4, 2)), "achieved"),
    ("not met on the due date", DUE, counts((2025, 4, 1)), "late"),
    ("met at the due, worse after it", AFTER_DUE, counts((2025, 2, 1), (2026, 5, 0)), "achieved"),
    ("not met at the due, better after it", AFTER_DUE, counts((2025, 3, 1), (2026, 5, 5)),
     "late"),
    ("nothing assessed in the year", DUE, counts((2025, 0, 0), (2024, 4, 4)), "not-measurable"),
    ("no linked period at all", DUE, [], "not-measurable"),
    ("before the goal starts", date(2024, 12, 31), counts((2024, 4, 4)), "not-measurable"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("as_of", "facts", "expected"), [c[1:] for c in SHARE_CASES], ids=[c[0] for c in SHARE_CASES]
)
def test_indicator_goal_status_on_each_side_of_due_date_and_target(
    as_of: date, facts: list[YearCounts], expected: str
) -> None:
    assert goal_status(SHARE, as_of, facts).status == expected


def test_an_indicator_goal_reports_the_share_it_was_judged_on_and_the_trend() -> None:
    judged = goal_status(SHARE, AFTER_DUE, counts((2024, 4, 1), (2025, 4, 2), (2026, 5, 0)))
    assert (judged.judged_on, judged.measured, judged.counts) == (
        DUE, Fraction(1, 2), YearCounts(2025, 4, 2),
    )  # fmt: skip
    assert judged.trend == ((2024, Fraction(1, 4)), (2025, Fraction(1, 2)), (2026, Fraction(0)))


MANUAL_CASES = [
    ("higher: below the target, not yet due", UP, BEFORE_DUE, "at-risk", 80),
    ("higher: equal to the target on the due date", UP, DUE, "achieved", 90),
    ("higher: a later value does not undo the due date's", UP, AFTER_DUE, "achieved", 90),
    ("higher: no value yet", UP, date(2025, 6, 29), "not-measurable", None),
    ("lower: equal to the target so far", DOWN, BEFORE_DUE, "on-track", 100),
    ("lower: above the target at the due date", DOWN, AFTER_DUE, "late", "100.1"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("goal", "as_of", "expected", "value"), [c[1:] for c in MANUAL_CASES],
    ids=[c[0] for c in MANUAL_CASES],
)  # fmt: skip
def test_manual_goal_status_on_each_side_of_due_date_and_target(
    goal: Goal, as_of: date, expected: str, value: object
) -> None:
    judged = goal_status(goal, as_of)
    assert judged.status == expected
    assert judged.measured == (None if value is None else Fraction(str(value)))


def test_the_as_of_date_is_the_end_of_the_year_or_today_if_earlier() -> None:
    assert as_of_date(2025, today=date(2026, 12, 1)) == date(2025, 12, 31)
    assert as_of_date(2026, today=date(2026, 12, 1)) == date(2026, 12, 1)


# --- the sample strategy on the demo database ------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store as `make demo` builds it (sample_data/build_demo.py stores the strategy)."""
    return demo_template(request.config, tmp_path_factory.mktemp("strategy-demo"))


def test_sample_strategy_2025_on_the_demo_data_shows_every_status(demo_db: Path) -> None:
    (report,) = strategy.status(demo_db, 2025)
    assert (report.strategy.id, report.version, report.as_of) == (
        "HANKINTASTRATEGIA-2025", 1, date(2025, 12, 31),
    )  # fmt: skip
    goals = {g.status.goal.id: g for g in report.goals}
    assert {goal: g.status.status for goal, g in goals.items()} == SAMPLE_2025
    ak1 = goals["AK-1"]
    assert (ak1.status.measured, ak1.clients) == (Fraction(10, 19), 809)
    assert [(c.contract_id, c.assessed, c.achieved) for c in ak1.contracts] == [
        ("KH-2024-001", 4, 4), ("KH-2024-002", 11, 5), ("KH-2024-003", 4, 1),
    ]  # fmt: skip
    va2 = goals["VA-2"]  # contract x indicator links: KH-2024-001's adl and kaatumiset
    assert va2.status.measured == Fraction(7, 8)
    assert [(c.contract_id, c.indicators) for c in va2.contracts] == [
        ("KH-2024-001", ("adl", "kaatumiset"))
    ]
    assert va2.status.trend == ((2024, Fraction(6, 8)), (2025, Fraction(7, 8)))
    assert goals["HJ-4"].unmatched == ("kotihoito/omavalvonta",)
    tt1 = goals["TT-1"].status  # manual, lower is better: 103,4 % of the budget > 100 %
    assert (tt1.measured, tt1.value_day) == (Fraction("103.4"), date(2025, 12, 31))


def test_strategy_status_command_prints_a_table_per_theme(demo_db: Path) -> None:
    status, out = run_cli("--db", demo_db, "strategy", "status", "--year", "2025")
    assert status == 0, out
    lines = out.splitlines()
    assert lines[0] == (
        "Esimerkkialueen hankintastrategia 2025–2027 (HANKINTASTRATEGIA-2025 v1), "
        "tilanne 31.12.2025"
    )
    assert lines[2] == "Asiakaskokemus"
    assert lines[4].startswith("AK-1     saavutettu       52,6\u00a0% (10/19)")
    assert "TT-1     myöhässä         103,4 % talousarviosta (31.12.2025)" in out
    assert lines[-1] == (
        "tavoitteita 21: saavutettu 5, etenee 4, vaarassa 4, myöhässä 5, ei mitattavissa 3"
    )
    status, out = run_cli("--db", demo_db, "--lang", "en", "strategy", "status", "--year", "2024")
    assert status == 0, out
    assert out.splitlines()[-1] == (
        "21 goals: achieved 0, on track 0, at risk 0, late 0, not measurable 21"
    )  # every goal starts in 2025


# --- adding: versions, refusals, the audit trail ---------------------------------------------


def versions(db: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT strategy_id, version, added_by, (SELECT count(*) FROM strategy_goal g "
            "WHERE g.strategy_id = v.strategy_id AND g.version = v.version) "
            "FROM strategy_version v ORDER BY ALL"
        ).fetchall()


def trail(db: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT actor_id, actor_name, channel, action, outcome, version, detail "
            "FROM audit_event WHERE action = 'strategy-add' ORDER BY event_id"
        ).fetchall()


def test_add_stores_a_version_once_a_change_as_the_next_and_audits_each(
    db: Path, tmp_path: Path
) -> None:
    user = getpass.getuser()
    status, out = run_cli("--db", db, "strategy", "add", SAMPLE, "--by", "Hanna Hankinta")
    assert (status, out) == (0, f"HANKINTASTRATEGIA-2025 v1: lisätty, tavoitteita 21 ({SAMPLE})\n")
    status, out = run_cli("--db", db, "strategy", "add", SAMPLE)
    assert (status, out) == (
        0, f"HANKINTASTRATEGIA-2025 v1: ennallaan, mitään ei tallennettu ({SAMPLE})\n",
    )  # fmt: skip
    changed = tmp_path / "muutettu.toml"
    text = SAMPLE.read_text(encoding="utf-8")
    changed.write_text(text.replace("target_share = 0.85", "target_share = 0.9"), "utf-8")
    assert run_cli("--db", db, "strategy", "add", changed)[0] == 0
    assert versions(db) == [
        ("HANKINTASTRATEGIA-2025", 1, "Hanna Hankinta (komentorivi)", 21),
        ("HANKINTASTRATEGIA-2025", 2, f"{user} (komentorivi)", 21),
    ]
    entries = trail(db)
    assert [e[:6] for e in entries] == [
        (f"cli:{user}:hanna hankinta", "Hanna Hankinta", "cli", "strategy-add", "done", 1),
        (f"cli:{user}:{user.casefold()}", user, "cli", "strategy-add", "unchanged", 1),
        (f"cli:{user}:{user.casefold()}", user, "cli", "strategy-add", "done", 2),
    ]
    assert json.loads(str(entries[0][6])) == {
        "file": str(SAMPLE), "goals": 21, "strategy": "HANKINTASTRATEGIA-2025",
    }  # fmt: skip


def test_a_refused_file_stores_nothing_and_names_each_field(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "virheellinen.toml"
    text = SAMPLE.read_text(encoding="utf-8")
    bad.write_text(
        text.replace('theme = "vaikuttavuus"', 'theme = "tehokkuus"', 1)
        .replace("due = 2025-12-31 }", "due = 2024-12-31 }", 1)
        .replace("owner = ", "vastuutaho = ", 1),
        "utf-8",
    )
    before = data_digest(db)
    status, out = run_cli("--db", db, "strategy", "add", bad, "--by", "Hanna Hankinta")
    assert status == 2
    assert out.splitlines() == [
        f"HYLÄTTY {bad}: ongelmia 4; tiedostosta ei tallennettu mitään",
        "  goal[0].vastuutaho: tuntematon avain (sallitut: description, id, indicators, "
        "manual, measures, owner, schedule, target_share, theme, title)",
        "  goal[0].owner: puuttuu, vaaditaan",
        "  goal[0].schedule.due: määräpäivä 31.12.2024 on ennen aloituspäivää 1.1.2025",
        "  goal[17].theme: tuntematon arvo 'tehokkuus' (jokin näistä: asiakaskokemus, "
        "henkilostokokemus, hyva-johtaminen, talouden-tasapaino, vaikuttavuus)",
    ]
    assert data_digest(db) == before and versions(db) == []
    ((actor, name, _, action, outcome, version, detail),) = trail(db)
    assert (actor, name, action, outcome, version) == (
        f"cli:{getpass.getuser()}:hanna hankinta", "Hanna Hankinta", "strategy-add", "rejected",
        None,
    )  # fmt: skip
    assert json.loads(str(detail))["problems"] == 4


def test_status_without_a_strategy_says_how_to_store_one(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("--db", db, "strategy", "status") == (1, "")
    assert capsys.readouterr().err == (
        "virhe: tietokannassa ei ole strategiaa; tallenna se: "
        "`vaikuttavuus strategy add TIEDOSTO`\n"
    )
    assert run_cli("--db", db, "strategy", "add", SAMPLE)[0] == 0
    assert run_cli("--db", db, "strategy", "status", "--strategy", "EI-OLE") == (1, "")
    assert capsys.readouterr().err == (
        "virhe: strategiaa EI-OLE ei ole tietokannassa (tallennetut: HANKINTASTRATEGIA-2025)\n"
    )
