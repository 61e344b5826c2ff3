"""Execute one inventory run: inputs -> engine pipeline -> result rows, with progress.

Idempotent by run id: a succeeded run is left alone; a re-delivered message (worker lost) runs
again and replaces that run's rows. Heavy work happens outside any transaction so progress is
visible; the result rows and the status switch to succeeded are written in one transaction, so
readers only ever see a complete run. A run attempted `MAX_ATTEMPTS` times is parked as failed.
"""

from __future__ import annotations

import logging
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction

from cycles.runs import RunStatus
from inventory import inputs
from inventory.engine.pipeline import PipelineParams, PipelineResult, run_pipeline
from inventory.models import (
    InventoryException,
    InventoryRun,
    PolicyOverride,
    PolicyRow,
    ProjectionRow,
)
from inventory.services import inventory_setup

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
STEPS = 4
BATCH = 5000


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


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _policy_rows(
    run: InventoryRun, result: PipelineResult, overrides: pd.DataFrame
) -> list[PolicyRow]:
    reasons = {(int(r.product), int(r.site)): r.reason for r in overrides.itertuples()}
    rows = []
    for p in result.policies.itertuples(index=False):
        rows.append(
            PolicyRow(
                run=run, product_id=int(p.product), site_id=int(p.site), abc_class=p.abc_class,
                xyz_class=p.xyz_class, segment=p.segment, annual_value_eur=float(p.annual_value),
                cv=_finite(p.cv), service_type=p.service_type, service_target=float(p.service_target),
                policy=p.policy, method=p.method, variability_source=p.variability_source,
                mean_demand_per_month_units=float(p.mean_demand_per_month),
                sd_per_month_units=float(p.sd_used_per_month),
                lead_time_months=float(p.lead_time_months),
                safety_stock_units=float(p.safety_stock_units),
                reorder_point_units=float(p.reorder_point_units),
                order_quantity_units=float(p.order_quantity_units),
                order_up_to_units=float(p.order_up_to_units),
                target_weeks_of_supply=_finite(p.average_stock_weeks),
                safety_stock_value_eur=float(p.safety_stock_value),
                opening_stock_units=float(p.opening_stock_units),
                average_inventory_value_eur=float(p.average_inventory_value),
                turns_per_year=_finite(p.turns_per_year), dio_days=_finite(p.dio_days),
                opening_weeks_of_supply=_finite(p.opening_weeks_of_supply),
                overridden=reasons.get((int(p.product), int(p.site)), ""),
            )
        )  # fmt: skip
    return rows


def _units(values: pd.Series) -> list[Decimal]:
    cents = np.rint(values.to_numpy(dtype=float) * 100.0).astype(np.int64)
    return [Decimal(int(c)).scaleb(-2) for c in cents]


def _projection_rows(run: InventoryRun, projection: pd.DataFrame) -> list[ProjectionRow]:
    columns = ["opening_units", "receipts_units", "planned_supply_units", "demand_units",
               "closing_units"]  # fmt: skip
    decimals = {c: _units(projection[c]) for c in columns}
    months = [p.to_timestamp().date() for p in projection["period"]]
    cover = projection["weeks_of_supply"].to_numpy(dtype=float)
    rows = []
    for i, r in enumerate(projection.itertuples(index=False)):
        rows.append(
            ProjectionRow(
                run=run, product_id=int(r.product), site_id=int(r.site), month=months[i],
                **{c: decimals[c][i] for c in columns},
                safety_stock_units=float(r.safety_stock_units),
                weeks_of_supply=cover[i] if math.isfinite(cover[i]) else None,
                closing_value_eur=float(r.closing_value), stockout=bool(r.stockout),
                below_safety_stock=bool(r.below_safety_stock), excess=bool(r.excess),
                obsolete=bool(r.obsolete),
            )
        )  # fmt: skip
    return rows


def _exception_rows(run: InventoryRun, exceptions: pd.DataFrame) -> list[InventoryException]:
    return [
        InventoryException(
            run=run, product_id=int(e.product), site_id=int(e.site), kind=e.kind,
            first_month=e.first_period.to_timestamp().date(), months=int(e.months),
            value_at_risk_eur=float(e.value_at_risk),
        )
        for e in exceptions.itertuples(index=False)
    ]  # fmt: skip


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


def _store(run: InventoryRun, result: PipelineResult, overrides: pd.DataFrame, source: str) -> None:
    with transaction.atomic():
        for model in (PolicyRow, ProjectionRow, InventoryException):
            model.objects.filter(run=run).delete()
        PolicyRow.objects.bulk_create(_policy_rows(run, result, overrides), batch_size=BATCH)
        ProjectionRow.objects.bulk_create(
            _projection_rows(run, result.projection), batch_size=BATCH
        )
        InventoryException.objects.bulk_create(
            _exception_rows(run, result.exceptions), batch_size=BATCH
        )
        run.demand_source, run.summary = source, _summary(result, source)
        run.save(update_fields=["demand_source", "summary"])
        run.mark_finished()


def inventory_run_execute(run_id: int) -> str:
    """Run (or re-run) the calculation of `run_id`; returns the final status."""
    run = InventoryRun.objects.select_related("cycle").filter(pk=run_id).first()
    if run is None or run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        return run.status if run else "missing"
    if run.attempts >= MAX_ATTEMPTS:
        run.mark_finished(error=f"Gave up after {run.attempts} attempts; see the worker log.")
        return run.status
    run.mark_running(total=STEPS)
    try:
        run.mark_progress(0, "Reading demand, supply, stock and master data")
        settings, _ = inventory_setup(run.cycle)
        data = inputs.cycle_inputs(run.cycle, settings)
        overrides = _overrides(run)
        run.mark_progress(1, f"Calculating {len(data.items)} product-sites")
        result = run_pipeline(data.items, data.history, data.flows, overrides, _params(run))
        run.mark_progress(3, "Saving policies and projection")
        _store(run, result, overrides, data.demand_source)
    except ValueError as exc:
        run.mark_finished(error=str(exc))
    except Exception as exc:  # the run records the failure; the worker must not crash-loop
        logger.exception("inventory run %s failed", run_id)
        run.mark_finished(error=f"Unexpected error ({type(exc).__name__}): {exc}")
    return run.status


def inventory_run_now(cycle_id: int, user: Any) -> InventoryRun:
    """Calculate synchronously (demo seeding, scripts): same checks as a queued request."""
    from inventory.services import _editable_cycle

    with transaction.atomic():
        cycle = _editable_cycle(cycle_id, user)
        run = InventoryRun.objects.create(cycle=cycle, requested_by=user)
    inventory_run_execute(run.pk)
    run.refresh_from_db()
    return run
