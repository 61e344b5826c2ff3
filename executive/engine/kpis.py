"""KPI definitions of the executive review: pure numpy/pandas, no Django.

Every function states its formula, units, sign convention and source. Sources: APICS/ASCM
Dictionary (16th ed.), SCOR v12 (RL.2.x reliability, AM.1.x asset metrics), Gilliland (forecast
value added), Oracle Demantra / SAP IBP documentation for the exception defaults. A value that
cannot be computed (no denominator) is ``None``, never 0 and never infinity: a tile then reads
"n/a" instead of a misleading number.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DAYS_PER_YEAR = 365.0
WEEKS_PER_MONTH = 52.0 / 12.0

Numbers = Sequence[float] | np.ndarray


def _arrays(actual: Numbers, forecast: Numbers) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if a.shape != f.shape:
        raise ValueError(f"actual has {a.shape} values but forecast has {f.shape}")
    return a, f


def tracking_signal(actual: Numbers, forecast: Numbers) -> float | None:
    """Tracking signal = Σ(A - F) / MAD, MAD = Σ|A - F| / n (dimensionless).

    Sign: positive = demand ran above the forecast (under-forecast), negative = over-forecast.
    A bias is flagged beyond ±4 (APICS; some use ±3: the threshold is a rule setting). ``None``
    when MAD is 0 (a perfect forecast has no tracking signal). Source: APICS/ASCM Dictionary,
    "tracking signal"; Brown (1959).
    """
    a, f = _arrays(actual, forecast)
    if a.size == 0:
        return None
    mad = float(np.abs(a - f).mean())
    if mad == 0.0:
        return None
    return float((a - f).sum() / mad)


def forecast_bias_pct(actual: Numbers, forecast: Numbers) -> float | None:
    """Forecast bias % = 100 · Σ(F - A) / ΣA.

    Sign: positive = over-forecast (the plan expected more than was sold), negative =
    under-forecast. Libraries disagree on the sign; this one matches the demand review's
    accuracy page. ``None`` when ΣA = 0. Source: APICS/ASCM Dictionary, "forecast bias".
    """
    a, f = _arrays(actual, forecast)
    total = float(a.sum())
    if total == 0.0:
        return None
    return 100.0 * float((f - a).sum()) / total


def mape_pct(actual: Numbers, forecast: Numbers) -> float | None:
    """MAPE % = 100 · mean(|A - F| / A) over periods with A > 0 (lower is better).

    Periods without sales are left out (the ratio is undefined there). Source: APICS/ASCM
    Dictionary, "mean absolute percentage error".
    """
    a, f = _arrays(actual, forecast)
    mask = a > 0
    if not mask.any():
        return None
    return 100.0 * float((np.abs(a[mask] - f[mask]) / a[mask]).mean())


def wape_pct(actual: Numbers, forecast: Numbers) -> float | None:
    """WAPE % = 100 · Σ|A - F| / ΣA (volume-weighted error; lower is better).

    Forecast accuracy is reported as 100 - WAPE. Source: SAP IBP "weighted MAPE"; Kolassa &
    Schütz (2007), Foresight 6.
    """
    a, f = _arrays(actual, forecast)
    total = float(a.sum())
    if total == 0.0:
        return None
    return 100.0 * float(np.abs(a - f).sum()) / total


def attainment_pct(actual: float, plan: float) -> float | None:
    """Plan attainment % = 100 · A / P (100 = on plan; above 100 = sold more than planned).

    Source: SCOR (plan adherence); Oracle Demantra "actual vs consensus".
    """
    if plan == 0:
        return None
    return 100.0 * actual / plan


def deviation_pct(actual: float, plan: float) -> float | None:
    """Deviation from the consensus plan % = 100 · (A - P) / P.

    Sign: positive = actual above plan. Oracle's default exception fires beyond ±20 %.
    Source: Oracle Demantra exception rules; APICS "plan adherence".
    """
    if plan == 0:
        return None
    return 100.0 * (actual - plan) / plan


def fill_rate_pct(shipped_units: float, requested_units: float) -> float | None:
    """Unit fill rate % = 100 · shipped / requested units (higher is better).

    For a plan: planned fill rate = 100 · (1 - lost sales / demand). Source: SCOR RL.2.2
    (fill rate); APICS/ASCM Dictionary, "fill rate".
    """
    if requested_units <= 0:
        return None
    return 100.0 * min(shipped_units, requested_units) / requested_units


def inventory_turns(cogs_eur: float, average_inventory_eur: float, months: int) -> float | None:
    """Inventory turns per year = annualised COGS / average inventory at cost.

    ``cogs_eur`` is the cost of goods sold over ``months`` months; annualised as
    COGS · 12 / months. On COGS, not revenue (revenue would overstate turns by the margin).
    Source: APICS/ASCM Dictionary, "inventory turnover"; SCOR AM.1.2 (inventory days of supply).
    """
    if average_inventory_eur <= 0 or months <= 0:
        return None
    return cogs_eur * 12.0 / months / average_inventory_eur


def days_inventory_outstanding(inventory_eur: float, cogs_eur: float, months: int) -> float | None:
    """DIO (days) = inventory value / (annual COGS / 365) (lower = leaner).

    Annual COGS = COGS over ``months`` months · 12 / months. Source: SCOR AM.1.2; standard
    cash-conversion-cycle definition (days inventory outstanding).
    """
    if cogs_eur <= 0 or months <= 0:
        return None
    daily_cogs = cogs_eur * 12.0 / months / DAYS_PER_YEAR
    return inventory_eur / daily_cogs


def weeks_of_supply(stock_units: float, future_requirements_units: Numbers) -> float | None:
    """Forward weeks of supply = weeks until ``stock_units`` is used up by future requirements.

    Requirements are monthly (month 1 first); stock is consumed month by month and the last
    partial month counts pro rata; a month has 52/12 weeks. Stock that outlasts every listed
    month is extrapolated at the average monthly requirement. ``None`` when there is no future
    requirement. Source: APICS/ASCM Dictionary, "weeks of supply" (forward-looking coverage).
    """
    needs = np.asarray(future_requirements_units, dtype=float)
    if needs.size == 0 or needs.sum() <= 0:
        return None
    remaining, months = max(stock_units, 0.0), 0.0
    for need in needs:
        if need <= 0:
            months += 1.0
            continue
        if remaining < need:
            return (months + remaining / need) * WEEKS_PER_MONTH
        remaining -= need
        months += 1.0
    return (months + remaining / float(needs.mean())) * WEEKS_PER_MONTH


def gross_margin_pct(revenue_eur: float, gross_margin_eur: float) -> float | None:
    """Gross margin % = 100 · (revenue - COGS) / revenue. Source: standard accounting."""
    if revenue_eur == 0:
        return None
    return 100.0 * gross_margin_eur / revenue_eur


def capacity_utilisation_pct(load_hours: float, capacity_hours: float) -> float | None:
    """Capacity utilisation % = 100 · load / available capacity (over 100 = overload).

    Source: APICS/ASCM Dictionary, "capacity utilization"."""
    if capacity_hours <= 0:
        return None
    return 100.0 * load_hours / capacity_hours
