"""The supply plan's columns of the cycle's consensus plan record, from the pinned supply run.

Per product x site x receipt month: production (make) and purchase (buy) units received, the
purchases split by transport mode, and the lost sales (shortages); per resource x month: load,
capacity and overtime hours. Receipts outside the cycle's horizon are left out.
"""

from __future__ import annotations

import pandas as pd
from django.db.models import Sum

from cycles.models import PlanningCycle
from cycles.plan_build import KEYS, register_contribution
from supply.models import PlannedOrder, PlanResourceLoad, Shortage


def _last_month(cycle: PlanningCycle) -> object:
    return (pd.Period(cycle.month, freq="M") + cycle.horizon_months - 1).to_timestamp().date()


def _by_mode(group: pd.DataFrame) -> dict[str, float]:
    buys = group[group["source_type"] == "buy"]
    return {str(m or "default"): round(float(u), 6) for m, u in zip(buys["mode"], buys["units"],
                                                                   strict=True)}  # fmt: skip


@register_contribution("supply")
def supply_columns(cycle: PlanningCycle, pinned: dict[str, int | None]) -> pd.DataFrame:
    """``KEYS`` + production_units, purchase_units, purchase_units_by_mode, lost_sales_units."""
    run_id = pinned.get("supply")
    if run_id is None:
        return pd.DataFrame(columns=KEYS)
    rows = (
        PlannedOrder.objects.filter(run_id=run_id, receipt_month__gte=cycle.month,
                                    receipt_month__lte=_last_month(cycle))
        .values("product_id", "site_id", "receipt_month", "source_type", "mode")
        .annotate(units=Sum("quantity_units"))
        .values_list("product_id", "site_id", "receipt_month", "source_type", "mode", "units")
    )  # fmt: skip
    orders = pd.DataFrame.from_records(
        list(rows), columns=["product_id", "site_id", "month", "source_type", "mode", "units"]
    )
    orders["units"] = orders["units"].astype(float)
    made = orders["source_type"] == "make"
    supply = (
        orders.assign(
            production_units=orders["units"].where(made, 0.0),
            purchase_units=orders["units"].where(~made, 0.0),
        )
        .groupby(KEYS, as_index=False)[["production_units", "purchase_units"]]
        .sum()
    )
    if not orders.empty:
        modes = orders.groupby(KEYS).apply(_by_mode, include_groups=False)
        supply = supply.merge(modes.rename("purchase_units_by_mode").reset_index(), on=KEYS)
    lost = pd.DataFrame.from_records(
        list(Shortage.objects.filter(run_id=run_id).values("product_id", "site_id", "month")
             .annotate(units=Sum("shortage_units"))
             .values_list("product_id", "site_id", "month", "units")),
        columns=[*KEYS, "lost_sales_units"],
    )  # fmt: skip
    lost["lost_sales_units"] = lost["lost_sales_units"].astype(float)
    return supply.merge(lost, on=KEYS, how="outer")


@register_contribution("supply_resources", resources=True)
def resource_columns(cycle: PlanningCycle, pinned: dict[str, int | None]) -> pd.DataFrame:
    """resource_id, month, load_hours, capacity_hours, overtime_hours, utilisation_pct."""
    columns = ["resource_id", "month", "load_hours", "capacity_hours", "overtime_hours",
               "utilisation_pct"]  # fmt: skip
    run_id = pinned.get("supply")
    if run_id is None:
        return pd.DataFrame(columns=columns)
    rows = PlanResourceLoad.objects.filter(run_id=run_id).values_list(*columns)
    return pd.DataFrame.from_records(list(rows), columns=columns)
