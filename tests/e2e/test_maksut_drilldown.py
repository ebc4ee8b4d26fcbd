"""Maksut in Chromium: a finance user opens a settlement line, reaches the delivery rows behind
it (file name and row numbers in the original file), and the page stays within 1 400 px."""

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ACTION_MS, sign_in
from tests.e2e.test_dashboard_browser import no_exception, open_page, wait_idle

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ADL = "Asiakkaat, joiden toimintakyky (RAI ADL-H) ei heikentynyt"
WIDTH = 1400


def page_width(page: Any) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def test_finance_follows_a_line_to_its_delivery_rows_within_1400_px(server: str, page: Any) -> None:
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    sign_in(page, server, "demo-valmistelija")
    open_page(page, f"{server}/maksut?contract=KH-2024-001&period=2025-Q1", "Maksut")
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=ACTION_MS)
    # the run that drew the chart goes on below it: a switch flipped before it ends is set
    # back by that run (seen on a slow machine: the rows never came). The page draws its
    # chart first and its tables after, so wait for its last table, then for the run to end
    page.get_by_role("heading", name="Vuosisummat").wait_for(timeout=ACTION_MS)
    page.locator('[data-testid="stDataFrame"]').last.wait_for(timeout=ACTION_MS)
    wait_idle(page)
    closed = page_width(page)
    line = page.locator('[data-testid="stExpander"]', has_text=f"{ADL}: bonus")
    line.locator("summary").click()
    # the switch is on before the rows are looked for (its rerun brings them). On a starved
    # machine (two busy loops beside it) a click on it was lost now and then, the page idle
    # and complete (1 run in 2; not diagnosed): click again while it is off, as a user would
    switch = line.get_by_role("switch", name="Näytä toimitusrivit")
    for _ in range(3):
        if not switch.is_checked():
            line.get_by_text("Näytä toimitusrivit").click()
        try:
            expect(switch).to_be_checked(timeout=60_000)
            break
        except AssertionError:
            wait_idle(page)
    expect(switch).to_be_checked(timeout=ACTION_MS)
    wait_idle(page)
    # the grid writes its accessible cells for what is on screen: bring it into view
    grid = line.locator('[data-testid="stDataFrame"]').last
    grid.wait_for(timeout=ACTION_MS)
    grid.scroll_into_view_if_needed(timeout=ACTION_MS)
    cells = line.locator('[data-testid="stDataFrame"] [role="gridcell"]')
    # the grid draws its cells on a canvas; its accessible cells hold the text
    cells.filter(has_text="korjaus-2025-03.csv").first.wait_for(state="attached",
                                                                 timeout=ACTION_MS)  # fmt: skip
    text = [c.strip() for c in cells.all_text_contents()]
    assert "aalto-2025-Q1.csv" in text and "korjaus-2025-03.csv" in text, text
    # the quarter's file delivered the months on rows 2, 9 and 16; the correction on 2 to 4
    assert {"2", "3", "4", "9", "16"} <= set(text), text
    assert "51" in text  # the delivery that superseded the quarter's rows
    no_exception(page)
    opened = page_width(page)
    print(f"scrollWidth at {WIDTH} px: {closed} closed, {opened} with the rows open")
    assert closed <= WIDTH and opened <= WIDTH
