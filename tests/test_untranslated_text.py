"""No English word on a Finnish or Swedish page.

Every page is run (AppTest, as the demo user holding every role but supplier) in Finnish and
in Swedish, and every text it shows is collected: titles, labels, options, placeholders,
metrics, messages, table headers and cells, and the words of each chart (titles, axes,
legends, hover texts). A word that only the English texts use (etl/texts/en, not fi or sv),
or one of the words that leak from code (quarter, month, linear, binary, None, ...), fails
the test with the page, the language and where it was seen. Names written in the contracts
and deliveries (suppliers, titles, file names) are data, not our text, and are left out.
"""

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui import LANGUAGE_LABEL
from etl import messages
from etl.formats import LANGUAGE_NAMES
from tests.demo_users import ROLES_FILE, open_as, show, shown
from tests.e2e.demo_db import demo_template

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
APP = VIEWS.parent / "app.py"
SCRIPTS = {path.stem: path for path in sorted(VIEWS.glob("*.py"))} | {"app": APP}
"""Every page, and the app itself: its sidebar (language, the signed-in user) and the first
page it opens."""
CASES = [("demo-kaikki", page) for page in SCRIPTS] + [
    ("demo-toimittaja", "app"),
    ("demo-toimittaja", "maksut"),
    ("demo-toimittaja", "toimitukset"),
    ("demo-eiroolia", "app"),
]
"""Every page as the demo user holding every role but supplier; what a supplier sees of its
own (approved settlements, its deliveries); the notice of a user without a role."""
LANGS = ("fi", "sv")

LEAKS = {"quarter", "month", "year", "linear", "binary", "none", "nan", "null", "true", "false"}
"""Words that reach a page from code (enum values, Python's None) rather than from a text."""

WORD = re.compile(r"[^\W\d_]{3,}")
"""A word of three letters or more (shorter ones are units and abbreviations: n, ID)."""
CODE = re.compile(r"\S*\d\S*|/\S*")
"""Tokens with a digit (KH-2024-001, 2025-Q1, v2, a digest) and paths or links: not words."""

CHART_TEXT_KEYS = {"text", "name", "hovertemplate", "ticktext", "title", "texttemplate"}


def words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(CODE.sub(" ", text))}


def catalogue_words(lang: str) -> set[str]:
    found: set[str] = set()
    for text in messages.catalog(lang).values():
        # placeholders, and names quoted as code ([contract], `vaikuttavuus settle`), are not
        # words of the language
        found |= words(re.sub(r"\{[^}]*\}|\[[^\]]*\]|`[^`]*`", " ", text))
    return found


def english_only() -> set[str]:
    return catalogue_words("en") - catalogue_words("fi") - catalogue_words("sv")


def data_words(db: Path) -> set[str]:
    """Words of names the buyer and suppliers wrote (contracts, indicators, files, notes; the
    strategy's names, its goals' Finnish and Swedish titles and owners) and of the role
    mapping's claim, which the administrator names after the identity provider."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql(
            """
            SELECT title || ' ' || supplier_name || ' ' || buyer || ' ' || coalesce(framework, '')
            FROM contract_version
            UNION ALL SELECT name_fi || ' ' || name_sv || ' ' || unit FROM indicator_version
            UNION ALL SELECT file_name FROM delivery
            UNION ALL SELECT note FROM observation WHERE note IS NOT NULL
            UNION ALL SELECT name_fi || ' ' || name_sv FROM strategy_version
            UNION ALL SELECT title_fi || ' ' || title_sv || ' ' || owner FROM strategy_goal
            """
        ).fetchall()
    finally:
        con.close()
    with ROLES_FILE.open("rb") as roles:
        claim = str(tomllib.load(roles).get("claim", ""))
    return set().union(*(words(text) for (text,) in rows if text)) | words(claim)


def chart_texts(spec: object) -> Iterator[str]:
    """The words a plotly figure shows: titles, names, hover and tick texts."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in CHART_TEXT_KEYS and isinstance(value, str):
                yield value
            elif key in CHART_TEXT_KEYS and isinstance(value, list):
                yield from (item for item in value if isinstance(item, str))
            else:
                yield from chart_texts(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from chart_texts(item)


def shown_texts(node: object, where: str = "") -> Iterator[tuple[str, str]]:
    """(where, text) for every text of an AppTest element tree."""
    kind = type(node).__name__
    here = f"{where}/{kind}"
    if kind == "UnknownElement":
        proto = node.proto  # type: ignore[attr-defined]
        if type(proto).__name__ == "PlotlyChart":
            for text in chart_texts(json.loads(proto.spec)):
                yield here, text
    else:
        for attribute in ("label", "placeholder", "help", "body"):
            value = getattr(node, attribute, None)
            if isinstance(value, str) and value:
                yield f"{here}.{attribute}", value
        options = getattr(node, "options", None)
        if isinstance(options, list):
            yield from ((f"{here}.options", str(option)) for option in options)
        value = shown(node) if kind == "Dataframe" else getattr(node, "value", None)
        if isinstance(value, pd.DataFrame):
            yield from ((f"{here}.header", str(column)) for column in value.columns)
            for column in value.columns:
                cells = value[column]
                if cells.dtype == object or pd.api.types.is_string_dtype(cells):
                    # a missing value shows the table's placeholder (a dash), collected above
                    present = (cell for cell in cells if not pd.isna(cell))
                    yield from ((f"{here}[{column}]", str(cell)) for cell in present)
        elif isinstance(value, str) and value != getattr(node, "body", None):
            yield f"{here}.value", value
    children = getattr(node, "children", {})
    for child in children.values() if isinstance(children, dict) else children:
        yield from shown_texts(child, here)


@pytest.fixture(scope="module")
def demo_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_template(request.config, tmp_path_factory.mktemp("untranslated"))


@pytest.fixture(scope="module")
def allowed(demo_db: Path) -> set[str]:
    return data_words(demo_db)


def test_the_english_only_words_are_many_and_include_everyday_ones() -> None:
    """The check has teeth: the English texts have many words of their own."""
    only = english_only()
    assert {"contract", "payments", "approved", "supplier"} <= only
    assert len(only) > 200


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("user", "page"), CASES)
def test_page_shows_no_english(
    user: str,
    page: str,
    lang: str,
    demo_db: Path,
    allowed: set[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    show(demo_db, monkeypatch)
    at: AppTest = open_as(SCRIPTS[page], user, lang)
    assert not at.exception, [e.value for e in at.exception]
    # the language picker names each language in itself, and its label in all three
    picker = words(" ".join(LANGUAGE_NAMES.values())) | words(LANGUAGE_LABEL)
    forbidden = (english_only() | LEAKS) - allowed - picker
    seen = list(shown_texts(at._tree))
    assert len(seen) > 3, f"{page}: the walk found almost nothing: {seen}"
    english = [
        f"{where}: {text!r} ({', '.join(sorted(words(text) & forbidden))})"
        for where, text in seen
        if words(text) & forbidden
    ]
    assert english == [], f"/{page} in {lang} as {user}:\n" + "\n".join(english[:40])
