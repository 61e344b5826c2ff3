"""ABC x XYZ segmentation and service targets."""

import itertools

import numpy as np
import pandas as pd
import pytest

from inventory.engine.segmentation import (
    DEFAULT_SERVICE_TARGETS,
    SegmentationConfig,
    classify_abc,
    classify_xyz,
    segment,
)


def test_given_pareto_values_when_classified_then_80_15_5_cutoffs_apply() -> None:
    # Shares 50, 30 | 10, 5 | 3, 2: value above each item is 0, 50, 80, 90, 95, 98 %.
    values = pd.Series([3.0, 50.0, 10.0, 2.0, 30.0, 5.0], index=list("fabgcd"))
    abc = classify_abc(values)
    assert abc["abc_class"].to_dict() == {
        "f": "C",
        "a": "A",
        "b": "B",
        "g": "C",
        "c": "A",
        "d": "B",
    }
    assert abc.loc["a", "cumulative_value_share"] == pytest.approx(0.5)
    assert abc.loc["g", "cumulative_value_share"] == pytest.approx(1.0)


def test_given_one_dominant_item_then_it_is_a_even_though_it_crosses_the_cutoff() -> None:
    abc = classify_abc(pd.Series([90.0, 6.0, 4.0]))
    assert list(abc["abc_class"]) == ["A", "B", "C"]


def test_given_custom_cutoffs_then_classes_move() -> None:
    values = pd.Series([50.0, 30.0, 10.0, 5.0, 3.0, 2.0])
    abc = classify_abc(values, cutoffs=(0.5, 0.9))
    assert list(abc["abc_class"]) == ["A", "B", "B", "C", "C", "C"]


def test_given_no_value_at_all_then_everything_is_c() -> None:
    assert set(classify_abc(pd.Series([0.0, 0.0]))["abc_class"]) == {"C"}


def test_given_cv_then_xyz_bounds_are_inclusive_and_undefined_cv_is_z() -> None:
    cv = [0.0, 0.5, 0.51, 1.0, 1.01, np.inf, np.nan]
    assert list(classify_xyz(cv)) == ["X", "X", "Y", "Y", "Z", "Z", "Z"]


def _items() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product": ["p1", "p2", "p3", "p4"],
            "site": ["s1", "s1", "s1", "s1"],
            "annual_demand_units": [1000.0, 500.0, 100.0, 0.0],
            "unit_cost": [8.0, 2.0, 1.0, 5.0],
            "mean_demand_per_month": [100.0, 40.0, 10.0, 0.0],
            "sd_demand_per_month": [10.0, 30.0, 20.0, 0.0],
            # p1 has a forecast-error history that is noisier than its demand.
            "sd_forecast_error_per_month": [70.0, np.nan, np.nan, np.nan],
        }
    )


def test_given_items_when_segmented_then_forecast_error_cv_wins_and_targets_follow_cells() -> None:
    out = segment(_items())
    assert list(out["annual_value"]) == [8000.0, 1000.0, 100.0, 0.0]
    assert list(out["cv"]) == pytest.approx([0.7, 0.75, 2.0, np.inf])
    assert list(out["segment"]) == ["AY", "BY", "CZ", "CZ"]
    assert list(out["service_target"]) == [
        DEFAULT_SERVICE_TARGETS[s] for s in ["AY", "BY", "CZ", "CZ"]
    ]


def test_given_custom_targets_and_abc_within_site_then_each_site_has_its_own_a_items() -> None:
    items = pd.concat([_items(), _items().assign(site="s2", unit_cost=[1.0, 1.0, 100.0, 1.0])])
    items.index = [7] * len(items)  # the caller's index must not matter
    targets = {a + x: 0.50 + 0.01 * i for i, (a, x) in enumerate(itertools.product("ABC", "XYZ"))}
    config = SegmentationConfig(abc_within=("site",), service_targets=targets)
    out = segment(items, config)
    assert list(out.loc[out["site"] == "s1", "abc_class"]) == ["A", "B", "C", "C"]
    assert list(out.loc[out["site"] == "s2", "abc_class"]) == ["B", "C", "A", "C"]
    assert out["service_target"].iloc[0] == targets["AY"]


def test_given_inconsistent_config_then_rejected() -> None:
    with pytest.raises(ValueError, match="ABC"):
        SegmentationConfig(abc_cumulative_cutoffs=(0.9, 0.8))
    with pytest.raises(ValueError, match="lacks"):
        SegmentationConfig(service_targets={"AX": 0.99})
