"""Kilpailutuskalenteri in Chromium: leadership signs in, picks 24 months and sees the entries
`vaikuttavuus calendar --months 24` prints for the same day, with the same records, within
1 400 px; the downloaded workbook holds the same rows. With $VAIKUTTAVUUS_SCREENSHOTS set
the page is saved as kilpailutuskalenteri.png there."""

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from etl.procurement_calendar import months_after
from tests.conftest import run_cli
from tests.e2e.conftest import ACTION_MS, sign_in
from tests.e2e.test_dashboard_browser import SCREENSHOTS_ENV, no_exception, open_page, wait_idle
from tests.e2e.test_payment_run_browser import grid

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

WIDTH = 1400


def cli_entries(db: Path) -> list[list[str]]:
    """The command's table for 24 months from today: the cells of each line, cut where the
    header's columns start (a cell may be empty)."""
    status, out = run_cli("--db", db, "calendar", "--months", "24")
    assert status == 0, out
    header, *lines = out.replace("\u00a0", " ").splitlines()[1:]
    starts = [m.start() for m in re.finditer(r"(?:(?<=  )|^)\S", header)]
    ends = [*starts[1:], None]
    return [[line[a:b].strip() for a, b in zip(starts, ends, strict=True)] for line in lines]


def rows_of(page: Any, header: str, at_least: int) -> list[dict[str, str]]:
    """The rows of the table with the column `header`, once the grid has written them."""
    rows: list[dict[str, str]] = []
    for _ in range(120):  # the grid writes its accessible table once drawn
        try:
            rows = grid(page, header)
        except AssertionError:
            rows = []
        if len(rows) >= at_least:
            break
        page.wait_for_timeout(500)
    return rows


def test_leadership_sees_what_the_command_prints_for_24_months(
    server: str, e2e_db: Path, page: Any, tmp_path: Path
) -> None:
    expected = cli_entries(e2e_db)
    assert expected, "the sample calendar has entries within 24 months of today"
    page.set_viewport_size({"width": WIDTH, "height": 2200})
    sign_in(page, server, "demo-johto")
    open_page(page, f"{server}/kilpailutuskalenteri", "Kilpailutuskalenteri")
    page.get_by_text("24 kk", exact=True).click()
    until = months_after(date.today(), 24)
    page.get_by_text(f"päivään {until.day}.{until.month}.{until.year}").first.wait_for()
    wait_idle(page)
    page.locator('[data-testid="stDataFrame"]').last.scroll_into_view_if_needed()
    entries = rows_of(page, "kohde", len(expected))
    records = {r["sopimus"]: r for r in rows_of(page, "etusijajärjestys", 1)}
    # the command's columns: day, kind, contract, supplier, subject, ends, share, achieved/
    # assessed, ranks, bonuses, sanctions, open corrections
    printed = [
        [c[0], c[1], c[2], c[3], c[6] if c[6] in ("–", "<5") else f"{c[6]} ({c[7]})", c[5], c[8],
         c[9], c[10], c[11]]
        for c in expected
    ]  # fmt: skip
    shown = [
        [r["päivä"], r["merkintä"], r["sopimus"], r["toimittaja"], r["saavutettu"],
         records[r["sopimus"]]["päättyy"], records[r["sopimus"]]["etusijajärjestys"],
         records[r["sopimus"]]["bonukset"], records[r["sopimus"]]["sanktiot"],
         records[r["sopimus"]]["oikaisuja"]]
        for r in entries
    ]  # fmt: skip
    assert [[cell.replace("\u00a0", " ") for cell in row] for row in shown] == printed
    # every table shows all its columns: none is scrolled sideways out of sight
    for table in page.locator('[data-testid="stDataFrame"]').all():
        grid_table = table.locator("table").first
        columns = int(grid_table.get_attribute("aria-colcount") or 0)
        assert grid_table.locator("thead th").count() == columns
    no_exception(page)
    width: int = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, width

    with page.expect_download(timeout=ACTION_MS) as download:
        page.get_by_role("button", name="Lataa .xlsx").click()
    saved = tmp_path / "kalenteri.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    contracts = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert contracts == [c[2] for c in expected]

    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        target = Path(folder) / "kilpailutuskalenteri.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
