"""Assemble the engine's inputs for one cycle from master data, data inputs and other stages.

Sources (keys are database ids; months become monthly pandas Periods):
* demand: `demand.selectors.cycle_demand_plan(cycle)` (consensus, or its documented fallback,
  plus the backlog of past-due orders in the first month);
* planned supply and lost sales: `supply.selectors.cycle_planned_supply(cycle)` and
  `cycle_lost_sales(cycle)`, both of the pinned supply run (empty until supply plans): the
  projection serves demand - lost sales, exactly what supply signed off;
* scheduled receipts and opening stock: `datainputs.selectors.open_receipts` and
  `opening_stock`, the shared rules the supply plan uses too (overdue receipts in the first
  month; the latest count dated by the end of the cycle's opening month);
* history: 24 closed months of `SalesHistory` summed over channels; forecast history: the
  first-month demand plan of each earlier cycle (up to 12), compared with what then sold;
* lead time, its sd, MOQ and order multiple: the preferred `SupplyTerm` (the shortest lead
  time if several are preferred); items without one get the settings' default lead time.
  Days become fractional months by `masterdata.leadtimes.lead_time_months` (safety stock
  covers the real exposure time); the supply plan rounds the same value to whole months.
Item universe: every product-site with demand, stock, receipts, planned supply or a supply term.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import Sum

from cycles.models import PlanningCycle
from datainputs.models import SalesHistory
from datainputs.selectors import open_receipts, opening_stock
from demand.selectors import cycle_demand_plan, horizon_months
from inventory.engine.pipeline import FLOW_UNIT_COLUMNS, KEYS
from inventory.models import InventorySettings
from masterdata.leadtimes import lead_time_months
from masterdata.models import Product, SupplyTerm
from siop.bulk import read_frame
from supply.selectors import cycle_lost_sales, cycle_planned_supply

HISTORY_MONTHS = 24
FORECAST_HISTORY_CYCLES = 12


@dataclass(frozen=True)
class CycleInputs:
    items: pd.DataFrame
    history: pd.DataFrame
    flows: pd.DataFrame
    demand_source: str


def _frame(rows: object, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)  # type: ignore[call-overload]


def _period(values: pd.Series) -> pd.Series:
    return pd.PeriodIndex(pd.to_datetime(values), freq="M").to_series(index=values.index)


def _demand(cycle: PlanningCycle) -> tuple[pd.DataFrame, str]:
    plan = cycle_demand_plan(cycle)
    if plan.empty:
        return pd.DataFrame(columns=[*KEYS, "period", "demand_units"]), "none"
    source = ", ".join(sorted(plan["source"].astype(str).unique()))
    out = plan.rename(columns={"product_id": "product", "site_id": "site"})
    out["period"] = _period(out["month"])
    out["demand_units"] = out["demand_units"].astype(float)
    return out[[*KEYS, "period", "demand_units"]], source


def _receipts(months: list) -> pd.DataFrame:
    frame = open_receipts(months).rename(
        columns={"product_id": "product", "site_id": "site", "receipt_units": "receipts_units"}
    )
    frame["period"] = _period(frame["month"])
    return frame[[*KEYS, "period", "receipts_units"]]


def _planned(cycle: PlanningCycle) -> pd.DataFrame:
    planned = cycle_planned_supply(cycle).rename(
        columns={
            "product_id": "product",
            "site_id": "site",
            "planned_units": "planned_supply_units",
        }
    )
    planned["period"] = _period(planned["month"])
    planned["planned_supply_units"] = planned["planned_supply_units"].astype(float)
    return planned[[*KEYS, "period", "planned_supply_units"]]


def _lost_sales(cycle: PlanningCycle) -> pd.DataFrame:
    lost = cycle_lost_sales(cycle).rename(columns={"product_id": "product", "site_id": "site"})
    lost["period"] = _period(lost["month"])
    return lost[[*KEYS, "period", "lost_sales_units"]]


def _flows(cycle: PlanningCycle) -> tuple[pd.DataFrame, str]:
    demand, source = _demand(cycle)
    months = horizon_months(cycle)
    parts = [demand, _receipts(months), _planned(cycle), _lost_sales(cycle)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=[*KEYS, "period", *FLOW_UNIT_COLUMNS]), source
    flows = pd.concat(parts, ignore_index=True)
    horizon = pd.PeriodIndex([pd.Period(m, freq="M") for m in months])
    flows = flows[flows["period"].isin(horizon)] if not flows.empty else flows
    for column in FLOW_UNIT_COLUMNS:
        if column not in flows.columns:
            flows[column] = 0.0
    return flows.fillna(0.0), source


def _history(cycle: PlanningCycle) -> pd.DataFrame:
    first = (pd.Period(cycle.month, freq="M") - HISTORY_MONTHS).to_timestamp().date()
    rows = (
        SalesHistory.objects.filter(month__gte=first, month__lt=cycle.month)
        .values("product_id", "site_id", "month")
        .annotate(units=Sum("quantity"))
        .values_list("product_id", "site_id", "month", "units")
    )
    history = read_frame(rows, [*KEYS, "month", "demand_units"], dates=["month"])
    history["period"] = _period(history["month"])
    history["demand_units"] = history["demand_units"].astype(float)
    forecasts = _forecast_history(cycle)
    if not forecasts.empty:
        history = history.merge(forecasts, on=[*KEYS, "period"], how="left")
    return history.drop(columns="month")


def _forecast_history(cycle: PlanningCycle) -> pd.DataFrame:
    earlier = PlanningCycle.objects.filter(month__lt=cycle.month).order_by("-month")
    parts = []
    for previous in earlier[:FORECAST_HISTORY_CYCLES]:
        # The forecast that was made, without that cycle's backlog (not a forecast of sales).
        plan = cycle_demand_plan(previous, month=previous.month).drop(columns="demand_units")
        parts.append(plan.rename(columns={"consensus_units": "demand_units"}))
    if not parts or all(p.empty for p in parts):
        return pd.DataFrame(columns=[*KEYS, "period", "forecast_units"])
    plans = pd.concat(parts, ignore_index=True)
    plans = plans.rename(
        columns={"product_id": "product", "site_id": "site", "demand_units": "forecast_units"}
    )
    plans["period"] = _period(plans["month"])
    plans["forecast_units"] = plans["forecast_units"].astype(float)
    return plans.groupby([*KEYS, "period"], as_index=False)["forecast_units"].sum()


def _opening_stock(cycle: PlanningCycle) -> pd.DataFrame:
    stock = opening_stock(cycle.month).rename(columns={"product_id": "product", "site_id": "site"})
    return stock[[*KEYS, "opening_stock_units"]]


def _supply_terms(default_lead_time_days: int) -> pd.DataFrame:
    rows = SupplyTerm.objects.filter(is_preferred=True).values_list(
        "product_id", "site_id", "lead_time_days", "lead_time_sd_days", "min_order_qty",
        "order_multiple",
    )  # fmt: skip
    terms = _frame(rows, [*KEYS, "lead_days", "lead_sd_days", "moq_units", "order_multiple_units"])
    terms = terms.sort_values("lead_days").drop_duplicates(KEYS, keep="first")
    terms["lead_time_months"] = lead_time_months(terms["lead_days"].astype(float))
    terms["sd_lead_time_months"] = lead_time_months(terms["lead_sd_days"].astype(float))
    for column in ("moq_units", "order_multiple_units"):
        terms[column] = terms[column].astype(float)
    return terms[[*KEYS, "lead_time_months", "sd_lead_time_months", "moq_units",
                  "order_multiple_units"]]  # fmt: skip


def _items(
    flows: pd.DataFrame, stock: pd.DataFrame, terms: pd.DataFrame, settings: InventorySettings
) -> pd.DataFrame:
    keys = pd.concat([flows[KEYS], stock[KEYS], terms[KEYS]]).drop_duplicates()
    keys = keys.astype({"product": "int64", "site": "int64"})
    products = _frame(
        Product.objects.values_list("id", "unit_cost", "family__code", "lifecycle"),
        ["product", "unit_cost", "family", "lifecycle"],
    )
    products["unit_cost"] = products["unit_cost"].astype(float)
    items = keys.merge(products, on="product", how="inner")
    items = items.merge(stock, on=KEYS, how="left").merge(terms, on=KEYS, how="left")
    default_months = float(lead_time_months(pd.Series([settings.default_lead_time_days])).iloc[0])
    return items.fillna(
        {"opening_stock_units": 0.0, "lead_time_months": default_months,
         "sd_lead_time_months": 0.0, "moq_units": 0.0, "order_multiple_units": 0.0}
    ).sort_values(KEYS).reset_index(drop=True)  # fmt: skip


def cycle_inputs(cycle: PlanningCycle, settings: InventorySettings) -> CycleInputs:
    flows, source = _flows(cycle)
    if flows.empty:
        raise ValueError(
            "No demand plan, receipts or planned supply for this cycle's horizon: "
            "load sales history or a demand plan first."
        )
    flows = flows.astype({"product": "int64", "site": "int64"})
    stock = _opening_stock(cycle)
    items = _items(flows, stock, _supply_terms(settings.default_lead_time_days), settings)
    flows = flows[flows.set_index(KEYS).index.isin(items.set_index(KEYS).index)]
    # Zero rows on the first and last month pin the projection to the whole horizon.
    months = horizon_months(cycle)
    pins = pd.DataFrame(
        {"product": int(items["product"].iloc[0]), "site": int(items["site"].iloc[0]),
         "period": [pd.Period(months[0], freq="M"), pd.Period(months[-1], freq="M")],
         **dict.fromkeys(FLOW_UNIT_COLUMNS, 0.0)}
    )  # fmt: skip
    flows = pd.concat([flows, pins], ignore_index=True)
    return CycleInputs(items=items, history=_history(cycle), flows=flows, demand_source=source)
