"""Scenario levers: explicit, typed changes to the baseline's planning inputs.

A `Lever` is one change; a scenario is an ordered list of them applied to the baseline's
`ScenarioBase` by `apply_levers`, which returns new frames (the base is never mutated).

Scope: ``family`` / ``channel`` / ``product`` codes (empty = all) and an inclusive month range
``first_month`` .. ``last_month`` (None = open). Kinds and their parameters:

demand_change     pct (+10 = +10 %) or units (added per month over the scoped rows, in
                  proportion to their demand; equally when they have none). family, channel,
                  product, months.
forecast_interval bound "lower" | "upper": demand x (bound / statistical forecast) per product
                  and month. The demand engine's interval is the 80 % prediction interval, so
                  "lower" is the 10 % quantile (worst case) and "upper" the 90 % (best case).
price_change      pct on the standard unit price. family, product, months (roll-up only: the
                  supply plan's lost-sales weights keep the standard price).
cost_change       pct on the standard unit cost. family, product, months. Over the whole
                  horizon it also changes the supply plan's production and purchase cost.
capacity_change   resource, pct or hours (per month) on the resource's capacity; months.
overtime          resource, hours: extra overtime allowed per month (the supply engine's
                  overtime allowance is per resource, so it applies to the whole horizon).
air_freight       allow True: every bought lane gets an air mode (lead time 0 months) costing
                  ``pct`` % of the unit cost per unit (default `AIR_PREMIUM_PCT`) where it has
                  none; allow False: air modes are removed where the lane has another mode.
service_target    pct = the new cycle service level (e.g. 98); family, product. Safety stock
                  scales by z(new) / z(base), base = ``base_pct`` (default 95): the normal
                  safety-stock formula ss = z x sigma with sigma unchanged.
firm_order        product, site, source_type, source, mode, first_month (release), units.
demand_event      event (id), action "cancel" | "delay" with ``months`` of delay: the event's
                  uplift is removed (or moved later) from the demand of its products.
channel_priority  channel, priority (1 = served first).

Invalid levers raise `LeverError` naming the lever (1-based position), the field and the cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from supply.engine import SupplyInputs

LEVER_KINDS = (
    "demand_change", "forecast_interval", "price_change", "cost_change", "capacity_change",
    "overtime", "air_freight", "service_target", "firm_order", "demand_event", "channel_priority",
)  # fmt: skip
AIR_PREMIUM_PCT = 15.0
AIR_MODE = "air"


class LeverError(ValueError):
    """A lever that cannot be applied; the message names the lever, the field and the cause."""


@dataclass(frozen=True)
class Lever:
    """One explicit change; unused fields keep their defaults (see the module docstring)."""

    kind: str
    family: str = ""
    channel: str = ""
    product: str = ""
    site: str = ""
    resource: str = ""
    first_month: pd.Period | None = None
    last_month: pd.Period | None = None
    pct: float | None = None
    units: float | None = None
    hours: float | None = None
    bound: str = ""
    allow: bool = True
    base_pct: float = 95.0
    source_type: str = ""
    source: str = ""
    mode: str = ""
    event: int | None = None
    action: str = ""
    months: int = 0
    priority: int | None = None


@dataclass(frozen=True)
class ScenarioBase:
    """What levers act on.

    supply       the baseline's supply-engine inputs (demand per product, site, channel, period).
    prices       product, family, unit_price_eur, unit_cost_eur: the cycle's price snapshot.
    intervals    product, period, statistical_units, lower_units, upper_units (may be empty).
    events       event, product, period, units: each demand event's uplift (may be empty).
    """

    supply: SupplyInputs
    prices: pd.DataFrame
    intervals: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class ScenarioFrames:
    """The scenario's supply inputs and its monthly prices (product, period, unit_price_eur,
    unit_cost_eur for every product and horizon month)."""

    supply: SupplyInputs
    monthly_prices: pd.DataFrame


def apply_levers(base: ScenarioBase, levers: list[Lever]) -> ScenarioFrames:
    """Apply ``levers`` in order to the baseline; raises `LeverError` on a lever that is invalid."""
    supply = replace(base.supply, products=_with_snapshot(base.supply.products, base.prices))
    monthly = _monthly_prices(base.prices, base.supply.horizon)
    for position, lever in enumerate(levers, start=1):
        if lever.kind not in LEVER_KINDS:
            raise LeverError(f"Lever {position}: unknown kind '{lever.kind}'.")
        try:
            supply, monthly = _APPLY[lever.kind](base, supply, monthly, lever)
        except LeverError as exc:
            raise LeverError(f"Lever {position} ({lever.kind}): {exc}") from None
    return ScenarioFrames(supply=supply, monthly_prices=monthly)


def _with_snapshot(products: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    snap = prices.set_index("product")
    out = products.copy()
    out["unit_price"] = out["product"].map(snap["unit_price_eur"]).fillna(out["unit_price"])
    out["unit_cost"] = out["product"].map(snap["unit_cost_eur"]).fillna(out["unit_cost"])
    return out


def _monthly_prices(prices: pd.DataFrame, horizon: pd.PeriodIndex) -> pd.DataFrame:
    months = pd.DataFrame({"period": horizon})
    frame = prices[["product", "family", "unit_price_eur", "unit_cost_eur"]].merge(
        months, how="cross"
    )
    return frame.astype({"unit_price_eur": float, "unit_cost_eur": float})


def _in_months(periods: pd.Series, lever: Lever) -> pd.Series:
    mask = pd.Series(True, index=periods.index)
    if lever.first_month is not None:
        mask &= periods >= lever.first_month
    if lever.last_month is not None:
        mask &= periods <= lever.last_month
    return mask


def _scope(frame: pd.DataFrame, lever: Lever, families: pd.Series | None = None) -> pd.Series:
    """Rows of ``frame`` (with product, optional channel/period) the lever's scope selects."""
    mask = pd.Series(True, index=frame.index)
    if lever.product:
        mask &= frame["product"] == lever.product
    if lever.family:
        family = families if families is not None else frame["family"]
        mask &= family == lever.family
    if lever.channel:
        if "channel" not in frame:
            raise LeverError("a channel scope does not apply to this lever")
        mask &= frame["channel"] == lever.channel
    if "period" in frame:
        mask &= _in_months(frame["period"], lever)
    return mask


def _pct_factor(lever: Lever) -> float:
    if lever.pct is None or not np.isfinite(lever.pct):
        raise LeverError("pct: a percentage is required")
    if lever.pct <= -100:
        raise LeverError("pct: must be above -100 %")
    return 1.0 + lever.pct / 100.0


def _family_of(supply: SupplyInputs, frame: pd.DataFrame) -> pd.Series:
    return frame["product"].map(supply.products.set_index("product")["family"])


def _need_match(mask: pd.Series, what: str) -> None:
    if not mask.any():
        raise LeverError(f"its scope matches no {what}")


Applied = tuple[SupplyInputs, pd.DataFrame]


def _demand_change(base: ScenarioBase, supply: SupplyInputs, prices: pd.DataFrame,
                   lever: Lever) -> Applied:  # fmt: skip
    demand = supply.demand.copy()
    mask = _scope(demand, lever, _family_of(supply, demand))
    _need_match(mask, "demand row")
    if lever.units is not None:
        demand.loc[mask, "demand_units"] = _add_units(demand.loc[mask], float(lever.units))
    else:
        demand.loc[mask, "demand_units"] = demand.loc[mask, "demand_units"] * _pct_factor(lever)
    demand["demand_units"] = demand["demand_units"].clip(lower=0.0)
    return replace(supply, demand=demand), prices


def _add_units(rows: pd.DataFrame, units: float) -> pd.Series:
    """``units`` per month spread over ``rows`` by their demand share (equally when all zero)."""
    by_month = rows.groupby("period")["demand_units"]
    total, count = by_month.transform("sum"), by_month.transform("count")
    share = (rows["demand_units"] / total.where(total > 0)).fillna(1.0 / count)
    return rows["demand_units"] + units * share


def _forecast_interval(base: ScenarioBase, supply: SupplyInputs, prices: pd.DataFrame,
                       lever: Lever) -> Applied:  # fmt: skip
    if lever.bound not in ("lower", "upper"):
        raise LeverError("bound: must be 'lower' or 'upper'")
    if base.intervals.empty:
        raise LeverError("the cycle has no statistical forecast with prediction intervals")
    iv = base.intervals
    ratio = iv[f"{lever.bound}_units"] / iv["statistical_units"].where(iv["statistical_units"] > 0)
    ratios = iv[["product", "period"]].assign(ratio=ratio.fillna(1.0))
    demand = supply.demand.merge(ratios, on=["product", "period"], how="left")
    mask = _scope(demand, lever, _family_of(supply, demand))
    factor = demand["ratio"].fillna(1.0).where(mask, 1.0)
    demand["demand_units"] = demand["demand_units"] * factor
    return replace(supply, demand=demand.drop(columns="ratio")), prices


def _price_or_cost(column: str) -> Any:
    def apply(base: ScenarioBase, supply: SupplyInputs, prices: pd.DataFrame,
              lever: Lever) -> Applied:  # fmt: skip
        if lever.channel:
            raise LeverError("channel: prices and costs are per product, not per channel")
        factor = _pct_factor(lever)
        prices = prices.copy()
        mask = _scope(prices, lever)
        _need_match(mask, "product")
        prices.loc[mask, column] = prices.loc[mask, column] * factor
        whole = lever.first_month is None and lever.last_month is None
        if column == "unit_cost_eur" and whole:
            products = supply.products.copy()
            chosen = _scope(products, lever)
            products.loc[chosen, "unit_cost"] = products.loc[chosen, "unit_cost"] * factor
            supply = replace(supply, products=products)
        return supply, prices

    return apply


def _capacity_change(base: ScenarioBase, supply: SupplyInputs, prices: pd.DataFrame,
                     lever: Lever) -> Applied:  # fmt: skip
    resources = supply.resources.set_index("resource")
    if lever.resource not in resources.index:
        raise LeverError(f"resource: unknown resource '{lever.resource}'")
    months = pd.DataFrame({"resource": lever.resource, "period": supply.horizon})
    months = months.loc[_in_months(months["period"], lever)]
    calendar = supply.resource_calendar
    merged = months.merge(calendar, on=["resource", "period"], how="left")
    default = float(resources.loc[lever.resource, "capacity_hours_per_month"])
    hours = merged["capacity_hours"].astype(float).fillna(default)
    hours = hours + float(lever.hours) if lever.hours is not None else hours * _pct_factor(lever)
    merged["capacity_hours"] = hours.clip(lower=0.0)
    rest = calendar.merge(months, on=["resource", "period"], how="left", indicator=True)
    rest = rest.loc[rest["_merge"] == "left_only"].drop(columns="_merge")
    parts = [part for part in (rest, merged) if len(part)]
    calendar = pd.concat(parts, ignore_index=True) if parts else merged
    return replace(supply, resource_calendar=calendar), prices


def _overtime(base: ScenarioBase, supply: SupplyInputs, prices: pd.DataFrame,
              lever: Lever) -> Applied:  # fmt: skip
    resources = supply.resources.copy()
    mask = resources["resource"] == lever.resource
    _need_match(mask, "resource")
    if lever.hours is None or lever.hours < 0:
        raise LeverError("hours: extra overtime hours per month (>= 0) are required")
    resources.loc[mask, "overtime_hours_per_month"] = resources.loc[
        mask, "overtime_hours_per_month"
    ].astype(float) + float(lever.hours)
    return replace(supply, resources=resources), prices


def _air_freight(base: ScenarioBase, supply: SupplyInputs, prices: pd.DataFrame,
                 lever: Lever) -> Applied:  # fmt: skip
    modes = supply.transport_modes
    keys = ["product", "site", "supplier"]
    if not lever.allow:
        others = modes.loc[modes["mode"] != AIR_MODE, keys].drop_duplicates().assign(_other=True)
        flagged = modes.merge(others, on=keys, how="left")
        keep = (flagged["mode"] != AIR_MODE) | flagged["_other"].isna()
        return replace(supply, transport_modes=modes.loc[keep.to_numpy()]), prices
    premium = (AIR_PREMIUM_PCT if lever.pct is None else float(lever.pct)) / 100.0
    with_air = modes.loc[modes["mode"] == AIR_MODE, keys].drop_duplicates().assign(_air=True)
    lanes = supply.buy_terms[keys].merge(with_air, on=keys, how="left")
    lanes = lanes.loc[lanes["_air"].isna(), keys]
    cost = lanes["product"].map(supply.products.set_index("product")["unit_cost"]).astype(float)
    added = lanes.assign(mode=AIR_MODE, lead_time_months=0, transport_cost_per_unit=cost * premium)
    return replace(supply, transport_modes=pd.concat([modes, added], ignore_index=True)), prices


def _service_target(base: ScenarioBase, supply: SupplyInputs, prices: pd.DataFrame,
                    lever: Lever) -> Applied:  # fmt: skip
    for name, value in (("pct", lever.pct), ("base_pct", lever.base_pct)):
        if value is None or not 50.0 <= value < 100.0:
            raise LeverError(f"{name}: a service level between 50 and 100 % is required")
    assert lever.pct is not None
    factor = float(norm.ppf(lever.pct / 100.0) / norm.ppf(lever.base_pct / 100.0))
    safety = supply.safety_stock.copy()
    mask = _scope(safety, lever, _family_of(supply, safety))
    safety.loc[mask, "safety_stock_units"] = safety.loc[mask, "safety_stock_units"] * factor
    return replace(supply, safety_stock=safety), prices


def _firm_order(base: ScenarioBase, supply: SupplyInputs, prices: pd.DataFrame,
                lever: Lever) -> Applied:  # fmt: skip
    if lever.source_type not in ("make", "buy"):
        raise LeverError("source_type: must be 'make' or 'buy'")
    if lever.first_month is None or lever.units is None or lever.units <= 0:
        raise LeverError("a release month and positive units are required")
    if not (lever.product and lever.site and lever.source):
        raise LeverError("product, site and source are required")
    row = pd.DataFrame([{
        "product": lever.product, "site": lever.site, "source_type": lever.source_type,
        "source": lever.source, "mode": lever.mode, "period": lever.first_month,
        "quantity_units": float(lever.units),
    }])  # fmt: skip
    firm = (
        pd.concat([supply.firm_orders, row], ignore_index=True) if len(supply.firm_orders) else row
    )
    return replace(supply, firm_orders=firm), prices


def _demand_event(base: ScenarioBase, supply: SupplyInputs, prices: pd.DataFrame,
                  lever: Lever) -> Applied:  # fmt: skip
    if lever.action not in ("cancel", "delay"):
        raise LeverError("action: must be 'cancel' or 'delay'")
    events = base.events
    uplift = events.loc[events["event"] == lever.event] if len(events) else events
    if uplift.empty:
        raise LeverError(f"event: no demand event {lever.event} in this cycle's demand")
    change = uplift[["product", "period"]].assign(units=-uplift["units"].astype(float))
    if lever.action == "delay":
        if lever.months <= 0:
            raise LeverError("months: a delay of at least one month is required")
        later = uplift.assign(period=uplift["period"] + lever.months)
        change = pd.concat([change, later[["product", "period", "units"]]], ignore_index=True)
    demand = supply.demand.copy()
    for (product, period), units in change.groupby(["product", "period"])["units"].sum().items():
        rows = (demand["product"] == product) & (demand["period"] == period)
        if rows.any():
            demand.loc[rows, "demand_units"] = _add_units(demand.loc[rows], float(units))
    demand["demand_units"] = demand["demand_units"].clip(lower=0.0)
    return replace(supply, demand=demand), prices


def _channel_priority(base: ScenarioBase, supply: SupplyInputs, prices: pd.DataFrame,
                      lever: Lever) -> Applied:  # fmt: skip
    channels = supply.channels.copy()
    mask = channels["channel"] == lever.channel
    _need_match(mask, "channel")
    if lever.priority is None or lever.priority < 1:
        raise LeverError("priority: a priority of 1 or more is required (1 = served first)")
    channels.loc[mask, "service_priority"] = int(lever.priority)
    if "shortage_weight" in channels:
        channels = channels.drop(columns="shortage_weight")  # derived again from the priorities
    return replace(supply, channels=channels), prices


_APPLY: dict[str, Any] = {
    "demand_change": _demand_change,
    "forecast_interval": _forecast_interval,
    "price_change": _price_or_cost("unit_price_eur"),
    "cost_change": _price_or_cost("unit_cost_eur"),
    "capacity_change": _capacity_change,
    "overtime": _overtime,
    "air_freight": _air_freight,
    "service_target": _service_target,
    "firm_order": _firm_order,
    "demand_event": _demand_event,
    "channel_priority": _channel_priority,
}
