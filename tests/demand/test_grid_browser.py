"""The planner's grid in Chromium: unsaved edits are never dropped silently, German pastes,
undo of a paste, money at standard price, quarter totals and a phone-sized screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from demand.selectors import consensus_frame
from tests.conftest import browser_login
from tests.demand.conftest import family_products
from tests.demand.test_hostile_text_browser import PASTE_JS

CONSENSUS = ".tabulator-row.consensus-row:not(.family-row)"
FAMILY_CONSENSUS = ".tabulator-row.family-row.consensus-row"


def product_cell(page, sku: str, field: str):  # type: ignore[no-untyped-def]
    row = page.locator(CONSENSUS, has_text=f"{sku} ").first
    return row.locator(f'.tabulator-cell[tabulator-field="{field}"]')


def type_into(page, cell, text: str) -> None:  # type: ignore[no-untyped-def]
    cell.click()  # brings the month into view in the grid's own scroller first
    cell.dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_planner_edits_six_cells_is_warned_on_switching_family_saves_pastes_and_views_money(
    browser_page, forecast_cycle, settings
) -> None:
    settings.NUMBER_LOCALE = "de"
    page = browser_page
    browser_login(page, "demand_planner")
    bikes, helmets = family_products("BIKES"), family_products("HELMETS")
    page.goto(f"/demand/cycles/{forecast_cycle.pk}/?family={bikes[0].family_id}")
    expect(product_cell(page, "BIKE-3", "m2026_12")).to_have_text(re.compile(r"\d"))
    page.wait_for_selector("#demand-grid[data-loaded]")  # every page of products is in
    # Given six edited cells, highlighted as unsaved
    for n, product in enumerate(bikes):
        for field in ("m2027_02", "m2027_03"):
            type_into(page, product_cell(page, product.sku, field), str(10 + n))
    expect(page.locator("#pending-count")).to_contain_text("6 unsaved")
    expect(page.locator("#demand-grid .tabulator-cell.unsaved")).to_have_count(6)
    # When the planner picks another family, the page asks first; "Cancel" keeps everything
    asked: list[str] = []

    def dismiss(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.select_option("select[name=family]", str(helmets[0].family_id))
    expect(page.locator("#pending-count")).to_contain_text("6 unsaved")
    assert asked and "6 unsaved change(s)" in asked[0]
    assert f"family={bikes[0].family_id}" in page.url
    assert page.locator("select[name=family]").input_value() == str(bikes[0].family_id)
    # and leaving the page is warned too
    leaving = "() => { const e = new Event('beforeunload', {cancelable: true}); "
    leaving += "window.dispatchEvent(e); return e.defaultPrevented; }"
    assert page.evaluate(leaving) is True
    # When they save, the six cells are stored
    page.select_option("#override-reason", "customer_intel")
    page.click("#save-overrides")
    expect(page.locator("#grid-status")).to_contain_text("Saved 6 cell(s)")
    assert page.evaluate(leaving) is False
    # When they paste 1.234,5 from a German Excel, it reads 1234.5; undo puts the cell back
    before = product_cell(page, "BIKE-1", "m2026_12").inner_text()
    product_cell(page, "BIKE-1", "m2026_12").click()
    first_product_dec = f'{CONSENSUS} .tabulator-cell[tabulator-field="m2026_12"]'
    page.evaluate(PASTE_JS, [first_product_dec, "1.234,5"])
    expect(product_cell(page, "BIKE-1", "m2026_12")).to_have_text("1.234,5")
    expect(page.locator("#pending-count")).to_contain_text("1 unsaved")
    page.click("#undo-paste")
    expect(product_cell(page, "BIKE-1", "m2026_12")).to_have_text(before)
    expect(page.locator("#pending-count")).to_contain_text("No unsaved")
    page.evaluate(PASTE_JS, [first_product_dec, "1.234,5"])
    page.select_option("#override-reason", "customer_intel")
    page.click("#save-overrides")
    expect(page.locator("#grid-status")).to_contain_text("Saved 1 cell(s)")
    frame = consensus_frame(forecast_cycle, [bikes[0].pk]).set_index("month")["consensus_units"]
    assert float(frame.iloc[1]) == 1234.5
    # When they switch to value, the family consensus shows euros at standard price (7.50)
    page.check("input[data-grid-measure][value=value]")
    family_dec = page.locator(f'{FAMILY_CONSENSUS} .tabulator-cell[tabulator-field="m2026_12"]')
    expect(family_dec).to_contain_text("€")
    # When they view quarter totals, a quarter column adds up its months
    page.select_option("#grid-totals", "quarter")
    expect(page.locator(".tabulator-col", has_text="2027 Q1")).to_be_visible()
    q1 = page.locator(f'{FAMILY_CONSENSUS} .tabulator-cell[tabulator-field="t_2027_Q1"]')
    expect(q1).to_contain_text("€")
    # When they ask for the company total, it shows on top beside the family
    page.check("#grid-company")
    company = page.locator(".tabulator-row.family-row", has_text="Company total").first
    expect(company).to_be_visible()
    expect(page.locator(".tabulator-group").first).to_contain_text("Company total")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_product_stays_and_months_are_visible(browser_page, forecast_cycle) -> None:
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "demand_planner")
    bikes = family_products("BIKES")
    page.goto(f"/demand/cycles/{forecast_cycle.pk}/?family={bikes[0].family_id}")
    expect(product_cell(page, "BIKE-1", "m2026_05")).to_have_text(re.compile(r"\d|^$"))
    grid = page.locator("#demand-grid").bounding_box()
    assert grid is not None and grid["x"] + grid["width"] <= 392
    # At least one month column header lies inside the 390 px screen, beside the product
    boxes = [
        page.locator(f'.tabulator-col[tabulator-field="{f}"]').bounding_box()
        for f in ("m2026_05", "m2026_06")
    ]
    assert any(b is not None and b["x"] + 40 < 390 and b["width"] > 0 for b in boxes)
    # and the measure column is not frozen: only the product column is
    assert page.locator(".tabulator-frozen.tabulator-col").count() == 1
