"""Small networks whose optimum is computed by hand; the engine must hit it exactly.

Defaults of the builders: product P costs 10 and sells at 30, holding 2 % of cost per month
(0.2 per unit-month), one channel RETAIL with weight 1 (shortage cost 30 per unit).
"""

from __future__ import annotations

import pandas as pd
import pytest

from supply.engine import SupplyConfig, plan_supply, rough_cut_capacity
from supply.engine.inputs import IntegerMethod
from supply.engine.rccp import is_overloaded, needs_overtime
from tests.supply.engine import builders as b


def test_given_capacity_binds_then_overtime_is_used_while_cheaper_than_a_lost_sale() -> None:
    # 130 wanted, 100 h regular + 20 h overtime at 5/h (unit 10+5=15 < 30): 100x10 + 20x15
    # + 10 lost x 30 = 1,600.
    plan = plan_supply(b.made([130.0], resources=b.resource(100.0, overtime=20.0, rate=5.0)))
    assert plan.summary.status == "optimal"
    assert plan.summary.objective_cost == pytest.approx(1600.0)
    assert plan.cost("overtime") == pytest.approx(100.0)
    assert plan.cost("shortage") == pytest.approx(300.0)
    assert plan.shortages["shortage_units"].sum() == pytest.approx(10.0)
    assert plan.shortages["reason"].tolist() == ["capacity"]
    load = plan.resource_utilisation.iloc[0]
    assert load["load_hours"] == pytest.approx(120.0)
    assert load["overtime_hours"] == pytest.approx(20.0)


def test_given_overtime_dearer_than_the_sale_then_the_shortage_is_accepted() -> None:
    # Overtime unit cost 10 + 25 = 35 > 30: 100x10 + 30 lost x 30 = 1,900, reason economic.
    plan = plan_supply(b.made([130.0], resources=b.resource(100.0, overtime=20.0, rate=25.0)))
    assert plan.summary.objective_cost == pytest.approx(1900.0)
    assert plan.resource_utilisation["overtime_hours"].sum() == pytest.approx(0.0)
    assert plan.shortages["reason"].tolist() == ["economic"]


def test_given_a_later_peak_then_the_plan_pre_builds_in_the_slack_month() -> None:
    # Demand 50 then 150 on 100 h: make 100 + 100, carry 50 (holding 0.2 x 50 = 10): 2,010.
    plan = plan_supply(b.made([50.0, 150.0]))
    assert plan.summary.objective_cost == pytest.approx(2010.0)
    assert plan.shortages.empty
    closing = plan.inventory.set_index("period")["closing_units"]
    assert closing.iloc[0] == pytest.approx(50.0)


def test_given_two_channels_then_the_higher_priority_channel_is_served_first() -> None:
    demand = pd.concat([b.demand([60.0], "RETAIL"), b.demand([60.0], "WEB")])
    plan = plan_supply(b.made([0.0], channels=b.channels(1, 2), demand=demand))
    # Weights 2 (RETAIL) and 1 (WEB): WEB loses 20 units at 30: 1,000 + 600.
    assert plan.summary.objective_cost == pytest.approx(1600.0)
    assert plan.shortages[["channel", "shortage_units"]].values.tolist() == [["WEB", 20.0]]


def test_given_ocean_and_air_then_air_covers_the_ocean_lead_time_and_ocean_the_rest() -> None:
    terms = pd.DataFrame([b.buy_term()])
    modes = pd.DataFrame([
        {**b.buy_term(), "mode": "ocean", "lead_time_months": 2, "transport_cost_per_unit": 1.0},
        {**b.buy_term(), "mode": "air", "lead_time_months": 0, "transport_cost_per_unit": 5.0},
    ])  # fmt: skip
    plan = plan_supply(b.bought([100.0] * 4, terms, transport_modes=modes))
    # Months 1-2 by air (10 + 5) x 200 = 3,000; months 3-4 by ocean (10 + 1) x 200 = 2,200.
    assert plan.summary.objective_cost == pytest.approx(5200.0)
    orders = plan.orders.groupby("mode")["quantity_units"].sum()
    assert orders.to_dict() == pytest.approx({"air": 200.0, "ocean": 200.0})
    ocean = plan.orders.loc[plan.orders["mode"] == "ocean"]
    assert [str(p) for p in ocean["release_period"]] == ["2027-01", "2027-02"]
    assert [str(p) for p in ocean["receipt_period"]] == ["2027-03", "2027-04"]


def test_given_air_dearer_than_the_sale_then_the_ocean_lead_time_shortage_is_economic() -> None:
    terms = pd.DataFrame([b.buy_term()])
    modes = pd.DataFrame([
        {**b.buy_term(), "mode": "ocean", "lead_time_months": 2, "transport_cost_per_unit": 1.0},
        {**b.buy_term(), "mode": "air", "lead_time_months": 0, "transport_cost_per_unit": 25.0},
    ])  # fmt: skip
    plan = plan_supply(b.bought([100.0] * 4, terms, transport_modes=modes))
    # Air costs 35 > 30: months 1-2 are lost (6,000), ocean 2,200.
    assert plan.summary.objective_cost == pytest.approx(8200.0)
    assert plan.shortages["reason"].unique().tolist() == ["economic"]
    options = plan.gap_options
    assert set(options["option"]) == {"expedite"}
    assert options["cost_per_unit"].iloc[0] == pytest.approx(35.0)


def test_given_only_ocean_then_the_first_months_are_short_for_lead_time() -> None:
    terms = pd.DataFrame([b.buy_term(lead_time_months=2)])
    plan = plan_supply(b.bought([100.0] * 3, terms))
    assert plan.summary.objective_cost == pytest.approx(2 * 100 * 30 + 100 * 10)
    assert plan.shortages["reason"].tolist() == ["lead_time", "lead_time"]


@pytest.mark.parametrize("method", ["mip", "heuristic"])
def test_given_an_moq_then_one_order_covers_both_months(method: IntegerMethod) -> None:
    # MOQ 150, demand 100 + 100: one order of 200 in month 1, 100 held a month: 2,000 + 20.
    terms = pd.DataFrame([b.buy_term(lead_time_months=0, min_order_qty_units=150.0)])
    plan = plan_supply(b.bought([100.0, 100.0], terms), SupplyConfig(integer_method=method))
    assert plan.summary.objective_cost == pytest.approx(2020.0)
    assert plan.orders["quantity_units"].tolist() == pytest.approx([200.0])


@pytest.mark.parametrize("method", ["mip", "heuristic"])
def test_given_an_order_multiple_then_orders_round_up_to_it(method: IntegerMethod) -> None:
    # Multiple 60, demand 100: order 120 (1,200), 20 left over held (0.2 x 20 = 4).
    terms = pd.DataFrame([b.buy_term(lead_time_months=0, order_multiple_units=60.0)])
    plan = plan_supply(b.bought([100.0], terms), SupplyConfig(integer_method=method))
    assert plan.summary.objective_cost == pytest.approx(1204.0)
    assert plan.orders["quantity_units"].tolist() == pytest.approx([120.0])


def test_given_the_relaxed_method_then_moq_is_ignored_and_the_cost_is_a_lower_bound() -> None:
    terms = pd.DataFrame([b.buy_term(lead_time_months=0, min_order_qty_units=150.0)])
    plan = plan_supply(b.bought([100.0, 100.0], terms), SupplyConfig(integer_method="relaxed"))
    assert plan.summary.status == "relaxed"
    assert plan.summary.objective_cost == pytest.approx(2000.0)


def test_given_a_capacitated_supplier_then_the_rest_goes_to_the_alternative() -> None:
    terms = pd.DataFrame([b.buy_term("A", lead_time_months=0),
                          b.buy_term("B", lead_time_months=0, purchase_cost_per_unit=12.0)])  # fmt: skip
    suppliers = pd.DataFrame({"supplier": ["A", "B"], "capacity_units_per_month": [80.0, None]})
    plan = plan_supply(b.bought([100.0], terms, suppliers=suppliers))
    assert plan.summary.objective_cost == pytest.approx(80 * 10 + 20 * 12)
    by_supplier = plan.orders.set_index("source")["quantity_units"]
    assert by_supplier.to_dict() == pytest.approx({"A": 80.0, "B": 20.0})
    supplier_a = plan.supplier_utilisation.set_index("supplier").loc["A"]
    assert supplier_a["utilisation_pct"] == pytest.approx(100.0)


def test_given_a_safety_stock_target_then_it_is_built_when_the_penalty_outweighs_cost() -> None:
    # Target 50 over 3 months, penalty 20 per unit-month: build 50 in month 1 (500) and hold it
    # 3 months (0.2 x 50 x 3 = 30) rather than pay 3,000 of penalty.
    target = pd.DataFrame([{"product": "P", "site": "S", "safety_stock_units": 50.0,
                            "penalty_per_unit_month": 20.0}])  # fmt: skip
    plan = plan_supply(b.made([0.0, 0.0, 0.0], safety_stock=target))
    assert plan.summary.objective_cost == pytest.approx(530.0)
    assert plan.inventory["below_safety_stock_units"].sum() == pytest.approx(0.0)


def test_given_opening_stock_and_a_receipt_then_only_the_net_need_is_made() -> None:
    on_hand = pd.DataFrame([{"product": "P", "site": "S", "on_hand_units": 30.0}])
    receipts = pd.DataFrame([{"product": "P", "site": "S", "period": "2027-02",
                              "receipt_units": 40.0}])  # fmt: skip
    plan = plan_supply(b.made([50.0, 50.0], opening_inventory=on_hand, scheduled_receipts=receipts))
    # Month 1: 30 on hand + 20 made; month 2: 40 received + 10 made -> 30 made, cost 300.
    assert plan.summary.objective_cost == pytest.approx(300.0)
    assert plan.orders["quantity_units"].sum() == pytest.approx(30.0)


def test_given_costs_then_the_breakdown_adds_up_to_the_objective() -> None:
    plan = plan_supply(b.made([130.0, 80.0], resources=b.resource(100.0, 20.0, 5.0)))
    costs = plan.costs.set_index("component")["cost"]
    assert costs.drop("total").sum() == pytest.approx(costs["total"])
    assert costs["total"] == pytest.approx(plan.summary.objective_cost)


def test_given_demand_above_capacity_then_rccp_shows_the_overload() -> None:
    rccp = rough_cut_capacity(b.made([130.0, 80.0], resources=b.resource(100.0, 20.0, 5.0)))
    assert rccp["load_hours"].tolist() == pytest.approx([130.0, 80.0])
    assert rccp["overload_hours"].tolist() == pytest.approx([30.0, 0.0])
    assert rccp["overload_after_overtime_hours"].tolist() == pytest.approx([10.0, 0.0])
    assert rccp["utilisation_pct"].iloc[0] == pytest.approx(130.0)


def _with_packing(pack_hours: float) -> dict[str, pd.DataFrame]:
    resources = pd.concat([b.resource(100.0), b.resource(pack_hours).assign(resource="PACK")])
    loads = pd.DataFrame([{"product": "P", "site": "S", "resource": "PACK",
                           "hours_per_unit": 0.5}])  # fmt: skip
    return {"resources": resources, "secondary_loads": loads}


def test_given_a_secondary_load_then_the_packing_bottleneck_limits_the_plan() -> None:
    # Filling allows 100 units, packing (0.5 h/unit on 40 h) only 80: 20 lost, cost 800 + 600.
    plan = plan_supply(b.made([100.0], **_with_packing(40.0)))
    assert plan.summary.objective_cost == pytest.approx(1400.0)
    assert plan.shortages["reason"].tolist() == ["capacity"]
    load = plan.resource_utilisation.set_index("resource")["load_hours"]
    assert load.to_dict() == pytest.approx({"PACK": 40.0, "R": 80.0})
    rccp = rough_cut_capacity(b.made([100.0], **_with_packing(40.0))).set_index("resource")
    assert rccp.loc["PACK", "overload_hours"] == pytest.approx(10.0)


def test_given_pre_building_dearer_than_the_sale_then_pre_build_is_offered_at_its_cost() -> None:
    # Holding 25 per unit-month: building 30 a month early costs 10 + 25 = 35 > 30 lost sale.
    products = b.products(holding_cost_per_unit_month=25.0)
    plan = plan_supply(b.made([0.0, 130.0], products=products))
    assert plan.summary.objective_cost == pytest.approx(1000.0 + 30 * 30.0)
    option = plan.gap_options.set_index("option").loc["pre_build"]
    assert option["cost_per_unit"] == pytest.approx(35.0)
    assert option["closable_units"] == pytest.approx(30.0)
    assert str(option["release_period"]) == "2027-01"
    assert option["net_saving"] == pytest.approx(30 * 30.0 - 30 * 35.0)


def test_given_a_dear_second_supplier_then_it_is_offered_as_the_alternative() -> None:
    terms = pd.DataFrame([b.buy_term("A", lead_time_months=0),
                          b.buy_term("B", lead_time_months=0, purchase_cost_per_unit=35.0)])  # fmt: skip
    suppliers = pd.DataFrame({"supplier": ["A", "B"], "capacity_units_per_month": [80.0, None]})
    plan = plan_supply(b.bought([100.0], terms, suppliers=suppliers))
    assert plan.shortages["reason"].tolist() == ["economic"]
    option = plan.gap_options.set_index("option").loc["alternative_supplier"]
    assert (option["source"], option["cost_per_unit"]) == ("B", pytest.approx(35.0))
    assert option["closable_units"] == pytest.approx(20.0)


def test_given_a_requirement_within_overtime_then_it_is_not_overloaded() -> None:
    # Requirement 130 h and 80 h on 100 h + 20 h overtime: month 1 above even overtime (130 >
    # 120), month 2 within capacity; 110 h would be "on overtime", not overloaded.
    required, capacity, limit = [130.0, 80.0, 110.0, 120.0], [100.0] * 4, [20.0] * 4
    assert is_overloaded(required, capacity, limit).tolist() == [True, False, False, False]
    assert needs_overtime(required, capacity, limit).tolist() == [False, False, True, True]
    # Adding 10 h more overtime clears month 1
    assert not is_overloaded(required, capacity, [30.0] * 4).any()
