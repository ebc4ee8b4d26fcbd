"""Each demo role signed in for real in Chromium (the local OpenID provider): what each sees
in the menu, what each is refused when it opens another page or another supplier's contract
by its address, and the four-eyes approval's two steps in the audit log."""

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ACTION_MS, sign_in, signed_in_tab
from tests.e2e.test_dashboard_browser import no_exception, open_page, wait_idle

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

MENU = {
    "demo-sopimus": ["Sopimukset", "Sopimus", "Kilpailutuskalenteri", "Toimitukset"],
    "demo-valmistelija": ["Maksut", "Maksuajo", "Tapahtumaloki"],
    "demo-johto": ["Johto", "Strategia", "Kilpailutuskalenteri"],
    "demo-toimittaja": ["Sopimukset", "Sopimus", "Maksut", "Toimitukset"],
    "demo-admin": ["Tapahtumaloki"],
}


def menu(page: Any) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')
    links.first.wait_for(timeout=ACTION_MS)
    return [text.strip().splitlines()[-1] for text in links.all_inner_texts()]  # after the icon


@pytest.mark.parametrize("user", list(MENU))
def test_each_role_sees_only_its_pages(server: str, page: Any, user: str) -> None:
    sign_in(page, server, user)
    page.locator("h1", has_text=MENU[user][0]).first.wait_for(timeout=ACTION_MS)
    wait_idle(page)
    if len(MENU[user]) == 1:  # a single page needs no menu: Streamlit draws none
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    else:
        assert menu(page) == MENU[user]
    no_exception(page)


def test_a_user_without_a_role_sees_only_a_notice(server: str, page: Any) -> None:
    sign_in(page, server, "demo-eiroolia")
    page.get_by_text("ei ole roolia tässä palvelussa").first.wait_for(timeout=ACTION_MS)
    wait_idle(page)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert page.locator(".js-plotly-plot").count() == 0


def test_leadership_opening_payments_by_its_address_gets_no_payments(
    server: str, page: Any
) -> None:
    sign_in(page, server, "demo-johto")
    page.goto(f"{server}/maksut?contract=KH-2024-001&period=2025-Q1", timeout=ACTION_MS)
    page.locator("h1", has_text="Johto").first.wait_for(timeout=ACTION_MS)
    wait_idle(page)
    assert page.locator("h1", has_text="Maksut").count() == 0
    assert page.get_by_text("6 559,49 €").count() == 0


def test_a_contract_manager_cannot_approve(server: str, page: Any) -> None:
    sign_in(page, server, "demo-sopimus")
    page.goto(f"{server}/maksut?contract=KH-2024-001&period=2025-Q1", timeout=ACTION_MS)
    page.locator("h1", has_text="Sopimukset").first.wait_for(timeout=ACTION_MS)
    wait_idle(page)
    assert page.get_by_role("button", name="Hyväksy ja lukitse").count() == 0
    assert page.get_by_role("button", name="Valmistele (tarkistettu)").count() == 0


def test_a_supplier_cannot_open_another_suppliers_contract_by_its_address(
    server: str, page: Any
) -> None:
    sign_in(page, server, "demo-toimittaja")  # Hoiva Aalto Oy
    open_page(page, f"{server}/sopimus?contract=TPA-2024-001", "Sopimus")
    page.get_by_text("Sinulla ei ole oikeutta sopimukseen TPA-2024-001.").wait_for(
        timeout=ACTION_MS
    )
    assert page.get_by_text("Palvelukoti Kaski Oy").count() == 0
    assert page.get_by_text("Hoiva Aalto Oy").count() >= 1
    no_exception(page)


def test_the_audit_log_shows_both_steps_of_a_four_eyes_approval(
    server: str, page: Any, browser: Any, tmp_path: Path
) -> None:
    where = f"{server}/maksut?contract=KH-2024-003&period=2025-Q1"
    sign_in(page, server, "demo-valmistelija")
    open_page(page, where, "Maksut")
    page.get_by_role("button", name="Valmistele (tarkistettu)").click()
    page.get_by_text("Valmisteltu. Toinen talouden käyttäjä hyväksyy sen.").wait_for(
        timeout=ACTION_MS
    )
    with signed_in_tab(browser, server, "demo-hyvaksyja") as approver:
        open_page(approver, where, "Maksut")
        approver.get_by_role("button", name="Hyväksy ja lukitse").click()
        locked = approver.get_by_text("hyväksytty Heikki Hyväksyjä").filter(visible=True)
        locked.first.wait_for(timeout=ACTION_MS)
        open_page(approver, f"{server}/tapahtumaloki?contract=KH-2024-003&period=2025-Q1",
                  "Tapahtumaloki")  # fmt: skip
        cells = approver.locator('[data-testid="stDataFrame"] [role="gridcell"]')
        # the grid draws its cells on a canvas; its accessible cells hold the text
        cells.filter(has_text="hyväksyntä").first.wait_for(state="attached", timeout=ACTION_MS)
        text = " | ".join(cells.all_text_contents())
        assert "hyväksyntä" in text and "Heikki Hyväksyjä" in text, text
        assert "valmistelu" in text and "Tuula Talous" in text, text
        approver.set_viewport_size({"width": 1400, "height": 1400})
        approver.screenshot(path=str(tmp_path / "tapahtumaloki.png"))
        no_exception(approver)
