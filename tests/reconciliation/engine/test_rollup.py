"""The financial roll-up matches a hand calculation to the cent."""

from __future__ import annotations

import pandas as pd
import pytest

from reconciliation.engine import TOTAL, roll_up, summarise
from tests.reconciliation.engine.cases import HORIZON, PRICES


def _plan() -> pd.DataFrame:
    # P1 loses 50 units in February; P2 carries stock 30 -> 10 -> 0.
    return pd.DataFrame({
        "product": ["P1"] * 3 + ["P2"] * 3, "site": "DC1", "family": ["F1"] * 3 + ["F2"] * 3,
        "period": list(HORIZON) * 2,
        "demand_units": [600.0, 600.0, 600.0, 200.0, 200.0, 200.0],
        "served_units": [600.0, 550.0, 600.0, 200.0, 200.0, 200.0],
        "lost_sales_units": [0.0, 50.0, 0.0, 0.0, 0.0, 0.0],
        "opening_inventory_units": [0.0, 0.0, 0.0, 30.0, 30.0, 10.0],
        "closing_inventory_units": [0.0, 0.0, 0.0, 30.0, 10.0, 0.0],
        "production_cost_eur": [2472.0, 2266.0, 2472.0, 0.0, 0.0, 0.0],
        "purchase_cost_eur": [0.0, 0.0, 0.0, 2010.0, 1809.0, 1909.5],
        "transport_cost_eur": [0.0, 0.0, 0.0, 100.0, 90.0, 95.0],
        "holding_cost_eur": [0.0, 0.0, 0.0, 6.03, 2.01, 0.0],
    })  # fmt: skip


def _prices() -> pd.DataFrame:
    return PRICES.merge(pd.DataFrame({"period": HORIZON}), how="cross")


def _resources() -> pd.DataFrame:
    return pd.DataFrame({"resource": "LINE", "period": HORIZON, "load_hours": [600.0, 550.0, 600.0],
                         "capacity_hours": 550.0, "overtime_hours": [50.0, 0.0, 50.0],
                         "overtime_cost_eur": [1500.0, 0.0, 1500.0]})  # fmt: skip


def test_two_products_three_months_roll_up_to_the_cent() -> None:
    # given a 2-product x 3-month plan, when it is rolled up
    facts = roll_up(_plan(), _prices(), _resources()).set_index(["family", "period"])
    feb = HORIZON[1]
    # then February of F1: 550 x 7.35 = 4042.50 revenue, 550 x 4.12 = 2266.00 COGS,
    # 50 x 7.35 = 367.50 at risk
    assert facts.loc[("F1", feb), "revenue_eur"] == pytest.approx(4042.50, abs=0.005)
    assert facts.loc[("F1", feb), "cogs_eur"] == pytest.approx(2266.00, abs=0.005)
    assert facts.loc[("F1", feb), "gross_margin_eur"] == pytest.approx(1776.50, abs=0.005)
    assert facts.loc[("F1", feb), "revenue_at_risk_eur"] == pytest.approx(367.50, abs=0.005)
    # F2 in February: 200 x 15.99 = 3198.00; closing 10 x 10.05 = 100.50
    assert facts.loc[("F2", feb), "revenue_eur"] == pytest.approx(3198.00, abs=0.005)
    assert facts.loc[("F2", feb), "closing_inventory_value_eur"] == pytest.approx(100.50, abs=0.005)
    # the total rows add the families and carry the resource's overtime and hours
    total = facts.loc[TOTAL]
    assert total["revenue_eur"].sum() == pytest.approx(1750 * 7.35 + 600 * 15.99, abs=0.005)
    assert total["overtime_cost_eur"].sum() == pytest.approx(3000.00, abs=0.005)
    assert total.loc[feb, "load_hours"] == 550.0


def test_horizon_totals_and_ratios() -> None:
    # given the same facts, when summarised over the horizon
    facts = roll_up(_plan(), _prices(), _resources())
    horizon = summarise(facts, "horizon").set_index("family")
    # then revenue 12862.50 + 9594.00 = 22456.50; COGS 7210.00 + 6030.00 = 13240.00
    total = horizon.loc[TOTAL]
    assert total["revenue_eur"] == pytest.approx(22456.50, abs=0.005)
    assert total["cogs_eur"] == pytest.approx(13240.00, abs=0.005)
    assert total["gross_margin_pct"] == pytest.approx(9216.50 / 22456.50 * 100, abs=1e-9)
    # fill rate: served 2350 of 2400 units
    assert total["planned_fill_rate_pct"] == pytest.approx(2350 / 2400 * 100, abs=1e-9)
    # closing stock value of the horizon is March's (0), the average is the months' mean
    assert horizon.loc["F2", "closing_inventory_value_eur"] == 0.0
    avg = ((301.5 + 301.5) / 2 + (301.5 + 100.5) / 2 + (100.5 + 0.0) / 2) / 3
    assert horizon.loc["F2", "average_inventory_value_eur"] == pytest.approx(avg, abs=1e-9)
    # days of inventory = average value / (COGS / 90 days)
    assert horizon.loc["F2", "days_of_inventory"] == pytest.approx(avg / (6030.0 / 90), abs=1e-9)
    assert total["capacity_utilisation_pct"] == pytest.approx(1750 / 1650 * 100, abs=1e-9)


def test_quarter_buckets_split_by_calendar_quarter() -> None:
    facts = roll_up(_plan(), _prices(), _resources())
    quarters = summarise(facts, "quarter")
    assert set(quarters["bucket"]) == {"2027-Q1"}


def test_a_plan_row_without_price_is_refused_with_its_product() -> None:
    prices = _prices().loc[lambda f: f["product"] != "P2"]
    with pytest.raises(ValueError, match="P2"):
        roll_up(_plan(), prices, _resources())
