"""Small builders of engine input frames for the engine tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

LAST_MONTH = pd.Period("2026-10", freq="M")


def history(
    series: Mapping[str, Sequence[float] | npt.NDArray[Any]], last_month: pd.Period = LAST_MONTH
) -> pd.DataFrame:
    """Long history with every series ending at `last_month` (monthly Periods)."""
    parts = [
        pd.DataFrame(
            {
                "series_id": name,
                "period": pd.period_range(end=last_month, periods=len(values), freq="M"),
                "quantity": np.asarray(values, dtype=float),
            }
        )
        for name, values in series.items()
    ]
    return pd.concat(parts, ignore_index=True)


def forecast_of(result: pd.DataFrame, series_id: str, column: str = "forecast") -> np.ndarray:
    return result.loc[result["series_id"] == series_id, column].to_numpy()


def seasonal_pattern(months: int, level: float = 100.0, amplitude: float = 30.0) -> np.ndarray:
    return level + amplitude * np.sin(2 * np.pi * np.arange(months) / 12)
