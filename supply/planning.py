"""Execute one supply plan run: database inputs -> engine -> result rows, with progress.

Idempotent by run id: a finished run is left alone; a re-delivered message (worker lost) runs
again and replaces that run's rows. The solve happens outside any transaction so progress is
visible; the result rows and the switch to succeeded are written in one transaction, so readers
(who only read the latest *succeeded* run) never see half a plan. `cycles.run_tasks.execute_run`
parks a run attempted `MAX_ATTEMPTS` times as failed; bad input ends the run as failed with the
engine's message naming rows and fields; nothing raises into the worker.

Method (`plan_supply_sized`): the exact model (`plan_supply`, MIP for MOQ / multiples while
small, LP + rounding otherwise) up to `SupplyConfig.aggregate_above_positions` (5,000)
product-sites, the family aggregation beyond.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
from django.db import transaction

from cycles.plan import PlanLocked, inputs_read, step_succeeded
from cycles.run_tasks import execute_run
from siop import warming
from siop.bulk import load_frame
from supply import result_frames, review_warm
from supply.engine import (
    SupplyConfig,
    SupplyInputError,
    SupplyNetwork,
    SupplyPlan,
    SupplySolveError,
    plan_supply_sized,
    rough_cut_capacity,
    supply_network,
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


def _store(run: SupplyPlanRun, plan: SupplyPlan, rccp: pd.DataFrame, ids: CycleInputs,
           read: dict[str, Any]) -> None:  # fmt: skip
    """Replace the run's result rows (one COPY per table) and mark it succeeded, atomically."""
    with transaction.atomic():
        # First: on an approved cycle this raises and the run ends without writing anything.
        step_succeeded(run.cycle_id, "supply", run.pk, read, run.requested_by_id)
        for model in (PlannedOrder, Shortage, GapOption, PlanResourceLoad, PlanCost):
            model.objects.filter(run=run).delete()
        load_frame(PlannedOrder, result_frames.order_frame(run.pk, plan, ids))
        load_frame(Shortage, result_frames.shortage_frame(run.pk, plan, ids))
        load_frame(GapOption, result_frames.gap_frame(run.pk, plan, ids))
        load_frame(PlanResourceLoad, result_frames.load_frame_of(run.pk, plan, rccp, ids))
        load_frame(PlanCost, result_frames.cost_frame(run.pk, plan))
        summary = plan.summary
        run.method, run.solve_status = summary.method, summary.status
        run.objective_eur, run.solve_seconds = summary.objective_cost, summary.solve_seconds
        run.demand_source, run.warnings = ids.demand_source, list(summary.warnings)
        run.message = f"{len(plan.orders):,} planned orders, {len(plan.shortages):,} shortage rows"
        run.save(update_fields=["method", "solve_status", "objective_eur", "solve_seconds",
                                "demand_source", "warnings", "message"])  # fmt: skip
        run.mark_finished()
        # its review's costly parts are built by the worker while the pipeline goes on
        warming.warm_on_commit(review_warm.WARMER, run.cycle_id)


# A planner waits for the run: the MIP (exact MOQ / multiples on small plans) stops at 0.5 %
# of the optimum or after a minute with its best plan, whichever comes first.
CONFIG = SupplyConfig(mip_relative_gap=0.005, time_limit_seconds=60.0)


def _plan(ids: CycleInputs, network: SupplyNetwork) -> SupplyPlan:
    return plan_supply_sized(ids.inputs, CONFIG, network=network)


def _plan_and_store(run: SupplyPlanRun) -> None:
    run.mark_progress(0, "Reading demand, stock, capacities and supply terms")
    read = inputs_read(run.cycle, "supply")
    ids = cycle_inputs(run.cycle)
    run.mark_progress(1, "Checking the inputs; rough-cut capacity")
    # Validated and indexed once for the rough cut and the plan (seconds at 10,000 SKUs).
    network = supply_network(ids.inputs, CONFIG)
    rccp = rough_cut_capacity(ids.inputs, CONFIG, network=network)
    run.mark_progress(2, f"Optimising {len(ids.inputs.demand):,} demand rows")
    plan = _plan(ids, network)
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
