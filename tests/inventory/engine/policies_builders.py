"""A one-row-per-product frame meeting the policies input contract, with overridable columns."""

from typing import Any

import pandas as pd

BASE_PRODUCT: dict[str, Any] = {
    "product": "p",
    "site": "s",
    "unit_cost": 10.0,
    "mean_demand_per_month": 100.0,
    "sd_demand_per_month": 30.0,
    "lead_time_months": 1.0,
    "sd_lead_time_months": 0.0,
    "order_cost": 50.0,
    "holding_rate_per_year": 0.24,
    "moq_units": 0.0,
    "order_multiple_units": 0.0,
    "service_target": 0.95,
    "service_type": "cycle",
    "review_period_months": 0.0,
}


def products(*rows: dict[str, Any]) -> pd.DataFrame:
    """Each row overrides BASE_PRODUCT; products are numbered p0, p1, ... unless named."""
    return pd.DataFrame(
        [{**BASE_PRODUCT, "product": f"p{i}", **row} for i, row in enumerate(rows or ({},))]
    )
