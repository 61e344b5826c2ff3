"""The inventory review's columns of the cycle's consensus plan record.

From the pinned projection run (projected inventory from the pinned supply plan): opening and
projected (closing) inventory, the safety-stock target and the inventory value per product x
site x month. Inventory in the plan record is on-hand stock (`on_hand_units`: max(units, 0); a
backorder is not stock) and its value is the projection's own stored valuation
(`closing_value_eur` = `inventory.engine.projection.on_hand_value`), never re-derived here.
"""

from __future__ import annotations

import pandas as pd

from cycles.models import PlanningCycle
from cycles.plan_build import KEYS, register_contribution
from inventory.engine.projection import on_hand_units
from inventory.models import ProjectionRow
from siop.bulk import read_frame

COLUMNS = {
    "opening_units": "opening_inventory_units",
    "closing_units": "projected_inventory_units",
    "safety_stock_units": "safety_stock_units",
    "closing_value_eur": "inventory_value_eur",
}


@register_contribution("inventory")
def inventory_columns(cycle: PlanningCycle, pinned: dict[str, int | None]) -> pd.DataFrame:
    """``KEYS`` + opening_inventory_units, projected_inventory_units, safety_stock_units,
    inventory_value_eur."""
    run_id = pinned.get("projection")
    if run_id is None:
        return pd.DataFrame(columns=KEYS)
    rows = ProjectionRow.objects.filter(run_id=run_id).order_by().values_list(*KEYS, *COLUMNS)
    frame = read_frame(rows, [*KEYS, *COLUMNS.values()], dates=["month"])
    for column in COLUMNS.values():
        frame[column] = frame[column].astype(float)
    for column in ("opening_inventory_units", "projected_inventory_units"):
        frame[column] = on_hand_units(frame[column].to_numpy())
    return frame
