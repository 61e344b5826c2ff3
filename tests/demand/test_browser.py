"""The demand planner's journey in Chromium, with the forecast run on a real Celery worker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cycles.models import PlanningCycle
from demand.models import ConsensusSnapshot
from tests.conftest import browser_login

FAMILY_CONSENSUS = ".tabulator-row.family-row.consensus-row"


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_planner_runs_forecast_overrides_a_family_cell_and_signs_off(
    browser_page, celery_worker_redis, review_cycle, users
) -> None:
    page = browser_page
    # Given the demand planner signs in and opens the demand review
    browser_login(page, "demand_planner")
    page.click("nav >> text=Demand")
    expect(page.locator("h1")).to_contain_text("Demand review")
    # When they run the forecast, progress is shown until the worker finishes it
    page.click("#run-forecast")
    expect(page.locator("#run-slot .run-progress")).to_be_visible()
    expect(page.locator("#run-slot .run-progress")).to_have_attribute(
        "data-status", "succeeded", timeout=90_000
    )
    expect(page.locator("#run-slot")).to_contain_text("100%")
    # Then the grid shows the family's consensus for December
    cell = page.locator(f'{FAMILY_CONSENSUS} .tabulator-cell[tabulator-field="m2026_12"]')
    expect(cell).to_have_text(re.compile(r"\d"), timeout=15_000)
    before = cell.inner_text()
    # When they override the family cell with a reason and save
    cell.dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("1000")
    page.keyboard.press("Enter")
    expect(page.locator("#pending-count")).to_contain_text("1 unsaved")
    page.select_option("#override-reason", "customer_intel")
    page.fill("#override-comment", "Dealer pre-season orders")
    page.click("#save-overrides")
    # Then the consensus changes and is spread over the products
    expect(page.locator("#grid-status")).to_contain_text("Saved 3 cell(s)")
    expect(cell).to_have_text("1,000")
    assert before != "1,000"
    products = page.locator(
        '.tabulator-row.consensus-row:not(.family-row) .tabulator-cell[tabulator-field="m2026_12"]'
    )
    total = sum(float(t.replace(",", "")) for t in products.all_inner_texts())
    assert total == pytest.approx(1000.0, abs=0.01)
    # When they sign off the consensus, the cycle moves on and the consensus is frozen
    page.fill("input[name=comment]", "Consensus agreed")
    page.click("#sign-off")
    expect(page.locator(".messages")).to_contain_text("signed off")
    assert PlanningCycle.objects.get(pk=review_cycle.pk).state == "supply_review"
    assert ConsensusSnapshot.objects.filter(cycle=review_cycle).count() == 5 * 18
