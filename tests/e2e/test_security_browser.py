"""The security floor in Chromium, on a server of its own over a copy of the demo database with
hostile text added by the command line (tests/hostile_text.py): the pages ask nothing from any
host but ours, text from contracts, deliveries and people renders as text (no image, no link,
no script), and a missing database is a plain page without a traceback."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import (
    ACTION_MS,
    serving,
    sign_in,
)
from tests.e2e.demo_db import demo_template
from tests.e2e.test_dashboard_browser import open_page
from tests.hostile_text import (
    FILE_NAME,
    FRAMEWORK,
    INDICATOR,
    OUTSIDE,
    PERSON,
    REASON,
    SERVICE,
    SUPPLIER,
    TITLE_IMG,
    TITLE_LINK,
    hostile_copy,
)

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

PAGES = [
    ("sopimukset", "Sopimukset"),
    ("sopimus?contract=XSS-1", "Sopimus"),
    ("sopimus?contract=XSS-2", "Sopimus"),
    ("maksut?contract=XSS-1&period=2025-Q1", "Maksut"),
    ("maksut?contract=XSS-1&period=2025-Q2", "Maksut"),
    ("maksut?contract=XSS-1&period=2025-Q3", "Maksut"),
    ("johto", "Johto"),
    ("strategia", "Strategia"),
    ("kilpailutuskalenteri", "Kilpailutuskalenteri"),
    ("toimitukset", "Toimitukset"),
    ("tapahtumaloki", "Tapahtumaloki"),
]
"""Every page, and those showing the hostile text in each of its places."""


@pytest.fixture(scope="module")
def hostile_server(
    request: pytest.FixtureRequest, secrets_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    template = demo_template(request.config, tmp_path_factory.mktemp("security-demo"))
    db = hostile_copy(template, tmp_path_factory.mktemp("security-db"))
    with serving(db, tmp_path_factory.mktemp("security-log") / "serve.log", secrets_file) as url:
        yield url


def visible_text(locator: Any) -> str:
    """The text as a person reads it (without the invisible word joiners that keep a
    web address from becoming a link)."""
    text: str = locator.inner_text()
    return text.replace("\u2060", "")


def no_exception(page: Any) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    body = page.locator("body").inner_text()
    for word in ("Traceback", "Ask Google", "Ask ChatGPT"):
        assert word not in body


def loaded_urls(page: Any) -> list[str]:
    """What the document loaded or points the browser to: every resource it fetched (styles,
    scripts, fonts, images) and the icon links (Chromium fetches favicons outside the page's
    own requests)."""
    urls: list[str] = page.evaluate(
        """() => [
            ...performance.getEntriesByType('resource').map(e => e.name),
            ...Array.from(document.querySelectorAll('link[rel~="icon"], link[href]'))
                .map(l => l.href),
            ...Array.from(document.querySelectorAll('img[src], script[src], iframe[src]'))
                .map(e => e.src),
        ]"""
    )
    return urls


def test_the_sign_in_page_asks_nothing_from_another_host(hostile_server: str, page: Any) -> None:
    """Our page before sign-in: what it loads, and the icon it shows. (The OpenID provider's
    page that comes next is not ours: the local test provider loads its style from a CDN.)"""
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    page.goto(hostile_server, wait_until="domcontentloaded", timeout=ACTION_MS)
    page.get_by_role("button", name="Kirjaudu sisään").wait_for(timeout=ACTION_MS)
    page.wait_for_timeout(1000)
    ours = urlsplit(hostile_server).netloc
    urls = requested + loaded_urls(page)
    assert [u for u in urls if urlsplit(u).scheme not in ("data", "blob")
            and urlsplit(u).netloc != ours] == []  # fmt: skip
    assert len(requested) > 3


def test_no_page_asks_anything_from_another_host(hostile_server: str, page: Any) -> None:
    sign_in(page, hostile_server, "demo-kaikki")
    # from here on only our app's pages run (the provider's sign-in page is not ours)
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    seen: list[str] = []
    for path, title in PAGES:
        open_page(page, f"{hostile_server}/{path}", title)
        if path.startswith(("sopimus?", "maksut", "johto")):
            page.locator(".js-plotly-plot").first.wait_for(timeout=ACTION_MS)
        page.wait_for_timeout(1000)  # fonts and icons of the drawn page
        seen += loaded_urls(page)
        no_exception(page)
    ours = urlsplit(hostile_server).netloc
    elsewhere = sorted(
        {u for u in requested + seen if urlsplit(u).scheme not in ("data", "blob")}
        - {u for u in requested + seen if urlsplit(u).netloc == ours}
    )
    assert elsewhere == []
    assert len(requested) > len(PAGES)  # the recording did see the pages load
    # the page's icon is drawn from our own bytes, never fetched from elsewhere
    icons = page.evaluate(
        "Array.from(document.querySelectorAll('link[rel~=\"icon\"]')).map(l => l.href)"
    )
    assert icons and all(i.startswith("data:image/svg+xml") for i in icons)


def rendered(page: Any, dialogs: list[str]) -> None:
    """Nothing of the hostile text became an element, a request or a script."""
    assert page.locator(f'img[src="x"], img[src*="{OUTSIDE}"]').count() == 0
    assert page.locator(f'a[href^="javascript"], a[href*="{OUTSIDE}"]').count() == 0
    assert page.locator("script:not([src])", has_text="alert(1)").count() == 0
    assert page.locator("svg a").count() == 0  # plotly made no link of a label
    assert dialogs == []  # no alert() ran
    no_exception(page)


def test_contract_text_renders_as_text(hostile_server: str, page: Any) -> None:
    dialogs: list[str] = []

    def dialog_opened(dialog: Any) -> None:  # an alert() that ran
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dialog_opened)
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    sign_in(page, hostile_server, "demo-kaikki")

    open_page(page, f"{hostile_server}/sopimus?contract=XSS-1", "Sopimus")
    page.locator(".js-plotly-plot").first.wait_for(timeout=ACTION_MS)
    header = page.locator('[data-testid="stMarkdownContainer"]', has_text="Sopimuskausi").first
    text = visible_text(header)
    for shown in (TITLE_IMG, SUPPLIER, SERVICE, FRAMEWORK):
        assert shown in text
    assert header.locator("strong").inner_text() == TITLE_IMG  # our bold, their text
    titles = " ".join(page.locator(".gtitle").all_text_contents())
    assert INDICATOR in titles  # the chart's title, tags and all, as text
    # Streamlit bolds a whole title; the name's own <b> made no element of its own
    pieces = page.evaluate(
        "Array.from(document.querySelectorAll('.js-plotly-plot tspan')).map(t => t.textContent)"
    )
    assert "Lihavoitu" not in pieces and "linkki" not in pieces
    rendered(page, dialogs)

    open_page(page, f"{hostile_server}/sopimus?contract=XSS-2", "Sopimus")
    header = page.locator('[data-testid="stMarkdownContainer"]', has_text="Sopimuskausi").first
    assert TITLE_LINK in visible_text(header)
    rendered(page, dialogs)

    open_page(page, f"{hostile_server}/maksut?contract=XSS-1&period=2025-Q1", "Maksut")
    locked = page.locator('[data-testid="stAlert"]', has_text="hyväksytty").first
    assert f"hyväksytty {PERSON} (komentorivi)" in visible_text(locked)
    rendered(page, dialogs)
    open_page(page, f"{hostile_server}/maksut?contract=XSS-1&period=2025-Q2", "Maksut")
    assert REASON in visible_text(page.locator('[data-testid="stAlert"]', has_text="r").first)
    rendered(page, dialogs)

    open_page(page, f"{hostile_server}/johto", "Johto")
    assert FRAMEWORK in visible_text(page.locator("body"))
    rendered(page, dialogs)

    open_page(page, f"{hostile_server}/toimitukset", "Toimitukset")
    newest = visible_text(page.get_by_text("Uusin toimitus:").first)
    assert FILE_NAME in newest and PERSON in newest
    # the upload takes only our three kinds of file
    accept = page.locator('input[type="file"]').get_attribute("accept") or ""
    assert sorted(a for a in accept.split(",") if a.startswith(".")) == [
        ".csv",
        ".parquet",
        ".xlsx",
    ]
    rendered(page, dialogs)

    assert [u for u in requested if OUTSIDE in u] == []


def test_a_missing_database_is_a_plain_page(
    request: pytest.FixtureRequest,
    secrets_file: Path,
    page: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("missing-db")
    db = folder / "poistuva.duckdb"
    shutil.copyfile(demo_template(request.config, tmp_path_factory.mktemp("missing-demo")), db)
    with serving(db, folder / "serve.log", secrets_file) as url:
        sign_in(page, url, "demo-kaikki")
        os.remove(db)  # the file goes away under a running server
        for path in ("sopimukset", "maksut?contract=KH-2024-001&period=2025-Q1", "johto"):
            page.goto(f"{url}/{path}", wait_until="domcontentloaded", timeout=ACTION_MS)
            page.get_by_text("Tietokantaa ei löydy").first.wait_for(timeout=ACTION_MS)
            page.get_by_text("Yritä hetken päästä uudelleen.").first.wait_for(timeout=ACTION_MS)
            no_exception(page)
            assert str(db) not in page.locator("body").inner_text()
