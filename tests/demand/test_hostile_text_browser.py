"""Hostile text and pasted numbers in Chromium: stored XSS runs nowhere, and the grid reads an
Excel paste in the configured number notation (``NUMBER_LOCALE``) exactly as the server does."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from demand.selectors import consensus_frame
from masterdata.models import ProductFamily
from tests.conftest import browser_login
from tests.demand.conftest import family_products

HOSTILE = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'
PRODUCT_DEC = (
    '.tabulator-row.consensus-row:not(.family-row) .tabulator-cell[tabulator-field="m2026_12"]'
)
PASTE_JS = """([selector, text]) => {
    const cell = document.querySelector(selector);
    const data = new DataTransfer();
    data.setData('text/plain', text);
    cell.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
}"""


def _csp_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    found: list[str] = []
    page.on(
        "console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None
    )
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_given_a_family_named_with_script_when_the_grid_and_chart_show_it_then_nothing_runs(
    browser_page, forecast_cycle
) -> None:
    family = family_products("HELMETS")[0].family
    ProductFamily.objects.filter(pk=family.pk).update(name=HOSTILE)
    page = browser_page
    violations = _csp_violations(page)
    browser_login(page, "demand_planner")
    response = page.goto(f"/demand/cycles/{forecast_cycle.pk}/?family={family.pk}")
    assert (
        response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    )
    # The grid and the chart render under the policy (no inline script is needed)...
    expect(page.locator(PRODUCT_DEC).first).to_have_text(re.compile(r"\d"))
    expect(page.locator("#demand-chart .main-svg").first).to_be_visible()
    # ...and the family name is shown as text in the group header and the family picker
    expect(page.locator(".tabulator-group").first).to_contain_text("<img src=x")
    page.locator(".tabulator-row", has_text="All HELMETS").first.click()
    expect(page.locator("#chart-title")).to_contain_text("<img src=x")
    assert page.evaluate("window.__xss") is None
    assert page.locator(".tabulator img, #demand-chart img, select img").count() == 0
    assert violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_given_a_german_setting_when_a_german_excel_range_is_pasted_then_it_shows_and_saves_exact(
    browser_page, forecast_cycle, settings
) -> None:
    settings.NUMBER_LOCALE = "de"
    page = browser_page
    browser_login(page, "demand_planner")
    bikes = family_products("BIKES")
    page.goto(f"/demand/cycles/{forecast_cycle.pk}/?family={bikes[0].family_id}")
    expect(page.locator(PRODUCT_DEC).first).to_have_text(re.compile(r"\d"))
    # When the planner pastes 1.234,5 and 12,5 copied from a German Excel
    page.locator(PRODUCT_DEC).first.click()
    page.evaluate(PASTE_JS, [PRODUCT_DEC, "1.234,5\t12,5"])
    # Then the cells show the numbers, not NaN, in German notation
    expect(page.locator("#pending-count")).to_contain_text("2 unsaved")
    row = page.locator(".tabulator-row.consensus-row", has_text=f"{bikes[0].sku} ").first
    expect(row.locator('.tabulator-cell[tabulator-field="m2026_12"]')).to_have_text("1.234,5")
    expect(row.locator('.tabulator-cell[tabulator-field="m2027_01"]')).to_have_text("12,5")
    page.select_option("#override-reason", "customer_intel")
    page.click("#save-overrides")
    expect(page.locator("#grid-status")).to_contain_text("Saved 2 cell(s)")
    # And the server stored exactly 1234.5 and 12.5
    frame = consensus_frame(forecast_cycle, [bikes[0].pk]).set_index("month")["consensus_units"]
    assert [float(v) for v in frame.iloc[1:3]] == [1234.5, 12.5]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_given_an_english_setting_when_1_comma_5_is_pasted_then_refused_with_the_reason(
    browser_page, forecast_cycle
) -> None:
    page = browser_page
    browser_login(page, "demand_planner")
    bikes = family_products("BIKES")
    page.goto(f"/demand/cycles/{forecast_cycle.pk}/?family={bikes[0].family_id}")
    expect(page.locator(PRODUCT_DEC).first).to_have_text(re.compile(r"\d"))
    page.locator(PRODUCT_DEC).first.click()
    page.evaluate(PASTE_JS, [PRODUCT_DEC, "1,5"])
    row = page.locator(".tabulator-row.consensus-row", has_text=f"{bikes[0].sku} ").first
    expect(row.locator('.tabulator-cell[tabulator-field="m2026_12"]')).to_have_text("?")
    page.select_option("#override-reason", "customer_intel")
    page.click("#save-overrides")
    expect(page.locator("#grid-status")).to_contain_text("ambiguous or malformed in the en")


def _type_in_cell(page, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Double-click a cell, type ``text`` key by key as a planner would, press Enter."""
    cell = page.locator(selector).first
    cell.dblclick()
    editor = cell.locator("input")
    editor.fill("")
    editor.press_sequentially(text)
    editor.press("Enter")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_given_a_german_setting_when_1_234_5_is_typed_in_a_cell_then_1234_5_is_saved(
    browser_page, forecast_cycle, settings
) -> None:
    settings.NUMBER_LOCALE = "de"
    page = browser_page
    browser_login(page, "demand_planner")
    bikes = family_products("BIKES")
    page.goto(f"/demand/cycles/{forecast_cycle.pk}/?family={bikes[0].family_id}")
    expect(page.locator(PRODUCT_DEC).first).to_have_text(re.compile(r"\d"))
    # When the planner types 1.234,5 (German for 1234.5) into a consensus cell and saves
    _type_in_cell(page, PRODUCT_DEC, "1.234,5")
    expect(page.locator(PRODUCT_DEC).first).to_have_text("1.234,5")
    page.select_option("#override-reason", "customer_intel")
    page.click("#save-overrides")
    expect(page.locator("#grid-status")).to_contain_text("Saved 1 cell(s)")
    # Then exactly 1234.5 is stored, not 1.234 (what the browser's number field made of it)
    frame = consensus_frame(forecast_cycle, [bikes[0].pk]).set_index("month")["consensus_units"]
    assert float(frame.iloc[1]) == 1234.5


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_given_an_english_setting_when_1_234_5_is_typed_in_a_cell_then_refused_not_saved_as_1_23(
    browser_page, forecast_cycle
) -> None:
    page = browser_page
    browser_login(page, "demand_planner")
    bikes = family_products("BIKES")
    page.goto(f"/demand/cycles/{forecast_cycle.pk}/?family={bikes[0].family_id}")
    expect(page.locator(PRODUCT_DEC).first).to_have_text(re.compile(r"\d"))
    before = consensus_frame(forecast_cycle, [bikes[0].pk]).set_index("month")["consensus_units"]
    # When the planner types German notation while the setting is English
    _type_in_cell(page, PRODUCT_DEC, "1.234,5")
    # Then the cell flags it and the save names the problem; the consensus is unchanged
    expect(page.locator(PRODUCT_DEC).first).to_have_text("?")
    page.select_option("#override-reason", "customer_intel")
    page.click("#save-overrides")
    expect(page.locator("#grid-status")).to_contain_text("ambiguous or malformed in the en")
    after = consensus_frame(forecast_cycle, [bikes[0].pk]).set_index("month")["consensus_units"]
    assert float(after.iloc[1]) == float(before.iloc[1])
