"""Execute one inventory run: inputs -> engine pipeline -> result rows, with progress.

Idempotent by run id: a succeeded run is left alone; a re-delivered message (worker lost) runs
again and replaces that run's rows. Heavy work happens outside any transaction so progress is
visible; the result rows and the status switch to succeeded are written in one transaction, so
readers only ever see a complete run. `cycles.run_tasks.execute_run` parks a run attempted
`MAX_ATTEMPTS` times as failed and records every error on the run.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import pandas as pd
from django.db import transaction

from cycles.plan import PlanLocked, inputs_read, step_succeeded
from cycles.run_tasks import execute_run, run_now
from inventory import inputs, storage
from inventory.engine.pipeline import PipelineParams, PipelineResult, run_pipeline
from inventory.models import (
    InventoryException,
    InventoryRun,
    PolicyOverride,
    PolicyRow,
    ProjectionRow,
)
from inventory.services import _editable_cycle, inventory_setup

logger = logging.getLogger(__name__)
STEPS = 4


def _params(run: InventoryRun) -> PipelineParams:
    settings, targets = inventory_setup(run.cycle)
    return PipelineParams(
        abc_cutoffs=(float(settings.abc_a_cutoff), float(settings.abc_b_cutoff)),
        xyz_cutoffs=(float(settings.xyz_x_cutoff), float(settings.xyz_y_cutoff)),
        service_targets={t.segment: float(t.service_target) for t in targets},
        service_type=settings.service_type,
        holding_rate_per_year=float(settings.holding_rate_per_year),
        order_cost=float(settings.order_cost_eur),
        review_period_months=float(settings.review_period_months),
        excess_cover_weeks=float(settings.excess_cover_weeks),
    )


def _overrides(run: InventoryRun) -> pd.DataFrame:
    rows = PolicyOverride.objects.filter(cycle=run.cycle).values_list(
        "product_id",
        "site_id",
        "service_target",
        "safety_stock_units",
        "order_quantity_units",
        "reason",
    )
    frame = pd.DataFrame.from_records(
        list(rows),
        columns=["product", "site", "service_target", "safety_stock_units", "order_quantity_units",
                 "reason"],
    )  # fmt: skip
    for column in ("service_target", "safety_stock_units", "order_quantity_units"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.copy()
    for column in clean.columns:
        if isinstance(clean[column].dtype, pd.PeriodDtype):
            clean[column] = clean[column].astype(str)
    records = clean.to_dict("records")
    return [
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
        for r in records
    ]


def _summary(result: PipelineResult, source: str) -> dict[str, Any]:
    return {
        "demand_source": source,
        "total": _records(result.total_kpis)[0],
        "families": _records(result.family_kpis),
        "monthly": _records(result.monthly),
        "safety_stock_value_eur": float(result.policies["safety_stock_value"].sum()),
        "items": len(result.policies),
    }


def _store(run: InventoryRun, result: PipelineResult, overrides: pd.DataFrame, source: str,
           read: dict[str, Any]) -> None:  # fmt: skip
    with transaction.atomic():
        # First: on an approved cycle this raises and the run ends without writing anything.
        step_succeeded(run.cycle_id, run.plan_step, run.pk, read, run.requested_by_id)
        for model in (PolicyRow, ProjectionRow, InventoryException):
            model.objects.filter(run=run).delete()
        storage.insert_frame(PolicyRow, storage.policy_frame(run.pk, result, overrides))
        storage.insert_frame(ProjectionRow, storage.projection_frame(run.pk, result.projection))
        storage.insert_frame(InventoryException, storage.exception_frame(run.pk, result.exceptions))
        run.demand_source, run.summary = source, _summary(result, source)
        run.save(update_fields=["demand_source", "summary"])
        run.mark_finished()


def _calculate(run: InventoryRun) -> None:
    run.mark_progress(0, "Reading demand, supply, stock and master data")
    read = inputs_read(run.cycle, run.plan_step)
    settings, _ = inventory_setup(run.cycle)
    data = inputs.cycle_inputs(run.cycle, settings)
    overrides = _overrides(run)
    run.mark_progress(1, f"Calculating {len(data.items)} product-sites")
    result = run_pipeline(data.items, data.history, data.flows, overrides, _params(run))
    run.mark_progress(3, "Saving policies and projection")
    _store(run, result, overrides, data.demand_source, read)


def inventory_run_execute(run_id: int) -> str:
    """Run (or re-run) the calculation of `run_id`; returns the final status."""
    return execute_run(
        InventoryRun, run_id, _calculate, steps=STEPS, expected=[(PlanLocked, "Not applied: "), (ValueError, "")],
        logger=logger, name="inventory run",
    )  # fmt: skip


def inventory_run_now(cycle_id: int, user: Any, plan_step: str = "targets") -> InventoryRun:
    """Calculate synchronously (demo seeding, scripts) as the pipeline's ``plan_step``
    ("targets" or "projection"): same checks as a queued request."""

    def execute(run_id: int) -> str:
        InventoryRun.objects.filter(pk=run_id).update(plan_step=plan_step)
        return inventory_run_execute(run_id)

    return run_now(InventoryRun, lambda: _editable_cycle(cycle_id, user), user, execute)
