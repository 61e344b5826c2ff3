"""Browser journey: the inventory planner tightens a service target, recalculates, signs off."""

from __future__ import annotations

import re

import pytest

from accounts.roles import Role
from cycles.models import PlanningCycle
from inventory.calculation import inventory_run_now
from inventory.models import PolicyRow
from tests.conftest import browser_login


def _euros(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_planner_changes_target_recalculates_sees_stock_and_value_change_and_signs_off(
    browser_page, review_cycle, users
) -> None:
    # Given a calculated inventory review
    planner = users[Role.INVENTORY_PLANNER]
    first = inventory_run_now(review_cycle.pk, planner)
    row = PolicyRow.objects.get(run=first, product__sku="PUMP-1", site__code="DC1")
    page = browser_page
    browser_login(page, planner.username)
    page.click("text=Inventory review")
    page.wait_for_selector("#inventory-chart .main-svg")  # Plotly drew the projection
    value_before = _euros(page.inner_text("#kpi-safety-stock-value"))
    pump_row = 'tr[data-sku="PUMP-1"][data-site="DC1"] td.ss'
    stock_before = float(page.inner_text(pump_row))
    # When the planner raises the target of PUMP-1's cell and recalculates
    page.fill(f'input[name="target_{row.segment}"]', "99.9")
    page.fill('input[name="reason"]', "Key customer")
    page.click("#save-targets")
    page.wait_for_selector("text=service target(s) saved")
    page.click("#recalculate")
    page.wait_for_selector('.run-progress[data-status="succeeded"]')
    # Then safety stock and its value went up
    assert float(page.inner_text(pump_row)) > stock_before
    assert _euros(page.inner_text("#kpi-safety-stock-value")) > value_before
    # And the planner signs off, which advances the cycle to reconciliation
    page.fill('#sign-off input[name="comment"]', "Policies agreed")
    page.click("#sign-off-button")
    page.wait_for_selector("text=Inventory review signed off.")
    assert PlanningCycle.objects.get(pk=review_cycle.pk).state == "reconciliation"
