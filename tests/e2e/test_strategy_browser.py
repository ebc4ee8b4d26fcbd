"""The Strategia page in Chromium, signed in as leadership: every goal shows the status that
`vaikuttavuus strategy status --year 2025` computes on the same database, and the page fits a
laptop screen without sideways scrolling. With $VAIKUTTAVUUS_SCREENSHOTS set, its screenshot
goes to that folder (docs/screenshots/strategia.png)."""

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.e2e.conftest import ACTION_MS, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SCREENSHOTS_ENV = "VAIKUTTAVUUS_SCREENSHOTS"
GOAL = re.compile(r"^[A-Z]{2}-\d+$")


def command_statuses(db: Path) -> dict[str, str]:
    """Goal id -> status word, as the command prints them (columns: two spaces or more)."""
    status, out = run_cli("--db", db, "strategy", "status", "--year", "2025")
    assert status == 0, out
    found = {}
    for line in out.splitlines():
        cells = re.split(r"\s{2,}", line)
        if len(cells) > 2 and GOAL.match(cells[0]):
            found[cells[0]] = cells[1]
    return found


def page_statuses(page: Any) -> dict[str, str]:
    """Goal id -> status word (its icon left out) of every row of the page's goal tables."""
    rows = page.locator('[data-testid="stTable"] tbody tr')
    found = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        goal = row.locator("th").first.inner_text().strip()
        icon_and_word = row.locator("td").first.inner_text().strip()
        found[goal] = icon_and_word.split(" ", 1)[1]
    return found


def test_strategia_shows_the_statuses_the_command_computes(
    server: str, page: Any, e2e_db: Path, tmp_path: Path
) -> None:
    expected = command_statuses(e2e_db)
    assert len(expected) == 21
    sign_in(page, server, "demo-johto")
    page.set_viewport_size({"width": 1280, "height": 800})  # a laptop screen
    page.goto(f"{server}/strategia", wait_until="domcontentloaded", timeout=ACTION_MS)
    page.locator("h1", has_text="Hankintastrategia").first.wait_for(timeout=ACTION_MS)
    page.locator('[data-testid="stTable"]').nth(4).wait_for(timeout=ACTION_MS)
    page.locator(".js-plotly-plot").first.wait_for(timeout=ACTION_MS)
    page.wait_for_timeout(500)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=ACTION_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("tilanne 31.12.2025").count() >= 1
    assert page_statuses(page) == expected
    assert page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=\"stMain\"], html')]"
        ".every(e => e.scrollWidth <= e.clientWidth + 1)"
    ), "the page scrolls sideways on a 1280 px screen"
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 3000})  # every theme and the goal opened
    page.wait_for_timeout(1000)
    target = folder / "strategia.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
