"""Execute one supply plan run: database inputs -> engine -> result rows, with progress.

Idempotent by run id: a finished run is left alone; a re-delivered message (worker lost) runs
again and replaces that run's rows. The solve happens outside any transaction so progress is
visible; the result rows and the switch to succeeded are written in one transaction, so readers
(who only read the latest *succeeded* run) never see half a plan. `cycles.run_tasks.execute_run`
parks a run attempted `MAX_ATTEMPTS` times as failed; bad input ends the run as failed with the
engine's message naming rows and fields; nothing raises into the worker.

Method: the exact model (`plan_supply`, MIP for MOQ / multiples while small, LP + rounding
otherwise) up to `AGGREGATE_ABOVE_POSITIONS` product-sites, the family aggregation beyond.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import pandas as pd
from django.db import transaction

from cycles.plan import PlanLocked, inputs_read, step_succeeded
from cycles.run_tasks import execute_run
from supply.engine import (
    SupplyConfig,
    SupplyInputError,
    SupplyPlan,
    SupplySolveError,
    plan_supply,
    plan_supply_aggregated,
    rough_cut_capacity,
)
from supply.inputs import CycleInputs, cycle_inputs
from supply.models import (
    GapOption,
    PlanCost,
    PlannedOrder,
    PlanResourceLoad,
    Shortage,
    SupplyPlanRun,
)

logger = logging.getLogger(__name__)
STEPS = 4
BATCH = 5000
AGGREGATE_ABOVE_POSITIONS = 5000


def _month(period: Any) -> Any:
    return period.to_timestamp().date()


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _order_rows(run: SupplyPlanRun, plan: SupplyPlan, ids: CycleInputs) -> list[PlannedOrder]:
    return [
        PlannedOrder(
            run=run, product_id=ids.product_ids[o.product], site_id=ids.site_ids[o.site],
            source_type=o.source_type, source_code=o.source, mode=o.mode,
            release_month=_month(o.release_period), receipt_month=_month(o.receipt_period),
            quantity_units=float(o.quantity_units), firm_units=float(o.firm_units),
            is_firm=bool(o.is_firm), load_hours=float(o.load_hours),
            supply_cost_eur=float(o.supply_cost), transport_cost_eur=float(o.transport_cost),
        )
        for o in plan.orders.itertuples(index=False)
    ]  # fmt: skip


def _shortage_rows(run: SupplyPlanRun, plan: SupplyPlan, ids: CycleInputs) -> list[Shortage]:
    return [
        Shortage(
            run=run, product_id=ids.product_ids[s.product], site_id=ids.site_ids[s.site],
            channel_id=ids.channel_ids[s.channel], month=_month(s.period),
            demand_units=float(s.demand_units), shortage_units=float(s.shortage_units),
            shortage_cost_eur=float(s.shortage_cost), reason=s.reason,
        )
        for s in plan.shortages.itertuples(index=False)
    ]  # fmt: skip


def _gap_rows(run: SupplyPlanRun, plan: SupplyPlan, ids: CycleInputs) -> list[GapOption]:
    return [
        GapOption(
            run=run, product_id=ids.product_ids[g.product], site_id=ids.site_ids[g.site],
            month=_month(g.period), shortage_units=float(g.shortage_units), option=g.option,
            source_code=g.source, mode=g.mode or "", release_month=_month(g.release_period),
            closable_units=float(g.closable_units), order_units=float(g.order_units),
            cost_per_unit_eur=float(g.cost_per_unit), option_cost_eur=float(g.option_cost),
            shortage_cost_avoided_eur=float(g.shortage_cost_avoided),
            net_saving_eur=float(g.net_saving),
        )
        for g in plan.gap_options.itertuples(index=False)
    ]  # fmt: skip


def _load_rows(run: SupplyPlanRun, plan: SupplyPlan, rccp: pd.DataFrame, ids: CycleInputs
               ) -> list[PlanResourceLoad]:  # fmt: skip
    loads = plan.resource_utilisation.merge(
        rccp[["resource", "period", "load_hours"]].rename(columns={"load_hours": "required"}),
        on=["resource", "period"], how="left",
    )  # fmt: skip
    return [
        PlanResourceLoad(
            run=run, resource_id=ids.resource_ids[r.resource], month=_month(r.period),
            required_hours=float(r.required), load_hours=float(r.load_hours),
            capacity_hours=float(r.capacity_hours), overtime_hours=float(r.overtime_hours),
            overtime_limit_hours=float(r.overtime_limit_hours),
            utilisation_pct=_finite(r.utilisation_pct), overtime_cost_eur=float(r.overtime_cost),
        )
        for r in loads.itertuples(index=False)
    ]  # fmt: skip


def _store(run: SupplyPlanRun, plan: SupplyPlan, rccp: pd.DataFrame, ids: CycleInputs,
           read: dict[str, Any]) -> None:  # fmt: skip
    with transaction.atomic():
        # First: on an approved cycle this raises and the run ends without writing anything.
        step_succeeded(run.cycle_id, "supply", run.pk, read, run.requested_by_id)
        for model in (PlannedOrder, Shortage, GapOption, PlanResourceLoad, PlanCost):
            model.objects.filter(run=run).delete()
        PlannedOrder.objects.bulk_create(_order_rows(run, plan, ids), batch_size=BATCH)
        Shortage.objects.bulk_create(_shortage_rows(run, plan, ids), batch_size=BATCH)
        GapOption.objects.bulk_create(_gap_rows(run, plan, ids), batch_size=BATCH)
        PlanResourceLoad.objects.bulk_create(_load_rows(run, plan, rccp, ids), batch_size=BATCH)
        PlanCost.objects.bulk_create(
            PlanCost(run=run, component=c.component, cost_eur=float(c.cost))
            for c in plan.costs.itertuples(index=False)
        )
        summary = plan.summary
        run.method, run.solve_status = summary.method, summary.status
        run.objective_eur, run.solve_seconds = summary.objective_cost, summary.solve_seconds
        run.demand_source, run.warnings = ids.demand_source, list(summary.warnings)
        run.message = f"{len(plan.orders):,} planned orders, {len(plan.shortages):,} shortage rows"
        run.save(update_fields=["method", "solve_status", "objective_eur", "solve_seconds",
                                "demand_source", "warnings", "message"])  # fmt: skip
        run.mark_finished()


# A planner waits for the run: the MIP (exact MOQ / multiples on small plans) stops at 0.5 %
# of the optimum or after a minute with its best plan, whichever comes first.
CONFIG = SupplyConfig(mip_relative_gap=0.005, time_limit_seconds=60.0)


def _plan(ids: CycleInputs) -> SupplyPlan:
    positions = ids.inputs.demand[["product", "site"]].drop_duplicates()
    if len(positions) > AGGREGATE_ABOVE_POSITIONS:
        return plan_supply_aggregated(ids.inputs, CONFIG)
    return plan_supply(ids.inputs, CONFIG)


def _plan_and_store(run: SupplyPlanRun) -> None:
    run.mark_progress(0, "Reading demand, stock, capacities and supply terms")
    read = inputs_read(run.cycle, "supply")
    ids = cycle_inputs(run.cycle)
    run.mark_progress(1, f"Optimising {len(ids.inputs.demand):,} demand rows")
    plan = _plan(ids)
    run.mark_progress(2, "Rough-cut capacity")
    rccp = rough_cut_capacity(ids.inputs)
    run.mark_progress(3, "Saving the plan")
    _store(run, plan, rccp, ids, read)


EXPECTED_ERRORS = [
    (SupplyInputError, "The plan's inputs need fixing: "),
    (SupplySolveError, "The solver found no plan: "),
    (PlanLocked, "Not applied: "),
]


def supply_run_execute(run_id: int) -> str:
    """Run (or re-run) the plan of ``run_id``; returns the final status."""
    return execute_run(
        SupplyPlanRun, run_id, _plan_and_store, steps=STEPS, expected=EXPECTED_ERRORS,
        logger=logger, name="supply run",
    )  # fmt: skip
