"""The dashboard in Chromium: pages load without exceptions, charts draw, the language
switches, an uploaded file reaches the history, an approval locks, and the downloaded .xlsx
matches the screen. Screenshots of every page go to docs/screenshots/."""

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from dashboard import i18n
from tests.e2e.conftest import ACTION_MS, sign_in, signed_in_tab
from tests.e2e.demo_db import UPLOAD_CSV, UPLOAD_NAME

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

# Screenshots go to $VAIKUTTAVUUS_SCREENSHOTS when set (`make screenshots` sets it to
# docs/screenshots), else to the test's temporary folder, so a test run changes no tracked file.
SCREENSHOTS_ENV = "VAIKUTTAVUUS_SCREENSHOTS"
LOAD_MS = ACTION_MS  # the page fixture's default wait, for steps that pass their own
PAGES = [
    ("", "Sopimukset", False),  # the default page lives at the root
    ("sopimus", "Sopimus", True),
    ("maksut", "Maksut", True),
    ("johto", "Johto", True),
    ("toimitukset", "Toimitukset", False),
    ("maksuajo", "Maksuajo", False),
    ("tapahtumaloki", "Tapahtumaloki", False),
]


def open_page(page: Any, url: str, title: str) -> None:
    """Go to the page and wait until its title is drawn and the script has finished."""
    page.goto(url, wait_until="domcontentloaded", timeout=LOAD_MS)
    page.locator("h1", has_text=title).first.wait_for(timeout=LOAD_MS)
    wait_idle(page)


def wait_idle(page: Any) -> None:
    """Streamlit shows its status widget while a script runs; wait until it is gone."""
    page.wait_for_timeout(500)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=LOAD_MS)


def no_exception(page: Any) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0


@pytest.mark.parametrize(("path", "title", "has_chart"), PAGES)
def test_page_loads_without_exception(
    server: str, page: Any, path: str, title: str, has_chart: bool, tmp_path: Path
) -> None:
    sign_in(page, server, "demo-kaikki")
    open_page(page, f"{server}/{path}", title)
    no_exception(page)
    if has_chart:
        page.locator(".js-plotly-plot").first.wait_for(timeout=LOAD_MS)
        assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 2200})
    page.wait_for_timeout(1000)
    target = folder / f"{path or 'sopimukset'}.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000


def test_contract_from_query_string_draws_its_trend(server: str, page: Any) -> None:
    sign_in(page, server, "demo-sopimus")
    open_page(page, f"{server}/sopimus?contract=TPA-2024-001", "Sopimus")
    page.locator(".js-plotly-plot").first.wait_for(timeout=LOAD_MS)
    assert page.get_by_text("Palvelukoti Kaski Oy").count() >= 1
    no_exception(page)


def test_language_switch_to_swedish(server: str, page: Any) -> None:
    sign_in(page, server, "demo-sopimus")
    open_page(page, server, "Sopimukset")
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Svenska").click()
    page.locator("h1", has_text="Avtal").first.wait_for(timeout=LOAD_MS)
    wait_idle(page)
    assert page.locator("h1").first.inner_text().strip() == "Avtal"
    no_exception(page)


def test_uploaded_file_appears_in_the_history(server: str, page: Any) -> None:
    sign_in(page, server, "demo-sopimus")
    open_page(page, f"{server}/toimitukset", "Toimitukset")
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": UPLOAD_NAME, "mimeType": "text/csv", "buffer": UPLOAD_CSV.encode("utf-8")}]
    )
    chip = page.locator(f'[data-testid="stFileChipName"][title="{UPLOAD_NAME}"]')
    chip.first.wait_for(timeout=LOAD_MS)
    page.get_by_role("button", name="Tarkista ja tallenna").click()
    page.get_by_text("riviä tallennettu").first.wait_for(timeout=LOAD_MS)
    wait_idle(page)
    no_exception(page)
    # a fresh visit (new session) sees the new delivery at the top of the history
    open_page(page, f"{server}/toimitukset", "Toimitukset")
    newest = page.get_by_text("Uusin toimitus:").first.inner_text()
    assert UPLOAD_NAME in newest
    assert "Sanna Sopimusvastaava" in newest  # the signed-in identity, never typed text


def test_four_eyes_approval_by_two_finance_users_locks_the_settlement(
    server: str, page: Any, browser: Any
) -> None:
    where = f"{server}/maksut?contract=KH-2024-001&period=2025-Q1"
    sign_in(page, server, "demo-valmistelija")
    open_page(page, where, "Maksut")
    page.get_by_text("Oikaisu v2 hyväksyttyyn versioon v1").first.wait_for(timeout=LOAD_MS)
    page.get_by_role("button", name="Valmistele (tarkistettu)").click()
    page.get_by_text("Valmisteltu. Toinen talouden käyttäjä hyväksyy sen.").wait_for(
        timeout=LOAD_MS
    )
    wait_idle(page)
    # the preparer cannot approve
    page.get_by_role("button", name="Hyväksy ja lukitse").click()
    page.get_by_text("sama henkilö ei voi valmistella ja hyväksyä").first.wait_for(timeout=LOAD_MS)
    # another finance user, in a browser of their own, approves with a comment
    with signed_in_tab(browser, server, "demo-hyvaksyja") as approver:
        open_page(approver, where, "Maksut")
        comment = approver.get_by_label("Kommentti (valinnainen)")
        expect(comment).to_be_editable(timeout=LOAD_MS)
        comment.fill("Tarkistettu liitettä vasten")
        comment.press("Enter")
        wait_idle(approver)
        approver.get_by_role("button", name="Hyväksy ja lukitse").click()
        locked = approver.get_by_text("hyväksytty Heikki Hyväksyjä").filter(visible=True)
        locked.first.wait_for(timeout=LOAD_MS)
        wait_idle(approver)
        no_exception(approver)
        assert approver.get_by_role("button", name="Hyväksy ja lukitse").count() == 0


def test_downloaded_xlsx_matches_the_screen(server: str, page: Any, tmp_path: Path) -> None:
    sign_in(page, server, "demo-hyvaksyja")
    open_page(page, f"{server}/maksut?contract=KH-2024-001&period=2025-Q1", "Maksut")
    # the metric labelled Netto, awaited until it holds the v2 net: while the script still
    # runs, the page can show a partial row of metrics, so a position is not enough
    net = page.locator('[data-testid="stMetric"]', has_text="Netto").locator(
        '[data-testid="stMetricValue"]'
    )
    expect(net).to_have_text("6 559,49 €", timeout=LOAD_MS)
    net_on_screen = net.inner_text().strip()
    with page.expect_download(timeout=LOAD_MS) as download:
        page.get_by_role("button", name="Lataa .xlsx").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == "selvitys-KH-2024-001-2025-Q1.xlsx"
    workbook = load_workbook(target)
    summary = workbook["Yhteenveto"]
    header = [cell.value for cell in summary[1]]
    row = [cell.value for cell in summary[2]]
    values = dict(zip(header, row, strict=True))
    assert (values["sopimus"], values["kausi"], values["versio"]) == (
        "KH-2024-001", "2025-Q1", 2,
    )  # fmt: skip
    # to the cent, written as the screen writes money (no-break spaces)
    assert i18n.euros(Decimal(str(values["netto"])), "fi") == net_on_screen
    assert net_on_screen == "6\u00a0559,49\u00a0€"
