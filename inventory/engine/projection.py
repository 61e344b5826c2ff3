"""Monthly stock projection per product and site, with exception flags.

Balance, for every product-site and month t of the horizon:

    closing_t = opening_t + receipts_t + planned_supply_t - (demand_t - lost_sales_t),
    opening_{t+1} = closing_t

Lost sales are the demand the signed-off supply plan does not serve (its `Shortage` rows): that
demand is gone, not carried, so it leaves the balance. Any unmet demand the supply plan did *not*
already count as lost is *backordered*: closing may go negative and the shortfall is carried
into the next month (the next opening is that negative closing), which keeps the balance a plain
identity. `backorder_units` = max(-closing, 0) reports it separately, and inventory value uses
on-hand stock `on_hand_value` = max(closing, 0) x unit cost only (the one valuation rule; the
plan record reuses the stored value).

Exact reconciliation: a cumulative sum gives closing_t = opening_0 + (net_1 + ... + net_t),
which in floating point can differ from opening_t + receipts_t + planned_t - (demand_t - lost_t)
in the last bit. The projection therefore steps month by month, each step one numpy expression
over all product-sites evaluated in exactly that left-to-right order; both identities then hold
with `==`, not just approximately, for any float input. T steps of O(rows) work each.

Flags per row: stockout (closing < 0, or lost sales > 0: a lost sale is a stockout),
below_safety_stock (closing < safety stock), excess (forward weeks of supply > the item's
`max_cover_weeks`, default from config) and obsolete (a phase-out lifecycle with stock on
hand). Weeks of supply is forward-looking on the projected demand after that month (`cover`).

Inputs
  flows: long, product, site, period (monthly pandas.Period), demand_units,
         [receipts_units = 0], [planned_supply_units = 0], [lost_sales_units = 0] (units of
         demand_units the supply plan counts as lost, 0 <= lost <= demand); duplicate rows add
         up; months missing for an item inside the horizon (min..max period of all flows) are
         zero.
  positions: one row per product-site: product, site, opening_stock_units,
         safety_stock_units, unit_cost, family, lifecycle, [max_cover_weeks].
Output: `PROJECTION_COLUMNS`, one row per position x month, sorted by position then period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from inventory.engine._frames import float_column, require_columns
from inventory.engine.cover import forward_cover_weeks
from inventory.engine.demand_stats import monthly_ordinals

FloatArray = npt.NDArray[np.float64]
KEYS = ["product", "site"]
FLOW_COLUMNS = ("receipts_units", "planned_supply_units", "demand_units", "lost_sales_units")
POSITION_COLUMNS = (
    "product", "site", "opening_stock_units", "safety_stock_units", "unit_cost", "family", "lifecycle",
)  # fmt: skip
PROJECTION_COLUMNS = (
    "product", "site", "family", "lifecycle", "period", "opening_units", "receipts_units",
    "planned_supply_units", "demand_units", "lost_sales_units", "closing_units", "backorder_units",
    "safety_stock_units", "weeks_of_supply", "unit_cost", "opening_value", "closing_value",
    "demand_value", "stockout", "below_safety_stock", "excess", "obsolete",
)  # fmt: skip


@dataclass(frozen=True)
class ProjectionConfig:
    excess_cover_weeks: float = 26.0
    weeks_per_month: float = 52.0 / 12.0
    run_rate_months: int = 3
    phase_out_lifecycles: frozenset[str] = field(
        default_factory=lambda: frozenset({"phase_out", "discontinued", "end_of_life", "obsolete"})
    )


@dataclass(frozen=True)
class FlowGrid:
    """Flows as (positions x months) arrays aligned to `positions` rows and `periods`."""

    periods: pd.PeriodIndex
    receipts: FloatArray
    planned_supply: FloatArray
    demand: FloatArray
    lost_sales: FloatArray


def flow_grid(flows: pd.DataFrame, positions: pd.DataFrame) -> FlowGrid:
    require_columns(flows, [*KEYS, "period", "demand_units"], "flows")
    if flows.empty:
        raise ValueError("flows is empty: no horizon to project")
    rows = pd.MultiIndex.from_frame(positions[KEYS]).get_indexer(
        pd.MultiIndex.from_frame(flows[KEYS])
    )
    if (rows < 0).any():
        unknown = flows.loc[rows < 0, KEYS].drop_duplicates().head(5).to_records(index=False)
        raise ValueError(f"flows for product-sites without a position, e.g. {list(unknown)}")
    months = monthly_ordinals(flows["period"])
    first, last = int(months.min()), int(months.max())
    shape = (len(positions), last - first + 1)
    grids = []
    for column in FLOW_COLUMNS:
        grid = np.zeros(shape)
        np.add.at(
            grid, (rows, months - first), np.nan_to_num(float_column(flows, column, default=0.0))
        )
        grids.append(grid)
    periods = pd.period_range(pd.Period(ordinal=first, freq="M"), periods=shape[1], freq="M")
    return FlowGrid(periods, *grids)


def roll_forward(
    opening: FloatArray,
    receipts: FloatArray,
    planned_supply: FloatArray,
    demand: FloatArray,
    lost_sales: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """(opening, closing) grids; see the module docstring for why this steps month by month.
    `lost_sales` (default none) is the part of `demand` that leaves unserved."""
    served = demand if lost_sales is None else demand - lost_sales
    opening_grid = np.empty_like(demand)
    closing_grid = np.empty_like(demand)
    current = opening.astype(float)
    for month in range(demand.shape[1]):
        opening_grid[:, month] = current
        current = current + receipts[:, month] + planned_supply[:, month] - served[:, month]
        closing_grid[:, month] = current
    return opening_grid, closing_grid


def on_hand_units(units: FloatArray) -> FloatArray:
    """On-hand stock of a projected stock position: max(units, 0) (a backorder is not stock)."""
    return np.maximum(units, 0.0)


def on_hand_value(units: FloatArray, unit_cost: FloatArray) -> FloatArray:
    """Stock value at cost of on-hand stock only: `on_hand_units` x unit cost. The one inventory
    valuation rule (opening, closing and, stored, the plan record's inventory value)."""
    return on_hand_units(units) * unit_cost


def _is_in(values: pd.Series, members: Iterable[str]) -> npt.NDArray[np.bool_]:
    return np.asarray(values.astype(str).str.lower().isin(list(members)).to_numpy(), dtype=bool)


def _to_long(
    positions: pd.DataFrame, periods: pd.PeriodIndex, grids: dict[str, npt.NDArray[np.generic]]
) -> pd.DataFrame:
    """One row per position x month; row-major ravel matches the repeat/tile key order."""
    months = len(periods)
    columns: dict[str, npt.ArrayLike] = {
        column: np.repeat(positions[column].to_numpy(), months)
        for column in ["product", "site", "family", "lifecycle"]
    }
    columns["period"] = periods.take(np.tile(np.arange(months), len(positions)))
    columns.update({name: np.ravel(grid) for name, grid in grids.items()})
    return pd.DataFrame(columns)[list(PROJECTION_COLUMNS)]


@dataclass(frozen=True)
class _PositionGrids:
    """Per-position attributes broadcast to (positions x months) for row-wise arithmetic."""

    unit_cost: FloatArray
    safety_stock: FloatArray
    max_cover_weeks: FloatArray
    phase_out: npt.NDArray[np.bool_]


def _position_grids(
    positions: pd.DataFrame, months: int, config: ProjectionConfig
) -> _PositionGrids:
    def spread(values: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
        return np.repeat(values[:, None], months, axis=1)

    max_cover = float_column(positions, "max_cover_weeks", default=config.excess_cover_weeks)
    return _PositionGrids(
        unit_cost=spread(float_column(positions, "unit_cost")).astype(float),
        safety_stock=spread(float_column(positions, "safety_stock_units")).astype(float),
        max_cover_weeks=spread(
            np.where(np.isnan(max_cover), config.excess_cover_weeks, max_cover)
        ).astype(float),
        phase_out=spread(_is_in(positions["lifecycle"], config.phase_out_lifecycles)).astype(bool),
    )


def project_inventory(
    flows: pd.DataFrame, positions: pd.DataFrame, config: ProjectionConfig | None = None
) -> pd.DataFrame:
    """Month-by-month projection and flags (contract in the module docstring)."""
    config = config or ProjectionConfig()
    require_columns(positions, POSITION_COLUMNS, "positions")
    positions = positions.reset_index(drop=True)
    grid = flow_grid(flows, positions)
    opening_stock = float_column(positions, "opening_stock_units")
    opening, closing = roll_forward(
        opening_stock, grid.receipts, grid.planned_supply, grid.demand, grid.lost_sales
    )
    stock_path = np.concatenate([opening[:, :1], closing], axis=1)
    cover = forward_cover_weeks(
        stock_path, grid.demand, config.weeks_per_month, config.run_rate_months
    )[:, 1:]
    at = _position_grids(positions, len(grid.periods), config)
    grids: dict[str, npt.NDArray[np.generic]] = {
        "opening_units": opening,
        "receipts_units": grid.receipts,
        "planned_supply_units": grid.planned_supply,
        "demand_units": grid.demand,
        "lost_sales_units": grid.lost_sales,
        "closing_units": closing,
        "backorder_units": np.maximum(-closing, 0.0),
        "safety_stock_units": at.safety_stock,
        "weeks_of_supply": cover,
        "unit_cost": at.unit_cost,
        "opening_value": on_hand_value(opening, at.unit_cost),
        "closing_value": on_hand_value(closing, at.unit_cost),
        "demand_value": grid.demand * at.unit_cost,
        "stockout": (closing < 0.0) | (grid.lost_sales > 0.0),
        "below_safety_stock": closing < at.safety_stock,
        "excess": cover > at.max_cover_weeks,
        "obsolete": at.phase_out & (closing > 0.0),
    }
    return _to_long(positions, grid.periods, grids)
