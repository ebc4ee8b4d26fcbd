"""Text from contracts, deliveries and people is shown as text on every page: never read as
Markdown (a link, an image request, formatting) nor as HTML, in Streamlit's elements and in
plotly's charts. The hostile text (tests/hostile_text.py) is added to a copy of the demo
database with the real command line; each page runs in AppTest as a user who sees it all.
The browser's side (what is rendered, what is requested) is tests/e2e/test_security_browser.py.
"""

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from dashboard import charts, literal
from tests.demo_users import open_as, show
from tests.e2e.demo_db import copy_db, demo_template
from tests.hostile_text import (
    CHECKER,
    EVERY_TEXT,
    FILE_NAME,
    FRAMEWORK,
    GOAL_ID,
    INDICATOR,
    PERSON,
    REASON,
    SERVICE,
    STRATEGY_ID,
    SUPPLIER,
    TITLE_IMG,
    TITLE_LINK,
    UNIT,
    hostile_copy,
)

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
MARKDOWN_FIELDS = {"body", "label", "help", "text"}
"""Proto fields Streamlit renders as Markdown: element bodies (markdown, caption, headings,
alerts), widget and metric labels, tooltips, progress texts. Options of a selectbox or a
multiselect are plain text and are not among them."""


@pytest.fixture(scope="module")
def hostile_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    template = demo_template(request.config, tmp_path_factory.mktemp("literal-demo"))
    return hostile_copy(template, tmp_path_factory.mktemp("literal"))


@pytest.fixture
def shown(hostile_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return show(hostile_db, monkeypatch)


def run(name: str, user: str = "demo-kaikki", **state: object) -> AppTest:
    at = open_as(VIEWS / f"{name}.py", user, state=state)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _strings(message: Message) -> Iterator[tuple[str, str]]:
    for descriptor, value in message.ListFields():
        values = value if getattr(descriptor, "is_repeated", False) else [value]
        for item in values:
            if isinstance(item, Message):
                yield from _strings(item)
            elif isinstance(item, str):
                yield descriptor.name, item


def markdown_texts(at: AppTest) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown."""
    found = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            found += [text for name, text in _strings(proto) if name in MARKDOWN_FIELDS]
    return found


def figure_texts(at: AppTest) -> list[str]:
    """Every string of every plotly figure of the page (titles, labels, names, texts)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        walk(spec["data"])
        walk(spec["layout"])
    return found


def assert_literal(
    at: AppTest, markdown: tuple[str, ...] = (), plotted: tuple[str, ...] = ()
) -> None:
    """No hostile text reaches a Markdown or plotly place as it is; the texts named are
    there, each made literal for its place."""
    texts = markdown_texts(at)
    raw = [(text, t) for text in texts for t in EVERY_TEXT if t in text]
    assert raw == []
    assert not any(re.search(r"(?<!\\)\]\(", text) for text in texts)  # no Markdown link
    for text in markdown:
        assert any(literal.markdown(text) in t for t in texts), text
    figures = figure_texts(at)
    html = [t for t in EVERY_TEXT if re.search("[<&]", t)]  # plotly reads no Markdown
    raw = [(text, t) for text in figures for t in html if t in text]
    assert raw == []
    tags = [t for t in figures if re.search(r"<(?!extra>|/extra>)[a-zA-Z/!]", t)]
    assert tags == []  # the only tag in a figure is plotly's own <extra></extra>
    for text in plotted:
        assert any(literal.plotly(text) in t for t in figures), text


def test_contract_page_shows_the_title_and_names_as_text(shown: Path) -> None:
    at = run("sopimus", contract="XSS-1")
    assert_literal(at, markdown=(TITLE_IMG, SUPPLIER, SERVICE, FRAMEWORK),
                   plotted=(INDICATOR, UNIT, SUPPLIER))  # fmt: skip
    header = next(t for t in markdown_texts(at) if "XSS" not in t and "Sopimuskausi" in t)
    assert header.startswith(f"**{literal.markdown(TITLE_IMG)}** · ")
    # the selectbox's options are plain text: shown as they are
    assert at.selectbox(key="contract").format_func("XSS-1") == f"XSS-1 · {SUPPLIER}"
    at = run("sopimus", contract="XSS-2")
    assert_literal(at, markdown=(TITLE_LINK, SUPPLIER))


def test_contracts_page_shows_names_as_text(shown: Path) -> None:
    assert_literal(run("sopimukset"))


@pytest.mark.parametrize(
    ("period", "markdown"),
    [
        ("2025-Q1", (PERSON,)),  # approved by PERSON
        ("2025-Q2", (REASON,)),  # rejected with REASON
        ("2025-Q3", (CHECKER,)),  # prepared by CHECKER
        ("2025-Q4", ()),
    ],
)
def test_payments_page_shows_names_and_reasons_as_text(
    shown: Path, period: str, markdown: tuple[str, ...]
) -> None:
    at = run("maksut", pay_contract="XSS-1", pay_period=period)
    # the waterfall's steps name the indicator, cut to 24 characters
    assert_literal(at, markdown=markdown, plotted=(INDICATOR[:20],))


def test_leadership_page_shows_services_and_frameworks_as_text(shown: Path) -> None:
    at = run("johto")
    assert_literal(at, markdown=(FRAMEWORK,), plotted=(SERVICE,))


def test_calendar_page_shows_the_planned_tender_as_text(shown: Path) -> None:
    at = run("kilpailutuskalenteri", calendar_today=date(2026, 12, 1), calendar_months=12)
    assert_literal(at)
    tables = " ".join(
        " ".join(map(str, frame.value.to_numpy().ravel())) for frame in at.dataframe
    ) + " ".join(" ".join(map(str, t.value.to_numpy().ravel())) for t in at.table)
    for text in (TITLE_IMG, PERSON, CHECKER, SUPPLIER):  # XSS-1's next tender, as it is
        assert text in tables, text


def test_strategy_page_shows_the_goal_texts_as_text(shown: Path) -> None:
    at = run("strategia", strategy_year=2025, strategy_id=STRATEGY_ID, strategy_goal=GOAL_ID)
    assert_literal(at, markdown=(TITLE_IMG, REASON, CHECKER, INDICATOR))
    tables = " ".join(" ".join(map(str, t.value.to_numpy().ravel())) for t in at.table)
    assert literal.markdown(TITLE_IMG) in tables  # the goal's row, its title escaped
    assert TITLE_IMG not in tables


def test_deliveries_page_shows_file_names_and_people_as_text(shown: Path) -> None:
    at = run("toimitukset")
    assert_literal(at, markdown=(FILE_NAME, PERSON))


def test_an_uploaded_file_name_is_shown_as_text(
    shown: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAIKUTTAVUUS_DB", str(copy_db(shown, tmp_path)))
    name = "[u](javascript:alert(1)) <img src=x onerror=alert(1)> **x**.csv"
    at = run("toimitukset")
    at.file_uploader(key="uploads").set_value((name, b"sopimus;mittari\n", "text/csv"))
    at.button[0].click()
    at.run()
    assert not at.exception
    assert not any(name in t for t in markdown_texts(at))
    assert at.error[0].value.startswith(literal.markdown(name) + " hylättiin")


# --- the helpers -----------------------------------------------------------------------------

PUNCTUATION = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum())


@pytest.mark.parametrize("text", [*EVERY_TEXT, PUNCTUATION, "Hoiva Aalto Oy", "", "a\\b"])
def test_markdown_text_escapes_every_special_character(text: str) -> None:
    escaped = literal.markdown(text)
    # every punctuation character is behind a backslash, nothing else is
    assert re.fullmatch(r"(?:\\[!-/:-@\[-`{-~]|[^!-/:-@\[-`{-~])*", escaped)
    assert re.sub(r"\\(.)", r"\1", escaped).replace(literal.WORD_JOINER, "") == text


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("http://127.0.0.2/px.png", "http:\u2060//127.0.0.2/px.png"),
        ("HTTPS://x.fi", "HTTPS:\u2060//x.fi"),
        ("www.example.fi", "www\u2060.example.fi"),
        ("heikki.hyvaksyja@demo.invalid", "heikki.hyvaksyja\u2060@demo.invalid"),
        ("mailto:a@b.fi", "mailto:a\u2060@b.fi"),
        ("Hoiva Aalto Oy", "Hoiva Aalto Oy"),
    ],
)
def test_markdown_text_breaks_what_gfm_would_link(text: str, joined: str) -> None:
    """GFM finds links in the text after escapes are read: a word joiner keeps it text."""
    assert re.sub(r"\\(.)", r"\1", literal.markdown(text)) == joined


def test_markdown_text_joins_lines() -> None:
    assert literal.markdown("a\n# b\r\n- c\rd") == "a \\# b \\- c d"
    assert literal.markdown(None) == ""


def test_plotly_text_shows_tags_as_text() -> None:
    assert literal.plotly('<a href="javascript:x">&amp;</a>') == (
        '&lt;a href="javascript:x"&gt;&amp;amp;&lt;/a&gt;'
    )


def test_charts_make_every_label_from_data_literal() -> None:
    frame = pl.DataFrame({"label": [f"K-1 · {SUPPLIER}", f"K-2 · {TITLE_IMG}"],
                          "value": [1.0, 2.0], "n": [10, 20]})  # fmt: skip
    bars = charts.comparison_bars(frame, INDICATOR, UNIT, "x", "fi", highlight=f"K-1 · {SUPPLIER}")
    assert list(bars.data[0].y) == [literal.plotly(f"K-1 · {SUPPLIER}"),
                                    literal.plotly(f"K-2 · {TITLE_IMG}")]  # fmt: skip
    assert bars.layout.title.text == literal.plotly(INDICATOR)
    assert bars.layout.xaxis.title.text == literal.plotly(UNIT)
    many = pl.DataFrame({"label": [f"K-{i} · {TITLE_IMG}" for i in range(30)],
                         "value": [float(i) for i in range(30)], "n": [5] * 30})  # fmt: skip
    box = charts.comparison_bars(many, "t", "x", "y", "fi", highlight=f"K-3 · {TITLE_IMG}")
    assert "<img" not in json.dumps(box.to_plotly_json())
    shares = pl.DataFrame(
        {"year": [2025], "grp": [SERVICE], "assessed": [10], "achieved": [5], "clients": [99]}
    )
    share = charts.share_bars(shares, "t", "x", "y", {}, "fi", 5)
    assert list(share.data[0].x) == [literal.plotly(SERVICE)]
    steps = [charts.Step(INDICATOR, Decimal("1"), "relative")]
    fall: go.Figure = charts.waterfall(steps, TITLE_IMG, "fi")
    assert list(fall.data[0].x) == [literal.plotly(INDICATOR)]
    assert fall.layout.title.text == literal.plotly(TITLE_IMG)
