"""First visits after a restart: several pages opened at once on a server that has just
started run their scripts concurrently, each importing and drawing for the first time."""

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ACTION_MS, new_context, serving
from tests.e2e.demo_db import copy_db
from tests.e2e.test_dashboard_browser import no_exception, wait_idle

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

AT_ONCE = [
    ("sopimus", "Sopimus", True),
    ("maksut", "Maksut", True),
    ("johto", "Johto", True),
    ("", "Sopimukset", False),
    ("toimitukset", "Toimitukset", False),
]


def test_pages_opened_at_once_right_after_a_restart_all_draw_without_import_errors(
    e2e_db: Path, browser: Any, tmp_path: Path
) -> None:
    db = copy_db(e2e_db, tmp_path / "db")
    log = tmp_path / "serve.log"
    # --no-auth: the pages themselves, at once
    with serving(db, log) as url:
        visit_at_once(browser, url)
    text = log.read_text(errors="replace")
    assert "partially initialized module" not in text
    assert "Traceback" not in text


def visit_at_once(browser: Any, url: str) -> None:
    contexts = [new_context(browser) for _ in AT_ONCE]
    try:
        tabs = [context.new_page() for context in contexts]
        for tab, (path, _, _) in zip(tabs, AT_ONCE, strict=True):
            tab.set_default_timeout(ACTION_MS)
            tab.goto(f"{url}/{path}", wait_until="commit", timeout=ACTION_MS)
        for tab, (path, title, has_chart) in zip(tabs, AT_ONCE, strict=True):
            exceptions = tab.locator('[data-testid="stException"]')
            # the page's title, or the exception that stopped its script before the title
            drawn = tab.locator("h1", has_text=title).or_(exceptions)
            drawn.first.wait_for(timeout=ACTION_MS)
            wait_idle(tab)
            assert exceptions.count() == 0, f"/{path}: {exceptions.first.inner_text()}"
            no_exception(tab)
            if has_chart:
                tab.locator(".js-plotly-plot").first.wait_for(timeout=ACTION_MS)
    finally:
        for context in contexts:
            context.close()
