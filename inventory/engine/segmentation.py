"""ABC x XYZ segmentation and the service-level target of each of the nine cells.

ABC ranks items by annual consumption value (annual demand units x unit cost), the Pareto
classification of Silver, Pyke & Thomas (*Inventory and Production Management in Supply
Chains*, 4th ed., 2.1). Items are sorted by value, highest first; an item is class A when the
items ranked above it hold less than the A cut-off (default 80 %) of the total value, B when
they hold less than the B cut-off (default 80 + 15 = 95 %), C otherwise. Using the share held
*above* the item means the item that crosses 80 % is still A, so a single item carrying 90 % of
value is A, not B.

XYZ classes demand variability by the coefficient of variation cv = sigma / mu of monthly
demand, or of the monthly forecast error when a forecast-error history exists (the error,
not the demand, is what safety stock must absorb). Defaults: X if cv <= 0.5, Y if cv <= 1.0,
Z otherwise. Items with no demand have an undefined cv, set to +inf, i.e. Z.

Input (`items`): one row per product (or product-site), columns
    product, [site], and either annual_value (currency/year) or annual_demand_units + unit_cost;
    and either cv, or mean_demand_per_month + sd_demand_per_month
    [+ sd_forecast_error_per_month, used where not NaN].
Output: the key columns plus annual_value, cumulative_value_share, abc_class, cv, xyz_class,
segment (e.g. "AX") and service_target (fraction).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd

from inventory.engine._frames import divide_or, float_column, require_columns

DEFAULT_SERVICE_TARGETS: Mapping[str, float] = MappingProxyType(
    {
        "AX": 0.98, "AY": 0.97, "AZ": 0.95,
        "BX": 0.97, "BY": 0.96, "BZ": 0.93,
        "CX": 0.95, "CY": 0.93, "CZ": 0.90,
    }
)  # fmt: skip


@dataclass(frozen=True)
class SegmentationConfig:
    """Cut-offs are cumulative value shares (ABC) and coefficient-of-variation bounds (XYZ)."""

    abc_cumulative_cutoffs: tuple[float, float] = (0.80, 0.95)
    xyz_cv_cutoffs: tuple[float, float] = (0.5, 1.0)
    service_targets: Mapping[str, float] = field(default_factory=lambda: DEFAULT_SERVICE_TARGETS)
    # Rank ABC within each group of these columns (e.g. ("site",)); empty = across all rows.
    abc_within: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        a_cut, b_cut = self.abc_cumulative_cutoffs
        if not 0.0 < a_cut <= b_cut <= 1.0:
            raise ValueError("ABC cut-offs must satisfy 0 < A <= B <= 1")
        x_cut, y_cut = self.xyz_cv_cutoffs
        if not 0.0 <= x_cut <= y_cut:
            raise ValueError("XYZ cut-offs must satisfy 0 <= X <= Y")
        missing = {a + x for a in "ABC" for x in "XYZ"} - set(self.service_targets)
        if missing:
            raise ValueError(f"service_targets lacks segment(s): {sorted(missing)}")


def classify_abc(
    annual_value: pd.Series, cutoffs: tuple[float, float] = (0.80, 0.95)
) -> pd.DataFrame:
    """ABC class and cumulative value share (up to and including the item), per input row.

    The index of `annual_value` must be unique; the result is aligned to it.
    """
    values = annual_value.clip(lower=0.0).fillna(0.0)
    # Stable sort so ties keep input order and results are reproducible.
    ranked = values.sort_values(ascending=False, kind="mergesort")
    total = float(ranked.sum())
    cumulative = ranked.cumsum().to_numpy()
    share_above = divide_or(cumulative - ranked.to_numpy(), total, when_zero=1.0)
    share_including = divide_or(cumulative, total, when_zero=1.0)
    abc = np.select([share_above < cutoffs[0], share_above < cutoffs[1]], ["A", "B"], default="C")
    out = pd.DataFrame(
        {"cumulative_value_share": share_including, "abc_class": abc}, index=ranked.index
    )
    return out.reindex(annual_value.index)


def classify_xyz(
    cv: npt.ArrayLike, cutoffs: tuple[float, float] = (0.5, 1.0)
) -> npt.NDArray[np.str_]:
    cv_arr = np.nan_to_num(np.asarray(cv, dtype=float), nan=np.inf)
    return np.asarray(np.select([cv_arr <= cutoffs[0], cv_arr <= cutoffs[1]], ["X", "Y"], "Z"))


def _annual_value(items: pd.DataFrame) -> npt.NDArray[np.float64]:
    if "annual_value" in items.columns:
        return float_column(items, "annual_value")
    require_columns(items, ["annual_demand_units", "unit_cost"], "items")
    return float_column(items, "annual_demand_units") * float_column(items, "unit_cost")


def coefficient_of_variation(items: pd.DataFrame) -> npt.NDArray[np.float64]:
    """cv from the `cv` column, else forecast-error sd (where known) or demand sd over the mean."""
    if "cv" in items.columns:
        return float_column(items, "cv")
    require_columns(items, ["mean_demand_per_month", "sd_demand_per_month"], "items")
    sd = float_column(items, "sd_demand_per_month")
    if "sd_forecast_error_per_month" in items.columns:
        error_sd = float_column(items, "sd_forecast_error_per_month")
        sd = np.where(np.isnan(error_sd), sd, error_sd)
    return divide_or(sd, float_column(items, "mean_demand_per_month"), when_zero=np.inf)


def _abc_by_group(
    annual_value: pd.Series, items: pd.DataFrame, config: SegmentationConfig
) -> pd.DataFrame:
    if not config.abc_within:
        return classify_abc(annual_value, config.abc_cumulative_cutoffs)
    # One ranking per group (few groups, e.g. sites), each vectorised inside.
    groups = annual_value.groupby([items[c] for c in config.abc_within], sort=False)
    parts = [classify_abc(values, config.abc_cumulative_cutoffs) for _, values in groups]
    return pd.concat(parts).reindex(annual_value.index)


def segment(items: pd.DataFrame, config: SegmentationConfig | None = None) -> pd.DataFrame:
    """ABC x XYZ segment and service target per row of `items` (see module docstring)."""
    config = config or SegmentationConfig()
    require_columns(items, ["product", *config.abc_within], "items")
    # A fresh positional index keeps the ranking's reindex safe for any caller index.
    items = items.reset_index(drop=True)
    keys = [c for c in ("product", "site") if c in items.columns]
    out = items[keys].copy()
    out["annual_value"] = _annual_value(items)
    abc = _abc_by_group(out["annual_value"], items, config)
    out["cumulative_value_share"] = abc["cumulative_value_share"]
    out["abc_class"] = abc["abc_class"]
    out["cv"] = coefficient_of_variation(items)
    out["xyz_class"] = classify_xyz(out["cv"].to_numpy(), config.xyz_cv_cutoffs)
    out["segment"] = out["abc_class"] + out["xyz_class"]
    out["service_target"] = out["segment"].map(dict(config.service_targets)).astype(float)
    return out
