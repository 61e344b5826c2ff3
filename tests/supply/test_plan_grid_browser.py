"""The supply plan grid in Chromium: family totals first, products on opening a family, 200 a
page with "Show more", and product text shown as text, never run as HTML."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from cycles.models import ConsensusPlan, PlanRow
from tests.conftest import browser_login
from tests.factories import FamilyFactory, ProductFactory, SiteFactory

NOV = dt.date(2026, 11, 1)
HOSTILE = '<img src=x onerror="window.hacked=1">'


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_planner_opens_a_family_and_pages_through_its_products(
    browser_page, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    # Given a plan of 205 products in one family (one named with HTML) and one in another
    bev, snk = FamilyFactory.create(code="BEV"), FamilyFactory.create(code="SNK")
    site = SiteFactory.create(code="DC1")
    products = [ProductFactory.create(sku=f"B-{n:03d}", family=bev) for n in range(205)]
    products[0].name = HOSTILE
    products[0].save()
    products.append(ProductFactory.create(sku="S-1", family=snk))
    plan = ConsensusPlan.objects.create(cycle=cycle, version=1)
    PlanRow.objects.bulk_create(
        PlanRow(plan=plan, product=p, site=site, month=NOV, production_units=2.0) for p in products
    )
    page = browser_page
    browser_login(page, Role.SUPPLY_PLANNER.value)
    # When the planner opens the supply plan grid
    page.goto(f"/supply/{cycle.pk}/grid/")
    page.wait_for_selector("#plan-grid[data-loaded]")
    # Then the families paint first, with the company total from the server
    expect(page.locator("#plan-grid .tabulator-row.family-row")).to_have_count(2)
    expect(page.locator("#plan-grid .tabulator-calcs-bottom")).to_contain_text("412")
    expect(page.locator("#plan-grid-status")).to_contain_text("2 families, 206 products")
    # When they open BEV, its first 200 products follow, then "Show more" brings the rest
    page.locator("#plan-grid .tabulator-row.family-row", has_text="BEV").click()
    expect(page.locator("#plan-grid .tabulator-row", has_text="B-000")).to_have_count(1)
    page.wait_for_selector('#plan-grid[data-pages="1"]')
    holder = page.locator("#plan-grid .tabulator-tableholder")
    holder.evaluate("e => e.scrollTop = e.scrollHeight")  # rows render as they scroll in
    more = page.locator("#plan-grid .grid-more")
    expect(more).to_have_count(1)
    more.dblclick()  # an impatient double click asks for the next page once
    page.wait_for_selector('#plan-grid[data-pages="2"]')
    holder.evaluate("e => e.scrollTop = e.scrollHeight")
    expect(page.locator("#plan-grid .tabulator-row", has_text="B-204")).to_have_count(1)
    page.wait_for_timeout(500)  # a second load would have landed by now
    assert page.locator("#plan-grid").get_attribute("data-pages") == "2"
    # And the product named with HTML shows as text, and nothing ran
    holder.evaluate("e => e.scrollTop = 0")
    expect(page.locator("#plan-grid", has_text=HOSTILE)).to_have_count(1)
    assert page.evaluate("window.hacked") is None
