"""Small hand-checkable planning cases for the reconciliation engine tests.

Two products at one site, one channel, three months (2027-01 .. 2027-03):
* P1 (family F1): made on LINE (1 h per unit, 1,000 h per month, no overtime), cost 4.12,
  price 7.35, demand 600 a month.
* P2 (family F2): bought from SUP (same-month lead time, no MOQ), cost 10.05, price 15.99,
  demand 200 a month.
No opening stock and no safety stock, so with enough capacity the plan serves all demand.
"""

from __future__ import annotations

import pandas as pd

from reconciliation.engine import ScenarioBase
from supply.engine import SupplyConfig, SupplyInputs

HORIZON = pd.period_range("2027-01", periods=3, freq="M")
CONFIG = SupplyConfig(mip_relative_gap=1e-6, time_limit_seconds=30.0)
PRICES = pd.DataFrame({
    "product": ["P1", "P2"], "family": ["F1", "F2"],
    "unit_price_eur": [7.35, 15.99], "unit_cost_eur": [4.12, 10.05],
})  # fmt: skip


def supply_inputs(p1_demand: float = 600.0, p2_demand: float = 200.0) -> SupplyInputs:
    demand = pd.DataFrame({
        "product": ["P1"] * 3 + ["P2"] * 3, "site": "DC1", "channel": "RETAIL",
        "period": list(HORIZON) * 2, "demand_units": [p1_demand] * 3 + [p2_demand] * 3,
    })  # fmt: skip
    return SupplyInputs(
        horizon=HORIZON,
        products=pd.DataFrame({"product": ["P1", "P2"], "family": ["F1", "F2"],
                               "unit_cost": [1.0, 1.0], "unit_price": [1.0, 1.0]}),
        channels=pd.DataFrame({"channel": ["RETAIL"], "service_priority": [1]}),
        resources=pd.DataFrame({"resource": ["LINE"], "site": ["DC1"],
                                "capacity_hours_per_month": [1000.0],
                                "overtime_hours_per_month": [0.0],
                                "overtime_cost_per_hour": [30.0]}),
        demand=demand,
        make_terms=pd.DataFrame({"product": ["P1"], "site": ["DC1"], "resource": ["LINE"],
                                 "hours_per_unit": [1.0], "lead_time_months": [0]}),
        buy_terms=pd.DataFrame({"product": ["P2"], "site": ["DC1"], "supplier": ["SUP"],
                                "lead_time_months": [0]}),
        transport_modes=pd.DataFrame({"product": ["P2"], "site": ["DC1"], "supplier": ["SUP"],
                                      "mode": ["ocean"], "lead_time_months": [2],
                                      "transport_cost_per_unit": [0.5]}),
        suppliers=pd.DataFrame({"supplier": ["SUP"]}),
    )  # fmt: skip


def base(**kwargs: float) -> ScenarioBase:
    return ScenarioBase(supply=supply_inputs(**kwargs), prices=PRICES)
