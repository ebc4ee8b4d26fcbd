"""scope_tally: the sums the load writes per delivery x contract x indicator x period equal
the same sums grouped from the stored observation rows, for every shape of the sample data,
and tally_current follows corrections exactly as observation_current does."""

from pathlib import Path

from etl import store
from tests.conftest import REPO, run_cli

SAMPLE = REPO / "sample_data"
# mixed shapes and formats: CSV reports, record-level NPS answers, xlsx, parquet; and the
# correction of aalto's 2025-Q1
FILES = [
    "hoiva-aalto/aalto-2025-Q1.csv",
    "hoiva-aalto/korjaus-2025-03.csv",
    "kotihoiva-koivu/koivu-nps-vastaukset-2025.csv",
    "lahiapu-tammi/tammi-tulokset-2025-Q1.xlsx",
    "vanhuspalvelu-kuusi/kuusi-2025.parquet",
]

GROUPED = """
    SELECT delivery_id, contract_id, indicator_id, period, min(period_start), count(*),
           sum(value), sum(value * coalesce(n, 1)),
           sum(coalesce(n, 1)) FILTER (WHERE value IS NOT NULL),
           sum(numerator), sum(denominator), sum(excluded)
    FROM {source} GROUP BY ALL ORDER BY ALL
"""


def test_tallies_equal_the_grouped_observations(empty_db: Path) -> None:
    status, out = run_cli("--db", empty_db, "contracts", "add", *sorted(
        (SAMPLE / "contracts").glob("*.toml")))  # fmt: skip
    assert status == 0, out
    files = [SAMPLE / "deliveries" / name for name in FILES]
    assert all(f.exists() for f in files), [f for f in files if not f.exists()]
    status, out = run_cli("--db", empty_db, "load", "--quiet", *files)
    assert status == 0, out
    with store.reading(empty_db) as con:
        tallies = con.execute("SELECT * FROM scope_tally ORDER BY ALL").fetchall()
        grouped = con.execute(GROUPED.format(source="observation")).fetchall()
        assert tallies == grouped
        observations = con.execute("SELECT count(*) FROM observation").fetchall()[0][0]
        assert sum(row[5] for row in tallies) == observations
        assert len(tallies) < observations / 4  # the record-level answers collapse
        assert {row[0] for row in tallies} == {1, 2, 3, 4, 5}
        current = con.execute("SELECT * FROM tally_current ORDER BY ALL").fetchall()
        assert current == con.execute(GROUPED.format(source="observation_current")).fetchall()
        # the correction replaced three of delivery 1's tallies
        assert len(tallies) - len(current) == 3
