"""Settle computes again only what changed (table settle_input), and stores the engine's
indicator values for the dashboard (table indicator_value) in the same write."""

from datetime import datetime
from pathlib import Path

import pytest

from etl import settle, store
from etl.access import cli_actor
from tests.conftest import REPO, run_cli

SAMPLE = REPO / "sample_data"
AALTO = SAMPLE / "deliveries" / "hoiva-aalto"
CONTRACTS = ("KH-2024-001", "TPA-2024-002")

Computed = dict[tuple[str, str], tuple[str, datetime]]


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    """Hoiva Aalto's two contracts and their 2024–2025 deliveries, not settled yet."""
    path = tmp_path / "aalto.duckdb"
    assert run_cli("--db", path, "init")[0] == 0
    terms = [SAMPLE / "contracts" / f"{c}.toml" for c in CONTRACTS]
    assert run_cli("--db", path, "contracts", "add", *terms)[0] == 0
    status, out = run_cli("--db", path, "load", *sorted(AALTO.glob("aalto-*.csv")))
    assert status == 0, out
    return path


def computed(db: Path) -> Computed:
    """(contract, period) -> (digest of the inputs, when settle computed it)."""
    with store.reading(db) as con:
        rows = con.execute("SELECT contract_id, period, digest, settled_at FROM settle_input")
        return {(r[0], r[1]): (r[2], r[3]) for r in rows.fetchall()}


def stored_values(db: Path) -> list[tuple[object, ...]]:
    with store.reading(db) as con:
        return con.execute("SELECT * FROM indicator_value ORDER BY ALL").fetchall()


def test_settling_again_with_nothing_changed_computes_nothing(loaded: Path) -> None:
    first = settle.settle(loaded, cli_actor("Testi"))
    assert {o.action for o in first.outcomes} == {"created"}
    before, values = computed(loaded), stored_values(loaded)
    assert len(before) == len(first.outcomes) == 16  # 2 contracts x 8 quarters

    again = settle.settle(loaded, cli_actor("Testi"))

    assert [(o.contract, o.period, o.action, o.version, o.net) for o in again.outcomes] == [
        (o.contract, o.period, "unchanged", o.version, o.net) for o in first.outcomes
    ]
    assert computed(loaded) == before  # not one period computed again: same moments
    assert stored_values(loaded) == values


def test_a_new_delivery_computes_again_only_the_years_whose_inputs_it_changed(
    loaded: Path,
) -> None:
    settle.settle(loaded, cli_actor("Testi"))
    before = computed(loaded)
    status, out = run_cli("--db", loaded, "load", AALTO / "korjaus-2025-03.csv")
    assert status == 0, out

    report = settle.settle(loaded, cli_actor("Testi"))

    after = computed(loaded)
    again = {key for key in after if after[key] != before[key]}
    assert again == {("KH-2024-001", f"2025-Q{q}") for q in range(1, 5)}
    assert [
        (o.contract, o.period, o.action) for o in report.outcomes if o.action != "unchanged"
    ] == [("KH-2024-001", "2025-Q1", "new-draft")]


def test_settling_one_period_leaves_the_others_of_its_year_to_the_next_settle(
    loaded: Path,
) -> None:
    one = settle.settle(loaded, cli_actor("Testi"), "KH-2024-001", "2025-Q1")
    assert [(o.period, o.action) for o in one.outcomes] == [("2025-Q1", "created")]

    rest = settle.settle(loaded, cli_actor("Testi"), "KH-2024-001", year=2025)

    assert [(o.period, o.action) for o in rest.outcomes] == [
        ("2025-Q1", "unchanged"), ("2025-Q2", "created"), ("2025-Q3", "created"),
        ("2025-Q4", "created"),
    ]  # fmt: skip


def test_new_terms_compute_every_period_again(loaded: Path, tmp_path: Path) -> None:
    settle.settle(loaded, cli_actor("Testi"))
    before = computed(loaded)
    terms = (SAMPLE / "contracts" / "KH-2024-001.toml").read_text(encoding="utf-8")
    changed = tmp_path / "KH-2024-001.toml"
    changed.write_text(terms.replace('title = "', 'title = "Uusi: ', 1), encoding="utf-8")
    assert run_cli("--db", loaded, "contracts", "add", changed)[0] == 0

    settle.settle(loaded, cli_actor("Testi"))

    after = computed(loaded)
    assert {k for k in after if after[k] != before[k]} == {
        ("KH-2024-001", f"{y}-Q{q}") for y in (2024, 2025) for q in range(1, 5)
    }


def test_every_delivered_period_has_the_engines_value_stored_with_its_last_day(
    loaded: Path,
) -> None:
    settle.settle(loaded, cli_actor("Testi"))
    with store.reading(loaded) as con:
        delivered = con.execute(
            "SELECT contract_id, indicator_id, period, period_start, period_end "
            "FROM scope_current ORDER BY ALL"
        ).fetchall()
        observed = con.execute(
            "SELECT contract_id, indicator_id, period, period_start, period_end "
            "FROM indicator_value WHERE grain = 'observed' ORDER BY ALL"
        ).fetchall()
        years = con.execute(
            "SELECT DISTINCT period FROM indicator_value WHERE grain = 'year' ORDER BY 1"
        ).fetchall()
    assert len(delivered) > 100
    assert observed == delivered
    assert years == [("2024",), ("2025",)]
