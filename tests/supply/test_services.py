"""Supply review workflow: plan, overtime, firm orders, sign-off, permissions, contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.roles import Role
from cycles.models import AuditEntry, PlanningCycle
from cycles.services import TransitionError
from datainputs.models import SalesHistory
from supply import selectors, services
from supply.models import FirmOrder, PlannedOrder, PlanResourceLoad, Shortage
from supply.services import SupplyError
from tests.supply.conftest import at_supply_review

FIRST = dt.date(2026, 11, 1)
pytestmark = pytest.mark.django_db


def _plan(cycle: PlanningCycle, users):  # type: ignore[no-untyped-def]
    run = services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    assert run.error == "" and run.status == "succeeded"
    return run


def test_given_demand_above_capacity_then_the_plan_shows_the_overload_and_shortage(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    run = _plan(cycle, users)
    load = PlanResourceLoad.objects.get(run=run, month=FIRST)
    assert load.required_hours == pytest.approx(150.0)
    assert load.load_hours == pytest.approx(100.0)
    assert load.capacity_hours == pytest.approx(100.0)
    shortage = Shortage.objects.filter(run=run, product=plant["made"])
    assert shortage.count() == 18
    assert shortage.get(month=FIRST).shortage_units == pytest.approx(50.0)
    assert shortage.get(month=FIRST).reason == "capacity"
    assert selectors.costs(run)["shortage"] == pytest.approx(18 * 50 * 7.5)
    overloaded = selectors.resource_summaries(run, cycle)[0]
    assert overloaded.code == "LINE-1" and overloaded.overloaded_months == 18


def test_given_extra_overtime_then_re_plan_closes_the_shortage_and_lowers_the_cost(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    first = _plan(cycle, users)
    services.overtime_save(cycle.pk, plant["line"].pk, Decimal("50"), version=None,
                           user=users[Role.SUPPLY_PLANNER], reason="Saturday shifts")  # fmt: skip
    second = _plan(cycle, users)
    assert not Shortage.objects.filter(run=second).exists()
    load = PlanResourceLoad.objects.get(run=second, month=FIRST)
    assert load.overtime_hours == pytest.approx(50.0)
    # Lost sales 50 x 7.5 replaced by 50 units at 4 + 2: 75 EUR cheaper a month.
    comparison = selectors.cost_comparison(cycle)
    assert comparison.change == pytest.approx(-18 * 75.0)
    assert selectors.costs(first)["total"] - selectors.costs(second)["total"] == pytest.approx(
        1350.0
    )
    entry = AuditEntry.objects.get(table="supply_resource_overtime")
    assert (entry.before, entry.after, entry.reason) == ("", "50", "Saturday shifts")
    # And the overtime that absorbs the load clears the overload flag
    line = selectors.resource_summaries(second, cycle)[0]
    assert (line.overloaded_months, line.overtime_months) == (0, 18)


def test_given_overtime_in_the_master_data_and_used_then_the_line_is_not_overloaded(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    # Given LINE-1 allows 60 h of overtime a month (the 150 h requirement fits 100 + 60)
    plant["line"].overtime_hours_per_month = Decimal("60")
    plant["line"].save()
    run = _plan(cycle, users)
    assert PlanResourceLoad.objects.get(run=run, month=FIRST).overtime_hours == pytest.approx(50.0)
    # Then no month is flagged overloaded, all 18 run on overtime
    line = selectors.resource_summaries(run, cycle)[0]
    assert (line.overloaded_months, line.overtime_months) == (0, 18)


def test_given_a_firm_order_then_every_re_plan_keeps_it(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    run = _plan(cycle, users)
    order = PlannedOrder.objects.get(run=run, product=plant["bought"], release_month=FIRST)
    assert order.quantity_units == pytest.approx(40.0)
    firm = services.firm_order_save(cycle.pk, order.pk, Decimal("120"), version=0,
                                    user=users[Role.SUPPLY_PLANNER], reason="container booked")  # fmt: skip
    replanned = _plan(cycle, users)
    kept = PlannedOrder.objects.get(run=replanned, product=plant["bought"], release_month=FIRST)
    assert kept.is_firm and kept.quantity_units == pytest.approx(120.0)
    # The stock the firm order brings covers the next two months: nothing bought then.
    later = PlannedOrder.objects.filter(run=replanned, product=plant["bought"],
                                        release_month__in=[dt.date(2026, 12, 1), dt.date(2027, 1, 1)])  # fmt: skip
    assert not later.exists()
    entry = AuditEntry.objects.get(table="supply_firm_order")
    assert entry.after == "120" and entry.record_key == firm.record_key
    assert firm.record_key == "BUY-1@DC1 SUP-1/standard 2026-11"


def test_given_a_stale_version_then_a_concurrent_firm_edit_is_refused(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    run = _plan(cycle, users)
    order = PlannedOrder.objects.filter(run=run).earliest("id")
    planner = users[Role.SUPPLY_PLANNER]
    services.firm_order_save(cycle.pk, order.pk, Decimal("10"), version=0, user=planner)
    with pytest.raises(SupplyError, match="someone else"):
        services.firm_order_save(cycle.pk, order.pk, Decimal("20"), version=0, user=planner)
    assert FirmOrder.objects.get().quantity_units == Decimal("10")


def test_given_a_released_firm_order_then_it_is_gone_and_audited(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    run = _plan(cycle, users)
    order = PlannedOrder.objects.filter(run=run).earliest("id")
    planner = users[Role.SUPPLY_PLANNER]
    firm = services.firm_order_save(cycle.pk, order.pk, Decimal("10"), version=0, user=planner)
    services.firm_order_release(cycle.pk, firm.pk, version=firm.version, user=planner)
    assert not FirmOrder.objects.exists()
    assert AuditEntry.objects.filter(table="supply_firm_order").count() == 2


def test_given_a_firm_order_beyond_capacity_then_the_run_fails_with_a_clear_message(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    run = _plan(cycle, users)
    order = PlannedOrder.objects.get(run=run, product=plant["made"], release_month=FIRST)
    services.firm_order_save(cycle.pk, order.pk, Decimal("500"), version=0,
                             user=users[Role.SUPPLY_PLANNER])  # fmt: skip
    failed = services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    assert failed.status == "failed"
    assert "resource='LINE-1' period=2026-11" in failed.error
    assert "exceeds capacity" in failed.error
    # Readers keep the last good plan.
    assert selectors.latest_succeeded_run(cycle) == run


def test_given_negative_demand_then_the_run_fails_naming_the_row(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    SalesHistory.objects.filter(product=plant["bought"]).update(quantity=Decimal("-40"))
    run = services.supply_run_now(cycle.pk, users[Role.SUPPLY_PLANNER])
    assert run.status == "failed"
    assert "product='BUY-1', site='DC1', channel='RETAIL'" in run.error
    assert "demand_units is negative" in run.error


@pytest.mark.parametrize("role", [Role.DEMAND_PLANNER, Role.FINANCE, Role.EXECUTIVE])
def test_given_another_role_then_planning_and_editing_are_refused(
    plant, cycle, users, role
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SupplyError, match="Only the supply planner"):
        services.supply_run_request(cycle.pk, users[role])
    with pytest.raises(SupplyError, match="Only the supply planner"):
        services.overtime_save(cycle.pk, plant["line"].pk, Decimal("5"), version=None,
                               user=users[role], reason="x")  # fmt: skip


def test_given_an_approved_cycle_then_the_supply_review_is_read_only(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    PlanningCycle.objects.filter(pk=cycle.pk).update(state="approved")
    with pytest.raises(SupplyError, match="approved and locked"):
        services.overtime_save(cycle.pk, plant["line"].pk, Decimal("5"), version=None,
                               user=users[Role.SUPPLY_PLANNER], reason="x")  # fmt: skip


def test_given_no_plan_then_sign_off_is_refused_and_after_planning_it_advances(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    cycle = at_supply_review(cycle)
    planner = users[Role.SUPPLY_PLANNER]
    with pytest.raises(TransitionError, match="No supply plan"):
        services.supply_sign_off(cycle.pk, planner)
    _plan(cycle, users)
    assert services.supply_sign_off(cycle.pk, planner).state == "inventory_review"


def test_given_a_plan_then_planned_supply_is_the_receipts_per_month(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    assert selectors.cycle_planned_supply(cycle).empty
    _plan(cycle, users)
    planned = selectors.cycle_planned_supply(cycle)
    assert list(planned.columns) == ["product_id", "site_id", "month", "planned_units"]
    made = planned.loc[planned["product_id"] == plant["made"].pk]
    assert len(made) == 18 and made["planned_units"].tolist() == pytest.approx([100.0] * 18)
    assert made["month"].iloc[0] == FIRST


def test_given_a_queued_request_then_the_task_runs_on_commit(plant, cycle, users) -> None:  # type: ignore[no-untyped-def]
    # Tests run Celery eagerly (no broker): the task runs when the request's transaction commits.
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        run = services.supply_run_request(cycle.pk, users[Role.SUPPLY_PLANNER])
    # the run's task, then what its success sends (the review's warming)
    assert len(callbacks) == 2
    run.refresh_from_db()
    assert run.status == "succeeded" and run.percent == 100
    again = services.supply_run_request(cycle.pk, users[Role.SUPPLY_PLANNER])
    assert again.pk != run.pk  # a finished run is never re-used; a new plan is queued


def test_given_a_plan_then_make_orders_have_no_transport_mode_and_buy_orders_keep_theirs(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    run = _plan(cycle, users)
    made = PlannedOrder.objects.filter(run=run, product=plant["made"])
    bought = PlannedOrder.objects.filter(run=run, product=plant["bought"])
    assert made.exists() and set(made.values_list("mode", flat=True)) == {""}
    assert set(made.values_list("source_type", "source_code").distinct()) == {("make", "LINE-1")}
    assert bought.exists() and "" not in set(bought.values_list("mode", flat=True))
    assert made.order_by("release_month").values_list("release_month", flat=True)[0] == FIRST


def test_given_a_run_executed_twice_then_its_rows_are_replaced_not_doubled(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    from supply.models import SupplyPlanRun
    from supply.planning import supply_run_execute

    run = _plan(cycle, users)
    orders, shortages = PlannedOrder.objects.filter(run=run).count(), run.shortages.count()
    SupplyPlanRun.objects.filter(pk=run.pk).update(status="running", heartbeat_at=None)
    assert supply_run_execute(run.pk) == "succeeded"  # a re-delivered message runs it again
    assert PlannedOrder.objects.filter(run=run).count() == orders
    assert run.shortages.count() == shortages > 0
