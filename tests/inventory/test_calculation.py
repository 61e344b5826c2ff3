"""An inventory run end to end on the database: stored policies, projection and contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from django.utils import timezone

from accounts.roles import Role
from cycles.models import PlanningCycle
from cycles.runs import RunStatus
from inventory.calculation import inventory_run_execute, inventory_run_now
from inventory.models import InventoryRun, PolicyRow, ProjectionRow
from inventory.selectors import INVENTORY_TARGET_COLUMNS, cycle_inventory_targets
from inventory.services import TargetChange, policy_override_save, service_targets_update

pytestmark = pytest.mark.django_db


def assert_every_row_reconciles(run: InventoryRun) -> int:
    rows = list(ProjectionRow.objects.filter(run=run).order_by("product_id", "site_id", "month"))
    previous = None
    for row in rows:
        served = row.demand_units - row.lost_sales_units  # lost sales leave the balance
        flows = row.opening_units + row.receipts_units + row.planned_supply_units - served
        assert flows == row.closing_units, (row.product_id, row.site_id, row.month)
        if previous is not None and (previous.product_id, previous.site_id) == (
            row.product_id,
            row.site_id,
        ):
            assert row.opening_units == previous.closing_units
        previous = row
    return len(rows)


def test_given_company_when_calculated_then_every_product_site_has_a_policy_and_18_months(
    review_cycle, users
) -> None:
    run = inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert PolicyRow.objects.filter(run=run).count() == 10
    assert assert_every_row_reconciles(run) == 10 * 18
    # The open receipt of 250.5 lands in the cycle month, to the hundredth of a unit.
    receipt = ProjectionRow.objects.get(
        run=run, product__sku="PUMP-1", site__code="DC1", month=review_cycle.month
    )
    assert receipt.receipts_units == Decimal("250.50")


def test_given_run_then_contract_frame_lists_targets_per_product_site(review_cycle, users) -> None:
    assert cycle_inventory_targets(review_cycle).empty
    inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    targets = cycle_inventory_targets(review_cycle)
    assert list(targets.columns) == INVENTORY_TARGET_COLUMNS
    assert len(targets) == 10
    assert (targets["safety_stock_units"] >= 0).all()
    assert (targets["reorder_point_units"] >= targets["safety_stock_units"]).all()
    # MOQ 100 and multiples of 12 from the supply terms
    assert (targets["order_quantity_units"] >= 100).all()
    assert (targets["order_quantity_units"] % 12 == 0).all()


def test_given_higher_service_target_when_recalculated_then_safety_stock_rises(
    review_cycle, users
) -> None:
    planner = users[Role.INVENTORY_PLANNER]
    first = inventory_run_now(review_cycle.pk, planner)
    changes = [TargetChange(s, Decimal("0.9990"), 0) for s in ("AX", "AY", "AZ", "BX", "BY", "BZ")]
    service_targets_update(review_cycle.pk, changes, planner, "tighter service")
    second = inventory_run_now(review_cycle.pk, planner)
    assert second.summary["safety_stock_value_eur"] > first.summary["safety_stock_value_eur"]
    # The contract reads the newest succeeded run
    latest = cycle_inventory_targets(review_cycle)["safety_stock_units"].sum()
    assert latest == pytest.approx(
        sum(PolicyRow.objects.filter(run=second).values_list("safety_stock_units", flat=True))
    )


def test_given_override_when_recalculated_then_it_replaces_the_policy_and_is_marked(
    review_cycle, users, company
) -> None:
    planner = users[Role.INVENTORY_PLANNER]
    pump, dc1 = company["products"]["PUMP-1"], company["sites"][0]
    policy_override_save(
        review_cycle.pk, pump.pk, dc1.pk,
        {"service_target": None, "safety_stock_units": Decimal("777"), "order_quantity_units": None},
        reason="Promotion in spring", comment="", version=None, user=planner,
    )  # fmt: skip
    run = inventory_run_now(review_cycle.pk, planner)
    row = PolicyRow.objects.get(run=run, product=pump, site=dc1)
    assert row.safety_stock_units == 777
    assert row.overridden == "Promotion in spring"
    assert row.reorder_point_units >= 777
    assert (
        ProjectionRow.objects.filter(run=run, product=pump, site=dc1)[0].safety_stock_units == 777
    )


def test_given_succeeded_run_when_executed_again_then_nothing_changes(review_cycle, users) -> None:
    run = inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    assert inventory_run_execute(run.pk) == RunStatus.SUCCEEDED
    run.refresh_from_db()
    assert run.attempts == 1
    assert ProjectionRow.objects.filter(run=run).count() == 180


def test_given_redelivered_running_run_then_rows_are_replaced_not_duplicated(
    review_cycle, users
) -> None:
    run = inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    # redelivered after its worker died: running, with a heartbeat long silent
    silent_since = timezone.now() - dt.timedelta(hours=1)
    InventoryRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, heartbeat_at=silent_since
    )
    assert inventory_run_execute(run.pk) == RunStatus.SUCCEEDED
    assert ProjectionRow.objects.filter(run=run).count() == 180


def test_given_no_data_at_all_then_run_fails_with_a_clear_message(cycle, users) -> None:
    run = inventory_run_now(cycle.pk, users[Role.INVENTORY_PLANNER])
    assert run.status == RunStatus.FAILED
    assert "No demand plan" in run.error


def test_given_run_stuck_after_many_attempts_then_parked_as_failed(review_cycle, users) -> None:
    run = InventoryRun.objects.create(cycle=review_cycle, status=RunStatus.RUNNING, attempts=3)
    assert inventory_run_execute(run.pk) == RunStatus.FAILED
    run.refresh_from_db()
    assert "Gave up" in run.error


def test_given_earlier_cycles_then_their_plans_are_the_forecast_history_for_safety_stock(
    review_cycle, users
) -> None:
    # Given six closed cycles before this one: each cycle's plan for its own month is a
    # forecast that can now be compared with what sold
    for months_back in range(1, 7):
        month = (pd.Period(review_cycle.month, freq="M") - months_back).to_timestamp().date()
        PlanningCycle.objects.create(month=month, state="closed")
    # When the inventory is calculated
    run = inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    # Then variability comes from the forecast error, not from the demand history
    sources = set(PolicyRow.objects.filter(run=run).values_list("variability_source", flat=True))
    assert sources == {"forecast_error"}


def test_given_fewer_than_six_forecast_months_then_demand_variability_is_used(
    review_cycle, users
) -> None:
    PlanningCycle.objects.create(month=dt.date(2026, 10, 1), state="closed")
    run = inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    sources = set(PolicyRow.objects.filter(run=run).values_list("variability_source", flat=True))
    assert sources == {"demand"}
