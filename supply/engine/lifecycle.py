"""Lifecycle-aware supply: products that run out are never bought beyond what they will sell.

Each product has a ``lifecycle`` ("new", "active" or "phase_out", as masterdata.Lifecycle;
default "active") and an optional ``end_period`` (its last month of sale; empty = none). A
product *runs out* in the plan when it is in phase-out or its end month (last month of
sale) falls inside the horizon. For such a position:
* demand after the end month is dropped (with a warning): nothing is sold after the end;
* the safety-stock target is 0: stock kept "just in case" would be left over as obsolete;
* total supply arriving over the horizon (made and bought, all lanes) is capped at the
  remaining need, max(0, demand up to the end - on hand - scheduled receipts), raised to the
  firm orders if they exceed it. An order minimum above that need cannot be placed: the
  demand it would serve is lost (shortage reason "phase_out_limit") rather than bought to
  the minimum and written off (issue 13: 516 bought for 68.5 of remaining demand).
New and active products without an end date are planned as before. The run-out rows are
built in `model_builder` (LP / MIP) and honoured by the rounding heuristic (`rounding`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
LIFECYCLES = frozenset({"new", "active", "phase_out"})
RUN_OUT_LIFECYCLES = frozenset({"phase_out"})
NO_END = np.iinfo(np.int32).max


def end_months(products: pd.DataFrame, horizon: pd.PeriodIndex) -> tuple[pd.Series, pd.Series]:
    """(end month index per product, NO_END where none; mask of unparseable end periods)."""
    raw = products["end_period"].astype("string").fillna("").str.strip()
    given = raw != ""
    parsed = pd.Series(np.nan, index=products.index)
    for index in raw.index[given]:
        try:
            parsed[index] = pd.Period(raw[index], freq="M").ordinal - horizon[0].ordinal
        except (TypeError, ValueError):
            parsed[index] = np.nan
    bad = given & parsed.isna()
    return parsed.fillna(NO_END).astype(np.int64), bad


def drop_demand_after_end(
    demand: pd.DataFrame, products: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """Demand rows after their product's end month removed, and the warning saying so."""
    end = demand["product"].map(products.set_index("product")["end_month"])
    after = (demand["month"] > end).to_numpy()
    if not after.any():
        return demand, []
    listed = ", ".join(sorted(set(demand.loc[after, "product"]))[:10])
    warning = (f"demand after the end of life ignored: {int(after.sum())} row(s) of {listed} "
               f"({demand.loc[after, 'demand_units'].sum():,.1f} units)")  # fmt: skip
    return demand.loc[~after].reset_index(drop=True), [warning]


def runs_out(positions: pd.DataFrame, months: int) -> npt.NDArray[np.bool_]:
    """Positions that run out within the horizon (phase-out, or an end month inside it)."""
    lifecycle = positions["lifecycle"].isin(RUN_OUT_LIFECYCLES).to_numpy()
    return np.asarray(lifecycle | (positions["end_month"].to_numpy() < months))


def run_out_caps(
    positions: pd.DataFrame, demand: FloatArray, receipts: FloatArray, firm: FloatArray,
    months: int,
) -> FloatArray:  # fmt: skip
    """Most units that may arrive per position over the horizon (NaN = no cap).

    demand and receipts are positions x months grids; firm is the firm-order units per
    position (a firm order is kept even above the cap).
    """
    need = demand.sum(axis=1) - receipts.sum(axis=1) - positions["on_hand_units"].to_numpy(float)
    cap = np.maximum(np.maximum(need, 0.0), firm)
    return np.where(runs_out(positions, months), cap, np.nan)
