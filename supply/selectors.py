"""Reads of the supply review: runs, the plan's grids and charts, and the cross-stage contract.

`cycle_planned_supply` and `cycle_lost_sales` are the contract the inventory review calls:
planned (not yet released) supply per product, site and receipt month, firm orders included,
and the demand that plan does not serve (lost sales, its `Shortage` rows summed over channels)
per product, site and month, both from the supply run the plan pipeline pins (the latest
*succeeded* one before the pipeline first ran). Empty until the supply review has planned.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd
from django.core.cache import caches
from django.db.models import Q, QuerySet, Sum

from accounts.selectors import scope_to_families
from cycles import run_selectors
from cycles.models import PlanningCycle
from cycles.plan import pinned_run_id
from cycles.runs import RunStatus
from supply.engine import SupplyInputs
from supply.engine.rccp import is_overloaded, needs_overtime
from supply.models import (
    FirmOrder,
    PlanCost,
    PlannedOrder,
    PlanResourceLoad,
    ResourceOvertime,
    Shortage,
    SupplyPlanRun,
)

T = TypeVar("T")
PLANNED_SUPPLY_COLUMNS = ["product_id", "site_id", "month", "planned_units"]
LOST_SALES_COLUMNS = ["product_id", "site_id", "month", "lost_sales_units"]
REASON_TEXT = {
    "capacity": "Capacity: every resource or supplier that could supply it is full",
    "lead_time": "Lead time: no supply can arrive in time",
    "economic": "Economic: supplying costs more than the lost sale",
    "moq_above_capacity": "Order minimum above capacity: the supplier (or line) can never make "
    "the minimum order",
    "phase_out_limit": "Phase-out: no buy beyond the remaining demand (the order minimum would "
    "be written off)",
    "no_supply_source": "No supply source: the product has no supply term at this site",
    "disaggregation": "Disaggregation: the family-level plan's split left it short (re-plan or close it)",
}
COMPONENT_TEXT = {
    "production": "Production",
    "purchase": "Purchase",
    "transport": "Transport",
    "holding": "Holding",
    "overtime": "Overtime",
    "shortage": "Lost sales (price x channel weight)",
    "safety_stock": "Below safety stock (penalty)",
}
OPTION_TEXT = {
    "overtime": "Overtime",
    "spare_capacity": "Spare regular capacity",
    "pre_build": "Pre-build",
    "expedite": "Expedite (faster mode)",
    "alternative_supplier": "Alternative supplier",
    "order_more": "Order more",
}


def cycle_supply_inputs(cycle: PlanningCycle) -> SupplyInputs:
    """The supply engine's inputs for ``cycle``, as the supply plan reads them (`supply.inputs`):
    for other stages that re-plan on them (the reconciliation's scenarios)."""
    from supply.inputs import cycle_inputs

    return cycle_inputs(cycle).inputs


def latest_run(cycle: PlanningCycle) -> SupplyPlanRun | None:
    return run_selectors.latest_run(SupplyPlanRun, cycle)


def succeeded_runs(cycle: PlanningCycle) -> QuerySet[SupplyPlanRun]:
    return run_selectors.succeeded_runs(SupplyPlanRun, cycle)


def latest_succeeded_run(cycle: PlanningCycle) -> SupplyPlanRun | None:
    return succeeded_runs(cycle).first()


def pinned_run(cycle: PlanningCycle) -> SupplyPlanRun | None:
    """The run the plan's supply step pins (the latest succeeded one before the pipeline ran)."""
    run_id = pinned_run_id(cycle, "supply")
    if run_id is not None:
        return SupplyPlanRun.objects.filter(pk=run_id).first()
    return latest_succeeded_run(cycle)


def cycle_planned_supply(cycle: PlanningCycle) -> pd.DataFrame:
    """Planned receipts per product x site x month (``PLANNED_SUPPLY_COLUMNS``) of the pinned
    supply run (``pinned_run``)."""
    run = pinned_run(cycle)
    if run is None:
        return pd.DataFrame(columns=PLANNED_SUPPLY_COLUMNS)
    last = (pd.Period(cycle.month, freq="M") + cycle.horizon_months - 1).to_timestamp().date()
    rows = (
        PlannedOrder.objects.filter(run=run, receipt_month__lte=last)
        .values("product_id", "site_id", "receipt_month")
        .annotate(planned_units=Sum("quantity_units"))
        .order_by("product_id", "site_id", "receipt_month")
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["product_id", "site_id", "receipt_month", "planned_units"]
    )
    frame = frame.rename(columns={"receipt_month": "month"})
    frame["planned_units"] = frame["planned_units"].astype(float)
    return frame[PLANNED_SUPPLY_COLUMNS]


def cycle_lost_sales(cycle: PlanningCycle) -> pd.DataFrame:
    """Lost sales per product x site x month (``LOST_SALES_COLUMNS``, units) of the pinned
    supply run (``pinned_run``): its ``Shortage.shortage_units`` summed over channels."""
    run = pinned_run(cycle)
    if run is None:
        return pd.DataFrame(columns=LOST_SALES_COLUMNS)
    rows = (
        Shortage.objects.filter(run=run, shortage_units__gt=0)
        .values("product_id", "site_id", "month")
        .annotate(lost_sales_units=Sum("shortage_units"))
        .order_by("product_id", "site_id", "month")
    )
    frame = pd.DataFrame.from_records(list(rows), columns=LOST_SALES_COLUMNS)
    frame["lost_sales_units"] = frame["lost_sales_units"].astype(float)
    return frame


def costs(run: SupplyPlanRun | None) -> dict[str, float]:
    if run is None:
        return {}
    return dict(PlanCost.objects.filter(run=run).values_list("component", "cost_eur"))


@dataclass
class CostComparison:
    components: list[tuple[str, float, float | None]] = field(default_factory=list)
    total: float = 0.0
    previous_total: float | None = None

    @property
    def change(self) -> float | None:
        return None if self.previous_total is None else self.total - self.previous_total

    @property
    def change_abs(self) -> float | None:
        change = self.change
        return None if change is None else abs(change)


def cost_comparison(cycle: PlanningCycle) -> CostComparison:
    """The latest plan's costs per component next to the plan before it (when there is one)."""
    runs = list(succeeded_runs(cycle)[:2])
    if not runs:
        return CostComparison()
    now = costs(runs[0])
    before = costs(runs[1]) if len(runs) > 1 else {}
    rows = [(name, value, before.get(name)) for name, value in now.items() if name != "total"]
    return CostComparison(rows, now.get("total", 0.0), before.get("total"))


def load_chart(run: SupplyPlanRun) -> list[dict[str, Any]]:
    """Per resource: months, capacity, capacity + overtime limit, required and planned load."""
    return finished_run_cached(run, ["load_chart"], lambda: _load_chart(run))


def _load_chart(run: SupplyPlanRun) -> list[dict[str, Any]]:
    loads = PlanResourceLoad.objects.filter(run=run).select_related("resource")
    by_resource: dict[str, dict[str, Any]] = {}
    for row in loads:
        entry = by_resource.setdefault(row.resource.code, {
            "resource": row.resource.code, "name": row.resource.name, "months": [],
            "capacity": [], "with_overtime": [], "required": [], "load": [], "overtime": [],
        })  # fmt: skip
        entry["months"].append(row.month.strftime("%Y-%m"))
        entry["capacity"].append(round(row.capacity_hours, 1))
        entry["with_overtime"].append(round(row.capacity_hours + row.overtime_limit_hours, 1))
        entry["required"].append(round(row.required_hours, 1))
        entry["load"].append(round(row.load_hours, 1))
        entry["overtime"].append(round(row.overtime_hours, 1))
    return list(by_resource.values())


@dataclass(frozen=True)
class ResourceSummary:
    resource_id: int
    code: str
    name: str
    peak_required_pct: float | None
    overloaded_months: int
    overtime_months: int
    overtime_hours: float
    overtime_limit_hours: float
    extra_overtime: ResourceOvertime | None


def resource_summaries(run: SupplyPlanRun, cycle: PlanningCycle) -> list[ResourceSummary]:
    """Per resource: the rough-cut peak, months overloaded (requirement above capacity plus
    allowed overtime, `supply.engine.rccp.is_overloaded`), months within overtime, overtime."""
    extras = {r.resource_id: r for r in ResourceOvertime.objects.filter(cycle=cycle)}
    grouped: dict[int, list[PlanResourceLoad]] = {}
    for row in PlanResourceLoad.objects.filter(run=run).select_related("resource"):
        grouped.setdefault(row.resource_id, []).append(row)
    summaries = []
    for resource_id, rows in grouped.items():
        peaks = [r.required_hours / r.capacity_hours * 100 for r in rows if r.capacity_hours > 0]
        resource = rows[0].resource
        hours = [[r.required_hours, r.capacity_hours, r.overtime_limit_hours] for r in rows]
        required, capacity, limit = np.asarray(hours, dtype=float).T
        summaries.append(ResourceSummary(
            resource_id, resource.code, resource.name, max(peaks) if peaks else None,
            int(is_overloaded(required, capacity, limit).sum()),
            int(needs_overtime(required, capacity, limit).sum()),
            sum(r.overtime_hours for r in rows), rows[0].overtime_limit_hours,
            extras.get(resource_id),
        ))  # fmt: skip
    return sorted(summaries, key=lambda s: s.code)


def planned_orders(run: SupplyPlanRun, user: Any, search: str = "") -> QuerySet[PlannedOrder]:
    orders = PlannedOrder.objects.filter(run=run).select_related("product", "site")
    orders = scope_to_families(orders, user, "product__family_id")
    if search:
        orders = orders.filter(
            Q(product__sku__icontains=search) | Q(product__name__icontains=search)
            | Q(source_code__icontains=search)
        )  # fmt: skip
    return orders


def firm_orders_by_lane(cycle: PlanningCycle) -> dict[tuple[Any, ...], FirmOrder]:
    return {
        (f.product_id, f.site_id, f.source_type, f.source_code, f.mode, f.release_month): f
        for f in FirmOrder.objects.filter(cycle=cycle)
    }


def shortage_totals(run: SupplyPlanRun) -> dict[str, float]:
    """{"units", "cost" (EUR)}: every shortage of the run summed."""

    def total() -> dict[str, float]:
        sums = Shortage.objects.filter(run=run).aggregate(
            units=Sum("shortage_units"), cost=Sum("shortage_cost_eur")
        )
        return {"units": float(sums["units"] or 0.0), "cost": float(sums["cost"] or 0.0)}

    return finished_run_cached(run, ["shortage_totals"], total)


def finished_run_cached(run: SupplyPlanRun, key: list[Any], compute: Callable[[], T]) -> T:
    """``compute()``, kept in the ``versioned`` cache for a succeeded run: its results are
    written before it succeeds and never change after (a re-plan is a new run), so a sum over
    its 170,000 rows at 10,000 SKUs is read once, not on every page view."""
    if run.status != RunStatus.SUCCEEDED:
        return compute()
    name = "supply-run:" + json.dumps([run.pk, *key], default=str, separators=(",", ":"))
    cache = caches["versioned"]
    found = cache.get(name)
    if found is None:
        found = compute()
        cache.set(name, found)
    return cast(T, found)
