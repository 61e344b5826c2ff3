"""Safety stock, reorder point, order quantity and order-up-to levels."""

import math

import numpy as np
import pytest
from scipy import stats

from inventory.engine import textbook
from inventory.engine.normal_loss import standard_normal_loss
from inventory.engine.policies import POLICY_OUTPUT_COLUMNS, PolicyConfig, compute_policies
from tests.inventory.engine.policies_builders import products

EXACT = PolicyConfig(round_up_to_whole_units=False)
Z95 = stats.norm.ppf(0.95)


def test_given_normal_item_cycle_target_then_ss_is_z_sigma_and_rop_adds_lead_time_demand() -> None:
    out = compute_policies(products({}), EXACT).iloc[0]
    assert out["method"] == "normal"
    assert out["safety_stock_units"] == pytest.approx(Z95 * 30.0, abs=1e-9)
    assert out["reorder_point_units"] == pytest.approx(100.0 + Z95 * 30.0, abs=1e-9)
    assert out["safety_stock_weeks"] == pytest.approx(Z95 * 30.0 / (100.0 * 12 / 52), abs=1e-9)
    assert list(compute_policies(products({})).columns) == list(POLICY_OUTPUT_COLUMNS)


def test_given_whole_units_default_then_levels_are_rounded_up() -> None:
    out = compute_policies(products({})).iloc[0]
    assert out["safety_stock_units"] == math.ceil(Z95 * 30.0)
    assert out["reorder_point_units"] == math.ceil(100.0 + Z95 * 30.0)


def test_given_lead_time_variability_then_sigma_ltd_combines_both_sources() -> None:
    out = compute_policies(products({"sd_lead_time_months": 0.5, "lead_time_months": 2.0}), EXACT)
    expected_sigma = math.sqrt(2.0 * 30.0**2 + 100.0**2 * 0.5**2)
    assert out["sd_protection_demand_units"].iloc[0] == pytest.approx(expected_sigma)
    assert out["safety_stock_units"].iloc[0] == pytest.approx(Z95 * expected_sigma)


def test_given_forecast_error_history_then_it_replaces_demand_sd_only_where_known() -> None:
    frame = products({"sd_forecast_error_per_month": 12.0}, {"sd_forecast_error_per_month": np.nan})
    out = compute_policies(frame, EXACT)
    assert list(out["variability_source"]) == ["forecast_error", "demand"]
    assert list(out["safety_stock_units"]) == pytest.approx([Z95 * 12.0, Z95 * 30.0])


@pytest.mark.parametrize("service_type", ["cycle", "fill_rate"])
def test_given_higher_service_target_then_more_safety_stock(service_type: str) -> None:
    targets = [0.90, 0.95, 0.98, 0.995, 0.999]
    frame = products(*({"service_target": t, "service_type": service_type} for t in targets))
    safety_stock = compute_policies(frame, EXACT)["safety_stock_units"].to_numpy()
    assert np.all(np.diff(safety_stock) > 0)


def test_given_same_percentage_then_fill_rate_needs_no_more_stock_than_cycle_service() -> None:
    targets = [0.9, 0.95, 0.98, 0.99]
    cycle = compute_policies(products(*({"service_target": t} for t in targets)), EXACT)
    fill = compute_policies(
        products(*({"service_target": t, "service_type": "fill_rate"} for t in targets)), EXACT
    )
    assert np.all(fill["safety_stock_units"].to_numpy() <= cycle["safety_stock_units"].to_numpy())


def test_given_fill_rate_target_then_expected_shortage_equals_allowed_shortage_per_order() -> None:
    out = compute_policies(products({"service_type": "fill_rate", "service_target": 0.99}), EXACT)
    row = out.iloc[0]
    sigma, z, quantity = (
        row["sd_protection_demand_units"],
        row["safety_factor_z"],
        row["order_quantity_units"],
    )
    assert sigma * float(standard_normal_loss(z)) == pytest.approx(0.01 * quantity, rel=1e-9)


def test_given_fill_rate_target_easily_met_by_cycle_stock_then_safety_stock_is_zero_not_negative() -> (
    None
):
    out = compute_policies(products({"service_type": "fill_rate", "service_target": 0.5}))
    assert out["safety_stock_units"].iloc[0] == 0.0
    assert out["safety_factor_z"].iloc[0] == 0.0


def test_given_eoq_then_moq_and_order_multiples_are_respected() -> None:
    # EOQ = sqrt(2 * 50 * 1200 / (0.24 * 10)) = 223.607
    frame = products(
        {},
        {"moq_units": 500.0, "order_multiple_units": 48.0},
        {"order_multiple_units": 48.0},
        {"moq_units": 300.0},
        {"moq_units": 100.0, "order_multiple_units": 25.0},
    )
    out = compute_policies(frame)
    assert out["eoq_units"].iloc[0] == pytest.approx(math.sqrt(50_000.0))
    assert list(out["order_quantity_units"]) == [224.0, 528.0, 240.0, 300.0, 225.0]


def test_given_periodic_review_then_order_up_to_covers_review_plus_lead_time() -> None:
    out = compute_policies(products({"review_period_months": 1.0}), EXACT).iloc[0]
    sigma = 30.0 * math.sqrt(2.0)
    assert out["policy"] == "periodic_RS"
    assert out["order_up_to_units"] == pytest.approx(200.0 + Z95 * sigma)
    assert out["reorder_point_units"] == out["order_up_to_units"]
    assert out["average_stock_units"] == pytest.approx(Z95 * sigma + 50.0)


def test_given_periodic_fill_rate_then_shortage_is_set_against_one_review_of_demand() -> None:
    out = compute_policies(
        products(
            {"review_period_months": 0.5, "service_type": "fill_rate", "service_target": 0.98}
        ),
        EXACT,
    ).iloc[0]
    sigma, z, per_review = out["sd_protection_demand_units"], out["safety_factor_z"], 100.0 * 0.5
    shortage = sigma * float(standard_normal_loss(z) - standard_normal_loss(z + per_review / sigma))
    assert shortage == pytest.approx(0.02 * per_review, rel=1e-9)


def test_given_continuous_review_then_maximum_position_is_reorder_point_plus_quantity() -> None:
    out = compute_policies(products({})).iloc[0]
    assert out["order_up_to_units"] == out["reorder_point_units"] + out["order_quantity_units"]


def test_given_zero_demand_then_all_levels_are_zero() -> None:
    out = compute_policies(products({"mean_demand_per_month": 0.0, "sd_demand_per_month": 0.0}))
    row = out.iloc[0]
    assert row["method"] == "no_demand"
    assert row[["safety_stock_units", "reorder_point_units", "order_quantity_units"]].tolist() == [
        0,
        0,
        0,
    ]
    assert row["safety_stock_weeks"] == 0.0


def test_given_bad_service_inputs_then_rejected() -> None:
    with pytest.raises(ValueError, match="service_type"):
        compute_policies(products({"service_type": "type3"}))
    with pytest.raises(ValueError, match="service_target"):
        compute_policies(products({"service_target": 1.0}))
    with pytest.raises(ValueError, match="order_cost"):
        compute_policies(products({}).drop(columns="order_cost"))
    with pytest.raises(ValueError, match="product='p0', site='s': lead_time_months is missing"):
        compute_policies(products({"lead_time_months": np.nan}))


def test_given_input_index_and_order_then_output_rows_follow_input_order() -> None:
    frame = products({"mean_demand_per_month": 5.0}, {"mean_demand_per_month": 500.0})
    frame.index = [10, 3]
    out = compute_policies(frame)
    assert list(out["product"]) == ["p0", "p1"]
    assert out["safety_stock_units"].is_monotonic_increasing


def test_given_vectorised_engine_then_eoq_agrees_with_textbook_reference() -> None:
    out = compute_policies(
        products({}, {"order_cost": 8.0, "unit_cost": 1.0, "holding_rate_per_year": 0.225})
    )
    # 1300 units/year at K=8, h=0.225 is the book's EOQ example
    frame = products({"mean_demand_per_month": 1300 / 12, "order_cost": 8.0, "unit_cost": 1.0,
                      "holding_rate_per_year": 0.225})  # fmt: skip
    book = compute_policies(frame)["eoq_units"].iloc[0]
    assert book == pytest.approx(textbook.eoq(8, 0.225, 1300).order_quantity, abs=1e-9)
    assert out["eoq_units"].iloc[1] == pytest.approx(textbook.eoq(8, 0.225, 1200).order_quantity)
