"""Bad or degenerate input gives a clear message (never a crash); firm orders stay fixed."""

from __future__ import annotations

import pandas as pd
import pytest

from supply.engine import SupplyConfig, SupplyInputError, plan_supply
from tests.supply.engine import builders as b


def _firm(quantity: float, period: str = "2027-01", **extra: object) -> pd.DataFrame:
    row = {"product": "P", "site": "S", "source_type": "make", "source": "R", "period": period,
           "quantity_units": quantity, **extra}  # fmt: skip
    return pd.DataFrame([row])


def test_given_a_firm_order_then_the_plan_keeps_it_even_when_it_costs_more() -> None:
    # No demand in month 1; the firm 70 are made anyway (700) and held 2 months (0.2 x 70 x 2).
    plan = plan_supply(b.made([0.0, 0.0], firm_orders=_firm(70.0)))
    firm = plan.orders.loc[plan.orders["is_firm"]]
    assert firm["quantity_units"].tolist() == pytest.approx([70.0])
    assert plan.summary.objective_cost == pytest.approx(700.0 + 28.0)


def test_given_a_firm_order_then_the_plan_may_add_to_it_but_never_cut_it() -> None:
    plan = plan_supply(b.made([120.0, 100.0], firm_orders=_firm(90.0, "2027-02")))
    orders = plan.orders.set_index(plan.orders["release_period"].astype(str))
    assert orders.loc["2027-02", "firm_units"] == pytest.approx(90.0)
    assert orders.loc["2027-02", "quantity_units"] == pytest.approx(100.0)
    assert bool(orders.loc["2027-02", "is_firm"])
    # Month 1 needs 120 on 100 h (20 lost); month 2 adds 10 to the firm 90.
    assert plan.shortages["shortage_units"].sum() == pytest.approx(20.0)


def test_given_a_firm_buy_order_below_moq_then_it_is_exempt_from_the_moq() -> None:
    terms = pd.DataFrame([b.buy_term(lead_time_months=0, min_order_qty_units=150.0)])
    firm = pd.DataFrame([{"product": "P", "site": "S", "source_type": "buy", "source": "V",
                          "period": "2027-01", "quantity_units": 40.0}])  # fmt: skip
    plan = plan_supply(
        b.bought([40.0], terms, firm_orders=firm), SupplyConfig(integer_method="mip")
    )
    assert plan.orders["quantity_units"].tolist() == pytest.approx([40.0])
    assert plan.shortages.empty


def test_given_a_firm_order_above_capacity_then_the_message_names_resource_and_month() -> None:
    with pytest.raises(SupplyInputError) as error:
        plan_supply(b.made([0.0], firm_orders=_firm(150.0)))
    assert "resource='R' period=2027-01" in str(error.value)
    assert "exceeds capacity" in str(error.value)


def test_given_a_firm_order_on_an_unknown_lane_then_it_is_named() -> None:
    with pytest.raises(SupplyInputError, match="does not match any supply lane"):
        plan_supply(b.made([0.0], firm_orders=_firm(10.0, source="OTHER")))


def test_given_negative_demand_then_the_row_and_field_are_named() -> None:
    with pytest.raises(SupplyInputError) as error:
        plan_supply(b.made([50.0, -5.0]))
    assert "product='P', site='S', channel='RETAIL'" in str(error.value)
    assert "demand.demand_units is negative" in str(error.value)


def test_given_a_buy_term_without_lead_time_or_mode_then_missing_lead_time_is_reported() -> None:
    terms = pd.DataFrame([b.buy_term()])
    with pytest.raises(SupplyInputError, match="missing lead time"):
        plan_supply(b.bought([10.0], terms))


def test_given_several_problems_then_all_are_listed_at_once() -> None:
    bad = b.made([10.0], products=b.products(unit_cost=-1.0),
                 make_terms=b.make_term(hours=float("nan")))  # fmt: skip
    with pytest.raises(SupplyInputError) as error:
        plan_supply(bad)
    assert len(error.value.problems) == 2
    assert "products.unit_cost is negative" in str(error.value)
    assert "make_terms.hours_per_unit is missing" in str(error.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"demand": b.demand([10.0]).drop(columns="channel")}, "missing required column"),
        ({"horizon": pd.PeriodIndex([], freq="M")}, "horizon must be a non-empty"),
        ({"demand": b.demand([10.0]).assign(product="NOPE")}, "not in the product master data"),
        ({"demand": b.demand([10.0]).assign(period="soon")}, "period is not a month"),
        ({"make_terms": b.make_term(lead=1).assign(lead_time_months=0.5)}, "whole number"),
        ({"channels": b.channels(0)}, "service_priority must be a whole number"),
    ],
)
def test_given_invalid_input_then_a_supply_input_error_explains_it(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(SupplyInputError, match=message):
        plan_supply(b.made([10.0], **change))


def test_given_zero_capacity_then_the_plan_runs_and_says_capacity() -> None:
    plan = plan_supply(b.made([10.0, 10.0], resources=b.resource(0.0)))
    assert plan.shortages["reason"].unique().tolist() == ["capacity"]
    assert plan.resource_utilisation["utilisation_pct"].isna().all()


def test_given_a_product_without_supply_terms_then_its_shortage_says_so() -> None:
    plan = plan_supply(b.made([10.0], make_terms=b.make_term().iloc[0:0]))
    assert plan.shortages["reason"].tolist() == ["no_supply_source"]
    assert any("no supply terms" in warning for warning in plan.summary.warnings)


def test_given_no_demand_at_all_then_the_plan_is_empty_and_costs_nothing() -> None:
    plan = plan_supply(b.made([0.0, 0.0]))
    assert plan.orders.empty and plan.shortages.empty
    assert plan.summary.objective_cost == pytest.approx(0.0)


def test_given_demand_outside_the_horizon_then_it_is_ignored_with_a_warning() -> None:
    demand = b.demand([10.0, 10.0], months=2)
    plan = plan_supply(b.made([10.0], demand=demand))
    assert plan.summary.objective_cost == pytest.approx(100.0)
    assert any("outside the horizon" in warning for warning in plan.summary.warnings)
