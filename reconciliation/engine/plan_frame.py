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
