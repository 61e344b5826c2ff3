"""Inventory KPIs over a projection, by any grouping (product, family, site, or total).

One definition each, all on the same stock -- the month-end on-hand inventory of the
horizon, valued at unit cost (backorders carry no value) -- so that the three ratios on a row
can never contradict each other (sources: APICS/ASCM dictionary; STACK-NOTES KPI table):

* average_inventory_value (currency) = mean over the T month-ends of sum(max(closing, 0) x
  unit_cost);
* cogs_value (currency) = sum of demand_units x unit_cost over the horizon (demand at standard
  cost stands in for cost of goods sold: the projection backorders rather than loses demand,
  so all of it ships); annual_cogs_value = cogs_value x 12 / T;
* turns_per_year (1/year) = annual_cogs_value / average_inventory_value (turns on COGS, not
  on revenue);
* dio_days (days) = 365 x average_inventory_value / annual_cogs_value = 365 / turns;
* weeks_of_supply (weeks) = mean over the T month-ends of the forward weeks of supply of that
  month-end's stock against the demand after it (`cover`: weeks until projected stock is used
  up by future requirements, APICS "days of supply", forward); `kpis_by_period` gives each
  month's value. opening_weeks_of_supply is the same forward cover for the opening stock (the
  position today), kept for the record, not a ratio of the horizon.
Consistency on every row (tested as properties): turns x DIO = 365 wherever both are finite
and positive; no stock (average 0) <=> weeks_of_supply 0 <=> DIO 0 <=> turns infinite (when
there is demand); stock without any demand in the horizon: turns 0, DIO and weeks infinite;
neither stock nor demand: turns and DIO undefined (NaN), weeks 0. With level demand,
weeks_of_supply = DIO x 52 / 365 exactly (weeks and days of the same average stock).
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
    cover = _cover(values, config)
    out["weeks_of_supply"] = average_weeks_of_supply(cover[:, 1:])
    out["opening_weeks_of_supply"] = cover[:, 0]
    return out


def average_weeks_of_supply(month_end_weeks: FloatArray) -> FloatArray:
    """Row means of forward weeks of supply (rows x months); a NaN (stored infinite) or inf
    month makes the row infinite: stock that is never used up has no finite average."""
    weeks = np.where(np.isnan(month_end_weeks), np.inf, month_end_weeks)
    if weeks.shape[1] == 0:
        return np.zeros(weeks.shape[0])
    return np.asarray(weeks.mean(axis=1), dtype=float)


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
    """numerator / denominator; inf for x / 0 with x > 0 and NaN for 0 / 0 (no stock and no
    demand: there is no turnover to speak of, neither 0 turns nor 0 days)."""
    infinite_or_undefined = np.where(numerator > 0.0, np.inf, np.nan)
    return np.where(
        denominator > 0.0, divide_or(numerator, denominator, 0.0), infinite_or_undefined
    )
