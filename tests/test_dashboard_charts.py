"""Chart builders and formats, without Streamlit: titles, axis titles, traces and values."""

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from dashboard import charts, i18n

NBSP = "\u00a0"  # Babel groups thousands and sets the € apart with no-break spaces


def test_indicator_trend_draws_values_periods_and_dated_levels() -> None:
    monthly = pl.DataFrame(
        {
            "period": ["2024-12", "2025-01"],
            "period_start": [date(2024, 12, 1), date(2025, 1, 1)],
            "value": [80.0, 75.5],
            "n": [50.0, 48.0],
        }
    )
    periods = pl.DataFrame(
        {
            "period": ["2025-Q1"], "period_start": [date(2025, 1, 1)],
            "period_end": [date(2025, 3, 31)], "value": [77.8], "n": [158.0],
            "status": ["partial"],
        }
    )  # fmt: skip
    levels = pl.DataFrame(
        {
            "start": [date(2024, 1, 1), date(2025, 1, 1)],
            "end": [date(2025, 1, 1), date(2025, 12, 31)],
            "minimum": [70.0, 72.0], "target": [85.0, 87.0],
        }
    )  # fmt: skip
    words = charts.TrendWords("ADL (%)", "Kuukausi", "Arvo (%)", "Kuukausiarvo", "Kauden arvo",
                              "Minimitaso", "Tavoitetaso", "ei arvioitavissa")  # fmt: skip
    fig = charts.indicator_trend(monthly, periods, levels, words, "fi")
    assert fig.layout.title.text == "ADL (%)"
    assert fig.layout.xaxis.title.text == "Kuukausi"
    assert fig.layout.yaxis.title.text == "Arvo (%)"
    assert fig.layout.separators == ", "
    traces = {t.name: t for t in fig.data}
    assert list(traces["Kuukausiarvo"].y) == [80.0, 75.5]
    assert [row[1] for row in traces["Kuukausiarvo"].customdata] == [50.0, 48.0]
    assert list(traces["Kauden arvo"].y) == [77.8, 77.8, None]
    assert list(traces["Kauden arvo n"].text) == ["n=158"]
    minimum = traces["Minimitaso"]
    assert list(minimum.y) == [70.0, 72.0, 72.0]
    assert list(minimum.x) == [date(2024, 1, 1), date(2025, 1, 1), date(2025, 12, 31)]
    assert minimum.line.shape == "hv"
    assert list(traces["Tavoitetaso"].y) == [85.0, 87.0, 87.0]


def test_trend_breaks_at_a_missing_month_and_marks_an_unassessable_period() -> None:
    """March is missing: the monthly line has no point there (a gap, not a bridge); Q2 rests
    on n=3 under min_n: drawn as its own dotted trace with the word, not as a period value."""
    monthly = pl.DataFrame(
        {
            "period": ["2025-01", "2025-02", "2025-04"],
            "period_start": [date(2025, 1, 1), date(2025, 2, 1), date(2025, 4, 1)],
            "value": [80.0, 75.5, 60.0], "n": [50.0, 48.0, 3.0],
        }
    )  # fmt: skip
    periods = pl.DataFrame(
        {
            "period": ["2025-Q1", "2025-Q2"],
            "period_start": [date(2025, 1, 1), date(2025, 4, 1)],
            "period_end": [date(2025, 3, 31), date(2025, 6, 30)],
            "value": [77.8, 60.0], "n": [98.0, 3.0], "status": ["partial", "not-assessable"],
        }
    )  # fmt: skip
    levels = pl.DataFrame(
        {"start": [date(2025, 1, 1)], "end": [date(2025, 12, 31)], "minimum": [72.0],
         "target": [87.0]}
    )  # fmt: skip
    words = charts.TrendWords("ADL (%)", "Kuukausi", "Arvo (%) · suurempi on parempi",
                              "Kuukausiarvo", "Kauden arvo", "Minimitaso", "Tavoitetaso",
                              "ei arvioitavissa")  # fmt: skip
    fig = charts.indicator_trend(monthly, periods, levels, words, "fi")
    traces = {t.name: t for t in fig.data}
    monthly_line = traces["Kuukausiarvo"]
    assert list(monthly_line.y) == [80.0, 75.5, None, 60.0]
    assert monthly_line.x[2] == date(2025, 3, 1) and monthly_line.connectgaps is False
    assert list(traces["Kauden arvo"].y) == [77.8, 77.8, None]
    unassessed = traces["ei arvioitavissa"]
    assert list(unassessed.y) == [60.0, 60.0, None] and unassessed.line.dash == "dot"
    assert list(traces["ei arvioitavissa n"].text) == ["ei arvioitavissa (n=3)"]
    assert fig.layout.yaxis.title.text == "Arvo (%) · suurempi on parempi"


def test_trend_draws_a_month_under_min_n_apart_as_not_assessable() -> None:
    """February rests on n=3 under min_n (indicator_value's assessable): it leaves the monthly
    line and is drawn grey and dotted with the word, as an unassessable period is."""
    monthly = pl.DataFrame(
        {
            "period": ["2025-01", "2025-02", "2025-03"],
            "period_start": [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)],
            "value": [80.0, 60.0, 75.0], "n": [50.0, 3.0, 40.0],
            "assessable": [True, False, True], "min_n": [20, 20, 20],
        }
    )  # fmt: skip
    empty = pl.DataFrame(
        schema={"period": pl.String, "period_start": pl.Date, "period_end": pl.Date,
                "value": pl.Float64, "n": pl.Float64, "status": pl.String}
    )  # fmt: skip
    levels = pl.DataFrame(
        {"start": [date(2025, 1, 1)], "end": [date(2025, 12, 31)], "minimum": [72.0],
         "target": [87.0]}
    )  # fmt: skip
    words = charts.TrendWords("ADL (%)", "Kuukausi", "Arvo (%)", "Kuukausiarvo", "Kauden arvo",
                              "Minimitaso", "Tavoitetaso", "ei arvioitavissa")  # fmt: skip
    traces = {t.name: t for t in charts.indicator_trend(monthly, empty, levels, words, "fi").data}
    assert list(traces["Kuukausiarvo"].y) == [80.0, None, 75.0]
    apart = traces["Kuukausiarvo: ei arvioitavissa"]
    assert list(apart.y) == [None, 60.0, None]
    assert apart.line.dash == "dot" and apart.marker.symbol == "circle-open"
    assert "ei arvioitavissa" in apart.hovertemplate
    # every month under min_n: no empty monthly line in the legend, only the grey one
    alone = monthly.with_columns(assessable=pl.lit(False))
    names = [t.name for t in charts.indicator_trend(alone, empty, levels, words, "fi").data]
    assert "Kuukausiarvo" not in names and "Kuukausiarvo: ei arvioitavissa" in names


def test_waterfall_runs_from_bonuses_through_gate_and_caps_to_the_net() -> None:
    lines = pl.DataFrame(
        {
            "line_kind": ["indicator", "indicator", "adjustment", "adjustment"],
            "indicator_id": ["adl", "nps", None, None],
            "bonus_before_gate": [Decimal("1500.00"), Decimal("1200.00"), None, None],
            "sanction": [Decimal("0.00"), Decimal("400.00"), None, None],
            "adjustment_kind": [None, None, "bonus-cap", "sanction-cap"],
            "side": [None, None, "bonus", "sanction"],
            "amount": [None, None, Decimal("-200.00"), Decimal("-100.00")],
            "counted": [None, None, True, True],
        }
    )
    names = {"adl": "ADL", "nps": "NPS"}
    steps = charts.waterfall_steps(lines, Decimal("2500.00"), Decimal("2200.00"), names, "fi")
    assert [(s.label, s.amount, s.measure) for s in steps] == [
        ("Bonus ADL", Decimal("1500.00"), "relative"),
        ("Bonus NPS", Decimal("1200.00"), "relative"),
        ("Bonuskatto", Decimal("-200.00"), "relative"),
        ("Bonukset yhteensä", Decimal("2500.00"), "total"),
        ("Sanktio NPS", Decimal("-400.00"), "relative"),
        ("Sanktiokatto", Decimal("100.00"), "relative"),
        ("Nettomaksu", Decimal("2200.00"), "total"),
    ]
    fig = charts.waterfall(steps, "Bonuksista nettomaksuun", "fi")
    assert fig.layout.title.text == "Bonuksista nettomaksuun"
    assert fig.layout.xaxis.title.text == "Vaihe"
    assert fig.layout.yaxis.title.text == "Euroa"
    bars = fig.data[0]
    assert bars.type == "waterfall"
    assert list(bars.text) == [
        f"+1{NBSP}500,00{NBSP}€", f"+1{NBSP}200,00{NBSP}€", f"−200,00{NBSP}€",
        f"2{NBSP}500,00{NBSP}€", f"−400,00{NBSP}€", f"+100,00{NBSP}€", f"2{NBSP}200,00{NBSP}€",
    ]  # fmt: skip


def test_a_per_unit_cap_is_a_step_of_its_own_after_its_line() -> None:
    """12 breaches × 150 € = 1 800 €, capped to the 1 500 € stored on the line: the sanction
    step is the 1 800 €, the cap gives 300 € back, the net is the stored one."""
    lines = pl.DataFrame(
        {
            "line_no": [1], "line_kind": ["indicator"], "indicator_id": ["rikkeet"],
            "bonus_before_gate": [Decimal("0.00")], "sanction": [Decimal("1500.00")],
            "sanction_before_cap": [Decimal("1800.00")], "adjustment_kind": [None],
            "side": [None], "amount": [None], "counted": [None],
        }
    )  # fmt: skip
    steps = charts.waterfall_steps(
        lines, Decimal("0.00"), Decimal("-1500.00"), {"rikkeet": "Rikkeet"}, "fi"
    )
    assert [(s.label, s.amount, s.measure, s.capped) for s in steps] == [
        ("Bonukset yhteensä", Decimal("0.00"), "total", False),
        ("Sanktio Rikkeet", Decimal("-1800.00"), "relative", False),
        ("Yksikkösanktion katto Rikkeet", Decimal("300.00"), "relative", True),
        ("Nettomaksu", Decimal("-1500.00"), "total", False),
    ]
    assert sum(s.amount for s in steps if s.measure == "relative") == Decimal("-1500.00")


def test_gate_is_shown_but_the_bonus_total_is_the_stored_one() -> None:
    lines = pl.DataFrame(
        {
            "line_kind": ["indicator", "adjustment"], "indicator_id": ["nps", None],
            "bonus_before_gate": [Decimal("900.00"), None], "sanction": [Decimal("0"), None],
            "adjustment_kind": [None, "gate"], "side": [None, "bonus"],
            "amount": [None, Decimal("-900.00")], "counted": [None, False],
        }
    )  # fmt: skip
    steps = charts.waterfall_steps(lines, Decimal("0.00"), Decimal("0.00"), {}, "en")
    assert [s.label for s in steps] == ["Bonus nps", "Gate", "Bonuses total", "Net payment"]
    assert sum(s.amount for s in steps if s.measure == "relative") == Decimal("0.00")


def test_waterfall_steps_carry_the_line_each_comes_from() -> None:
    lines = pl.DataFrame(
        {
            "line_no": [1, 2, 3], "line_kind": ["indicator", "indicator", "adjustment"],
            "indicator_id": ["adl", "nps", None],
            "bonus_before_gate": [Decimal("10.00"), Decimal("0.00"), None],
            "sanction": [Decimal("0.00"), Decimal("4.00"), None],
            "adjustment_kind": [None, None, "annual-bonus-cap"], "side": [None, None, "bonus"],
            "amount": [None, None, Decimal("-3.00")], "counted": [None, None, True],
        }
    )  # fmt: skip
    steps = charts.waterfall_steps(lines, Decimal("7.00"), Decimal("3.00"), {"adl": "ADL"}, "fi")
    assert [(s.label, s.amount, s.line_no) for s in steps] == [
        ("Bonus ADL", Decimal("10.00"), 1),
        ("Vuotuinen bonuskatto", Decimal("-3.00"), 3),
        ("Bonukset yhteensä", Decimal("7.00"), None),
        ("Sanktio nps", Decimal("-4.00"), 2),
        ("Nettomaksu", Decimal("3.00"), None),
    ]


def test_waterfall_steps_with_the_same_label_stay_apart() -> None:
    lines = pl.DataFrame(
        {
            "line_no": [1, 2, 3], "line_kind": ["indicator", "adjustment", "adjustment"],
            "indicator_id": ["adl", None, None],
            "bonus_before_gate": [Decimal("900.00"), None, None],
            "sanction": [Decimal("0.00"), None, None],
            "adjustment_kind": [None, "bonus-cap", "bonus-cap"], "side": [None, "bonus", "bonus"],
            "amount": [None, Decimal("-0.01"), Decimal("-99.99")], "counted": [None, True, True],
        }
    )  # fmt: skip
    steps = charts.waterfall_steps(lines, Decimal("800.00"), Decimal("800.00"), {}, "fi")
    assert [s.label for s in steps] == [
        "Bonus adl", "Bonuskatto", "Bonuskatto (2)", "Bonukset yhteensä", "Nettomaksu",
    ]  # fmt: skip
    assert len(set(charts.waterfall(steps, "t", "fi").data[0].x)) == len(steps)


def test_share_bars_suppress_cells_with_under_five_clients_not_under_five_periods() -> None:
    frame = pl.DataFrame(
        {"year": [2024, 2024, 2024], "grp": ["vaikuttavuus", "talouden-tasapaino", "muu"],
         "assessed": [59, 4, 6], "achieved": [22, 3, 6], "clients": [1200, 1200, 4]}
    )  # fmt: skip
    fig = charts.share_bars(frame, "Osuus", "Teema", "%", {"vaikuttavuus": "V"}, "fi", 5)
    assert fig.layout.title.text == "Osuus"
    assert fig.layout.xaxis.title.text == "Teema"
    bar = fig.data[0]
    assert list(bar.x) == ["V", "talouden-tasapaino", "muu"]
    # 4 indicator-periods of 300 clients each are shown; 6 periods of 4 clients are not
    assert list(bar.text) == ["37 % (n=59)", "75 % (n=4)", "<5"]
    assert bar.y[2] == 0


def test_money_bars_have_bonus_sanction_and_net() -> None:
    frame = pl.DataFrame(
        {"quarter": ["2024-Q1"], "bonus": [24312.03], "sanction": [5600.0], "net": [18712.03]}
    )
    words = {"title": "Rahat", "x": "Neljännes", "y": "Euroa", "bonus": "Bonus",
             "sanction": "Sanktio", "net": "Netto"}  # fmt: skip
    fig = charts.money_bars(frame, words, "fi")
    assert fig.layout.title.text == "Rahat"
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("Neljännes", "Euroa")
    assert [t.name for t in fig.data] == ["Bonus", "Sanktio", "Netto"]
    assert list(fig.data[2].y) == [18712.03]


def test_comparison_bars_put_n_beside_every_value() -> None:
    frame = pl.DataFrame(
        {"label": ["KH-1 · A", "KH-2 · B", "KH-3 · C"], "value": [86.786, 80.82, None],
         "n": [613.0, 365.0, None]}
    )  # fmt: skip
    fig = charts.comparison_bars(frame, "ADL 2025", "Arvo (%)", "Sopimus", "fi")
    assert fig.layout.title.text == "ADL 2025"
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("Arvo (%)", "Sopimus")
    assert list(fig.data[0].text) == ["86,79 (n=613)", "80,82 (n=365)"]


def test_comparison_marks_the_contract_by_colour_and_pattern() -> None:
    frame = pl.DataFrame({"label": ["KH-1 · A", "KH-2 · B"], "value": [86.0, 80.0], "n": [6, 3]})
    fig = charts.comparison_bars(frame, "ADL", "Arvo", "Sopimus", "fi", highlight="KH-2 · B")
    assert list(fig.data[0].marker.pattern.shape) == ["", "/"]
    assert fig.data[0].marker.color[0] != fig.data[0].marker.color[1]


def test_comparison_draws_a_value_under_min_n_as_not_assessable() -> None:
    """The labels are written from the stored exact text; a value under min_n is grey and
    dotted with the word, never a normal bar (the contract's own still hatched)."""
    frame = pl.DataFrame(
        {"label": ["KH-1 · A", "KH-2 · B", "KH-3 · C"], "value": [86.785, 40.0, 55.0],
         "n": [613.0, 12.5, 4.0], "value_text": ["86.785", "40", "55"],
         "n_text": ["613", "12.5", "4"], "assessable": [True, False, False]}
    )  # fmt: skip
    fig = charts.comparison_bars(frame, "ADL", "Arvo", "Sopimus", "fi", highlight="KH-3 · C",
                                 not_assessable="ei arvioitavissa")  # fmt: skip
    bars = fig.data[0]
    assert list(bars.text) == [
        "86,79 (n=613)", "40 (n=13) ei arvioitavissa", "55 (n=4) ei arvioitavissa",
    ]  # fmt: skip
    assert list(bars.marker.color) == [charts.OKABE_ITO["blue"], charts.UNASSESSED,
                                       charts.UNASSESSED]  # fmt: skip
    assert list(bars.marker.pattern.shape) == ["", ".", "/"]


def test_a_distribution_leaves_values_under_min_n_out_of_the_box() -> None:
    count = charts.MAX_BARS + 2
    frame = pl.DataFrame(
        {"label": [f"KH-{i} · S{i}" for i in range(count)],
         "value": [float(i) for i in range(count)], "n": [10] * count,
         "assessable": [i != 3 for i in range(count)]}
    )  # fmt: skip
    fig = charts.comparison_bars(frame, "ADL", "Arvo", "Sopimus", "fi", highlight="KH-3 · S3",
                                 not_assessable="ei arvioitavissa")  # fmt: skip
    box, apart, mine = fig.data
    assert len(box.x) == count - 1 and 3.0 not in list(box.x)
    assert list(apart.x) == [3.0] and apart.marker.color == charts.UNASSESSED
    assert list(mine.text) == ["KH-3 · S3: 3 (n=10) ei arvioitavissa"]
    assert mine.marker.symbol == "diamond-open"


def test_comparison_of_many_contracts_is_a_distribution_with_the_contract_marked() -> None:
    count = charts.MAX_BARS + 1
    frame = pl.DataFrame(
        {"label": [f"KH-{i} · S{i}" for i in range(count)],
         "value": [float(i) for i in range(count)], "n": [10] * count}
    )  # fmt: skip
    fig = charts.comparison_bars(frame, "ADL", "Arvo", "Sopimus", "fi", highlight="KH-3 · S3")
    box, mine = fig.data
    assert box.type == "box"
    assert len(box.x) == count
    assert box.name == f"Kaikki {count} sopimusta"
    assert list(mine.text) == ["KH-3 · S3: 3 (n=10)"]
    assert fig.layout.height == 320


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fi", "1\u00a0234,56\u00a0€"), ("sv", "1\u00a0234,56\u00a0€"), ("en", "€1,234.56")],
)
def test_money_format_of_each_language(lang: str, expected: str) -> None:
    assert i18n.euros(Decimal("1234.555"), lang) == expected
    assert i18n.euros(Decimal("-2440.51"), lang).startswith("−")


def test_dates_are_finnish_day_month_year() -> None:
    assert i18n.day(date(2025, 3, 31), "fi") == "31.3.2025"
    assert i18n.day(date(2025, 3, 31), "sv") == "31.3.2025"
    assert i18n.day(date(2025, 3, 31), "en") == "31 Mar 2025"


def test_status_words_carry_an_icon() -> None:
    assert i18n.status_word("achieved", "fi") == "✔ saavutettu"
    assert i18n.status_word("partial", "fi") == "◐ osittain"
    assert i18n.status_word("not-achieved", "fi") == "✖ ei saavutettu"
    assert i18n.status_word("below-minimum", "fi") == "▼ alle minimin"
    assert i18n.status_word("not-assessable", "fi") == "– ei arvioitavissa"
    assert i18n.status_word("below-minimum", "sv") == "▼ under minimum"


def test_every_string_exists_in_finnish_swedish_and_english() -> None:
    for key in i18n.all_keys():
        texts = [i18n.t(key, lang) for lang in i18n.LANGUAGES]
        assert all(texts), key
