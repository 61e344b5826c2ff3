"""The full pipeline: plan-based means, variability sources, overrides and reconciliation."""

import numpy as np
import pandas as pd
import pytest

from inventory.engine.pipeline import PipelineParams, check_reconciles, run_pipeline

HISTORY = pd.period_range("2025-01", periods=12, freq="M")
PLAN = pd.period_range("2026-01", periods=6, freq="M")
ITEM = {
    "site": "s", "unit_cost": 10.0, "family": "f", "lifecycle": "active",
    "lead_time_months": 1.0, "sd_lead_time_months": 0.0, "moq_units": 0.0,
    "order_multiple_units": 0.0, "opening_stock_units": 100.0,
}  # fmt: skip


def _inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    items = pd.DataFrame([{**ITEM, "product": p} for p in ("steady", "new")])
    history = pd.DataFrame(
        {"product": "steady", "site": "s", "period": HISTORY,
         "demand_units": [90.0, 110.0] * 6}
    )  # fmt: skip
    flows = pd.DataFrame(
        {"product": np.repeat(["steady", "new"], 6), "site": "s", "period": list(PLAN) * 2,
         "demand_units": [50.0] * 6 + [20.0] * 6, "receipts_units": 0.0,
         "planned_supply_units": [0.0, 33.333] * 6}
    )  # fmt: skip
    return items, history, flows


NO_OVERRIDES = pd.DataFrame(
    columns=["product", "site", "service_target", "safety_stock_units", "order_quantity_units"]
)


def test_given_plan_and_history_then_plan_mean_and_history_sd_drive_policy() -> None:
    items, history, flows = _inputs()
    result = run_pipeline(items, history, flows, NO_OVERRIDES, PipelineParams())
    policies = result.policies.set_index("product")
    assert policies.loc["steady", "mean_demand_per_month"] == pytest.approx(50.0)
    assert policies.loc["steady", "sd_used_per_month"] == pytest.approx(
        np.std([90, 110] * 6, ddof=1)
    )
    assert policies.loc["steady", "variability_source"] == "demand"
    # No history at all: sd assumed at 0.5 x mean, said so
    assert policies.loc["new", "sd_used_per_month"] == pytest.approx(10.0)
    assert policies.loc["new", "variability_source"] == "assumed"
    # planned supply rounded to hundredths; the balance holds row by row
    assert set(result.projection["planned_supply_units"]) == {0.0, 33.33}
    check_reconciles(result.projection)
    assert len(result.monthly) == 6 and len(result.family_kpis) == 1


def test_given_overrides_then_target_drives_ss_and_fixed_levels_rederive_the_rest() -> None:
    items, history, flows = _inputs()
    overrides = pd.DataFrame(
        {"product": ["steady", "new"], "site": "s", "service_target": [0.999, np.nan],
         "safety_stock_units": [np.nan, 42.0], "order_quantity_units": [np.nan, 240.0]}
    )  # fmt: skip
    base = run_pipeline(items, history, flows, NO_OVERRIDES, PipelineParams()).policies
    out = run_pipeline(items, history, flows, overrides, PipelineParams()).policies
    base, out = base.set_index("product"), out.set_index("product")
    assert out.loc["steady", "service_target"] == 0.999
    assert out.loc["steady", "safety_stock_units"] > base.loc["steady", "safety_stock_units"]
    assert out.loc["new", "safety_stock_units"] == 42.0
    assert out.loc["new", "order_quantity_units"] == 240.0
    assert out.loc["new", "reorder_point_units"] == 20.0 + 42.0
    assert out.loc["new", "order_up_to_units"] == 62.0 + 240.0
    assert out.loc["new", "safety_stock_value"] == 420.0
    # untouched rows keep exactly the engine's levels
    assert out.loc["steady", "order_quantity_units"] == base.loc["steady", "order_quantity_units"]


def test_given_broken_balance_then_check_names_the_row() -> None:
    items, history, flows = _inputs()
    projection = run_pipeline(items, history, flows, NO_OVERRIDES, PipelineParams()).projection
    projection.loc[3, "closing_units"] += 0.01
    with pytest.raises(ValueError, match="does not reconcile"):
        check_reconciles(projection)
