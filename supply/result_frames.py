"""A solved `SupplyPlan` as the frames of its result tables, ready for `siop.bulk.load_frame`.

Each builder returns one frame per table, its columns named by the table's column names
(``run_id``, ``product_id``...), built column-wise: codes become ids through `CycleInputs`'
maps, monthly periods become first-of-month dates, and a non-finite utilisation becomes NULL.
A 10,000-SKU plan has ~170,000 planned orders: building a model object per row and inserting
them in ``bulk_create`` batches took minutes; these frames and one ``COPY`` per table take
seconds. A code missing from the maps raises (the engine only returns codes it was given).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supply.engine import SupplyPlan
from supply.inputs import CycleInputs


def _dates(periods: pd.Series) -> np.ndarray:
    """First-of-month ``datetime.date`` per monthly period (a horizon has few distinct ones)."""
    codes, months = pd.factorize(periods)
    if (codes < 0).any():
        raise ValueError("a plan row has no month")
    return np.array([month.to_timestamp().date() for month in months], dtype=object)[codes]


def _ids(codes: pd.Series, ids: dict[str, int]) -> np.ndarray:
    mapped = codes.map(ids)
    if mapped.isna().any():
        raise KeyError(f"unknown code(s) in the plan: {sorted(set(codes[mapped.isna()]))[:5]}")
    return mapped.to_numpy(dtype=np.int64)


def _floats(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype=float)


def order_frame(run_id: int, plan: SupplyPlan, ids: CycleInputs) -> pd.DataFrame:
    """``supply_plannedorder`` rows: one per planned release (make or buy)."""
    o = plan.orders
    return pd.DataFrame({
        "run_id": run_id, "product_id": _ids(o["product"], ids.product_ids),
        "site_id": _ids(o["site"], ids.site_ids), "source_type": o["source_type"].to_numpy(),
        "source_code": o["source"].to_numpy(), "mode": o["mode"].to_numpy(),
        "release_month": _dates(o["release_period"]), "receipt_month": _dates(o["receipt_period"]),
        "quantity_units": _floats(o["quantity_units"]), "firm_units": _floats(o["firm_units"]),
        "is_firm": o["is_firm"].to_numpy(dtype=bool), "load_hours": _floats(o["load_hours"]),
        "supply_cost_eur": _floats(o["supply_cost"]),
        "transport_cost_eur": _floats(o["transport_cost"]),
    })  # fmt: skip


def shortage_frame(run_id: int, plan: SupplyPlan, ids: CycleInputs) -> pd.DataFrame:
    """``supply_shortage`` rows: lost units per product-site-channel-month with the reason."""
    s = plan.shortages
    return pd.DataFrame({
        "run_id": run_id, "product_id": _ids(s["product"], ids.product_ids),
        "site_id": _ids(s["site"], ids.site_ids),
        "channel_id": _ids(s["channel"], ids.channel_ids), "month": _dates(s["period"]),
        "demand_units": _floats(s["demand_units"]), "shortage_units": _floats(s["shortage_units"]),
        "shortage_cost_eur": _floats(s["shortage_cost"]), "reason": s["reason"].to_numpy(),
    })  # fmt: skip


def gap_frame(run_id: int, plan: SupplyPlan, ids: CycleInputs) -> pd.DataFrame:
    """``supply_gapoption`` rows: the costed ways to close each shortage."""
    g = plan.gap_options
    return pd.DataFrame({
        "run_id": run_id, "product_id": _ids(g["product"], ids.product_ids),
        "site_id": _ids(g["site"], ids.site_ids), "month": _dates(g["period"]),
        "shortage_units": _floats(g["shortage_units"]), "option": g["option"].to_numpy(),
        "source_code": g["source"].to_numpy(), "mode": g["mode"].fillna("").to_numpy(),
        "release_month": _dates(g["release_period"]),
        "closable_units": _floats(g["closable_units"]), "order_units": _floats(g["order_units"]),
        "cost_per_unit_eur": _floats(g["cost_per_unit"]),
        "option_cost_eur": _floats(g["option_cost"]),
        "shortage_cost_avoided_eur": _floats(g["shortage_cost_avoided"]),
        "net_saving_eur": _floats(g["net_saving"]),
    })  # fmt: skip


def load_frame_of(run_id: int, plan: SupplyPlan, rccp: pd.DataFrame, ids: CycleInputs
                  ) -> pd.DataFrame:  # fmt: skip
    """``supply_planresourceload`` rows: the plan's load per resource-month next to the
    rough-cut requirement (``rccp``: `rough_cut_capacity` of the same inputs)."""
    required = rccp[["resource", "period", "load_hours"]].rename(columns={"load_hours": "required"})
    r = plan.resource_utilisation.merge(required, on=["resource", "period"], how="left")
    utilisation = _floats(r["utilisation_pct"])
    return pd.DataFrame({
        "run_id": run_id, "resource_id": _ids(r["resource"], ids.resource_ids),
        "month": _dates(r["period"]), "required_hours": _floats(r["required"]),
        "load_hours": _floats(r["load_hours"]), "capacity_hours": _floats(r["capacity_hours"]),
        "overtime_hours": _floats(r["overtime_hours"]),
        "overtime_limit_hours": _floats(r["overtime_limit_hours"]),
        "utilisation_pct": np.where(np.isfinite(utilisation), utilisation, np.nan),
        "overtime_cost_eur": _floats(r["overtime_cost"]),
    })  # fmt: skip


def cost_frame(run_id: int, plan: SupplyPlan) -> pd.DataFrame:
    """``supply_plancost`` rows: the cost breakdown (component, EUR)."""
    return pd.DataFrame({
        "run_id": run_id, "component": plan.costs["component"].to_numpy(),
        "cost_eur": _floats(plan.costs["cost"]),
    })  # fmt: skip
