"""Browser journey on the demo company: demand is reopened, the supply page shows the stale
ribbon and why, demand is signed off again (the pipeline re-plans), supply signs off; then a
target change in the inventory review is re-planned from the ribbon, the supply planner confirms
the re-planned supply plan, and the inventory review signs off."""

from __future__ import annotations

import datetime as dt

import pytest

from cycles.models import PlanningCycle, StageEvent
from cycles.plan import pinned_run_id
from cycles.services import stage_sign_off
from demo.load import DEMO_PASSWORD
from demo.services import demo_seed
from tests.conftest import browser_login

AS_OF = dt.date(2026, 11, 1)
PIPELINE_MS = 300_000  # a re-plan runs the whole pipeline inside the request with eager Celery


def _as(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    browser_login(page, username, DEMO_PASSWORD)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reopen_demand_see_stale_ribbon_replan_and_sign_off_again(browser_page) -> None:
    # Given the demo company (eager Celery: the pipeline runs when the sign-off commits) with
    # November's demand and supply signed off
    demo_seed(seed=3, sku_count=10, as_of=AS_OF)
    cycle = PlanningCycle.objects.get(month=AS_OF)
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    stage_sign_off(cycle.pk, "demand_review", users["demand"], "ok")
    stage_sign_off(cycle.pk, "supply_review", users["supply"], "ok")
    supply_before = pinned_run_id(cycle, "supply")
    page = browser_page
    # When the demand planner reopens the demand review from the cycle page
    _as(page, "demand")
    page.goto(f"/cycles/{cycle.pk}/")
    card = page.locator('li[data-stage="demand_review"]')
    card.locator("summary", has_text="Reopen").click()
    card.locator('input[name="comment"]').fill("Retailer listing win")
    card.locator("button", has_text="Reopen").click()
    page.wait_for_load_state("networkidle")
    # Then the supply page shows the stale ribbon with the reason
    _as(page, "supply")
    page.goto(f"/supply/{cycle.pk}/")
    ribbon = page.locator('[data-testid="stale-ribbon"]')
    assert "Demand review reopened" in ribbon.inner_text()
    assert "sign the demand review off again" in ribbon.inner_text()
    # When demand signs off again, the pipeline re-plans supply: the ribbon is gone
    _as(page, "demand")
    page.goto(f"/demand/cycles/{cycle.pk}/")
    with page.expect_navigation(timeout=PIPELINE_MS):  # the pipeline runs (eager Celery)
        page.click("#sign-off", no_wait_after=True)
    _as(page, "supply")
    page.goto(f"/supply/{cycle.pk}/")
    assert page.locator('[data-testid="stale-ribbon"]').count() == 0
    assert pinned_run_id(cycle, "supply") != supply_before
    page.fill('#sign-off input[name="comment"]', "Re-planned")
    page.click("#sign-off-button")
    page.wait_for_load_state("networkidle")
    # When the inventory planner raises a target, supply is stale; Re-plan from the ribbon
    _as(page, "inventory")
    page.goto(f"/inventory/{cycle.pk}/")
    page.fill('input[name="target_AX"]', "99.5")
    page.fill('input[name="reason"]', "Key customer")
    page.click("#save-targets")
    page.wait_for_selector('[data-testid="stale-ribbon"]')
    assert "Service targets changed" in page.inner_text('[data-testid="stale-ribbon"]')
    with page.expect_navigation(timeout=PIPELINE_MS):
        page.click('[data-testid="stale-ribbon"] button:has-text("Re-plan")', no_wait_after=True)
    page.goto(f"/inventory/{cycle.pk}/")
    assert page.locator('[data-testid="stale-ribbon"]').count() == 0
    # Then the re-plan changed the supply plan supply signed off: the supply planner confirms it
    assert "Supply review signed off runs" in page.inner_text('[data-testid="drift-ribbon"]')
    _as(page, "supply")
    page.goto(f"/supply/{cycle.pk}/")
    drift = page.locator('[data-testid="drift-ribbon"]')
    drift.locator('input[name="comment"]').fill("New buffer is feasible")
    drift.locator("button", has_text="Confirm Supply review").click()
    page.wait_for_selector("text=Re-planned runs confirmed.")
    _as(page, "inventory")
    page.goto(f"/inventory/{cycle.pk}/")
    assert page.locator('[data-testid="drift-ribbon"]').count() == 0
    page.fill('#sign-off input[name="comment"]', "Targets agreed")
    page.click("#sign-off-button")
    page.wait_for_selector("text=Inventory review signed off.")
    # Then each sign-off pinned the runs it approved
    assert PlanningCycle.objects.get(pk=cycle.pk).state == "reconciliation"
    signed = StageEvent.objects.filter(cycle=cycle, stage_key="inventory_review").last()
    assert signed is not None and signed.pinned["runs"]["supply"] == pinned_run_id(cycle, "supply")
    confirmed = StageEvent.objects.get(cycle=cycle, action=StageEvent.Action.CONFIRM)
    assert confirmed.pinned["runs"]["supply"] == signed.pinned["runs"]["supply"]
