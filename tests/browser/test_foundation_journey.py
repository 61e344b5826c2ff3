"""Real Chromium journeys through the foundation: sign-in, the cycle overview, an upload."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.roles import Role
from cycles.services import cycle_open
from datainputs.models import ImportBatch, SalesHistory
from tests.conftest import browser_login
from tests.factories import ChannelFactory, FamilyFactory, ProductFactory, SiteFactory

STAGES_AND_OWNERS = [
    ("Data inputs", "Administrator", "Tue 3 Nov 2026"),
    ("Demand review", "Demand planner", "Sun 8 Nov 2026"),
    ("Supply review", "Supply planner", "Fri 13 Nov 2026"),
    ("Inventory review", "Inventory planner", "Mon 16 Nov 2026"),
    ("Integrated reconciliation", "Finance", "Fri 20 Nov 2026"),
    ("Executive review", "Executive", "Tue 24 Nov 2026"),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_administrator_signs_in_and_sees_all_six_stages_with_owners_and_due_dates(
    browser_page, users
) -> None:
    # Given an open November cycle
    cycle_open(dt.date(2026, 11, 1), users[Role.ADMINISTRATOR])
    page = browser_page
    # When the administrator signs in
    browser_login(page, users[Role.ADMINISTRATOR].username)
    # Then they land on the cycle overview with the six stages in order
    page.wait_for_selector("ol.track")
    assert page.inner_text("h1") == "SIOP November 2026"
    cards = page.locator("ol.track > li.stage")
    assert cards.count() == 6
    for index, (label, owner, due) in enumerate(STAGES_AND_OWNERS):
        card = cards.nth(index)
        assert card.locator("h2").inner_text() == label
        text = card.inner_text()
        assert owner in text and due in text
    # And only the transition they may make is offered: signing off data inputs
    buttons = [b.strip() for b in page.locator("ol.track button").all_inner_texts()]
    assert "Sign off Data inputs" in buttons
    assert not any(b.startswith("Sign off") and b != "Sign off Data inputs" for b in buttons)


def sales_csv_with_three_bad_rows() -> bytes:
    lines = ["sku,site,channel,month,quantity,revenue"]
    for i in range(1000):
        month = dt.date(2024 + (i // 50) // 12, (i // 50) % 12 + 1, 1)
        lines.append(f"SKU-{i % 50:03d},DC1,RETAIL,{month:%Y-%m},{i % 9 + 1},{(i % 9 + 1) * 5}")
    # lines[0] is the header (spreadsheet row 1), so lines[n] is spreadsheet row n + 1.
    lines[101] = "SKU-000,DC1,RETAIL,2031-13,4,20"  # row 102: bad month
    lines[502] = "NOPE-1,DC1,RETAIL,2031-01,4,20"  # row 503: unknown SKU
    lines[903] = "SKU-003,DC1,RETAIL,2031-02,lots,20"  # row 904: quantity not a number
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_upload_with_three_bad_rows_among_1000_writes_nothing_and_lists_them(
    browser_page, users, tmp_path
) -> None:
    # Given the master data the file refers to
    family = FamilyFactory.create(code="FAM")
    for n in range(50):
        ProductFactory.create(sku=f"SKU-{n:03d}", family=family)
    SiteFactory.create(code="DC1"), ChannelFactory.create(code="RETAIL")
    upload = tmp_path / "sales.csv"
    upload.write_bytes(sales_csv_with_three_bad_rows())
    page = browser_page
    browser_login(page, users[Role.DEMAND_PLANNER].username)
    # When the demand planner uploads 1,000 rows of which 3 are bad
    page.goto("/data/upload/sales_history/")
    page.set_input_files("input[type=file]", str(upload))
    page.click("button:has-text('Preview')")
    page.wait_for_selector("table.errors")
    # Then nothing is written and exactly the 3 rows are listed with column and message
    assert "Nothing was written: 3 problems found" in page.inner_text("main")
    rows = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator("table.errors tbody tr").all()
    ]
    assert [(r[0], r[1]) for r in rows] == [("102", "month"), ("503", "sku"), ("904", "quantity")]
    assert "not a month" in rows[0][2] and "Unknown product 'NOPE-1'" in rows[1][2]
    assert "not a number" in rows[2][2]
    assert SalesHistory.objects.count() == 0
    assert ImportBatch.objects.get().status == "rejected"
    assert page.locator("button:has-text('Apply')").count() == 0
