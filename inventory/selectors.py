"""Reads of the inventory review: the cross-stage contract and what the review page shows.

`cycle_inventory_targets` is the contract the supply review calls: the cycle's inventory policy
per product and site from the run the plan's targets step pins (empty until calculated). `target_weeks_of_supply` is the target average stock (safety
stock + half an order cycle) in weeks of mean demand; empty where the item has no demand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Count, QuerySet, Sum

from accounts.selectors import scope_to_families
from cycles import run_selectors
from cycles.models import PlanningCycle
from cycles.plan import pinned_run_id
from inventory.engine.kpis import average_weeks_of_supply
from inventory.models import (
    SEGMENTS,
    InventoryException,
    InventoryRun,
    PolicyOverride,
    PolicyRow,
    ProjectionRow,
    ServiceTarget,
)

INVENTORY_TARGET_COLUMNS = [
    "product_id",
    "site_id",
    "safety_stock_units",
    "reorder_point_units",
    "order_quantity_units",
    "target_weeks_of_supply",
]


def latest_run(cycle: PlanningCycle) -> InventoryRun | None:
    """The newest run of the cycle, whatever its status (for progress display)."""
    return run_selectors.latest_run(InventoryRun, cycle)


def latest_succeeded_run(cycle: PlanningCycle) -> InventoryRun | None:
    return run_selectors.succeeded_runs(InventoryRun, cycle).first()


def targets_run(cycle: PlanningCycle) -> InventoryRun | None:
    """The run the plan's targets step pins (the latest succeeded one before the pipeline ran)."""
    run_id = pinned_run_id(cycle, "targets")
    if run_id is not None:
        return InventoryRun.objects.filter(pk=run_id).first()
    return latest_succeeded_run(cycle)


def cycle_inventory_targets(cycle: PlanningCycle) -> pd.DataFrame:
    """Inventory policy per product x site (``INVENTORY_TARGET_COLUMNS``) of the pinned targets
    run (``targets_run``): what the supply plan must honour."""
    run = targets_run(cycle)
    if run is None:
        return pd.DataFrame(columns=INVENTORY_TARGET_COLUMNS)
    rows = PolicyRow.objects.filter(run=run).order_by("product_id", "site_id")
    frame = pd.DataFrame.from_records(
        list(rows.values_list(*INVENTORY_TARGET_COLUMNS)), columns=INVENTORY_TARGET_COLUMNS
    )
    return frame


@dataclass(frozen=True)
class MatrixCell:
    segment: str
    target: ServiceTarget
    items: int
    annual_value_eur: float
    safety_stock_value_eur: float

    @property
    def target_percent(self) -> Decimal:
        return self.target.service_target * 100


def abc_xyz_matrix(
    targets_list: list[ServiceTarget], run: InventoryRun | None
) -> list[list[MatrixCell]]:
    """3 x 3 cells (rows A, B, C; columns X, Y, Z) with counts, values and the editable target."""
    targets = {t.segment: t for t in targets_list}
    totals: dict[str, dict[str, Any]] = {}
    if run is not None:
        aggregates = (
            PolicyRow.objects.filter(run=run)
            .values("segment")
            .annotate(
                n=Count("id"), value=Sum("annual_value_eur"), ss=Sum("safety_stock_value_eur")
            )
        )
        totals = {a["segment"]: dict(a) for a in aggregates}
    cells = [
        MatrixCell(
            segment=s,
            target=targets[s],
            items=totals.get(s, {}).get("n", 0),
            annual_value_eur=totals.get(s, {}).get("value") or 0.0,
            safety_stock_value_eur=totals.get(s, {}).get("ss") or 0.0,
        )
        for s in SEGMENTS
    ]
    return [cells[0:3], cells[3:6], cells[6:9]]


def policy_rows(run: InventoryRun, user: Any, search: str = "") -> QuerySet[PolicyRow]:
    rows = PolicyRow.objects.filter(run=run).select_related("product__family", "site")
    if search:
        rows = rows.filter(product__sku__icontains=search)
    return scope_to_families(rows, user, "product__family_id").order_by(
        "product__sku", "site__code"
    )


def with_weeks_of_supply(run: InventoryRun, rows: Iterable[PolicyRow]) -> list[PolicyRow]:
    """The rows, each with ``weeks_of_supply``: the mean forward weeks of supply of its stored
    month-ends (`inventory.engine.kpis.average_weeks_of_supply`, the same definition and stock
    as its turns and DIO; None = infinite). Read from the projection, one query per page."""
    rows = list(rows)
    keys = {(row.product_id, row.site_id) for row in rows}
    weeks: dict[tuple[int, int], list[float]] = {key: [] for key in keys}
    projection = ProjectionRow.objects.filter(
        run=run, product_id__in={k[0] for k in keys}, site_id__in={k[1] for k in keys}
    ).order_by("product_id", "site_id", "month")
    for product_id, site_id, value in projection.values_list(
        "product_id", "site_id", "weeks_of_supply"
    ):
        if (product_id, site_id) in weeks:
            weeks[(product_id, site_id)].append(np.nan if value is None else value)
    for row in rows:
        grid = np.asarray([weeks[(row.product_id, row.site_id)]], dtype=float)
        average = float(average_weeks_of_supply(grid)[0])
        setattr(row, "weeks_of_supply", average if math.isfinite(average) else None)  # noqa: B010
    return rows


def overrides_by_key(cycle: PlanningCycle) -> dict[tuple[int, int], PolicyOverride]:
    return {(o.product_id, o.site_id): o for o in PolicyOverride.objects.filter(cycle=cycle)}


def ranked_exceptions(run: InventoryRun, user: Any, limit: int = 25) -> list[InventoryException]:
    rows = InventoryException.objects.filter(run=run).select_related("product", "site")
    rows = scope_to_families(rows, user, "product__family_id")
    return list(rows.order_by("-value_at_risk_eur", "id")[:limit])


def chart_data(run: InventoryRun) -> dict[str, list[Any]]:
    """Series for the projected inventory chart (value and units by month)."""
    monthly = run.summary.get("monthly", [])
    return {
        "months": [m["period"] for m in monthly],
        "closing_value_eur": [round(m["closing_value"], 2) for m in monthly],
        "safety_stock_value_eur": [round(m["safety_stock_value"], 2) for m in monthly],
        "closing_units": [m["closing_units"] for m in monthly],
    }
