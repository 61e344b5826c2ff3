"""Family aggregation: same SKU-level output as the full model, feasible and close to optimal."""

from __future__ import annotations

import pandas as pd
import pytest

from supply.engine import SupplyConfig, plan_supply, plan_supply_aggregated
from tests.supply.engine import builders as b


def _two_similar_products() -> dict[str, object]:
    products = pd.concat([b.products(), b.products().assign(product="Q")], ignore_index=True)
    terms = pd.concat([b.make_term(), b.make_term().assign(product="Q")], ignore_index=True)
    demand = pd.concat([b.demand([50.0, 80.0]), b.demand([30.0, 30.0]).assign(product="Q")])
    return {"products": products, "make_terms": terms, "demand": demand}


def test_given_a_family_then_the_aggregate_plan_splits_back_to_each_sku() -> None:
    inputs = b.made([0.0, 0.0], **_two_similar_products())
    plan = plan_supply_aggregated(inputs)
    made = plan.orders.groupby("product")["quantity_units"].sum()
    assert made.to_dict() == pytest.approx({"P": 130.0, "Q": 60.0})
    assert plan.shortages.empty
    assert plan.summary.method == "aggregated"
    # Month 2 needs 110 on 100 h: 10 pre-built in month 1 for P's peak (1,900 + holding 2).
    assert plan.summary.objective_cost == pytest.approx(1902.0)
    assert plan_supply(inputs).summary.objective_cost == pytest.approx(1902.0)


def test_given_moq_and_capacity_then_the_aggregate_plan_stays_feasible() -> None:
    # Two bought SKUs with an MOQ on one capacitated supplier: orders meet MOQ and capacity.
    products = pd.concat([b.products(), b.products().assign(product="Q")], ignore_index=True)
    terms = pd.DataFrame([b.buy_term(lead_time_months=0, min_order_qty_units=50.0),
                          {**b.buy_term(lead_time_months=0, min_order_qty_units=50.0),
                           "product": "Q"}])  # fmt: skip
    demand = pd.concat([b.demand([40.0, 40.0]), b.demand([20.0, 70.0]).assign(product="Q")])
    suppliers = pd.DataFrame({"supplier": ["V"], "capacity_units_per_month": [120.0]})
    inputs = b.bought([0.0, 0.0], terms, products=products, demand=demand, suppliers=suppliers)
    plan = plan_supply_aggregated(inputs, SupplyConfig())
    assert (plan.orders["quantity_units"] >= 50.0 - 1e-6).all()
    assert (plan.supplier_utilisation["ordered_units"] <= 120.0 + 1e-6).all()
    exact = plan_supply(inputs, SupplyConfig(integer_method="mip"))
    assert plan.summary.objective_cost >= exact.summary.objective_cost - 1e-6


def _benchmark_instance(skus: int):  # type: ignore[no-untyped-def]
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "benchmarks" / "supply_scale.py"
    spec = importlib.util.spec_from_file_location("supply_scale", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.synthetic_inputs(skus, 12, 4, 7)


def test_given_the_benchmark_network_then_the_aggregate_plan_is_feasible_and_close() -> None:
    inputs = _benchmark_instance(200)
    plan = plan_supply_aggregated(inputs)
    load = plan.resource_utilisation
    assert (
        load["load_hours"] <= load["capacity_hours"] + load["overtime_limit_hours"] + 1e-6
    ).all()
    suppliers = plan.supplier_utilisation.dropna(subset=["capacity_units"])
    assert (suppliers["ordered_units"] <= suppliers["capacity_units"] + 1e-6).all()
    terms = inputs.buy_terms.drop_duplicates(["product", "site"]).set_index("product")
    bought = plan.orders.loc[(plan.orders["source_type"] == "buy") & ~plan.orders["is_firm"]]
    moq = terms["min_order_qty_units"].reindex(bought["product"]).fillna(0).to_numpy()
    assert (bought["quantity_units"].to_numpy() >= moq - 1e-6).all()
    # An economic shortage is a real choice: none of its options would close it at a profit.
    paying = plan.gap_options.loc[plan.gap_options["net_saving"].astype(float) > 0.01]
    economic = plan.shortages.loc[plan.shortages["reason"] == "economic"]
    keys = ["product", "site", "period"]
    assert economic[keys].merge(paying[keys], on=keys).empty
    full = plan_supply(inputs, SupplyConfig(integer_method="heuristic"))
    gap = plan.summary.objective_cost / full.summary.objective_cost - 1
    assert gap < 0.03
