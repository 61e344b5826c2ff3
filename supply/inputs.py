"""Assemble the supply engine's inputs for a cycle from the database.

Sources: master data (products, channels, resources with their capacity calendar, suppliers,
supply terms with transport modes, resource loads), data inputs (opening stock and open
receipts by the shared rules of `datainputs.selectors`, the same the inventory review uses),
`demand.selectors.cycle_demand_plan` (the demand review's plan, backlog included), the inventory
review's safety-stock targets (`inventory.selectors.cycle_inventory_targets`, may be empty)
and the supply review's own decisions (firm orders, extra overtime).

Choices:
* Keys are SKU, site, resource and supplier *codes*, so engine messages name rows the planner
  recognises; `CycleInputs` keeps the code -> id maps to write results back.
* The demand plan has no channel: each product-site's demand is split by its channel mix of the
  last 12 months of sales (the company-wide mix when it has none), so shortages can be weighted
  by the channel's service priority.
* A make term's resource is its primary load (ResourceLoad hours of that resource); the product's
  loads on other resources (packing...) are secondary loads of every unit made.
* Lead times in days become whole months (`masterdata.leadtimes.lead_time_whole_months`, the
  inventory review's fractional months rounded half up).
* An order multiple of 1 (or 0) means "any quantity": the plan stays continuous there. A *make*
  term's MOQ is its minimum production run: a month's production on the lane is 0 or at least
  the MOQ (`supply.engine.make_moq`). Its order multiple is not modelled: within a run of at
  least the minimum, batch sizes belong to scheduling, not to the monthly S&OP plan.
* Open receipts due before the cycle month arrive in its first month; those due after the
  horizon are left out (`datainputs.selectors.open_receipts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import Sum

from cycles.models import PlanningCycle
from datainputs.models import SalesHistory
from datainputs.selectors import open_receipts, opening_stock
from demand.selectors import cycle_demand_plan
from inventory.selectors import cycle_inventory_targets
from masterdata.leadtimes import lead_time_whole_months
from masterdata.models import (
    Channel,
    Product,
    Resource,
    ResourceCapacity,
    ResourceLoad,
    Site,
    Supplier,
    SupplyTerm,
    SupplyTermMode,
)
from supply.engine import SupplyInputError, SupplyInputs
from supply.models import FirmOrder, ResourceOvertime


@dataclass(frozen=True)
class CycleInputs:
    inputs: SupplyInputs
    product_ids: dict[str, int]
    site_ids: dict[str, int]
    channel_ids: dict[str, int]
    resource_ids: dict[str, int]
    demand_source: str


def horizon(cycle: PlanningCycle) -> pd.PeriodIndex:
    return pd.period_range(pd.Period(cycle.month, freq="M"), periods=cycle.horizon_months, freq="M")


def _frame(rows: object, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)  # type: ignore[call-overload]


def _months(days: pd.Series) -> pd.Series:
    return lead_time_whole_months(days.astype(float))


def _resources(cycle: PlanningCycle, periods: pd.PeriodIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
    extra = dict(ResourceOvertime.objects.filter(cycle=cycle).values_list("resource__code",
                                                                         "extra_hours_per_month"))  # fmt: skip
    rows = Resource.objects.values_list("code", "site__code", "capacity_hours_per_month",
                                        "overtime_hours_per_month", "overtime_cost_per_hour")  # fmt: skip
    resources = _frame(rows, ["resource", "site", "capacity_hours_per_month",
                              "overtime_hours_per_month", "overtime_cost_per_hour"])  # fmt: skip
    resources["overtime_hours_per_month"] = resources["overtime_hours_per_month"].astype(float) + (
        resources["resource"].map(extra).fillna(0).astype(float)
    )
    first, last = periods[0].to_timestamp().date(), periods[-1].to_timestamp().date()
    calendar = _frame(
        ResourceCapacity.objects.filter(month__gte=first, month__lte=last).values_list(
            "resource__code", "month", "capacity_hours"),
        ["resource", "period", "capacity_hours"],
    )  # fmt: skip
    return resources, calendar


def _make_terms() -> tuple[pd.DataFrame, pd.DataFrame]:
    terms = _frame(SupplyTerm.objects.filter(source_type="make").values_list(
        "product__sku", "site__code", "resource__code", "lead_time_days", "min_order_qty"),
        ["product", "site", "resource", "lead_time_days", "min_order_qty_units"])  # fmt: skip
    terms["min_order_qty_units"] = terms["min_order_qty_units"].astype(float)
    loads = _frame(ResourceLoad.objects.values_list("product__sku", "resource__code",
                                                    "hours_per_unit"),
                   ["product", "resource", "hours_per_unit"])  # fmt: skip
    loads["hours_per_unit"] = loads["hours_per_unit"].astype(float)
    make = terms.merge(loads, on=["product", "resource"], how="left").fillna({"hours_per_unit": 0})
    make["lead_time_months"] = _months(make["lead_time_days"])
    own = terms[["product", "site", "resource"]].assign(own=True)
    extra = terms[["product", "site"]].drop_duplicates().merge(loads, on="product")
    extra = extra.merge(own, on=["product", "site", "resource"], how="left")
    extra = extra.loc[extra["own"].isna()].drop(columns="own")
    return make.drop(columns="lead_time_days"), extra


def _buy_terms() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    terms = _frame(SupplyTerm.objects.filter(source_type="buy").values_list(
        "product__sku", "site__code", "supplier__code", "lead_time_days", "min_order_qty",
        "order_multiple"),
        ["product", "site", "supplier", "lead_time_days", "min_order_qty_units",
         "order_multiple_units"])  # fmt: skip
    terms["lead_time_months"] = _months(terms["lead_time_days"])
    terms["min_order_qty_units"] = terms["min_order_qty_units"].astype(float)
    multiple = terms["order_multiple_units"].astype(float)
    terms["order_multiple_units"] = multiple.where(multiple > 1, 0.0)
    modes = _frame(SupplyTermMode.objects.filter(supply_term__source_type="buy").values_list(
        "supply_term__product__sku", "supply_term__site__code", "supply_term__supplier__code",
        "mode", "lead_time_days", "cost_per_unit"),
        ["product", "site", "supplier", "mode", "lead_time_days", "transport_cost_per_unit"])  # fmt: skip
    modes["lead_time_months"] = _months(modes["lead_time_days"])
    modes["transport_cost_per_unit"] = modes["transport_cost_per_unit"].astype(float)
    suppliers = _frame(Supplier.objects.values_list("code", "capacity_units_per_month"),
                       ["supplier", "capacity_units_per_month"])  # fmt: skip
    suppliers["capacity_units_per_month"] = suppliers["capacity_units_per_month"].astype(float)
    return terms.drop(columns="lead_time_days"), modes.drop(columns="lead_time_days"), suppliers


def _channel_mix(cycle: PlanningCycle) -> pd.DataFrame:
    first = (pd.Period(cycle.month, freq="M") - 12).to_timestamp().date()
    rows = (SalesHistory.objects.filter(month__gte=first, month__lt=cycle.month)
            .values_list("product_id", "site_id", "channel__code").annotate(units=Sum("quantity")))  # fmt: skip
    sales = _frame(rows, ["product_id", "site_id", "channel", "units"])
    sales["units"] = sales["units"].astype(float).clip(lower=0)
    return sales.loc[sales["units"] > 0]


def _demand(cycle: PlanningCycle, codes: dict[str, dict[int, str]]) -> tuple[pd.DataFrame, str]:
    plan = cycle_demand_plan(cycle)
    source = str(plan["source"].iloc[0]) if len(plan) else "none"
    plan = plan.assign(demand_units=plan["demand_units"].astype(float))
    mix = _channel_mix(cycle)
    overall = mix.groupby("channel")["units"].sum()
    if overall.empty:
        if not codes["channel"]:
            raise SupplyInputError(["channels: no sales channel in the master data"])
        overall = pd.Series({codes["channel"][min(codes["channel"])]: 1.0})
    mix["share"] = mix["units"] / mix.groupby(["product_id", "site_id"])["units"].transform("sum")
    split = plan.merge(mix[["product_id", "site_id", "channel", "share"]],
                       on=["product_id", "site_id"], how="left")  # fmt: skip
    unmixed = split.loc[split["channel"].isna()].drop(columns=["channel", "share"])
    default = pd.DataFrame({"channel": overall.index, "share": overall.to_numpy() / overall.sum()})
    split = pd.concat([split.dropna(subset=["channel"]), unmixed.merge(default, how="cross")])
    return pd.DataFrame({
        "product": split["product_id"].map(codes["product"]),
        "site": split["site_id"].map(codes["site"]), "channel": split["channel"],
        "period": pd.PeriodIndex(pd.to_datetime(split["month"]), freq="M"),
        "demand_units": split["demand_units"] * split["share"],
    }), source  # fmt: skip


def _stock(
    cycle: PlanningCycle, codes: dict[str, dict[int, str]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    # The shared rules (datainputs.selectors): the inventory review opens from the same numbers.
    stock = opening_stock(cycle.month)
    on_hand = pd.DataFrame({
        "product": stock["product_id"].map(codes["product"]),
        "site": stock["site_id"].map(codes["site"]),
        "on_hand_units": stock["opening_stock_units"].astype(float),
    })  # fmt: skip
    due = open_receipts([p.to_timestamp().date() for p in horizon(cycle)])
    receipts = pd.DataFrame({
        "product": due["product_id"].map(codes["product"]),
        "site": due["site_id"].map(codes["site"]),
        "period": pd.PeriodIndex(pd.to_datetime(due["month"]), freq="M"),
        "receipt_units": due["receipt_units"].astype(float),
    })  # fmt: skip
    return on_hand, receipts


def _safety_stock(cycle: PlanningCycle, codes: dict[str, dict[int, str]]) -> pd.DataFrame:
    targets = cycle_inventory_targets(cycle)
    return pd.DataFrame({
        "product": targets["product_id"].map(codes["product"]),
        "site": targets["site_id"].map(codes["site"]),
        "safety_stock_units": targets["safety_stock_units"].astype(float),
    })  # fmt: skip


def _firm_orders(cycle: PlanningCycle) -> pd.DataFrame:
    rows = FirmOrder.objects.filter(cycle=cycle).values_list(
        "product__sku", "site__code", "source_type", "source_code", "mode", "release_month",
        "quantity_units")  # fmt: skip
    firm = _frame(rows, ["product", "site", "source_type", "source", "mode", "period",
                         "quantity_units"])  # fmt: skip
    firm["quantity_units"] = firm["quantity_units"].astype(float)
    firm["period"] = pd.PeriodIndex(pd.to_datetime(firm["period"]), freq="M")
    return firm


def _products() -> pd.DataFrame:
    rows = Product.objects.values_list("sku", "family__code", "unit_cost", "unit_price",
                                       "lifecycle", "end_date")  # fmt: skip
    products = _frame(rows, ["product", "family", "unit_cost", "unit_price", "lifecycle",
                             "end_date"])  # fmt: skip
    # The engine's end_period is the last month of sale (see supply.engine.lifecycle).
    ends = pd.to_datetime(products.pop("end_date"))
    products["end_period"] = [f"{end:%Y-%m}" if pd.notna(end) else "" for end in ends]
    return products.astype({"unit_cost": float, "unit_price": float})


def cycle_inputs(cycle: PlanningCycle) -> CycleInputs:
    """Everything `plan_supply` needs for ``cycle`` (see the module docstring)."""
    codes = {
        "product": dict(Product.objects.values_list("pk", "sku")),
        "site": dict(Site.objects.values_list("pk", "code")),
        "channel": dict(Channel.objects.values_list("pk", "code")),
    }
    periods = horizon(cycle)
    resources, calendar = _resources(cycle, periods)
    make, secondary = _make_terms()
    buy, modes, suppliers = _buy_terms()
    demand, source = _demand(cycle, codes)
    on_hand, receipts = _stock(cycle, codes)
    channels = _frame(Channel.objects.values_list("code", "service_priority"),
                      ["channel", "service_priority"])  # fmt: skip
    inputs = SupplyInputs(
        horizon=periods, products=_products(), channels=channels, resources=resources,
        resource_calendar=calendar, demand=demand, make_terms=make, secondary_loads=secondary,
        buy_terms=buy, transport_modes=modes, suppliers=suppliers, opening_inventory=on_hand,
        scheduled_receipts=receipts, firm_orders=_firm_orders(cycle),
        safety_stock=_safety_stock(cycle, codes),
    )  # fmt: skip
    return CycleInputs(
        inputs, {sku: pk for pk, sku in codes["product"].items()},
        {code: pk for pk, code in codes["site"].items()},
        {code: pk for pk, code in codes["channel"].items()},
        dict(Resource.objects.values_list("code", "pk")), source,
    )  # fmt: skip
