"""The demand planner's journey in Chromium, with the forecast run on a real Celery worker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from cycles.models import PlanningCycle, SignOffRun
from cycles.runs import RunStatus
from demand.models import ConsensusSnapshot
from tests.conftest import browser_login
from tests.demand.conftest import family_products
from tests.factories import user_with_role
from tests.helpers import wait_until_finished

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
    grid_reads: list[str] = []
    page.on("request", lambda r: grid_reads.append(r.url) if "grid.json" in r.url else None)
    page.click("#save-overrides")
    # Then the consensus changes and is spread over the products, patched in place from the
    # save's answer (the grid is not read again)
    expect(page.locator("#grid-status")).to_contain_text("Saved 3 cell(s)")
    expect(page.locator("#demand-grid[data-patched]")).to_have_count(1)
    expect(cell).to_have_text("1,000")
    expect(page.locator(f"{FAMILY_CONSENSUS} .tabulator-cell.unsaved")).to_have_count(0)
    assert grid_reads == []
    assert before != "1,000"
    products = page.locator(
        '.tabulator-row.consensus-row:not(.family-row) .tabulator-cell[tabulator-field="m2026_12"]'
    )
    total = sum(float(t.replace(",", "")) for t in products.all_inner_texts())
    assert total == pytest.approx(1000.0, abs=0.01)
    # When they sign off the consensus, the cycle moves on and the consensus is frozen
    page.fill("input[name=comment]", "Consensus agreed")
    page.click("#sign-off")
    # (the worker signs off: the page says so at once, then reloads once the run has ended)
    expect(page.locator(".messages")).to_contain_text("Signing off the demand review")
    run = wait_until_finished(SignOffRun.objects.get(cycle=review_cycle), seconds=90)
    assert run.status == RunStatus.SUCCEEDED, run.error
    page.wait_for_selector('[data-testid="signing-off"]', state="detached", timeout=15_000)
    assert PlanningCycle.objects.get(pk=review_cycle.pk).state == "supply_review"
    assert ConsensusSnapshot.objects.filter(cycle=review_cycle).count() == 5 * 18


def edit_cell(page, selector: str, value: str, reason: str = "customer_intel") -> None:  # type: ignore[no-untyped-def]
    cell = page.locator(selector)
    cell.dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")
    page.select_option("#override-reason", reason)
    page.click("#save-overrides")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_planners_editing_one_cell_the_later_save_sees_a_conflict(
    browser_page, chromium, live_server, forecast_cycle, users
) -> None:
    user_with_role(Role.DEMAND_PLANNER, "planner2")
    first, second_context = browser_page, chromium.new_context(base_url=live_server.url)
    second = second_context.new_page()
    url = f"/demand/cycles/{forecast_cycle.pk}/"
    cell = (
        '.tabulator-row.consensus-row:not(.family-row) .tabulator-cell[tabulator-field="m2027_01"]'
    )
    for page, name in ((first, "demand_planner"), (second, "planner2")):
        browser_login(page, name)
        page.goto(url)
        expect(page.locator(cell).first).to_have_text(re.compile(r"\d"))
    # Given both planners loaded the grid; the first saves BIKE-1 January
    edit_cell(first, f"{cell} >> nth=0", "500")
    expect(first.locator("#grid-status")).to_contain_text("Saved 1 cell(s)")
    # When the second, still on the old grid, saves the same cell
    edit_cell(second, f"{cell} >> nth=0", "700")
    # Then they are told about the conflict and the first planner's number stands
    expect(second.locator("#grid-status")).to_contain_text("Conflict")
    expect(second.locator("#grid-status")).to_contain_text("demand_planner")
    first.reload()
    expect(first.locator(cell).first).to_have_text("500")
    second_context.close()


PASTE_JS = """([selector, text]) => {
    const cell = document.querySelector(selector);
    const data = new DataTransfer();
    data.setData('text/plain', text);
    cell.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_range_pasted_from_excel_fills_consensus_cells_only(
    browser_page, forecast_cycle, users
) -> None:
    page = browser_page
    browser_login(page, "demand_planner")
    page.goto(f"/demand/cycles/{forecast_cycle.pk}/")
    bike1 = family_products("BIKES")[0]
    start = (
        '.tabulator-row.consensus-row:not(.family-row) .tabulator-cell[tabulator-field="m2026_12"]'
    )
    expect(page.locator(start).first).to_have_text(re.compile(r"\d"))
    actual_row = page.locator(".tabulator-row", has_text="BIKE-2 Product BIKE-2").first
    before_actual = actual_row.inner_text()
    # Given the planner selects BIKE-1's December consensus cell
    page.locator(start).first.click()
    # When they paste two rows x three months copied from Excel
    page.evaluate(PASTE_JS, [f"{start}", "111\t112\t113\n7\t8\t9"])
    # Then the three consensus cells change and the row below (actual sales) does not
    expect(page.locator("#pending-count")).to_contain_text("3 unsaved")
    assert actual_row.inner_text() == before_actual
    page.select_option("#override-reason", "customer_intel")
    page.click("#save-overrides")
    expect(page.locator("#grid-status")).to_contain_text("Saved 3 cell(s)")
    row = page.locator(".tabulator-row.consensus-row", has_text=f"{bike1.sku} ").first
    for field, value in (("m2026_12", "111"), ("m2027_01", "112"), ("m2027_02", "113")):
        expect(row.locator(f'.tabulator-cell[tabulator-field="{field}"]')).to_have_text(value)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_grid_flags_a_moved_forecast_and_shows_the_backlog(
    browser_page, forecast_cycle, users
) -> None:
    import datetime as dt
    from decimal import Decimal

    from django.db.models import F

    from datainputs.models import OpenOrder, SalesHistory
    from demand.overrides import CellEdit, overrides_apply
    from demand.services import forecast_run_now
    from masterdata.models import Channel, Site
    from tests.helpers import months_back

    bike2 = family_products("BIKES")[1]
    # Given a typed December consensus of 300, then corrected sales and a forecast re-run
    overrides_apply(
        forecast_cycle.pk,
        [CellEdit(month=dt.date(2026, 12, 1), consensus_units=Decimal("300"), version=0,
                  product_id=bike2.pk)],
        users[Role.DEMAND_PLANNER], reason="customer_intel",
    )  # fmt: skip
    SalesHistory.objects.filter(product=bike2, month__in=months_back(6)).update(
        quantity=F("quantity") * 2
    )
    assert forecast_run_now(forecast_cycle.pk, users[Role.DEMAND_PLANNER]).status == "succeeded"
    # And 5,000 units of BIKE-2 were due in October and are not shipped yet
    OpenOrder.objects.create(order_number="SO-1", product=bike2, site=Site.objects.get(code="DC1"),
                             channel=Channel.objects.get(), order_date=dt.date(2026, 9, 1),
                             requested_date=dt.date(2026, 10, 1), quantity=5000)  # fmt: skip
    # When the planner opens the BIKES grid
    browser_login(browser_page, "demand_planner")
    browser_page.goto(f"/demand/cycles/{forecast_cycle.pk}/?family={bike2.family_id}")
    row = browser_page.locator(".tabulator-row.consensus-row:not(.family-row)").nth(1)
    cell = row.locator('.tabulator-cell[tabulator-field="m2026_12"]')
    # Then the typed 300 stands, flagged with the new statistical forecast on hover
    expect(cell).to_have_text("300", timeout=15_000)
    expect(cell).to_have_class(re.compile("statistical-changed"))
    expect(cell).to_have_attribute("title", re.compile(r"now \d"))
    # And the backlog row shows the 5,000 past-due units in the first month
    backlog = browser_page.locator(".tabulator-row.backlog-row.family-row")
    expect(backlog.locator('.tabulator-cell[tabulator-field="m2026_11"]')).to_have_text("5,000")
