"""A scenario's supply plan -> the roll-up's plan and resource frames (`rollup` contracts).

Plan costs are booked in the month they are incurred: production, purchase and transport in
the order's release month, holding on the month's closing stock, overtime in its month.
"""

from __future__ import annotations

import pandas as pd

from reconciliation.engine.rollup import PLAN_COLUMNS, RESOURCE_COLUMNS
from supply.engine import SupplyPlan

COST_BY_SOURCE = {"make": "production_cost_eur", "buy": "purchase_cost_eur"}


def plan_frame(plan: SupplyPlan, products: pd.DataFrame) -> pd.DataFrame:
    """Rows product, site, family, period with units and plan costs (`rollup.PLAN_COLUMNS`)."""
    inv = plan.inventory.rename(columns={"opening_units": "opening_inventory_units",
                                         "closing_units": "closing_inventory_units",
                                         "holding_cost": "holding_cost_eur"})  # fmt: skip
    keys = ["product", "site", "period"]
    orders = plan.orders.rename(columns={"release_period": "period"})
    costs = pd.DataFrame(columns=[*keys, "production_cost_eur", "purchase_cost_eur",
                                  "transport_cost_eur"])  # fmt: skip
    if len(orders):
        orders = orders.assign(
            production_cost_eur=orders["supply_cost"].where(orders["source_type"] == "make", 0.0),
            purchase_cost_eur=orders["supply_cost"].where(orders["source_type"] == "buy", 0.0),
            transport_cost_eur=orders["transport_cost"],
        )
        costs = orders.groupby(keys, as_index=False)[
            ["production_cost_eur", "purchase_cost_eur", "transport_cost_eur"]
        ].sum()
    frame = inv.merge(costs, on=keys, how="left")
    for column in ("production_cost_eur", "purchase_cost_eur", "transport_cost_eur"):
        frame[column] = frame[column].astype(float).fillna(0.0)
    frame["family"] = frame["product"].map(products.set_index("product")["family"])
    return frame[list(PLAN_COLUMNS)]


def resource_frame(plan: SupplyPlan) -> pd.DataFrame:
    """Resource x month load, capacity, overtime hours and overtime cost."""
    frame = plan.resource_utilisation.rename(columns={"overtime_cost": "overtime_cost_eur"})
    return frame[list(RESOURCE_COLUMNS)]


def plan_frame_from_rows(
    rows: pd.DataFrame, prices: pd.DataFrame, transport: pd.DataFrame, holding_rate: float
) -> pd.DataFrame:
    """The consensus plan's rows -> `rollup.PLAN_COLUMNS`, with its plan costs at standard cost.

    rows: product, site, family, period, consensus_demand_units (all demand, backlog included),
    backlog_units (the past-due part of it, informative only), served_units,
    lost_sales_units, production_units, purchase_units, purchase_units_by_mode ({mode: units}),
    opening_inventory_units, projected_inventory_units. prices: product, unit_cost_eur.
    transport: product, site, mode, transport_cost_per_unit. Production and purchases cost the
    unit cost, transport its mode's cost per unit, holding ``holding_rate`` x cost per unit and
    month on the closing stock (the supply engine's defaults, so both paths cost alike).
    """
    cost = rows["product"].map(prices.set_index("product")["unit_cost_eur"]).astype(float)
    closing = rows["projected_inventory_units"].astype(float)
    out = rows[["product", "site", "family", "period"]].assign(
        demand_units=rows["consensus_demand_units"].astype(float),  # backlog included
        served_units=rows["served_units"].astype(float),
        lost_sales_units=rows["lost_sales_units"].astype(float),
        opening_inventory_units=rows["opening_inventory_units"].astype(float),
        closing_inventory_units=closing,
        production_cost_eur=rows["production_units"].astype(float) * cost,
        purchase_cost_eur=rows["purchase_units"].astype(float) * cost,
        transport_cost_eur=_transport_cost(rows, transport),
        holding_cost_eur=closing.clip(lower=0.0) * cost * holding_rate,
    )
    return out[list(PLAN_COLUMNS)]


def _transport_cost(rows: pd.DataFrame, transport: pd.DataFrame) -> pd.Series:
    by_mode = [
        (index, mode, float(units))
        for index, modes in rows["purchase_units_by_mode"].items()
        for mode, units in (modes or {}).items()
    ]
    if not by_mode:
        return pd.Series(0.0, index=rows.index)
    moved = pd.DataFrame(by_mode, columns=["row", "mode", "units"])
    moved["product"] = rows.loc[moved["row"], "product"].to_numpy()
    moved["site"] = rows.loc[moved["row"], "site"].to_numpy()
    moved = moved.merge(transport, on=["product", "site", "mode"], how="left")
    moved["cost"] = moved["units"] * moved["transport_cost_per_unit"].fillna(0.0)
    return moved.groupby("row")["cost"].sum().reindex(rows.index, fill_value=0.0)


def split_by_channel(
    demand: pd.DataFrame, reference: pd.DataFrame, channels: list[str]
) -> pd.DataFrame:
    """Product x site x period demand -> the supply engine's per-channel demand rows.

    Each product-site takes its channel shares over the horizon in ``reference`` (the supply
    inputs' demand, split by the last 12 months' sales mix), else the overall mix, else all in
    the first of ``channels``. Totals per product, site and period are kept exactly.
    """
    by_channel = reference.groupby(["product", "site", "channel"])["demand_units"].sum()
    by_channel = by_channel.loc[by_channel > 0].reset_index()
    by_channel["share"] = by_channel["demand_units"] / by_channel.groupby(
        ["product", "site"])["demand_units"].transform("sum")  # fmt: skip
    overall = by_channel.groupby("channel")["demand_units"].sum()
    if overall.empty:
        overall = pd.Series({channels[0]: 1.0}) if channels else pd.Series({"": 1.0})
    default = pd.DataFrame({"channel": overall.index, "share": overall.to_numpy() / overall.sum()})
    split = demand.merge(by_channel[["product", "site", "channel", "share"]],
                         on=["product", "site"], how="left")  # fmt: skip
    unmixed = split.loc[split["channel"].isna()].drop(columns=["channel", "share"])
    parts = [split.dropna(subset=["channel"]), unmixed.merge(default, how="cross")]
    split = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else parts[0]  # fmt: skip
    split["demand_units"] = split["demand_units"] * split["share"]
    return split[["product", "site", "channel", "period", "demand_units"]].reset_index(drop=True)
