"""Plan roll-up, change waterfall, monitoring and rules on small hand cases (no database)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from executive.engine import monitoring, rules
from executive.engine.plan_facts import margin_waterfall, plan_facts

NOV, DEC, JAN = dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)


def plan_row(
    product: int,
    month: dt.date,
    demand: float,
    lost: float = 0.0,
    price: float = 10.0,
    cost: float = 6.0,
    stock: float = 50.0,
    family: str = "BEV",
) -> dict[str, object]:
    served = demand - lost
    return {
        "product_id": product,
        "site_id": 1,
        "family": family,
        "month": month,
        "consensus_demand_units": demand,
        "backlog_units": 0.0,
        "served_units": served,
        "lost_sales_units": lost,
        "projected_inventory_units": stock,
        "unit_price_eur": price,
        "unit_cost_eur": cost,
        "revenue_eur": served * price,
        "cogs_eur": served * cost,
        "gross_margin_eur": served * (price - cost),
        "revenue_at_risk_eur": lost * price,
        "inventory_value_eur": stock * cost,
    }


def test_plan_facts_roll_up_money_and_service() -> None:
    # given 2 products x 2 months, one month short by 10 units
    rows = pd.DataFrame(
        [
            plan_row(1, NOV, 100),
            plan_row(1, DEC, 100, lost=10),
            plan_row(2, NOV, 50),
            plan_row(2, DEC, 50),
        ]
    )
    resources = pd.DataFrame({"month": [NOV], "load_hours": [90.0], "capacity_hours": [100.0]})
    facts = plan_facts(rows, resources, NOV, 12).kpis
    assert facts["revenue_eur"] == pytest.approx(2900.0)
    assert facts["gross_margin_eur"] == pytest.approx(1160.0)
    assert facts["planned_fill_rate_pct"] == pytest.approx(290 / 300 * 100)
    assert facts["revenue_at_risk_eur"] == pytest.approx(100.0)
    assert facts["inventory_value_eur"] == pytest.approx(600.0)  # 100 units x 6 EUR each month
    # turns: COGS 1740 over 2 months -> 10,440 a year / 600 average
    assert facts["inventory_turns"] == pytest.approx(10_440 / 600)
    assert facts["capacity_utilisation_pct"] == pytest.approx(90.0)


def test_waterfall_bars_sum_to_the_margin_change_and_isolate_the_driver() -> None:
    before = pd.DataFrame([plan_row(1, NOV, 100), plan_row(2, NOV, 50)])
    # price of product 1 up by 1 EUR, product 2 demand +10 with 5 lost, a new product 3
    after = pd.DataFrame(
        [
            plan_row(1, NOV, 100, price=11.0),
            plan_row(2, NOV, 60, lost=5),
            plan_row(3, NOV, 20, stock=0.0),
        ]
    )
    bars = {b["driver"]: b["value_eur"] for b in margin_waterfall(before, after, 24.0)}
    assert bars["Price"] == pytest.approx(100.0)
    assert bars["Demand"] == pytest.approx(10 * 4 + 20 * 4)
    assert bars["Supply"] == pytest.approx(-5 * 4)
    assert bars["Cost"] == pytest.approx(0.0)
    assert bars["Inventory"] == pytest.approx(0.0)  # same stock value: no carrying-cost change
    moves = sum(v for k, v in bars.items() if k not in {"Last approved", "This plan"})
    assert bars["Last approved"] + moves == pytest.approx(bars["This plan"])


def test_monitoring_scores_only_months_with_actuals() -> None:
    plan = pd.DataFrame(
        {
            "product_id": [1, 1, 2],
            "family": ["BEV", "BEV", "SNK"],
            "month": [NOV, DEC, NOV],
            "plan_units": [100.0, 100.0, 50.0],
            "unit_price_eur": [10.0, 10.0, 4.0],
        }
    )
    actuals = pd.DataFrame({"product_id": [1], "month": [NOV], "actual_units": [70.0]})
    result = monitoring.monitor(plan, actuals)
    fam = result.family_months.set_index("family")
    assert list(result.family_months["month"].unique()) == [NOV]  # December not closed yet
    assert fam.loc["BEV", "deviation_pct"] == pytest.approx(-30.0)
    assert fam.loc["SNK", "attainment_pct"] == pytest.approx(0.0)  # planned, nothing sold
    hits = rules.actual_vs_consensus(result.family_months, 20.0)
    assert {h.family_code for h in hits} == {"BEV", "SNK"}
    assert next(h for h in hits if h.family_code == "BEV").value_at_risk_eur == pytest.approx(300)


def test_escalation_matrix_maps_value_at_risk_to_tiers() -> None:
    assert rules.tier_for(1_000, 1, 50_000, 250_000) == 1
    assert rules.tier_for(60_000, 1, 50_000, 250_000) == 2
    assert rules.tier_for(300_000, 1, 50_000, 250_000) == 3
    assert rules.tier_for(0, 2, 50_000, 250_000) == 2


def test_inventory_cover_flags_excess_weeks_with_the_cash_tied_up() -> None:
    rows = pd.DataFrame(
        [plan_row(1, NOV, 10, stock=400), plan_row(1, DEC, 10), plan_row(1, JAN, 10)]
    )
    hits = rules.inventory_cover(rows, NOV, threshold_weeks=12.0)
    # 400 units at 6 EUR against 60 EUR of demand a month -> 40 months of cover
    assert hits and hits[0].measured == pytest.approx(40 * 52 / 12)
    assert hits[0].value_at_risk_eur == pytest.approx(2400 - 2400 * 12 / (40 * 52 / 12))
