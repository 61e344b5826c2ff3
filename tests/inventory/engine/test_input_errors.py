"""Missing or negative numbers stop the inventory review with the row and field named.

Issue 13: NaN or negative inputs gave NaN levels or silent zeros (a NaN flow was read as 0
units). Every kind of bad number in every numeric field of every input frame must raise one
`InventoryInputError` naming the row's keys and the field, never return a plan.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from inventory.engine import compute_policies
from inventory.engine.pipeline import PipelineParams, run_pipeline
from inventory.engine.validation import InventoryInputError
from tests.inventory.engine.policies_builders import products

PLAN = pd.period_range("2026-01", periods=3, freq="M")
ITEM = {"product": "A1", "site": "DC1", "unit_cost": 10.0, "family": "f", "lifecycle": "active",
        "lead_time_months": 1.0, "sd_lead_time_months": 0.0, "moq_units": 0.0,
        "order_multiple_units": 0.0, "opening_stock_units": 100.0}  # fmt: skip
OVERRIDE_COLUMNS = ["product", "site", "service_target", "safety_stock_units",
                    "order_quantity_units"]  # fmt: skip


def _run(items: dict[str, Any] | None = None, history: dict[str, Any] | None = None,
         flows: dict[str, Any] | None = None, override: list[Any] | None = None) -> None:  # fmt: skip
    item_frame = pd.DataFrame([{**ITEM, **(items or {})}])
    history_frame = pd.DataFrame({"product": "A1", "site": "DC1", "period": PLAN - 12,
                                  "demand_units": [90.0, 110.0, 100.0], **(history or {})})  # fmt: skip
    flow_frame = pd.DataFrame({"product": "A1", "site": "DC1", "period": PLAN,
                               "demand_units": 100.0, "receipts_units": 0.0,
                               "planned_supply_units": 100.0, **(flows or {})})  # fmt: skip
    overrides = pd.DataFrame([override] if override else [], columns=OVERRIDE_COLUMNS)
    run_pipeline(item_frame, history_frame, flow_frame, overrides, PipelineParams())


BAD = [(np.nan, "is missing"), (None, "is missing"), (-1.0, "is negative"),
       (np.inf, "is infinite"), ("twelve", "is not a number")]  # fmt: skip


@pytest.mark.parametrize(("bad", "said"), BAD)
@pytest.mark.parametrize("field", ["unit_cost", "lead_time_months", "sd_lead_time_months",
                                   "moq_units", "order_multiple_units", "opening_stock_units"])  # fmt: skip
def test_given_a_bad_item_number_then_the_item_and_field_are_named(
    field: str, bad: object, said: str
) -> None:
    with pytest.raises(
        InventoryInputError, match=f"items product='A1', site='DC1': {field} {said}"
    ):
        _run(items={field: bad})


@pytest.mark.parametrize(("bad", "said"), BAD)
@pytest.mark.parametrize("field", ["demand_units", "receipts_units", "planned_supply_units"])
def test_given_a_bad_flow_then_the_month_and_field_are_named(
    field: str, bad: object, said: str
) -> None:
    where = "flows product='A1', site='DC1', period=2026-02"
    with pytest.raises(InventoryInputError, match=f"{where}: {field} {said}"):
        _run(flows={field: [100.0, bad, 100.0]})


@pytest.mark.parametrize(("bad", "said"), BAD)
def test_given_a_bad_history_month_then_it_is_named(bad: object, said: str) -> None:
    where = "history product='A1', site='DC1', period=2025-02"
    with pytest.raises(InventoryInputError, match=f"{where}: demand_units {said}"):
        _run(history={"demand_units": [90.0, bad, 100.0]})


@pytest.mark.parametrize(("override", "text"), [
    (["A1", "DC1", 1.5, np.nan, np.nan], "service_target must lie strictly between 0 and 1"),
    (["A1", "DC1", np.nan, -5.0, np.nan], "safety_stock_units is negative"),
    (["A1", "DC1", np.nan, np.nan, -10.0], "order_quantity_units is negative"),
])  # fmt: skip
def test_given_a_bad_override_then_it_is_named(override: list[Any], text: str) -> None:
    with pytest.raises(InventoryInputError, match=f"overrides product='A1', site='DC1': {text}"):
        _run(override=override)


def test_given_several_bad_cells_then_each_is_listed_once() -> None:
    with pytest.raises(InventoryInputError) as raised:
        _run(items={"unit_cost": -2.0, "opening_stock_units": np.nan},
             flows={"demand_units": [1.0, -1.0, np.nan]})  # fmt: skip
    assert len(raised.value.problems) == 4


@pytest.mark.parametrize("field", ["unit_cost", "mean_demand_per_month", "sd_demand_per_month",
                                   "lead_time_months", "order_cost", "holding_rate_per_year"])  # fmt: skip
@pytest.mark.parametrize("bad", [np.nan, -3.0])
def test_given_a_bad_policy_number_then_compute_policies_names_it(field: str, bad: float) -> None:
    with pytest.raises(InventoryInputError, match=f"products product='p1', site='s': {field}"):
        compute_policies(products({}, {field: bad}))
