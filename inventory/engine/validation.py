"""Input checks of the inventory review: every bad number named by its row and field.

A missing (NaN / None / text) or negative number would otherwise travel silently into a
policy as NaN, or be read as zero (a flow of NaN units used to become 0), and the planner would
see a plausible but wrong row. `check_inputs` collects every problem of every frame and raises
one `InventoryInputError` whose ``problems`` list says, per bad cell, the frame, the row's keys
and the field, e.g. ``items product='A1', site='DC1': unit_cost is missing``.

Checked (all numbers must be finite; ">= 0" where negative has no meaning):
items      unit_cost, lead_time_months, sd_lead_time_months, moq_units, order_multiple_units,
           opening_stock_units: present and >= 0 (a negative on-hand is a data error to fix
           at the source, not a backorder to plan from).
history    demand_units: present and >= 0 (returns are booked apart, not as negative sales);
           forecast_units may be missing (no forecast that month), else >= 0.
flows      demand_units, receipts_units, planned_supply_units, lost_sales_units (where present):
           present, >= 0.
overrides  service_target strictly between 0 and 1, safety_stock_units and
           order_quantity_units >= 0; NaN means "no override" there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

MAX_ROWS_NAMED = 10
OPTIONAL_FLOWS = ("receipts_units", "planned_supply_units", "lost_sales_units")


class InventoryInputError(ValueError):
    """Invalid inventory input; ``problems`` lists each bad cell by frame, row keys and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = "\n  ".join(self.problems[:25])
        more = f"\n  ... and {len(self.problems) - 25} more" if len(self.problems) > 25 else ""
        super().__init__(f"{len(self.problems)} inventory input problem(s):\n  {shown}{more}")


def _name(frame: pd.DataFrame, keys: Sequence[str], index: object) -> str:
    row = frame.loc[index]
    return ", ".join(f"{key}={row[key]!s:.40}" if key == "period" else f"{key}={row[key]!r}"
                     for key in keys if key in frame.columns)  # fmt: skip


def _rows(frame: pd.DataFrame, mask: np.ndarray, frame_name: str, keys: Sequence[str],
          text: str, problems: list[str]) -> None:  # fmt: skip
    bad = frame.index[mask]
    for index in bad[:MAX_ROWS_NAMED]:
        problems.append(f"{frame_name} {_name(frame, keys, index)}: {text}")
    if len(bad) > MAX_ROWS_NAMED:
        problems.append(f"{frame_name}: {text} in {len(bad)} rows in all")


def check_numbers(
    frame: pd.DataFrame, frame_name: str, keys: Sequence[str], columns: Sequence[str],
    problems: list[str], *, optional: Sequence[str] = (), allow_missing: bool = False,
) -> None:  # fmt: skip
    """Append a problem per missing, non-numeric, infinite or negative cell of ``columns``."""
    for column in [*columns, *(c for c in optional if c in frame.columns)]:
        if column not in frame.columns:
            problems.append(f"{frame_name}: missing column {column}")
            continue
        raw = frame[column]
        values = pd.to_numeric(raw, errors="coerce").astype(float).to_numpy()
        missing = pd.isna(raw).to_numpy()
        if not allow_missing and column not in optional:
            _rows(frame, missing, frame_name, keys, f"{column} is missing", problems)
        _rows(frame, ~missing & np.isnan(values), frame_name, keys, f"{column} is not a number",
              problems)  # fmt: skip
        _rows(frame, np.isinf(values), frame_name, keys, f"{column} is infinite", problems)
        _rows(frame, values < 0, frame_name, keys, f"{column} is negative", problems)


def check_inputs(items: pd.DataFrame, history: pd.DataFrame, flows: pd.DataFrame,
                 overrides: pd.DataFrame) -> None:  # fmt: skip
    """Raise `InventoryInputError` listing every bad number (module docstring)."""
    problems: list[str] = []
    item_numbers = ("unit_cost", "lead_time_months", "sd_lead_time_months", "moq_units",
                    "order_multiple_units", "opening_stock_units")  # fmt: skip
    check_numbers(items, "items", ("product", "site"), item_numbers, problems)
    keys = ("product", "site", "period")
    if not history.empty:
        check_numbers(history, "history", keys, ("demand_units",), problems,
                      optional=("forecast_units",))  # fmt: skip
    check_numbers(flows, "flows", keys, ("demand_units",), problems,
                  optional=OPTIONAL_FLOWS)  # fmt: skip
    # Flows' optional columns, once present, must be complete: NaN would be read as 0.
    for column in OPTIONAL_FLOWS:
        if column in flows.columns:
            _rows(flows, pd.isna(flows[column]).to_numpy(), "flows", keys,
                  f"{column} is missing", problems)  # fmt: skip
    if not overrides.empty:
        present = [c for c in ("safety_stock_units", "order_quantity_units") if c in overrides]
        check_numbers(overrides, "overrides", ("product", "site"), present, problems,
                      allow_missing=True)  # fmt: skip
        if "service_target" in overrides.columns:
            target = pd.to_numeric(overrides["service_target"], errors="coerce").to_numpy(float)
            outside = ~np.isnan(target) & ~((target > 0) & (target < 1))
            _rows(overrides, outside, "overrides", ("product", "site"),
                  "service_target must lie strictly between 0 and 1", problems)  # fmt: skip
    if problems:
        raise InventoryInputError(problems)
