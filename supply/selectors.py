"""Reads of the supply review that other stages build on.

`cycle_planned_supply` is the contract the inventory review and the API export call: planned
(not yet released) supply per product, site and month from the cycle's latest good supply plan.
Empty until the supply review has planned.
"""

from __future__ import annotations

import pandas as pd

from cycles.models import PlanningCycle

PLANNED_SUPPLY_COLUMNS = ["product_id", "site_id", "month", "planned_units"]


def cycle_planned_supply(cycle: PlanningCycle) -> pd.DataFrame:
    """Planned receipts per product x site x month (``PLANNED_SUPPLY_COLUMNS``)."""
    return pd.DataFrame(columns=PLANNED_SUPPLY_COLUMNS)
