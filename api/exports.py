"""The approved consensus plan of a cycle, from the stages' cross-stage selectors.

Demand, supply and inventory targets come from ``cycle_demand_plan``, ``cycle_planned_supply``
and ``cycle_inventory_targets`` (owned by those stages, not re-implemented here). Database ids are
replaced by natural keys; any further columns a stage adds (mode, supplier, resource...) are
passed through, so the export grows as the stages do.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
from typing import Any

import pandas as pd

from cycles.models import PlanningCycle
from demand.selectors import cycle_demand_plan
from inventory.selectors import cycle_inventory_targets
from masterdata.models import Product, Resource, Site, Supplier
from siop.cells import csv_cell
from supply.selectors import cycle_planned_supply, latest_succeeded_run, planned_orders

SECTIONS = ("demand", "supply", "supply_orders", "inventory_targets")
ORDER_FIELDS = (
    "product__sku",
    "site__code",
    "source_type",
    "source_code",
    "mode",
    "release_month",
    "receipt_month",
    "quantity_units",
    "firm_units",
)
ORDER_NAMES = {
    "product__sku": "sku",
    "site__code": "site",
    "source_code": "source",
    "release_month": "month",
}
ID_COLUMNS: dict[str, tuple[str, Any, str]] = {
    "product_id": ("sku", Product, "sku"),
    "site_id": ("site", Site, "code"),
    "supplier_id": ("supplier", Supplier, "code"),
    "resource_id": ("resource", Resource, "code"),
}


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    frame = frame.copy()
    for column, (name, model, key) in ID_COLUMNS.items():
        if column in frame.columns:
            ids = {int(i) for i in frame[column].dropna().unique()}
            names = dict(model._default_manager.filter(id__in=ids).values_list("id", key))
            frame[column] = frame[column].map(
                lambda i, n=names: n.get(int(i)) if pd.notna(i) else None
            )
            frame = frame.rename(columns={column: name})
    if "month" in frame.columns:
        frame["month"] = frame["month"].map(
            lambda m: pd.Timestamp(m).strftime("%Y-%m") if pd.notna(m) else None
        )
    columns = list(frame.columns)
    return [
        {c: _cell(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def supply_orders(cycle: PlanningCycle, user: Any) -> list[dict[str, Any]]:
    """Production (make) and purchase (buy) quantities by product, site, release month, mode,
    from the supply review's latest good plan (its own selectors, family-scoped per user)."""
    run = latest_succeeded_run(cycle)
    if run is None:
        return []
    rows = planned_orders(run, user).order_by("product__sku", "site__code", "release_month")
    return [
        {ORDER_NAMES.get(k, k): _order_cell(k, v) for k, v in row.items()}
        for row in rows.values(*ORDER_FIELDS)
    ]


def _order_cell(name: str, value: Any) -> Any:
    if name.endswith("_month") and isinstance(value, dt.date):
        return value.strftime("%Y-%m")
    return _cell(value)


def approved_plan(cycle: PlanningCycle, user: Any = None) -> dict[str, Any]:
    return {
        "cycle": cycle.month.strftime("%Y-%m"),
        "state": cycle.state,
        "approved_at": cycle.approved_at.isoformat() if cycle.approved_at else None,
        "demand": _records(cycle_demand_plan(cycle)),
        "supply": _records(cycle_planned_supply(cycle)),
        "supply_orders": supply_orders(cycle, user),
        "inventory_targets": _records(cycle_inventory_targets(cycle)),
    }


def plan_json_bytes(plan: dict[str, Any]) -> bytes:
    return json.dumps(plan, sort_keys=True, separators=(",", ":")).encode()


def plan_csv(plan: dict[str, Any]) -> str:
    """One long CSV: a ``section`` column, then the union of every section's columns."""
    columns: dict[str, None] = {"section": None}
    for section in SECTIONS:
        for record in plan[section]:
            columns.update(dict.fromkeys(record))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for section in SECTIONS:
        for record in plan[section]:
            writer.writerow({"section": section, **{k: csv_cell(v) for k, v in record.items()}})
    return buffer.getvalue()


def etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
