"""Browser journey: finance creates the worst case from the forecast intervals and a custom
"expedite by air" scenario, runs them on a real Celery worker watching their progress, compares
them with the baseline, exports the comparison, recommends one and signs the stage off."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from accounts.roles import Role
from cycles.models import PlanningCycle, SignOffRun
from cycles.runs import RunStatus
from demand.models import CurrentForecast, ForecastRun, StatisticalForecast
from masterdata.models import SupplyTerm, SupplyTermMode
from tests.conftest import browser_login
from tests.helpers import move_to_stage, wait_until_finished
from tests.reconciliation.conftest import consensus_plan


def _forecast_with_intervals(cycle: PlanningCycle, plant) -> None:  # type: ignore[no-untyped-def]
    run = ForecastRun.objects.create(cycle=cycle, status="succeeded")
    CurrentForecast.objects.update_or_create(cycle=cycle, defaults={"run": run})
    month = cycle.month
    for _ in range(cycle.horizon_months):
        for product, units in ((plant["made"], 150), (plant["bought"], 40)):
            StatisticalForecast.objects.create(
                run=run, product=product, month=month, forecast_units=Decimal(units),
                lower_units=Decimal(units) * Decimal("0.8"), upper_units=Decimal(units) * Decimal("1.2"),
                model="test",
            )  # fmt: skip
        month = (month + dt.timedelta(days=32)).replace(day=1)


def _calculate(page, name: str) -> None:  # type: ignore[no-untyped-def]
    row = page.locator(f'#scenario-table tr[data-scenario="{name}"]')
    row.locator("button.run").click()
    # the run is queued for the worker and its progress bar shows on the row
    page.wait_for_selector(f'#scenario-table tr[data-scenario="{name}"] .run-progress')


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_finance_builds_compares_recommends_and_signs_off(
    celery_worker_redis, browser_page, plant, cycle, users, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    # Given the cycle at its reconciliation with a consensus plan and a forecast with intervals,
    # and BUY-1 coming by sea in two months
    consensus_plan(cycle, plant)
    _forecast_with_intervals(cycle, plant)
    term = SupplyTerm.objects.get(product=plant["bought"])
    SupplyTermMode.objects.create(supply_term=term, mode="ocean", lead_time_days=61,
                                  cost_per_unit=Decimal("0.20"))  # fmt: skip
    cycle = move_to_stage(cycle, "reconciliation")
    page = browser_page
    browser_login(page, users[Role.FINANCE].username)
    page.click("nav >> text=Reconciliation")
    assert page.is_disabled("#sign-off-button")
    # When finance creates best / expected / worst from the intervals
    page.click("#interval-scenarios")
    page.wait_for_selector("text=Created from the forecast's 80 % interval")
    assert "Demand at the forecast's interval bound · lower bound (10 % quantile)" in page.inner_text(
        '#scenario-table tr[data-scenario="Worst case"]')  # fmt: skip
    # and a custom scenario that expedites by air at 20 % of the unit cost
    page.fill('#new-scenario input[name="scenario-name"]', "Expedite by air")
    page.click("#create-scenario")
    page.click('#scenario-table a:text("Expedite by air")')
    page.select_option('#lever-form select[name="kind"]', "air_freight")
    assert page.is_hidden('#lever-form [data-field="resource"]')
    page.select_option('#lever-form select[name="allow"]', "yes")
    page.fill('#lever-form input[name="pct"]', "20")
    page.click("#add-lever-button")
    page.wait_for_selector("text=Lever added")
    assert "Air freight · +20 % · allowed" in page.inner_text("#lever-table")
    page.click("text=← All scenarios")
    # and runs the baseline, the worst case and the air scenario on the worker
    for name in ("Baseline (consensus plan)", "Worst case", "Expedite by air"):
        _calculate(page, name)
    for name in ("Baseline (consensus plan)", "Worst case", "Expedite by air"):
        page.wait_for_selector(
            f'#scenario-table tr[data-scenario="{name}"] .run-progress[data-status="succeeded"]',
            timeout=120_000,
        )
    # Then each shows its revenue; the worst case sells less than the baseline
    revenue = {name: float(page.inner_text(
        f'#scenario-table tr[data-scenario="{name}"] td.revenue').replace(",", ""))
        for name in ("Baseline (consensus plan)", "Worst case", "Expedite by air")}  # fmt: skip
    assert revenue["Worst case"] < revenue["Baseline (consensus plan)"]
    # When finance compares both with the baseline
    page.check('#scenario-table tr[data-scenario="Worst case"] input[name="s"]')
    page.check('#scenario-table tr[data-scenario="Expedite by air"] input[name="s"]')
    page.click("#compare-button")
    page.wait_for_selector("#chart-revenue_eur .main-svg")
    heads = page.locator("#compare-table th.scenario-head").all_inner_texts()
    assert heads == ["Baseline (consensus plan)", "Worst case", "Expedite by air"]
    assert page.locator('#compare-table tr[data-metric="revenue_eur"] .delta-bad').count() >= 1
    page.check("#only-differences")
    assert page.locator('#compare-table tr[data-same="1"]').first.is_hidden()
    # and exports the comparison
    with page.expect_download() as download:
        page.click("#export-xlsx")
    path = tmp_path / "comparison.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    assert [c.value for c in book["Comparison"][1]][2:5] == [
        "Baseline (consensus plan)", "Worst case", "Expedite by air"]  # fmt: skip
    # Then finance recommends the air scenario and signs off
    page.click("text=← All scenarios")
    page.select_option("#recommend-scenario", label="Expedite by air")
    page.fill("#recommend-comment", "Air keeps the bought range on shelf")
    page.click("#recommend-button")
    page.wait_for_selector("text='Expedite by air' recommended.")
    page.fill('#sign-off input[name="comment"]', "Reconciled")
    page.click("#sign-off-button")
    # (with a real worker the sign-off is a run: the page says so, then reloads once it ended)
    run = wait_until_finished(SignOffRun.objects.get(cycle=cycle), seconds=90)
    assert run.status == RunStatus.SUCCEEDED, run.error
    page.wait_for_selector('[data-testid="signing-off"]', state="detached", timeout=15_000)
    assert PlanningCycle.objects.get(pk=cycle.pk).state == "executive_review"
