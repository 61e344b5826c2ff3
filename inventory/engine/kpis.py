"""Inventory KPIs over a projection, by any grouping (product, family, site, or total).

Definitions (value at unit cost; on-hand stock only, backorders carry no value):
* average_inventory_value: mean of the month-end inventory values over the horizon;
* cogs_value: sum of demand_units x unit_cost (demand at standard cost stands in for cost of
  goods sold: the projection backorders rather than loses demand, so all of it ships);
  annual_cogs_value = cogs_value x 12 / months;
* turns_per_year = annual_cogs_value / average_inventory_value;
* dio_days (days of inventory outstanding) = 365 x average_inventory_value / annual_cogs_value;
* weeks_of_supply: forward-looking, on the group's future demand value (see `cover`):
  at the start of the horizon (opening_weeks_of_supply) and after each month
  (`kpis_by_period`). Summing values, not units, lets unlike products aggregate.
A zero denominator gives inf when the numerator is positive and 0 otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from inventory.engine._frames import divide_or, require_columns
from inventory.engine.cover import FloatArray, forward_cover_weeks
from inventory.engine.projection import ProjectionConfig

DAYS_PER_YEAR = 365.0
MONTHS_PER_YEAR = 12.0
_VALUE_COLUMNS = ["opening_value", "closing_value", "demand_value"]


@dataclass(frozen=True)
class _GroupedValues:
    """(groups x months) value grids; `groups` holds the group keys, one row per group."""

    groups: pd.DataFrame
    periods: pd.PeriodIndex
    opening: FloatArray
    closing: FloatArray
    demand: FloatArray


def _grouped_values(projection: pd.DataFrame, by: Sequence[str]) -> _GroupedValues:
    require_columns(projection, ["period", *_VALUE_COLUMNS, *by], "projection")
    # A constant key makes the total just another grouping.
    keys = list(by) or ["_total"]
    frame = projection if by else projection.assign(_total="total")
    sums = frame.groupby([*keys, "period"], sort=True, observed=True)[_VALUE_COLUMNS].sum()
    wide = sums.unstack("period", fill_value=0.0)
    periods = pd.PeriodIndex(wide["closing_value"].columns)
    groups = wide.index.to_frame(index=False)
    return _GroupedValues(
        groups=groups[list(by)],
        periods=periods,
        opening=wide["opening_value"].to_numpy(dtype=float),
        closing=wide["closing_value"].to_numpy(dtype=float),
        demand=wide["demand_value"].to_numpy(dtype=float),
    )


def _cover(values: _GroupedValues, config: ProjectionConfig) -> FloatArray:
    stock = np.concatenate([values.opening[:, :1], values.closing], axis=1)
    return forward_cover_weeks(stock, values.demand, config.weeks_per_month, config.run_rate_months)


def inventory_kpis(
    projection: pd.DataFrame, by: Sequence[str] = (), config: ProjectionConfig | None = None
) -> pd.DataFrame:
    """One row per group of `by` (one row in total for by=()) with the horizon KPIs."""
    config = config or ProjectionConfig()
    values = _grouped_values(projection, by)
    months = len(values.periods)
    average_value = values.closing.mean(axis=1)
    annual_cogs = values.demand.sum(axis=1) * MONTHS_PER_YEAR / months
    out = values.groups.copy()
    out["months"] = months
    out["opening_inventory_value"] = values.opening[:, 0]
    out["average_inventory_value"] = average_value
    out["ending_inventory_value"] = values.closing[:, -1]
    out["cogs_value"] = values.demand.sum(axis=1)
    out["annual_cogs_value"] = annual_cogs
    out["turns_per_year"] = _ratio(annual_cogs, average_value)
    out["dio_days"] = DAYS_PER_YEAR * _ratio(average_value, annual_cogs)
    out["opening_weeks_of_supply"] = _cover(values, config)[:, 0]
    return out


def kpis_by_period(
    projection: pd.DataFrame, by: Sequence[str] = (), config: ProjectionConfig | None = None
) -> pd.DataFrame:
    """One row per group and month: closing and demand value, forward weeks of supply."""
    config = config or ProjectionConfig()
    values = _grouped_values(projection, by)
    groups, months = values.closing.shape
    out = values.groups.loc[np.repeat(np.arange(groups), months)].reset_index(drop=True)
    out["period"] = values.periods.take(np.tile(np.arange(months), groups))
    out["closing_value"] = values.closing.ravel()
    out["demand_value"] = values.demand.ravel()
    out["weeks_of_supply"] = _cover(values, config)[:, 1:].ravel()
    return out


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    infinite_or_zero = np.where(numerator > 0.0, np.inf, 0.0)
    return np.where(denominator > 0.0, divide_or(numerator, denominator, 0.0), infinite_or_zero)
