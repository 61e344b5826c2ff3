"""The inventory review calculation end to end: statistics -> segments -> policies -> projection.

`run_pipeline` is what the Django run executes, kept free of Django so it is tested in
milliseconds. Choices made here (and why):

* Mean demand is the *plan's* mean over its first 12 months (the consensus demand the stock
  must serve), falling back to the history mean for items without plan rows. Variability comes
  from history: the forecast-error RMSE where at least 6 months of forecast history exist, else
  the demand sd; items without any history get sd = mean x `assumed_cv` (0.5, a Y-class item),
  marked `variability_source = "assumed"`, rather than zero safety stock.
* ABC ranks product-sites by annual value = 12 x mean demand x unit cost; XYZ uses the same sd
  the policies use. The cell's service target applies unless the product-site has an override.
* Overrides: a service target and an order quantity replace the computed ones *before* the
  policy is computed (a fill-rate safety stock depends on the order quantity: fewer units per
  cycle need more safety stock for the same fill rate); a safety stock override replaces the
  computed one afterwards, and the reorder point, order-up-to level, average stock and weeks
  of supply are re-derived from it.
* Bad input (a missing, non-numeric or negative number) raises `InventoryInputError` naming
  every bad row and field (`validation`) before anything is computed.
* Lost sales (`lost_sales_units`, the signed-off supply plan's shortages) leave the balance:
  the projection serves demand - lost sales and flags a month with lost sales as a stockout.
* Projection flows and opening stock are rounded to hundredths of a unit; then every row's
  balance is checked in integer hundredths (exact arithmetic), so the stored decimals reconcile
  exactly. A failed check raises instead of storing an inconsistent plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from inventory.engine._frames import divide_or, require_columns
from inventory.engine.demand_stats import demand_statistics, monthly_ordinals
from inventory.engine.exceptions import projection_exceptions
from inventory.engine.kpis import inventory_kpis, kpis_by_period
from inventory.engine.policies import compute_policies
from inventory.engine.projection import ProjectionConfig, project_inventory
from inventory.engine.segmentation import DEFAULT_SERVICE_TARGETS, SegmentationConfig, segment
from inventory.engine.validation import check_inputs

KEYS = ["product", "site"]
PLAN_MEAN_MONTHS = 12
MIN_ERROR_PERIODS = 6
WEEKS_PER_MONTH = 52.0 / 12.0
ITEM_COLUMNS = (
    "product", "site", "unit_cost", "family", "lifecycle", "lead_time_months",
    "sd_lead_time_months", "moq_units", "order_multiple_units", "opening_stock_units",
)  # fmt: skip
FLOW_UNIT_COLUMNS = (
    "demand_units", "receipts_units", "planned_supply_units", "lost_sales_units",
)  # fmt: skip


@dataclass(frozen=True)
class PipelineParams:
    abc_cutoffs: tuple[float, float] = (0.80, 0.95)
    xyz_cutoffs: tuple[float, float] = (0.5, 1.0)
    service_targets: Mapping[str, float] = field(default_factory=lambda: DEFAULT_SERVICE_TARGETS)
    service_type: str = "cycle"
    holding_rate_per_year: float = 0.25
    order_cost: float = 50.0
    review_period_months: float = 0.0
    excess_cover_weeks: float = 26.0
    assumed_cv: float = 0.5


@dataclass(frozen=True)
class PipelineResult:
    policies: pd.DataFrame  # one row per item: segment columns + policy columns + KPIs
    projection: pd.DataFrame  # PROJECTION_COLUMNS
    exceptions: pd.DataFrame  # EXCEPTION_COLUMNS
    family_kpis: pd.DataFrame
    total_kpis: pd.DataFrame
    monthly: pd.DataFrame  # per period: closing value, demand value, weeks of supply, units


def _plan_mean(flows: pd.DataFrame) -> pd.DataFrame:
    """Mean planned demand per month over the first (up to) 12 months of the plan."""
    months = monthly_ordinals(flows["period"])
    offset = months - months.min()
    window = min(PLAN_MEAN_MONTHS, int(offset.max()) + 1)
    inside = flows[offset < window]
    total = inside.groupby(KEYS, sort=False)["demand_units"].sum() / window
    return total.rename("plan_mean_per_month").reset_index()


def demand_inputs(
    items: pd.DataFrame, history: pd.DataFrame, flows: pd.DataFrame, params: PipelineParams
) -> pd.DataFrame:
    """Items with mean, sd, forecast-error sd, ADI and the source of their variability."""
    out = items.merge(_plan_mean(flows), on=KEYS, how="left")
    if history.empty:
        stats = pd.DataFrame(columns=[*KEYS, "mean_demand_per_month", "sd_demand_per_month"])
    else:
        stats = demand_statistics(history, min_error_periods=MIN_ERROR_PERIODS)
    out = out.merge(stats, on=KEYS, how="left")
    history_mean = out["mean_demand_per_month"].astype(float).fillna(0.0)
    mean = out["plan_mean_per_month"].astype(float).fillna(history_mean).clip(lower=0.0)
    sd = out["sd_demand_per_month"].astype(float)
    assumed = sd.isna()
    out["mean_demand_per_month"] = mean
    out["sd_demand_per_month"] = sd.fillna(mean * params.assumed_cv)
    if "sd_forecast_error_per_month" not in out.columns:
        out["sd_forecast_error_per_month"] = np.nan
    out["adi_periods"] = out.get("adi_periods", pd.Series(1.0, index=out.index)).fillna(1.0)
    out["annual_demand_units"] = 12.0 * mean
    has_error = out["sd_forecast_error_per_month"].notna()
    out["variability_source"] = np.where(
        has_error, "forecast_error", np.where(assumed, "assumed", "demand")
    )
    return out


def _override_column(overrides: pd.DataFrame, items: pd.DataFrame, column: str) -> pd.Series:
    if overrides.empty or column not in overrides.columns:
        return pd.Series(np.nan, index=items.index)
    merged = items[KEYS].merge(overrides[[*KEYS, column]], on=KEYS, how="left")
    return pd.Series(merged[column].astype(float).to_numpy(), index=items.index)


def _apply_level_overrides(
    policies: pd.DataFrame, items: pd.DataFrame, overrides: pd.DataFrame
) -> pd.DataFrame:
    """Replace safety stock / order quantity where overridden and re-derive the levels there."""
    safety = _override_column(overrides, items, "safety_stock_units").to_numpy()
    quantity = _override_column(overrides, items, "order_quantity_units").to_numpy()
    touched = ~np.isnan(safety) | ~np.isnan(quantity)
    if not touched.any():
        return policies
    out = policies.copy()
    ss = np.where(np.isnan(safety), out["safety_stock_units"], safety)
    q = np.where(np.isnan(quantity), out["order_quantity_units"], quantity)
    periodic = (out["policy"] == "periodic_RS").to_numpy()
    mean = items["mean_demand_per_month"].to_numpy(dtype=float)
    rop = np.ceil(out["mean_protection_demand_units"].to_numpy() + ss - 1e-9) + 0.0
    cycle_units = np.where(periodic, mean * items["review_period_months"].to_numpy(float), q)
    average = ss + cycle_units / 2.0
    weekly = mean / WEEKS_PER_MONTH
    derived = {
        "safety_stock_units": ss,
        "order_quantity_units": q,
        "reorder_point_units": rop,
        "order_up_to_units": np.where(periodic, rop, rop + q),
        "average_stock_units": average,
        "safety_stock_weeks": divide_or(ss, weekly, when_zero=np.inf),
        "reorder_point_weeks": divide_or(rop, weekly, when_zero=np.inf),
        "order_up_to_weeks": divide_or(np.where(periodic, rop, rop + q), weekly, np.inf),
        "average_stock_weeks": divide_or(average, weekly, when_zero=np.inf),
        "safety_stock_value": ss * items["unit_cost"].to_numpy(dtype=float),
    }
    for column, values in derived.items():
        out[column] = np.where(touched, values, out[column].to_numpy(dtype=float))
    return out


def compute_item_policies(
    items: pd.DataFrame, overrides: pd.DataFrame, params: PipelineParams
) -> pd.DataFrame:
    """Segments and policies per item, with overrides applied (see module docstring)."""
    config = SegmentationConfig(
        abc_cumulative_cutoffs=params.abc_cutoffs,
        xyz_cv_cutoffs=params.xyz_cutoffs,
        service_targets=params.service_targets,
    )
    segments = segment(items, config)
    target_override = _override_column(overrides, items, "service_target")
    items = items.assign(
        service_target=target_override.fillna(segments["service_target"]).to_numpy(),
        service_type=params.service_type,
        order_cost=params.order_cost,
        holding_rate_per_year=params.holding_rate_per_year,
        review_period_months=params.review_period_months,
        order_quantity_override_units=_override_column(
            overrides, items, "order_quantity_units"
        ).to_numpy(),
    )
    policies = _apply_level_overrides(compute_policies(items), items, overrides)
    policies = policies.drop(columns=["variability_source"])
    for column in ("annual_value", "cv", "abc_class", "xyz_class", "segment"):
        policies[column] = segments[column].to_numpy()
    keep = ["variability_source", "mean_demand_per_month", "lead_time_months",
            "opening_stock_units", "unit_cost"]  # fmt: skip
    for column in keep:
        policies[column] = items[column].to_numpy()
    return policies


def check_reconciles(projection: pd.DataFrame) -> None:
    """Every row's balance, and the carry-forward, in exact integer hundredths of a unit."""

    def cents(column: str) -> np.ndarray:
        return np.rint(projection[column].to_numpy(dtype=float) * 100.0).astype(np.int64)

    balance = cents("opening_units") + cents("receipts_units") + cents("planned_supply_units")
    served = cents("demand_units") - cents("lost_sales_units")
    bad = balance - served != cents("closing_units")
    same_item = (projection[KEYS].to_numpy()[1:] == projection[KEYS].to_numpy()[:-1]).all(axis=1)
    carried = cents("opening_units")[1:] != cents("closing_units")[:-1]
    if bad.any() or (same_item & carried).any():
        row = (
            projection.loc[bad].head(1)
            if bad.any()
            else projection.iloc[1:].loc[same_item & carried]
        )
        raise ValueError(
            f"projection does not reconcile at {row[[*KEYS, 'period']].to_dict('records')[:1]}"
        )


def run_pipeline(
    items: pd.DataFrame,
    history: pd.DataFrame,
    flows: pd.DataFrame,
    overrides: pd.DataFrame,
    params: PipelineParams,
) -> PipelineResult:
    require_columns(items, ITEM_COLUMNS, "items")
    check_inputs(items, history, flows, overrides)
    items = items.reset_index(drop=True).assign(
        opening_stock_units=items["opening_stock_units"].astype(float).round(2).to_numpy()
    )
    flows = flows.assign(
        **{c: flows[c].astype(float).round(2) for c in FLOW_UNIT_COLUMNS if c in flows.columns}
    )
    demand = demand_inputs(items, history, flows, params)
    policies = compute_item_policies(demand, overrides, params)
    positions = demand.assign(
        safety_stock_units=policies["safety_stock_units"].to_numpy(),
        max_cover_weeks=params.excess_cover_weeks,
    )
    projection = project_inventory(
        flows, positions, ProjectionConfig(excess_cover_weeks=params.excess_cover_weeks)
    )
    check_reconciles(projection)
    item_kpis = inventory_kpis(projection, by=KEYS)
    policies = policies.merge(
        item_kpis[[*KEYS, "average_inventory_value", "turns_per_year", "dio_days",
                   "weeks_of_supply", "opening_weeks_of_supply"]],
        on=KEYS, how="left",
    )  # fmt: skip
    cover_limit = np.full(len(projection), params.excess_cover_weeks)
    return PipelineResult(
        policies=policies,
        projection=projection,
        exceptions=projection_exceptions(projection, cover_limit),
        family_kpis=inventory_kpis(projection, by=["family"]),
        total_kpis=inventory_kpis(projection),
        monthly=_monthly_kpis(projection),
    )


def _monthly_kpis(projection: pd.DataFrame) -> pd.DataFrame:
    """KPIs per month with the closing units and the safety stock value (for the chart)."""
    monthly = kpis_by_period(projection)
    units = projection.groupby("period", sort=True)[["closing_units", "demand_units"]].sum()
    safety_value = (
        (projection["safety_stock_units"] * projection["unit_cost"])
        .groupby(projection["period"])
        .sum()
    )
    monthly["closing_units"] = units["closing_units"].to_numpy()
    monthly["safety_stock_value"] = safety_value.sort_index().to_numpy()
    return monthly
