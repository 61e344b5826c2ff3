"""Small DataFrame helpers shared by the engine modules (input validation, safe division)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd


def require_columns(frame: pd.DataFrame, columns: Iterable[str], frame_name: str) -> None:
    """Fail early with every missing column named, instead of a KeyError deep in the maths."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{frame_name} is missing required column(s): {', '.join(missing)}")


def float_column(
    frame: pd.DataFrame, column: str, default: float | None = None
) -> npt.NDArray[np.float64]:
    """Column as a float array; an absent optional column becomes the default."""
    if column not in frame.columns:
        if default is None:
            raise ValueError(f"missing required column: {column}")
        return np.full(len(frame), default, dtype=float)
    return frame[column].to_numpy(dtype=float, na_value=np.nan)


def divide_or(
    numerator: npt.ArrayLike, denominator: npt.ArrayLike, when_zero: float
) -> npt.NDArray[np.float64]:
    """numerator / denominator, with `when_zero` wherever the denominator is zero."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    safe = np.where(den == 0.0, 1.0, den)
    return np.asarray(np.where(den == 0.0, when_zero, num / safe), dtype=float)
