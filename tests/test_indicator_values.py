"""The values settle stores for the dashboard (indicator_value) and the Maksut drill-down's
month values come from the engine's one definition; checked against values worked out by
hand."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from contracts.periods import Period
from contracts.terms import Contract, Indicator, Level, Supplier, Text
from contracts.values import Tally
from etl.indicator_values import sums_values, tally_of_sums, value_rows

D = Decimal
DEC, JAN, FEB, MAR = (Period(2024, 12, "month"), *(Period(2025, m, "month") for m in (1, 2, 3)))
Q2 = Period(2025, 4, "quarter")


def indicator(id: str, aggregate: str, **changes: object) -> Indicator:
    base = Indicator(
        id=id, name=Text(id, id, id), theme="vaikuttavuus", unit="%", direction="higher",
        aggregate="mean", levels=(Level(date(2024, 1, 1), D(20), D(40)),),
    )  # fmt: skip
    return replace(base, aggregate=aggregate, **changes)  # type: ignore[arg-type]


CONTRACT = Contract(
    id="K-1", title="K", service="kotihoito", buyer="b", supplier=Supplier("S", "6789012-4"),
    start=date(2024, 1, 1), end=date(2025, 12, 31), period="quarter", period_value=D(1000),
    indicators=(
        indicator("adl", "ratio", per=D(100), min_n=20),
        indicator("nps", "mean", min_n=5),
        indicator("falls", "sum"),
        indicator("staff", "last", min_n=10),
    ),
)  # fmt: skip

TALLIES = {
    # ratio: Jan 30 / (50 − 10) = 75 % on n 40; Feb 9 / 12 = 75 % on n 12 (< min_n 20)
    ("adl", JAN): Tally(rows=50, n=50, numerator=D(30), denominator=D(50), excluded=D(10)),
    ("adl", FEB): Tally(rows=12, n=12, numerator=D(9), denominator=D(12)),
    # the year before: only an observed row of 2024 when 2024 is asked for
    ("adl", DEC): Tally(rows=10, n=10, numerator=D(1), denominator=D(10)),
    # mean weighted by n: Jan (40 × 2 + 60 × 3) / 5 = 52; Feb 70 on n 1, alone not assessable
    ("nps", JAN): Tally(rows=2, n=5, value_sum=D(100), weighted_sum=D(260)),
    ("nps", FEB): Tally(rows=1, n=1, value_sum=D(70), weighted_sum=D(70)),
    # sum: 3 + 4 = 7 falls over 2 + 1 rows; a quarter delivered as such
    ("falls", JAN): Tally(rows=2, n=2, value_sum=D(3), weighted_sum=D(3)),
    ("falls", Q2): Tally(rows=1, n=1, value_sum=D(4), weighted_sum=D(4)),
    # last: February's mean (12 × 10 + 18 × 10) / 20 = 15 on n 20, not January's 99
    ("staff", JAN): Tally(rows=1, n=30, value_sum=D(99), weighted_sum=D(2970)),
    ("staff", FEB): Tally(rows=2, n=20, value_sum=D(30), weighted_sum=D(300)),
}


def rows_of(
    indicator_id: str, grain: str, years: tuple[int, ...] = (2025,)
) -> list[tuple[object, ...]]:
    return [
        (r["period"], r["value"], r["n"], r["assessable"])
        for r in value_rows("K-1", CONTRACT, 3, TALLIES, years)
        if r["indicator_id"] == indicator_id and r["grain"] == grain
    ]


def test_a_ratio_per_month_and_over_the_year() -> None:
    assert rows_of("adl", "observed") == [("2025-01", "75", "40", True),
                                          ("2025-02", "75", "12", False)]  # fmt: skip
    # (30 + 9) / (50 + 12 − 10) × 100 = 75 on n 52
    assert rows_of("adl", "year") == [("2025", "75", "52", True)]


def test_a_mean_weighted_by_n() -> None:
    assert rows_of("nps", "observed") == [("2025-01", "52", "5", True),
                                          ("2025-02", "70", "1", False)]  # fmt: skip
    # (260 + 70) / 6 = 55 on n 6
    assert rows_of("nps", "year") == [("2025", "55", "6", True)]


def test_a_sum_with_a_delivered_quarter() -> None:
    assert rows_of("falls", "observed") == [("2025-01", "3", "2", True),
                                            ("2025-Q2", "4", "1", True)]  # fmt: skip
    assert rows_of("falls", "year") == [("2025", "7", "3", True)]


def test_last_takes_the_latest_month_of_the_year() -> None:
    assert rows_of("staff", "observed") == [("2025-01", "99", "30", True),
                                            ("2025-02", "15", "20", True)]  # fmt: skip
    assert rows_of("staff", "year") == [("2025", "15", "20", True)]


def test_rows_carry_the_columns_of_indicator_value() -> None:
    rows = value_rows("K-1", CONTRACT, 3, TALLIES, [2025])
    first = rows[0]
    assert first == {
        "contract_id": "K-1", "indicator_id": "adl", "grain": "observed", "period": "2025-01",
        "period_start": date(2025, 1, 1), "period_end": date(2025, 1, 31), "value": "75",
        "n": "40", "min_n": 20, "assessable": True, "terms_version": 3,
    }  # fmt: skip
    year = next(r for r in rows if r["grain"] == "year" and r["indicator_id"] == "falls")
    assert (year["period_start"], year["period_end"]) == (date(2025, 1, 1), date(2025, 12, 31))
    # every indicator of the contract's order, observed rows before the year's
    assert [(r["indicator_id"], r["grain"]) for r in rows][:3] == [
        ("adl", "observed"), ("adl", "observed"), ("adl", "year"),
    ]  # fmt: skip


def test_only_the_years_asked_for_and_no_row_without_data() -> None:
    assert rows_of("adl", "observed", (2024,)) == [("2024-12", "10", "10", False)]
    assert rows_of("adl", "year", (2024,)) == [("2024", "10", "10", False)]
    assert rows_of("nps", "year", (2024,)) == []
    assert value_rows("K-1", CONTRACT, 3, TALLIES, []) == []
    both = value_rows("K-1", CONTRACT, 3, TALLIES, (2024, 2025))
    assert [r["period"] for r in both if r["indicator_id"] == "adl"] == [
        "2024-12", "2025-01", "2025-02", "2024", "2025",
    ]  # fmt: skip


def test_a_value_that_does_not_end_is_written_as_settle_writes_a_line() -> None:
    tallies = {("nps", JAN): Tally(rows=3, n=3, value_sum=D(1), weighted_sum=D(1))}
    (row,) = [r for r in value_rows("K-1", CONTRACT, 1, tallies, [2025]) if r["grain"] == "year"]
    assert (row["value"], row["n"], row["assessable"]) == ("0.333333333333", "3", False)
    # a ratio without an effective denominator has no value
    empty = {("adl", JAN): Tally(rows=1, n=1, numerator=D(0), denominator=D(2), excluded=D(2))}
    (observed, _) = value_rows("K-1", CONTRACT, 1, empty, [2025])
    assert (observed["value"], observed["n"], observed["assessable"]) == (None, "0", False)


SUMS: dict[str, object] = {"rows": 3, "weight_sum": None, "value_sum": None, "weighted_sum": None,
        "numerator_sum": D("36.000000"), "denominator_sum": D("47.000000"),
        "excluded_sum": D("1.000000")}  # fmt: skip


def test_stored_sums_become_the_engines_tally() -> None:
    assert tally_of_sums(SUMS) == Tally(rows=3, n=0, numerator=D(36), denominator=D(47),
                                        excluded=D(1))  # fmt: skip


def test_a_month_of_delivered_sums_by_the_indicator_of_the_terms() -> None:
    mean: dict[str, object] = {"rows": 2, "weight_sum": 5, "value_sum": D("100.000000"),
            "weighted_sum": D("260.000000"), "numerator_sum": None, "denominator_sum": None,
            "excluded_sum": None}  # fmt: skip
    rows: list[dict[str, object]] = [
        SUMS | {"indicator_id": "adl", "period": "2025-01"},
        mean | {"indicator_id": "nps", "period": "2025-02"},
        mean | {"indicator_id": "staff", "period": "2025-Q1"},
        mean | {"indicator_id": "gone", "period": "2025-02"},
    ]
    # 36 / (47 − 1) × 100 = 78.26086956521739… (12 decimals, half-up) on n 46; 260 / 5 = 52
    assert sums_values(CONTRACT, rows) == [
        ("78.260869565217", "46"), ("52", "5"), ("52", "5"), (None, None),
    ]  # fmt: skip
