"""The engine's steps chained as the Django layer will call them, on a tiny history."""

import numpy as np
import pandas as pd

from inventory.engine import (
    compute_policies,
    demand_statistics,
    inventory_kpis,
    project_inventory,
    segment,
)


def test_given_history_and_plan_when_chained_then_every_step_yields_consistent_rows() -> None:
    # Given two smooth items and one intermittent item with 12 months of history
    rng = np.random.default_rng(3)
    months = pd.period_range("2025-01", periods=12, freq="M")
    demand: dict[str, list[float]] = {
        "fast": rng.poisson(100, 12).astype(float).tolist(),
        "medium": rng.poisson(20, 12).astype(float).tolist(),
        "slow": [0.0, 3.0, 0.0, 0.0, 1.0, 0.0] * 2,
    }
    history = pd.DataFrame(
        {
            "product": np.repeat(list(demand), 12),
            "site": "s",
            "period": list(months) * 3,
            "demand_units": np.concatenate(list(demand.values())),
        }
    )
    master = pd.DataFrame(
        {
            "product": ["fast", "medium", "slow"], "site": "s", "unit_cost": [5.0, 20.0, 300.0],
            "lead_time_months": 1.0, "order_cost": 40.0, "holding_rate_per_year": 0.2,
            "service_type": "cycle", "opening_stock_units": [150.0, 30.0, 2.0],
            "family": ["f1", "f1", "f2"], "lifecycle": "active",
        }
    )  # fmt: skip
    # When statistics -> segmentation -> policies -> projection -> KPIs run
    items = master.merge(demand_statistics(history), on=["product", "site"])
    items["service_target"] = segment(items)["service_target"].to_numpy()
    policies = compute_policies(items)
    plan = pd.period_range("2026-01", periods=6, freq="M")
    flows = pd.DataFrame(
        [(p, "s", m, sum(demand[p]) / 12) for p in demand for m in plan],
        columns=["product", "site", "period", "demand_units"],
    )
    positions = master.assign(safety_stock_units=policies["safety_stock_units"].to_numpy())
    projection = project_inventory(flows, positions)
    kpis = inventory_kpis(projection, by=["family"])
    # Then the intermittent item gets a count method and everything lines up
    assert dict(zip(policies["product"], policies["method"], strict=True))["slow"] != "normal"
    assert len(projection) == 3 * 6
    assert list(kpis["family"]) == ["f1", "f2"]
    assert (kpis["turns_per_year"] > 0).all()
