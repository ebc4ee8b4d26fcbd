"""Maksuajo in Chromium: the sample's 2025-Q1 payment run prepared by one finance user and
approved by another, each signed in the real way in a browser of their own; the payment file
downloaded from the page and compared with the screen to the cent."""

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.demo_users import USERS
from tests.e2e.conftest import ACTION_MS, new_context, serving, sign_in, signed_in_tab
from tests.e2e.demo_db import copy_db
from tests.e2e.test_dashboard_browser import no_exception, open_page, wait_idle

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

RUN = "2025-Q1"
PREPARER = USERS["demo-valmistelija"]["name"]
APPROVER = USERS["demo-hyvaksyja"]["name"]


def grid(page: Any, header: str) -> list[dict[str, str]]:
    """The rows of the table whose columns include `header`, as the page shows them (the grid
    draws on a canvas; its accessible table holds the same text)."""
    for table in page.locator('[data-testid="stDataFrame"]').all():
        heads = [h.strip() for h in table.locator("table thead th").all_inner_texts()]
        if header in heads:
            rows = table.locator("table tbody tr").all()
            return [
                dict(zip(heads, [c.strip() for c in row.locator("td").all_inner_texts()],
                         strict=True))
                for row in rows
            ]  # fmt: skip
    raise AssertionError(f"no table with the column {header!r}")


def test_a_payment_run_prepared_by_one_and_approved_by_another_pays_what_the_screen_says(
    e2e_db: Path, browser: Any, secrets_file: Path, tmp_path: Path
) -> None:
    db = copy_db(e2e_db, tmp_path / "db")  # approvals of its own: other tests see the demo's
    with serving(db, tmp_path / "serve.log", secrets_file) as url:
        address = f"{url}/maksuajo?period={RUN}"
        context = new_context(browser)
        try:
            preparer = context.new_page()
            preparer.set_default_timeout(ACTION_MS)
            sign_in(preparer, url, "demo-valmistelija")
            open_page(preparer, address, "Maksuajo")
            preparer.get_by_role("button", name=re.compile(r"^Valmistele kaikki \(\d+\)")).click()
            preparer.get_by_text(re.compile(r"\d+ selvitystä valmisteltu")).wait_for()
            wait_idle(preparer)
            no_exception(preparer)
        finally:
            context.close()

        with signed_in_tab(browser, url, "demo-hyvaksyja") as approver:
            open_page(approver, address, "Maksuajo")
            approver.get_by_role("button", name=re.compile(r"^Hyväksy kaikki \(\d+\)")).click()
            approver.get_by_text(re.compile(r"\d+ selvitystä hyväksytty ja lukittu")).wait_for()
            wait_idle(approver)
            no_exception(approver)
            rows = grid(approver, "Hyväksytty netto")
            # the grid's accessible cells hold the number; it draws it as euros
            on_screen = {row["Y-tunnus"]: Decimal(row["Hyväksytty netto"]) for row in rows}
            settlements = grid(approver, "Tila")
            assert len(settlements) >= 4
            assert {row["Tila"] for row in settlements} == {"hyväksytty"}
            with approver.expect_download(timeout=ACTION_MS) as download:
                approver.get_by_role("button", name="Lataa .xlsx").click()
            target = tmp_path / download.value.suggested_filename
            download.value.save_as(target)

    assert target.name == f"maksuajo-{RUN}.xlsx"
    book = load_workbook(target)
    paid = book["Maksuajo"]
    names = [cell.value for cell in paid[1]]
    people = [
        (row[names.index("valmistelija")], row[names.index("hyväksyjä")])
        for row in paid.iter_rows(min_row=2, values_only=True)
    ]
    # the rows this run prepared and approved name the signed-in people (the demo approved
    # some of the quarter earlier, from the command line); never one person twice
    ours = [(p, a) for p, a in people if p.startswith(PREPARER)]
    assert ours and all(a.startswith(APPROVER) for _, a in ours), people
    assert all(p != a for p, a in people)
    sheet = book["Toimittajittain"]
    header = [cell.value for cell in sheet[1]]
    in_file = {
        values["y-tunnus"]: values["netto (maksetaan)"]
        for values in (
            dict(zip(header, [cell.value for cell in row], strict=True))
            for row in sheet.iter_rows(min_row=2)
        )
    }
    assert len(in_file) >= 4
    # every supplier of the run: the file's amount is the screen's approved net to the cent
    cents = Decimal("0.01")
    assert {b: Decimal(str(amount)).quantize(cents) for b, amount in in_file.items()} == {
        b: on_screen[b].quantize(cents) for b in in_file
    }
    assert set(in_file) == {b for b, net in on_screen.items() if net}
