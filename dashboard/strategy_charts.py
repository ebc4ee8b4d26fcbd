"""Pure builders of the Strategia page: status labels, the trend texts of its tables and the
trend charts of a goal (frames and words in, a Figure out; no Streamlit, no database).

A status is always an icon and a word; a share resting on fewer clients than the limit is
'<5', never a bar. Text from the strategy file (units) goes through `literal.plotly`.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

import plotly.graph_objects as go

from dashboard import i18n
from dashboard.charts import OKABE_ITO, SERIES, _layout
from dashboard.literal import plotly as plot_text

STATUS_ICONS = {
    "achieved": "✔",
    "on-track": "➚",
    "at-risk": "⚠",
    "late": "✖",
    "not-measurable": "–",
}
"""Each goal status's icon, shown before its word (never colour alone)."""


def status_label(status: str, lang: str) -> str:
    """'✔ saavutettu', '⚠ vaarassa': icon and word."""
    return f"{STATUS_ICONS[status]} {i18n.t('strategy.status.' + status, lang)}"


def share_text(share: Fraction | None, clients: int, lang: str, suppress_below: int) -> str:
    """'53 %', '<5' when fewer than `suppress_below` clients lie behind it, '–' for none."""
    if share is None:
        return "–"
    if clients < suppress_below:
        return f"<{suppress_below}"
    return i18n.percent(share, lang, 0)


def share_trend_text(
    trend: Sequence[tuple[int, Fraction | None]], clients: Sequence[tuple[int, int]], lang: str,
    suppress_below: int,
) -> str:  # fmt: skip
    """'2024: 24 % → 2025: 53 %': the share of each year, small cells as '<5'."""
    behind = dict(clients)
    return " → ".join(
        f"{year}: {share_text(share, behind.get(year, 0), lang, suppress_below)}"
        for year, share in trend
    )


def value_trend_text(values: Sequence[tuple[date, Decimal]], lang: str) -> str:
    """'30.6.2025: 78 → 31.12.2025: 86,5': a manual measure's values in date order."""
    return " → ".join(
        f"{i18n.day(day, lang)}: {i18n.short_number(value, lang, 4)}" for day, value in values
    )


def share_trend(
    trend: Sequence[tuple[int, Fraction | None]], clients: Sequence[tuple[int, int]],
    target: Decimal, words: dict[str, str], lang: str, suppress_below: int,
) -> go.Figure:  # fmt: skip
    """The share of linked indicator-periods achieved per year as bars labelled with their
    percentage ('<5' and no bar for a small cell), and the target as a dashed line.
    words: title, x, y, target."""
    behind = dict(clients)
    years = [str(year) for year, _ in trend]
    shown = [
        None
        if share is None or behind.get(year, 0) < suppress_below
        else float(share * 100)  # plotting only
        for year, share in trend
    ]
    labels = [share_text(share, behind.get(y, 0), lang, suppress_below) for y, share in trend]
    fig = go.Figure(
        go.Bar(
            name=words["y"],
            x=years,
            y=[0 if s is None else s for s in shown],
            text=labels,
            textposition="outside",
            marker={"color": SERIES[0]},
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    goal = float(target * 100)
    fig.add_hline(
        y=goal,
        line={"color": OKABE_ITO["black"], "dash": "dash"},
        annotation_text=f"{words['target']} {i18n.percent(target, lang, 0)}",
        annotation_position="top left",
    )
    fig.update_layout(yaxis_range=[0, 115], height=300, showlegend=False, xaxis_type="category")
    return _layout(fig, words["title"], words["x"], words["y"], lang)


def value_trend(
    values: Sequence[tuple[date, Decimal]], target: Decimal, unit: str, words: dict[str, str],
    lang: str,
) -> go.Figure:  # fmt: skip
    """A manual measure's recorded values by date as a line with labelled markers, and the
    target as a dashed line. words: title, x, target."""
    labels = [i18n.short_number(value, lang, 4) for _, value in values]
    fig = go.Figure(
        go.Scatter(
            name=plot_text(unit),
            x=[day for day, _ in values],
            y=[float(value) for _, value in values],  # plotting only
            text=labels,
            mode="lines+markers+text",
            textposition="top center",
            line={"color": SERIES[1]},
            marker={"symbol": "diamond", "size": 10},
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    fig.add_hline(
        y=float(target),
        line={"color": OKABE_ITO["black"], "dash": "dash"},
        annotation_text=f"{words['target']} {i18n.short_number(target, lang, 4)}",
        annotation_position="top left",
    )
    fig.update_layout(height=300, showlegend=False)
    return _layout(fig, words["title"], words["x"], unit, lang)
