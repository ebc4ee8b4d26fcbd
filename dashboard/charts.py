"""Pure plotly builders: frames and words in, a Figure out. No Streamlit, no database.

Colours are Okabe–Ito (colour-blind safe) and never carry meaning alone: every trace is named,
bars carry text labels, and every chart has a title and labelled axes. Text from contracts and
deliveries (names, units, services) goes through `literal.plotly`: plotly shows it as text.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from dashboard import i18n
from dashboard.literal import plotly as plot_text

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
# Plotly copies and validates a template named in a figure's layout on every figure (0.1 to
# 0.8 s each on a slow machine); its default template is prepared once per process.
pio.templates.default = "plotly_white"

SERIES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
UNASSESSED = "#888888"
"""Grey: a value resting on fewer clients than min_n (never alone: the word is beside it)."""


def separators(lang: str) -> str:
    """Plotly's decimal and thousands marks: '1 234,5' in fi and sv, '1,234.5' in en."""
    return ".," if lang == "en" else ", "


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, lang: str) -> go.Figure:
    fig.update_layout(
        title={"text": plot_text(title)},
        xaxis_title=plot_text(x_title),
        yaxis_title=plot_text(y_title),
        separators=separators(lang),
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
    )
    return fig


@dataclass(frozen=True)
class TrendWords:
    title: str
    x_title: str
    y_title: str
    monthly: str
    period: str
    minimum: str
    target: str
    not_assessable: str
    """The word for a period whose value rests on fewer clients than min_n."""


def month_gaps(monthly: pl.DataFrame) -> pl.DataFrame:
    """The months from the first to the last, a missing one as a row without a value: the
    line breaks there instead of bridging the gap."""
    if monthly.is_empty():
        return monthly
    first: date = monthly["period_start"].min()  # type: ignore[assignment]
    last: date = monthly["period_start"].max()  # type: ignore[assignment]
    months = pl.date_range(first, last, "1mo", eager=True).alias("period_start")
    full = months.to_frame().join(monthly, on="period_start", how="left")
    return full.with_columns(
        pl.col("period").fill_null(pl.col("period_start").dt.strftime("%Y-%m"))
    ).sort("period_start")


def _steps(levels: pl.DataFrame, column: str) -> tuple[list[date], list[float | None]]:
    """x and y of a dated step line: each level holds from its start until the next one."""
    xs: list[date] = []
    ys: list[float | None] = []
    for row in levels.sort("start").iter_rows(named=True):
        xs.append(row["start"])
        ys.append(row[column])
    if xs:
        xs.append(levels.sort("start")["end"][-1])
        ys.append(ys[-1])
    return xs, ys


def _period_trace(
    fig: go.Figure, periods: pl.DataFrame, name: str, lang: str, *, solid: bool
) -> None:
    """Settled period values as bars across their period, each labelled with its n; a period
    that could not be assessed (n below min_n) is drawn thin, dotted and grey, labelled with
    the word for it, never as a normal value."""
    xs: list[date | None] = []
    ys: list[float | None] = []
    data: list[Any] = []
    mids: list[date] = []
    mid_y: list[float] = []
    labels: list[str] = []
    for row in periods.iter_rows(named=True):
        xs += [row["period_start"], row["period_end"], None]
        ys += [row["value"], row["value"], None]
        data += [[row["period"], row["n"]]] * 2 + [[None, None]]
        mids.append(row["period_start"] + (row["period_end"] - row["period_start"]) / 2)
        mid_y.append(row["value"])
        n = f"n={i18n.count(int(row['n'] or 0), lang)}"
        labels.append(n if solid else f"{name} ({n})")
    line = (
        {"color": OKABE_ITO["orange"], "width": 4}
        if solid
        else {"color": UNASSESSED, "width": 2, "dash": "dot"}
    )
    fig.add_trace(
        go.Scatter(
            name=plot_text(name),
            x=xs,
            y=ys,
            mode="lines",
            line=line,
            customdata=data,
            hovertemplate="%{customdata[0]}: %{y:.2f} (n=%{customdata[1]:,.0f})"
            + ("" if solid else f" {plot_text(name)}")
            + "<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            name=plot_text(name) + " n",
            x=mids,
            y=mid_y,
            mode="text",
            text=labels,
            textposition="top center",
            showlegend=False,
            hoverinfo="skip",
        )
    )


def indicator_trend(
    monthly: pl.DataFrame,
    periods: pl.DataFrame,
    levels: pl.DataFrame,
    words: TrendWords,
    lang: str,
) -> go.Figure:
    """Delivered (monthly) values and settled period values of one indicator, with the
    minimum and target levels drawn as dated steps; n on every hover and period label.

    monthly: period, period_start, value, n and optionally assessable (a value with n below
    min_n is drawn apart, grey, with the word); periods: period, period_start, period_end,
    value, n, status; levels: start, end, minimum, target."""
    fig = go.Figure()
    # a delivered value resting on fewer clients than min_n is not drawn as a value: it is on
    # a thin dotted grey line of its own with open markers and the word, as a period that
    # could not be assessed is
    assessable = (
        pl.col("assessable").fill_null(True) if "assessable" in monthly.columns else pl.lit(True)
    )
    months = month_gaps(monthly)
    assessed_y = months.select(pl.when(assessable).then(pl.col("value")).alias("value"))["value"]
    unassessed_y = months.select(pl.when(~assessable).then(pl.col("value")).alias("value"))["value"]
    customdata = list(zip(months["period"], months["n"], strict=True))
    if assessed_y.drop_nulls().len() or not unassessed_y.drop_nulls().len():
        fig.add_trace(
            go.Scatter(
                name=words.monthly,
                x=months["period_start"].to_list(),
                y=assessed_y.to_list(),
                mode="lines+markers",
                connectgaps=False,
                line={"color": OKABE_ITO["blue"], "width": 1.5},
                marker={"symbol": "circle", "size": 6},
                customdata=customdata,
                hovertemplate="%{customdata[0]}: %{y:.2f} (n=%{customdata[1]:,.0f})<extra></extra>",
            )
        )
    if unassessed_y.drop_nulls().len():
        fig.add_trace(
            go.Scatter(
                name=f"{words.monthly}: {words.not_assessable}",
                x=months["period_start"].to_list(),
                y=unassessed_y.to_list(),
                mode="lines+markers",
                connectgaps=False,
                line={"color": UNASSESSED, "width": 1, "dash": "dot"},
                marker={"symbol": "circle-open", "size": 7, "color": UNASSESSED},
                customdata=customdata,
                hovertemplate="%{customdata[0]}: %{y:.2f} (n=%{customdata[1]:,.0f}) "
                + plot_text(words.not_assessable)
                + "<extra></extra>",
            )
        )
    unassessed = pl.col("status").fill_null("") == "not-assessable"
    assessed = periods.filter(pl.col("value").is_not_null() & ~unassessed)
    _period_trace(fig, assessed, words.period, lang, solid=True)
    unassessable = periods.filter(pl.col("value").is_not_null() & unassessed)
    if not unassessable.is_empty():
        _period_trace(fig, unassessable, words.not_assessable, lang, solid=False)
    for column, name, colour, dash in (
        ("minimum", words.minimum, OKABE_ITO["vermillion"], "dash"),
        ("target", words.target, OKABE_ITO["green"], "dot"),
    ):
        step_x, step_y = _steps(levels, column)
        fig.add_trace(
            go.Scatter(
                name=name,
                x=step_x,
                y=step_y,
                mode="lines",
                line={"color": colour, "dash": dash, "width": 2, "shape": "hv"},
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
            )
        )
    fig.update_xaxes(tickformat="%b %Y" if lang == "en" else "%-m/%Y")
    return _layout(fig, words.title, words.x_title, words.y_title, lang)


MAX_BARS = 25
"""Up to this many contracts a comparison is one bar each; beyond it, a distribution."""


def comparison_bars(
    frame: pl.DataFrame,
    title: str,
    x_title: str,
    y_title: str,
    lang: str,
    highlight: str | None = None,
    not_assessable: str = "",
) -> go.Figure:
    """The service's contracts on one indicator, each value labelled with its n; the contract
    `highlight` (a label) stands out by colour and a pattern, never colour alone. A value
    that is not assessable (n below min_n) is drawn grey and dotted with the word
    `not_assessable` in its label, never as a normal value.
    Up to MAX_BARS contracts: one horizontal bar each. More: a box of the assessable values
    with every contract as a point (the not assessable ones grey and apart), the highlighted
    one drawn as a large diamond with its label.
    frame: label, value, n; optionally assessable (else every value is), and value_text and
    n_text, the exact stored numbers the labels are written from (else value and n)."""
    shown = frame.filter(pl.col("value").is_not_null())
    ok = (
        [a is not False for a in shown["assessable"]]
        if "assessable" in shown.columns
        else [True] * len(shown)
    )
    values = shown["value_text"] if "value_text" in shown.columns else shown["value"]
    counts = shown["n_text"] if "n_text" in shown.columns else shown["n"]
    text = [
        f"{i18n.short_number(v, lang)} (n={i18n.short_number(n or 0, lang, 0)})"
        + ("" if assessed else f" {not_assessable}")
        for v, n, assessed in zip(values, counts, ok, strict=True)
    ]
    labels = shown["label"].to_list()
    if len(shown) <= MAX_BARS:
        mine = [label == highlight for label in labels]
        colours = [
            (OKABE_ITO["vermillion"] if m else OKABE_ITO["blue"]) if a else UNASSESSED
            for m, a in zip(mine, ok, strict=True)
        ]
        patterns = ["/" if m else ("" if a else ".") for m, a in zip(mine, ok, strict=True)]
        fig = go.Figure(
            go.Bar(
                x=shown["value"].to_list(),
                y=[plot_text(label) for label in labels],
                orientation="h",
                text=[plot_text(t) for t in text],
                textposition="auto",
                marker={"color": colours, "pattern": {"shape": patterns}},
                hovertemplate="%{y}: %{text}<extra></extra>",
            )
        )
        fig.update_layout(height=120 + 40 * max(len(shown), 1), yaxis={"autorange": "reversed"})
        return _layout(fig, title, x_title, y_title, lang)
    name = i18n.t("chart.all_contracts", lang, count=i18n.count(len(shown), lang))
    assessed_values = [v for v, a in zip(shown["value"], ok, strict=True) if a]
    fig = go.Figure(
        go.Box(
            x=assessed_values,
            name=name,
            boxpoints="all",
            jitter=0.5,
            pointpos=0,
            marker={"color": OKABE_ITO["blue"], "size": 4, "opacity": 0.5},
            line={"color": OKABE_ITO["black"]},
            text=[
                plot_text(f"{label}: {t}")
                for label, t, a in zip(labels, text, ok, strict=True)
                if a
            ],
            hoverinfo="text",
            orientation="h",
        )
    )
    if not all(ok):
        fig.add_trace(
            go.Scatter(
                x=[v for v, a in zip(shown["value"], ok, strict=True) if not a],
                y=[name] * ok.count(False),
                mode="markers",
                name=plot_text(not_assessable),
                text=[
                    plot_text(f"{label}: {t}")
                    for label, t, a in zip(labels, text, ok, strict=True)
                    if not a
                ],
                marker={"color": UNASSESSED, "size": 6, "symbol": "circle-open"},
                hovertemplate="%{text}<extra></extra>",
            )
        )
    if highlight in labels:
        index = labels.index(highlight)
        fig.add_trace(
            go.Scatter(
                x=[shown["value"][index]],
                y=[name],
                mode="markers+text",
                name=plot_text(highlight),
                text=[plot_text(f"{highlight}: {text[index]}")],
                textposition="top center",
                marker={
                    "color": OKABE_ITO["vermillion"] if ok[index] else UNASSESSED,
                    "size": 16,
                    "symbol": "diamond" if ok[index] else "diamond-open",
                },
                hovertemplate="%{text}<extra></extra>",
            )
        )
    fig.update_layout(height=320, showlegend=False)
    return _layout(fig, title, x_title, "", lang)


def short(name: str, limit: int = 24) -> str:
    """A name cut to `limit` characters with an ellipsis, for axis labels."""
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Step:
    """One bar of the waterfall: a stored amount with the sign it has on the net, and the
    settlement line it comes from (`line_no`; None for the totals); `capped` marks the
    per-unit cap of a line's sanction, a step of its own after the line's."""

    label: str
    amount: Decimal
    measure: str  # relative | total
    line_no: int | None = None
    capped: bool = False


def _adjustment_steps(adjustments: pl.DataFrame, side: str, lang: str) -> list[Step]:
    """Each gate, pool limit, period cap and annual cap of one side as a step of its own, in
    the engine's order. A bonus-side adjustment is a step even when it is not counted (the
    gate): the bonus steps are the lines' bonuses before the gate, so the gate's withheld
    amount takes them back to the stored bonus total. On the sanction side only counted ones
    are steps, with the sign flipped (a reduction of the sanction raises the net)."""
    steps: list[Step] = []
    for row in adjustments.filter(pl.col("side") == side).iter_rows(named=True):
        if not row["amount"] or (side == "sanction" and not row["counted"]):
            continue
        label = i18n.adjustment_name(row["adjustment_kind"], lang).capitalize()
        amount = Decimal(row["amount"])
        signed = amount if side == "bonus" else -amount
        steps.append(Step(label, signed, "relative", row.get("line_no")))
    return steps


def waterfall_steps(
    lines: pl.DataFrame, bonus_total: Decimal, net: Decimal, names: dict[str, str], lang: str
) -> list[Step]:
    """The stored settlement as steps: each indicator's bonus before gates, the gates, pool
    limit and caps of the bonus side (each its own step), the bonus total, each sanction, the
    sanction caps, and the net payment. Amounts are the stored ones (signs only flipped for
    the sanction side); the relative steps add up to the stored net. `names`: indicator id ->
    name (the id when the name is missing)."""
    steps: list[Step] = []
    indicator_lines = lines.filter(pl.col("line_kind") == "indicator")
    adjustments = lines.filter(pl.col("line_kind") == "adjustment")
    for row in indicator_lines.iter_rows(named=True):
        amount = row["bonus_before_gate"]
        if amount:
            name = short(names.get(row["indicator_id"]) or row["indicator_id"] or "")
            label = i18n.t("wf.bonus", lang, indicator=name)
            steps.append(Step(label, Decimal(amount), "relative", row.get("line_no")))
    steps += _adjustment_steps(adjustments, "bonus", lang)
    steps.append(Step(i18n.t("wf.bonus_total", lang), bonus_total, "total"))
    for row in indicator_lines.iter_rows(named=True):
        amount = row["sanction"]
        if amount:
            name = short(names.get(row["indicator_id"]) or row["indicator_id"] or "")
            label = i18n.t("wf.sanction", lang, indicator=name)
            # a per-unit sanction its cap took down: units × price, then the cap as its step
            before_cap = row.get("sanction_before_cap")
            charged = Decimal(amount if before_cap is None else before_cap)
            steps.append(Step(label, -charged, "relative", row.get("line_no")))
            if before_cap is not None:
                cap = i18n.t("wf.per_unit_cap", lang, indicator=name)
                lifted = Decimal(before_cap) - Decimal(amount)
                steps.append(Step(cap, lifted, "relative", row.get("line_no"), capped=True))
    steps += _adjustment_steps(adjustments, "sanction", lang)
    steps.append(Step(i18n.t("wf.net", lang), net, "total"))
    return _distinct(steps)


def _distinct(steps: list[Step]) -> list[Step]:
    """Plotly draws bars with the same label in one place: a label seen before (two bonus
    caps, a pool limit and a cap, two indicators cut to the same name) gets ' (2)', ' (3)'."""
    seen: dict[str, int] = {}
    out = []
    for step in steps:
        seen[step.label] = seen.get(step.label, 0) + 1
        count = seen[step.label]
        out.append(step if count == 1 else replace(step, label=f"{step.label} ({count})"))
    return out


def waterfall(steps: Sequence[Step], title: str, lang: str) -> go.Figure:
    """go.Waterfall of the steps; every bar is labelled with its signed amount in euros."""
    text = [
        (i18n.euros(s.amount, lang) if s.measure == "total" or s.amount < 0
         else "+" + i18n.euros(s.amount, lang))
        for s in steps
    ]  # fmt: skip
    fig = go.Figure(
        go.Waterfall(
            x=[plot_text(s.label) for s in steps],
            y=[float(s.amount) for s in steps],
            measure=[s.measure for s in steps],
            text=text,
            textposition="outside",
            increasing={"marker": {"color": OKABE_ITO["green"]}},
            decreasing={"marker": {"color": OKABE_ITO["vermillion"]}},
            totals={"marker": {"color": OKABE_ITO["blue"]}},
            connector={"line": {"color": "#888888"}},
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(showlegend=False, yaxis_tickformat=",.0f")
    return _layout(fig, title, i18n.t("wf.step", lang), i18n.t("wf.eur", lang), lang)


def share_label(achieved: int, assessed: int, clients: int, lang: str, suppress_below: int) -> str:
    """'62 % (n=33)' (n: indicator-periods assessed), or '<5' when fewer than
    `suppress_below` clients lie behind the values (a small group could be recognised)."""
    if clients < suppress_below or assessed == 0:
        return f"<{suppress_below}"
    share = Decimal(achieved) * 100 / Decimal(assessed)
    return f"{i18n.short_number(share, lang, 0)} % (n={i18n.count(assessed, lang)})"


def share_bars(
    frame: pl.DataFrame,
    title: str,
    x_title: str,
    y_title: str,
    group_names: dict[str, str],
    lang: str,
    suppress_below: int,
) -> go.Figure:
    """Share of indicator-periods achieved per group and year, as grouped bars; a cell with
    fewer than `suppress_below` clients behind it has no bar and the label '<5'.
    frame: year, grp, assessed, achieved, clients."""
    fig = go.Figure()
    years = sorted(set(frame["year"].to_list()))
    for index, year in enumerate(years):
        part = frame.filter(pl.col("year") == year)
        shares = [
            None if clients < suppress_below or not assessed else achieved * 100 / assessed
            for achieved, assessed, clients in zip(
                part["achieved"], part["assessed"], part["clients"], strict=True
            )
        ]
        labels = [
            share_label(a, n, c, lang, suppress_below)
            for a, n, c in zip(part["achieved"], part["assessed"], part["clients"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                name=str(year),
                x=[plot_text(group_names.get(g, g)) for g in part["grp"]],
                y=[0 if s is None else s for s in shares],
                text=labels,
                textposition="outside",
                marker={"color": SERIES[index % len(SERIES)]},
                hovertemplate=f"{year} %{{x}}: %{{text}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", yaxis_range=[0, 110])
    return _layout(fig, title, x_title, y_title, lang)


def money_bars(frame: pl.DataFrame, words: dict[str, str], lang: str) -> go.Figure:
    """Bonuses and sanctions per quarter as bars, the net as a line with markers.
    frame: quarter, bonus, sanction, net. words: title, x, y, bonus, sanction, net."""
    quarters = frame["quarter"].to_list()
    fig = go.Figure()
    for column, colour, pattern in (
        ("bonus", OKABE_ITO["green"], ""),
        ("sanction", OKABE_ITO["vermillion"], "/"),
    ):
        fig.add_trace(
            go.Bar(
                name=words[column],
                x=quarters,
                y=frame[column].to_list(),
                marker={"color": colour, "pattern": {"shape": pattern}},
                hovertemplate=f"{words[column]} %{{x}}: %{{y:,.2f}} €<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            name=words["net"],
            x=quarters,
            y=frame["net"].to_list(),
            mode="lines+markers",
            line={"color": OKABE_ITO["black"]},
            marker={"symbol": "diamond"},
            hovertemplate=f"{words['net']} %{{x}}: %{{y:,.2f}} €<extra></extra>",
        )
    )
    fig.update_layout(barmode="group", yaxis_tickformat=",.0f")
    return _layout(fig, words["title"], words["x"], words["y"], lang)
