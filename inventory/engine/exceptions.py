"""Exceptions of a projection, one per product-site and kind, ranked by value at risk.

Value at risk is valued at unit cost, the same basis as the inventory value, and taken at the
worst month of the horizon so one number ranks the list:

* stockout: the largest demand not served in a month, lost sales (what the supply plan counts
  as lost) plus backorder (carried shortfall), x unit cost;
* below_safety_stock: the largest gap between safety stock and on-hand stock x unit cost
  (months that are already stock-outs count with their on-hand stock of zero);
* excess: the largest stock value beyond the cover limit. With forward cover w weeks against a
  limit of m weeks, the stock that covers only m weeks is about closing x m / w (exact when the
  next months' demand is level), so the excess value is closing_value x (1 - m / w);
* obsolete: the largest on-hand value of a phase-out item (reported instead of excess, not
  as well, so the same stock is not counted twice).
Also reported: the first month the exception occurs and in how many months it occurs.

Input: a `project_inventory` frame, plus `max_cover_weeks` per row (the item's excess limit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory.engine._frames import divide_or, require_columns

EXCEPTION_COLUMNS = (
    "product", "site", "kind", "first_period", "months", "value_at_risk",
)  # fmt: skip
KINDS = ("stockout", "below_safety_stock", "excess", "obsolete")


def _value_at_risk(projection: pd.DataFrame, max_cover_weeks: np.ndarray) -> dict[str, np.ndarray]:
    closing = projection["closing_units"].to_numpy(dtype=float)
    cost = projection["unit_cost"].to_numpy(dtype=float)
    on_hand_value = projection["closing_value"].to_numpy(dtype=float)
    cover = projection["weeks_of_supply"].to_numpy(dtype=float)
    gap = projection["safety_stock_units"].to_numpy(dtype=float) - np.maximum(closing, 0.0)
    excess_share = 1.0 - divide_or(max_cover_weeks, cover, when_zero=1.0)
    return {
        "stockout": (
            projection["lost_sales_units"].to_numpy(dtype=float)
            + projection["backorder_units"].to_numpy(dtype=float)
        )
        * cost,
        "below_safety_stock": np.maximum(gap, 0.0) * cost,
        "excess": np.where(np.isinf(cover), on_hand_value, on_hand_value * excess_share),
        "obsolete": on_hand_value,
    }


def projection_exceptions(projection: pd.DataFrame, max_cover_weeks: np.ndarray) -> pd.DataFrame:
    """`EXCEPTION_COLUMNS`, sorted by value at risk, highest first."""
    require_columns(
        projection,
        ["product", "site", "period", "closing_units", "lost_sales_units", "backorder_units",
         "unit_cost", "closing_value", "weeks_of_supply", "safety_stock_units", *KINDS],
        "projection",
    )  # fmt: skip
    values = _value_at_risk(projection, np.asarray(max_cover_weeks, dtype=float))
    parts = []
    for kind in KINDS:
        flagged = projection[kind].to_numpy(dtype=bool)
        if not flagged.any():
            continue
        rows = projection.loc[flagged, ["product", "site", "period"]].assign(
            value_at_risk=values[kind][flagged]
        )
        grouped = rows.groupby(["product", "site"], sort=False).agg(
            first_period=("period", "min"),
            months=("period", "size"),
            value_at_risk=("value_at_risk", "max"),
        )
        parts.append(grouped.reset_index().assign(kind=kind))
    if not parts:
        return pd.DataFrame(columns=list(EXCEPTION_COLUMNS))
    out = pd.concat(parts, ignore_index=True)[list(EXCEPTION_COLUMNS)]
    # Stock of a phase-out item is reported once, as obsolete, not also as excess.
    obsolete = pd.MultiIndex.from_frame(out.loc[out["kind"] == "obsolete", ["product", "site"]])
    keys = pd.MultiIndex.from_frame(out[["product", "site"]])
    out = out[~((out["kind"] == "excess").to_numpy() & keys.isin(obsolete))]
    return out.sort_values("value_at_risk", ascending=False, kind="mergesort").reset_index(
        drop=True
    )
