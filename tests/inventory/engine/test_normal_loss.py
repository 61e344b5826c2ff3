"""Standard normal loss function: table values and the inverse used for fill-rate targets."""

import numpy as np
import pytest

from inventory.engine.normal_loss import (
    complementary_standard_normal_loss,
    inverse_standard_normal_loss,
    standard_normal_loss,
)


@pytest.mark.parametrize(
    ("z", "table_value"),
    [(-1.0, 1.0833), (0.0, 0.3989), (0.5, 0.1978), (1.0, 0.0833), (1.5, 0.0293), (2.0, 0.0085)],
)
def test_given_z_then_loss_matches_published_table_to_four_decimals(
    z: float, table_value: float
) -> None:
    assert float(standard_normal_loss(z)) == pytest.approx(table_value, abs=1e-4)


def test_given_z_then_complementary_loss_is_z_plus_loss() -> None:
    z = np.linspace(-3, 3, 13)
    assert np.allclose(complementary_standard_normal_loss(z), z + standard_normal_loss(z))


def test_given_targets_when_inverted_then_loss_of_result_returns_target() -> None:
    targets = np.array([5.0, 1.0, 0.3989, 0.1, 0.01, 1e-4, 1e-7])
    z = inverse_standard_normal_loss(targets)
    assert np.allclose(standard_normal_loss(z), targets, rtol=1e-9, atol=0)
    assert np.all(np.diff(z) > 0)  # smaller allowed shortage -> higher safety factor
