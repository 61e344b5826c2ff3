"""Backlog is counted once: the plan's consensus demand already includes it (the frozen demand's
``demand_units`` = consensus + past-due orders), so served units, revenue and the finance
roll-up's demand must not add it a second time."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cycles.plan_build import _priced
from reconciliation.engine.plan_frame import plan_frame_from_rows
from tests.factories import ProductFactory

NOV = dt.date(2026, 11, 1)


def _row(product_id: object) -> dict[str, object]:
    # 100 units wanted in the first month: 90 of consensus + 10 past-due, nothing lost.
    return {
        "product_id": product_id, "product": product_id, "site": "DC1", "family": "F",
        "site_id": 1, "month": NOV, "period": pd.Period(NOV, freq="M"),
        "consensus_demand_units": 100.0, "backlog_units": 10.0, "lost_sales_units": 0.0,
        "served_units": 100.0, "production_units": 0.0, "purchase_units": 0.0,
        "purchase_units_by_mode": {}, "opening_inventory_units": 0.0,
        "projected_inventory_units": 0.0,
    }  # fmt: skip


@pytest.mark.django_db
def test_a_first_month_with_backlog_serves_and_bills_the_demand_once() -> None:
    # Given a product at 7.50 a unit whose first month asks for 100 units, 10 of them backlog
    product = ProductFactory.create()
    # When the plan record prices the row
    priced = _priced(pd.DataFrame([_row(product.pk)])).iloc[0]
    # Then 100 units are served and billed, not 110
    assert priced["served_units"] == 100.0
    assert priced["revenue_eur"] == 750.0


def test_finance_sees_the_plan_demand_once_with_its_backlog() -> None:
    # Given the same plan row, when finance's roll-up frames it
    prices = pd.DataFrame({"product": ["P1"], "unit_cost_eur": [4.0]})
    transport = pd.DataFrame(columns=["product", "site", "mode", "transport_cost_per_unit"])
    frame = plan_frame_from_rows(pd.DataFrame([_row("P1")]), prices, transport, 0.01)
    # Then its demand is the plan's 100 units, served in full
    assert frame["demand_units"].tolist() == [100.0]
    assert frame["served_units"].tolist() == [100.0]
