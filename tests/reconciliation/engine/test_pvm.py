"""The price-volume-mix bridge: its three parts add up to the revenue variance."""

from __future__ import annotations

import pandas as pd
import pytest

from reconciliation.engine import mix_effect, pvm_bridge

BUDGET = pd.DataFrame({"family": ["A", "B"], "units": [100.0, 300.0],
                       "revenue_eur": [1000.0, 1500.0]})  # fmt: skip


def test_hand_computed_bridge() -> None:
    # given budget A 100 @ 10, B 300 @ 5 (avg 6.25) and scenario A 150 @ 11, B 250 @ 5
    scenario = pd.DataFrame({"family": ["A", "B"], "units": [150.0, 250.0],
                             "revenue_eur": [1650.0, 1250.0]})  # fmt: skip
    bridge = pvm_bridge(scenario, BUDGET)
    # price = (11-10) x 150 = 150; volume = 0 x 6.25 = 0;
    # mix = (150 - 400 x .25) x 10 + (250 - 400 x .75) x 5 = 500 - 250 = 250
    assert (bridge.price_eur, bridge.volume_eur, bridge.mix_eur) == (150.0, 0.0, 250.0)
    assert bridge.variance_eur == 400.0
    assert mix_effect(scenario, BUDGET) == pytest.approx(250.0)


@pytest.mark.parametrize(
    "units, revenue",
    [([123.4, 0.0, 77.7], [1511.11, 0.0, 909.09]), ([0.0, 999.0, 5.0], [0.0, 4321.98, 77.0]),
     ([10.0, 10.0, 10.0], [99.99, 50.01, 333.33])],
)  # fmt: skip
def test_parts_sum_exactly_to_the_variance_with_a_family_outside_the_budget(
    units: list[float], revenue: list[float]
) -> None:
    scenario = pd.DataFrame({"family": ["A", "B", "NEW"], "units": units, "revenue_eur": revenue})
    bridge = pvm_bridge(scenario, BUDGET)
    parts = round(bridge.price_eur + bridge.volume_eur + bridge.mix_eur, 2)
    assert parts == bridge.variance_eur == round(sum(revenue) - 2500.0, 2)
    # the mix part equals its own formula (the remainder is only cent rounding)
    assert bridge.mix_eur == pytest.approx(mix_effect(scenario, BUDGET), abs=0.02)


def test_without_budget_units_the_variance_is_all_volume() -> None:
    scenario = pd.DataFrame({"family": ["A"], "units": [5.0], "revenue_eur": [50.0]})
    empty = pd.DataFrame({"family": ["A"], "units": [0.0], "revenue_eur": [0.0]})
    bridge = pvm_bridge(scenario, empty)
    assert (bridge.price_eur, bridge.volume_eur, bridge.mix_eur) == (0.0, 50.0, 0.0)
