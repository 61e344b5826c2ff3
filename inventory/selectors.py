"""Reads of the inventory review that other stages build on.

`cycle_inventory_targets` is the contract the supply review and the API export call: the
cycle's inventory policy per product and site. Empty until the inventory review has calculated.
"""

from __future__ import annotations

import pandas as pd

from cycles.models import PlanningCycle

INVENTORY_TARGET_COLUMNS = [
    "product_id",
    "site_id",
    "safety_stock_units",
    "reorder_point_units",
    "order_quantity_units",
    "target_weeks_of_supply",
]


def cycle_inventory_targets(cycle: PlanningCycle) -> pd.DataFrame:
    """Inventory policy per product x site (``INVENTORY_TARGET_COLUMNS``)."""
    return pd.DataFrame(columns=INVENTORY_TARGET_COLUMNS)
