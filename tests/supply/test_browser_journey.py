"""Browser journey: the supply planner plans, sees the overloaded line, adds overtime, re-plans,
sees the shortage close and the cost fall, and signs the supply review off."""

from __future__ import annotations

import re

import pytest

from accounts.roles import Role
from cycles.models import PlanningCycle
from tests.conftest import browser_login
from tests.supply.conftest import at_supply_review


def _number(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_planner_adds_overtime_replans_closes_the_shortage_and_signs_off(
    browser_page, plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    # Given the cycle at its supply review and no plan yet
    cycle = at_supply_review(cycle)
    page = browser_page
    browser_login(page, users[Role.SUPPLY_PLANNER].username)
    page.click("text=Supply review")
    assert page.is_disabled("#sign-off-button")
    # When the planner runs the plan
    page.click("#run-plan")
    page.wait_for_selector('.run-progress[data-status="succeeded"]')
    page.wait_for_selector("#load-chart-LINE-1 .main-svg")  # Plotly drew load vs capacity
    # Then LINE-1 shows as overloaded and MADE-1 is short every month
    assert "18 overloaded" in page.inner_text('#resource-table tr[data-resource="LINE-1"]')
    assert page.locator('#gaps .gap[data-product="MADE-1"]').count() == 10  # the costliest 10
    assert "Capacity" in page.inner_text('#gaps .gap[data-product="MADE-1"] .reason >> nth=0')
    assert "Shortages 1 to 10 of 18" in page.inner_text("#gaps")
    page.click("#gaps-next")  # htmx swaps in the next page of gaps
    page.wait_for_selector("text=Shortages 11 to 18 of 18")
    assert page.locator('#gaps .gap[data-product="MADE-1"]').count() == 8
    cost_before = _number(page.inner_text("#kpi-total-cost"))
    assert _number(page.inner_text("#kpi-shortage-units")) == 18 * 50
    # When the planner allows 50 h of overtime a month on LINE-1 and re-plans
    page.click("#add-overtime summary")
    page.select_option('#add-overtime select[name="resource"]', label="LINE-1 Filling line")
    page.fill('#add-overtime input[name="extra_hours_per_month"]', "50")
    page.fill('#add-overtime input[name="reason"]', "Saturday shifts")
    page.click("#save-overtime")
    page.wait_for_selector("text=Overtime of LINE-1 saved")
    page.click("#run-plan")
    page.wait_for_selector("#no-shortages")
    # Then the shortage is closed and the plan costs 75 EUR a month less (50 x 7.5 lost sales
    # replaced by 50 x (4 + 2) made on overtime)
    assert page.locator("#gaps .gap").count() == 0
    assert _number(page.inner_text("#kpi-total-cost")) == cost_before - 18 * 75
    assert "-€1,350 vs the previous plan" in page.inner_text("#kpi-cost-change")
    assert "+50 this cycle" in page.inner_text('#resource-table tr[data-resource="LINE-1"]')
    # And the planner signs off, which moves the cycle on to the inventory review
    page.fill('#sign-off input[name="comment"]', "Overtime agreed with the plant")
    page.click("#sign-off-button")
    page.wait_for_selector("text=Supply review signed off.")
    assert PlanningCycle.objects.get(pk=cycle.pk).state == "inventory_review"
