"""The plan pipeline in one order, pinned sign-offs and staleness (issue 10: "Stale numbers get
signed off", "Supply plans without safety stock", "Signed-off stages stay editable")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cycles.models import StageEvent
from cycles.plan import pinned_run_id, plan_status
from cycles.plan_models import ConsensusPlan, PlanDemandRow, PlanRow
from cycles.replan import plan_replan
from cycles.services import TransitionError, stage_reopen, stage_sign_off
from demand.models import ReasonCode
from demand.overrides import CellEdit, overrides_apply
from demand.selectors import consensus_frame
from demand.services import DemandError
from inventory.models import PolicyRow, ServiceTarget
from inventory.services import InventoryError, TargetChange, service_targets_update
from masterdata.models import Product, SupplyTerm
from supply.inputs import cycle_inputs
from supply.services import SupplyError, supply_run_request

pytestmark = pytest.mark.django_db


def _stale(cycle) -> dict[str, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return {s.key: s.reasons for s in plan_status(cycle) if s.stale}


@pytest.fixture
def planned(demo_company, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """November with its demand signed off and the pipeline run (Celery eager, on commit)."""
    november = demo_company["november"]
    with django_capture_on_commit_callbacks(execute=True):
        november = stage_sign_off(november.pk, "demand_review", demo_company["demand"], "ok")
    return november


def test_targets_are_computed_before_supply_and_the_plan_honours_them(planned) -> None:
    # Then every step ran in order, each reading the run of the step before it
    status = {s.key: s for s in plan_status(planned)}
    assert all(s.computed and not s.stale for s in status.values())
    targets = pinned_run_id(planned, "targets")
    safety = sum(
        PolicyRow.objects.filter(run_id=targets).values_list("safety_stock_units", flat=True)
    )
    assert safety > 0
    # The supply plan saw the targets (not 0 safety stock) and the plan record carries them
    assert cycle_inputs(planned).inputs.safety_stock["safety_stock_units"].sum() == pytest.approx(
        safety
    )
    plan = ConsensusPlan.objects.get(cycle=planned)
    assert plan.run_ids["targets"] == targets and plan.run_ids["supply"] == pinned_run_id(
        planned, "supply"
    )
    rows = PlanRow.objects.filter(plan=plan)
    assert sum(r.safety_stock_units for r in rows) > 0 and sum(r.revenue_eur for r in rows) > 0
    # Consensus in = demand reaching the plan record, per product and month
    frozen = sum(
        PlanDemandRow.objects.filter(cycle=planned).values_list("consensus_demand_units", flat=True)
    )
    assert sum(r.consensus_demand_units for r in rows) == pytest.approx(frozen)


def test_new_master_data_makes_the_steps_that_read_it_stale(planned, demo_company) -> None:
    # When a lead time changes (an ERP upsert)
    term = SupplyTerm.objects.order_by("pk")[0]
    term.lead_time_days += 14
    term.save()
    stale = _stale(planned)
    # Then the steps reading supply terms (targets, supply) and all after them are stale
    assert set(stale) == {"targets", "supply", "projection", "finance"}
    assert any("supply terms" in r for r in stale["targets"])
    with pytest.raises(TransitionError, match="stale"):
        stage_sign_off(planned.pk, "supply_review", demo_company["supply"], "ok")
    # A price change makes the roll-up stale, not the demand (it is in units)
    product = Product.objects.order_by("sku")[0]
    product.unit_price += Decimal("1")
    product.save()
    assert any("prices" in r for r in _stale(planned)["finance"])
    assert "demand" not in _stale(planned)


def test_a_target_change_marks_supply_stale_until_replanned(planned, demo_company,
                                                           django_capture_on_commit_callbacks) -> None:  # fmt: skip
    supply_before = pinned_run_id(planned, "supply")
    # When the inventory planner raises the AX target during the supply review
    target = ServiceTarget.objects.get(cycle=planned, segment="AX")
    change = TargetChange("AX", Decimal("0.995"), target.version)
    service_targets_update(planned.pk, [change], demo_company["inventory"], "Key account")
    # Then targets, supply and everything after are stale with the reason; no sign-off
    stale = _stale(planned)
    assert {"targets", "supply", "projection", "finance"} <= set(stale)
    assert "Service targets changed" in stale["targets"][0]
    with pytest.raises(TransitionError, match="stale"):
        stage_sign_off(planned.pk, "supply_review", demo_company["supply"], "ok")
    # When the supply planner re-plans, the new targets reach a new supply plan
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_replan(planned.pk, demo_company["supply"]) == "targets"
    assert not _stale(planned) and pinned_run_id(planned, "supply") != supply_before
    cycle = stage_sign_off(planned.pk, "supply_review", demo_company["supply"], "ok")
    event = StageEvent.objects.get(cycle=cycle, stage_key="supply_review", action="sign_off")
    assert event.pinned["runs"]["supply"] == pinned_run_id(planned, "supply")


def test_reopened_demand_makes_every_later_step_stale_and_refuses_their_sign_off(
    planned, demo_company, django_capture_on_commit_callbacks
) -> None:
    users = demo_company
    cycle = stage_sign_off(planned.pk, "supply_review", users["supply"], "ok")
    # When demand is reopened and a consensus changes
    stage_reopen(cycle.pk, "demand_review", users["demand"], "Retailer listing win")
    assert "Demand review reopened" in _stale(cycle)["demand"][0]
    row = consensus_frame(cycle).iloc[0]
    edit = CellEdit(month=row["month"], consensus_units=Decimal("5000"), version=int(row["version"]),
                    product_id=int(row["product_id"]))  # fmt: skip
    overrides_apply(cycle.pk, [edit], users["demand"], reason=ReasonCode.NEW_LISTING)
    # Then the re-signed-off demand is frozen at once, and the later steps are stale until the
    # pipeline has re-planned them: the supply review cannot sign off numbers computed before
    cycle = stage_sign_off(cycle.pk, "demand_review", users["demand"], "again")
    assert set(_stale(cycle)) == {"targets", "supply", "projection", "finance"}
    with pytest.raises(TransitionError, match="stale"):
        stage_sign_off(cycle.pk, "supply_review", users["supply"], "ok")
    with django_capture_on_commit_callbacks(execute=True):
        plan_replan(cycle.pk, users["supply"])
    assert not _stale(cycle)
    frozen = PlanDemandRow.objects.filter(cycle=cycle, product_id=int(row["product_id"]),
                                          month=row["month"])  # fmt: skip
    assert sum(r.consensus_demand_units for r in frozen) == pytest.approx(5000)
    stage_sign_off(cycle.pk, "supply_review", users["supply"], "ok")


def test_a_signed_off_stage_is_read_only_until_reopened(planned, demo_company) -> None:
    users = demo_company
    cycle = stage_sign_off(planned.pk, "supply_review", users["supply"], "ok")
    # Demand and supply are signed off: their inputs are read-only, re-plans refused
    row = consensus_frame(cycle).iloc[0]
    edit = CellEdit(month=row["month"], consensus_units=Decimal("1"), version=int(row["version"]),
                    product_id=int(row["product_id"]))  # fmt: skip
    with pytest.raises(DemandError, match="demand review"):
        overrides_apply(cycle.pk, [edit], users["demand"], reason=ReasonCode.PROMOTION)
    with pytest.raises(SupplyError, match="signed off"):
        supply_run_request(cycle.pk, users["supply"])
    cycle = stage_sign_off(cycle.pk, "inventory_review", users["inventory"], "ok")
    target = ServiceTarget.objects.get(cycle=cycle, segment="AX")
    with pytest.raises(InventoryError, match="signed off"):
        service_targets_update(cycle.pk, [TargetChange("AX", Decimal("0.9"), target.version)],
                               users["inventory"], "late")  # fmt: skip
    # Reopening the supply review makes it editable again
    stage_reopen(cycle.pk, "supply_review", users["supply"], "Supplier delay")
    assert supply_run_request(cycle.pk, users["supply"]).pk


def test_the_plan_record_projects_stock_with_the_supply_plans_lost_sales(planned) -> None:
    from django.db.models import Sum

    from inventory.models import ProjectionRow
    from supply.models import Shortage

    # Given November's demand signed off and the pipeline run (supply -> projection -> plan)
    plan = ConsensusPlan.objects.get(cycle=planned)
    supply_run, projection_run = plan.run_ids["supply"], plan.run_ids["projection"]
    # Then per product x site x month the projection's lost sales are the supply run's shortages
    shortages = {
        (p, s, m): round(units, 2)
        for p, s, m, units in Shortage.objects.filter(run_id=supply_run, shortage_units__gt=0)
        .values("product_id", "site_id", "month")
        .annotate(units=Sum("shortage_units"))
        .values_list("product_id", "site_id", "month", "units")
    }
    projected = {
        (p, s, m): float(units)
        for p, s, m, units in ProjectionRow.objects.filter(
            run_id=projection_run, lost_sales_units__gt=0
        ).values_list("product_id", "site_id", "month", "lost_sales_units")
    }
    assert shortages, "the demo plan has lost sales to check"
    assert projected == pytest.approx(shortages, abs=0.005)
    # And a month with lost sales is a stockout in the projection
    lost = ProjectionRow.objects.filter(run_id=projection_run, lost_sales_units__gt=0)
    assert not lost.filter(stockout=False).exists()
    # And no plan row shows negative stock or a negative inventory value
    rows = PlanRow.objects.filter(plan=plan)
    assert not rows.filter(projected_inventory_units__lt=0).exists()
    assert not rows.filter(inventory_value_eur__lt=0).exists()
