"""Safety stock, reorder point, order quantity and order-up-to level per product and site.

Time unit is the month throughout (the projection is monthly); targets are also given in weeks
of supply (1 month = 52/12 weeks). All maths is vectorised over rows; no per-product loop.

Demand over the protection period P (Silver, Pyke & Thomas, 6.7 and 7.1):
    P = L for continuous review (s, Q); P = R + L for periodic review (R, S),
    mu_P = d * P,   sigma_P = sqrt(P * sigma_d^2 + d^2 * sigma_L^2),
where sigma_d is the monthly forecast-error sd when the item has a forecast-error history
(that is the uncertainty safety stock covers) and the monthly demand sd otherwise, and sigma_L
is the lead-time sd in months (the review period itself is fixed).

Normal method (items with ADI <= 1.32):
* cycle service level alpha (Type 1): z = Phi^-1(alpha);
* fill rate beta (Type 2): solve G(z) - G(z + Q / sigma_P) = (1 - beta) * Q / sigma_P, the
  exact expected shortage per cycle (Silver, Pyke & Thomas; see
  `normal_loss.fill_rate_safety_factor`), with Q the order quantity (continuous review) or the
  mean demand per review period d * R (periodic review), G the standard normal loss function.
  The exact form stays finite as Q -> 0 (zero order cost: z -> Phi^-1(beta)), where the
  approximation G(z) = (1 - beta) Q / sigma_P sends z to infinity;
* z is floored at 0 (no negative safety stock); safety stock = z * sigma_P.
Intermittent method (ADI > 1.32): Poisson / negative-binomial quantiles of protection-period
demand in whole units (`intermittent`). Items with zero mean demand get zero levels.

Order quantity: EOQ = sqrt(2 * K * D / (i * c)) with D annual demand (Harris), raised to the
minimum order quantity and then up to a whole number of order multiples. An
``order_quantity_override_units`` (optional, NaN = none) replaces it *before* the safety
stock is computed, because a fill-rate safety stock depends on the order quantity.
Levels: continuous review: reorder point s = mu_L + SS, order-up-to (maximum position) s + Q;
periodic review: order-up-to S = mu_{R+L} + SS, and the reorder point is S too (any position
below S at a review triggers an order).

Input `products`, one row per product-site:
    product, site, unit_cost (currency/unit), mean_demand_per_month (units),
    sd_demand_per_month (units), lead_time_months, order_cost (currency/order),
    holding_rate_per_year (fraction of unit cost), service_target (fraction, 0-1),
    service_type ("cycle" | "fill_rate");
  optional: sd_forecast_error_per_month (NaN = no error history), sd_lead_time_months (0),
    moq_units (0), order_multiple_units (0 = none), review_period_months (0 = continuous),
    adi_periods (average months between demands; 1 = not intermittent).
Output (`POLICY_OUTPUT_COLUMNS`), one row per input row, in input order:
    product, site; policy ("continuous_sQ" | "periodic_RS"); method ("normal" | "poisson" |
    "negative_binomial" | "no_demand"); service_type, service_target; variability_source
    ("forecast_error" | "demand") and sd_used_per_month; protection_period_months,
    mean_protection_demand_units, sd_protection_demand_units (sigma_P above);
    safety_factor_z (normal method only, else NaN); eoq_units (unconstrained) and
    order_quantity_units (MOQ / multiples applied); safety_stock_units, reorder_point_units,
    order_up_to_units, average_stock_units (SS + half a cycle); the same four as *_weeks of
    mean demand (inf for stock without demand); safety_stock_value (currency).
With `PolicyConfig.round_up_to_whole_units` (default) every level is rounded up to whole units;
intermittent levels are whole units regardless, and their safety stock is
ceil(level - mu_P), floored at 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import ndtri

from inventory.engine import intermittent
from inventory.engine._frames import divide_or, float_column, require_columns
from inventory.engine.demand_stats import INTERMITTENT_ADI_CUTOFF
from inventory.engine.normal_loss import fill_rate_safety_factor
from inventory.engine.validation import InventoryInputError, check_numbers

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
MONTHS_PER_YEAR = 12.0
# Guards ceil() against float noise such as 3.0000000000000004 becoming 4.
_ROUNDING_SLACK = 1e-9

REQUIRED_COLUMNS = (
    "product", "site", "unit_cost", "mean_demand_per_month", "sd_demand_per_month",
    "lead_time_months", "order_cost", "holding_rate_per_year", "service_target", "service_type",
)  # fmt: skip
POLICY_OUTPUT_COLUMNS = (
    "product", "site", "policy", "method", "service_type", "service_target",
    "variability_source", "sd_used_per_month", "protection_period_months",
    "mean_protection_demand_units", "sd_protection_demand_units", "safety_factor_z",
    "eoq_units", "order_quantity_units", "safety_stock_units", "reorder_point_units",
    "order_up_to_units", "average_stock_units", "safety_stock_weeks", "reorder_point_weeks",
    "order_up_to_weeks", "average_stock_weeks", "safety_stock_value",
)  # fmt: skip


@dataclass(frozen=True)
class PolicyConfig:
    intermittent_adi_cutoff: float = INTERMITTENT_ADI_CUTOFF
    weeks_per_month: float = 52.0 / 12.0
    # Planners stock whole units; set False to keep the continuous normal-theory levels.
    round_up_to_whole_units: bool = True


@dataclass(frozen=True)
class _Demand:
    """Protection-period demand moments and the facts the level calculations branch on."""

    mean_per_month: FloatArray
    sd_per_month: FloatArray
    review_months: FloatArray
    protection_months: FloatArray
    mean_protection: FloatArray
    sd_protection: FloatArray
    periodic: BoolArray
    intermittent: BoolArray
    no_demand: BoolArray


def _ceil(values: FloatArray) -> FloatArray:
    # + 0.0 turns the -0.0 that ceil(-1e-9) gives into a plain zero.
    return np.ceil(values - _ROUNDING_SLACK) + 0.0


def economic_order_quantity(
    annual_demand_units: FloatArray, order_cost: FloatArray, holding_cost_per_unit_year: FloatArray
) -> FloatArray:
    """Harris EOQ; without a holding cost one order per year's demand is assumed."""
    ratio = divide_or(2.0 * order_cost * annual_demand_units, holding_cost_per_unit_year, np.nan)
    return np.where(np.isnan(ratio), annual_demand_units, np.sqrt(np.maximum(ratio, 0.0)))


def constrained_order_quantity(
    quantity: FloatArray, moq_units: FloatArray, order_multiple_units: FloatArray
) -> FloatArray:
    """Raise to the MOQ, then round up to a whole number of order multiples (if any)."""
    raised = np.maximum(quantity, np.nan_to_num(moq_units))
    multiple = np.nan_to_num(order_multiple_units)
    packs = _ceil(divide_or(raised, multiple, when_zero=np.nan))
    return np.where(multiple > 0.0, packs * multiple, raised)


def _protection_demand(products: pd.DataFrame, config: PolicyConfig) -> _Demand:
    mean = np.maximum(float_column(products, "mean_demand_per_month"), 0.0)
    sd = float_column(products, "sd_demand_per_month")
    error_sd = float_column(products, "sd_forecast_error_per_month", default=np.nan)
    sd = np.where(np.isnan(error_sd), sd, error_sd)
    lead_time = float_column(products, "lead_time_months")
    sd_lead_time = float_column(products, "sd_lead_time_months", default=0.0)
    review = np.nan_to_num(float_column(products, "review_period_months", default=0.0))
    protection = lead_time + review
    variance = protection * sd**2 + mean**2 * np.nan_to_num(sd_lead_time) ** 2
    adi = float_column(products, "adi_periods", default=1.0)
    return _Demand(
        mean_per_month=mean,
        sd_per_month=sd,
        review_months=review,
        protection_months=protection,
        mean_protection=mean * protection,
        sd_protection=np.sqrt(variance),
        periodic=review > 0.0,
        intermittent=adi > config.intermittent_adi_cutoff,
        no_demand=mean <= 0.0,
    )


def _normal_safety_factor(
    target: FloatArray, fill_rate: BoolArray, units_per_cycle: FloatArray, sd: FloatArray
) -> FloatArray:
    cycle_z = ndtri(target)
    # Without variability any z gives zero safety stock; q = 1 just keeps the solver finite.
    cycle_over_sd = divide_or(units_per_cycle, sd, when_zero=1.0)
    fill_z = fill_rate_safety_factor(np.where(fill_rate, target, 0.5), cycle_over_sd)
    return np.maximum(np.where(fill_rate, fill_z, cycle_z), 0.0)


def _intermittent_level(
    demand: _Demand, target: FloatArray, fill_rate: BoolArray, units_per_cycle: FloatArray
) -> FloatArray:
    """Whole-unit protection level (reorder point or order-up-to) for intermittent rows only."""
    level = np.zeros_like(target)
    rows = demand.intermittent & ~demand.no_demand
    if not rows.any():
        return level
    mean, var = demand.mean_protection[rows], demand.sd_protection[rows] ** 2
    cycle = intermittent.count_quantile(target[rows], mean, var)
    fill = intermittent.count_level_for_fill_rate(target[rows], mean, var, units_per_cycle[rows])
    level[rows] = np.where(fill_rate[rows], fill, cycle)
    return level


def _method(demand: _Demand) -> npt.NDArray[np.str_]:
    overdispersed = intermittent.is_overdispersed(demand.mean_protection, demand.sd_protection**2)
    count_method = np.where(overdispersed, "negative_binomial", "poisson")
    method = np.where(demand.intermittent, count_method, "normal")
    return np.asarray(np.where(demand.no_demand, "no_demand", method))


def _order_quantities(
    products: pd.DataFrame, demand: _Demand, whole_units: bool
) -> tuple[FloatArray, FloatArray]:
    annual_demand = demand.mean_per_month * MONTHS_PER_YEAR
    holding_cost = float_column(products, "holding_rate_per_year") * float_column(
        products, "unit_cost"
    )
    eoq = economic_order_quantity(annual_demand, float_column(products, "order_cost"), holding_cost)
    quantity = constrained_order_quantity(
        eoq,
        float_column(products, "moq_units", default=0.0),
        float_column(products, "order_multiple_units", default=0.0),
    )
    if whole_units:
        quantity = _ceil(quantity)
    quantity = np.where(demand.no_demand, 0.0, quantity)
    override = float_column(products, "order_quantity_override_units", default=np.nan)
    return eoq, np.where(np.isnan(override), quantity, override)


def _reject_bad_numbers(products: pd.DataFrame) -> None:
    """A NaN in a required number would silently propagate into every level of that row, a
    negative one give negative stock: `InventoryInputError` names each bad row and field."""
    numeric = [c for c in REQUIRED_COLUMNS if c not in ("product", "site", "service_type")]
    problems: list[str] = []
    check_numbers(products, "products", ("product", "site"), numeric, problems,
                  optional=("sd_forecast_error_per_month", "sd_lead_time_months", "moq_units",
                            "order_multiple_units", "review_period_months"))  # fmt: skip
    if problems:
        raise InventoryInputError(problems)


def _service(products: pd.DataFrame) -> tuple[FloatArray, BoolArray]:
    target = float_column(products, "service_target")
    if np.any(~((target > 0.0) & (target < 1.0))):
        raise ValueError("service_target must lie strictly between 0 and 1")
    service_type = products["service_type"].astype(str).str.lower().to_numpy()
    unknown = sorted(set(service_type) - {"cycle", "fill_rate"})
    if unknown:
        raise ValueError(f"service_type must be 'cycle' or 'fill_rate', got {unknown}")
    return target, np.asarray(service_type == "fill_rate")


def _protection_level(
    demand: _Demand,
    target: FloatArray,
    fill_rate: BoolArray,
    order_quantity: FloatArray,
    whole_units: bool,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(safety factor z, safety stock, protection level mu_P + SS) for every row."""
    # Fill rate is shortage per replenishment cycle over the units that cycle supplies.
    units_per_cycle = np.where(
        demand.periodic, demand.mean_per_month * demand.review_months, order_quantity
    )
    z = _normal_safety_factor(target, fill_rate, units_per_cycle, demand.sd_protection)
    normal_ss = z * demand.sd_protection
    normal_level = demand.mean_protection + normal_ss
    if whole_units:
        normal_ss, normal_level = _ceil(normal_ss), _ceil(normal_level)
    count_level = _intermittent_level(demand, target, fill_rate, units_per_cycle)
    count_ss = np.maximum(_ceil(count_level - demand.mean_protection), 0.0)
    safety_stock = np.where(demand.intermittent, count_ss, normal_ss)
    level = np.where(demand.intermittent, count_level, normal_level)
    z = np.where(demand.intermittent, np.nan, z)
    return (
        np.where(demand.no_demand, np.nan, z),
        np.where(demand.no_demand, 0.0, safety_stock),
        np.where(demand.no_demand, 0.0, level),
    )


def _weeks(units: FloatArray, mean_per_month: FloatArray, weeks_per_month: float) -> FloatArray:
    """Units as weeks of mean demand; no demand: 0 weeks of nothing, infinite weeks of stock."""
    weekly = mean_per_month / weeks_per_month
    return divide_or(units, weekly, when_zero=0.0) + np.where(
        (weekly == 0.0) & (units > 0.0), np.inf, 0.0
    )


def _levels(
    products: pd.DataFrame, demand: _Demand, config: PolicyConfig
) -> dict[str, npt.ArrayLike]:
    """Order quantity, safety stock and the levels derived from them, keyed by output column."""
    target, fill_rate = _service(products)
    whole = config.round_up_to_whole_units
    eoq, quantity = _order_quantities(products, demand, whole)
    z, safety_stock, level = _protection_level(demand, target, fill_rate, quantity, whole)
    # Continuous review protects over L only, so the protection level is the reorder point.
    order_up_to = np.where(demand.periodic, level, level + quantity)
    cycle_units = np.where(demand.periodic, demand.mean_per_month * demand.review_months, quantity)
    return {
        "service_type": np.where(fill_rate, "fill_rate", "cycle"),
        "service_target": target,
        "safety_factor_z": z,
        "eoq_units": eoq,
        "order_quantity_units": quantity,
        "safety_stock_units": safety_stock,
        "reorder_point_units": level,
        "order_up_to_units": order_up_to,
        "average_stock_units": safety_stock + cycle_units / 2.0,
    }


def compute_policies(products: pd.DataFrame, config: PolicyConfig | None = None) -> pd.DataFrame:
    """Inventory policy per row of `products` (input contract in the module docstring).

    Returns a frame with a fresh RangeIndex in input row order and `POLICY_OUTPUT_COLUMNS`.
    """
    config = config or PolicyConfig()
    require_columns(products, REQUIRED_COLUMNS, "products")
    _reject_bad_numbers(products)
    products = products.reset_index(drop=True)
    demand = _protection_demand(products, config)
    levels = _levels(products, demand, config)
    has_error_sd = ~np.isnan(float_column(products, "sd_forecast_error_per_month", default=np.nan))
    columns: dict[str, npt.ArrayLike] = {
        "product": products["product"].to_numpy(),
        "site": products["site"].to_numpy(),
        "policy": np.where(demand.periodic, "periodic_RS", "continuous_sQ"),
        "method": _method(demand),
        "variability_source": np.where(has_error_sd, "forecast_error", "demand"),
        "sd_used_per_month": demand.sd_per_month,
        "protection_period_months": demand.protection_months,
        "mean_protection_demand_units": demand.mean_protection,
        "sd_protection_demand_units": demand.sd_protection,
        **levels,
    }
    for name in ("safety_stock", "reorder_point", "order_up_to", "average_stock"):
        units = np.asarray(columns[f"{name}_units"], dtype=float)
        columns[f"{name}_weeks"] = _weeks(units, demand.mean_per_month, config.weeks_per_month)
    safety_stock = np.asarray(columns["safety_stock_units"], dtype=float)
    columns["safety_stock_value"] = safety_stock * float_column(products, "unit_cost")
    return pd.DataFrame(columns)[list(POLICY_OUTPUT_COLUMNS)]
