"""Reads of the demand review that other stages and the grid build on.

`cycle_demand_plan` is the contract the supply and inventory reviews (and the API export) call:
the cycle's demand per product, site and month over the horizon. It returns the consensus demand
(statistical + events + overrides) when the cycle has a succeeded forecast run, split to sites by
each product's share of the last twelve months of sales (a new product borrows its like-item's
shares), else a flat run-rate from the last twelve months of sales history, so downstream stages
always have something to plan against and say which source they used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from django.db.models import Sum

from cycles.models import PlanningCycle
from cycles.plan_build import frozen_demand
from datainputs.models import SalesHistory
from demand.models import (
    CurrentForecast,
    DemandEvent,
    DemandOverride,
    ForecastRun,
    StatisticalForecast,
    UpliftKind,
)
from masterdata.models import Product

DEMAND_PLAN_COLUMNS = ["product_id", "site_id", "month", "demand_units", "source"]
CONSENSUS_COLUMNS = [
    "product_id",
    "family_id",
    "month",
    "statistical_units",
    "lower_units",
    "upper_units",
    "model",
    "event_units",
    "adjustment_units",
    "consensus_units",
    "version",
    "overridden",
]


def horizon_months(cycle: PlanningCycle) -> list[dt.date]:
    """First days of the months the cycle plans, starting with the cycle month."""
    start = pd.Period(cycle.month, freq="M")
    return [(start + i).to_timestamp().date() for i in range(cycle.horizon_months)]


def history_months(cycle: PlanningCycle, count: int) -> list[dt.date]:
    """The ``count`` closed months before the cycle month, oldest first."""
    start = pd.Period(cycle.month, freq="M")
    return [(start - i).to_timestamp().date() for i in range(count, 0, -1)]


def current_run(cycle: PlanningCycle) -> ForecastRun | None:
    pointer = CurrentForecast.objects.filter(cycle=cycle).select_related("run").first()
    return pointer.run if pointer else None


def latest_run(cycle: PlanningCycle) -> ForecastRun | None:
    return ForecastRun.objects.filter(cycle=cycle).order_by("-created_at", "-id").first()


def cycle_demand_plan(cycle: PlanningCycle) -> pd.DataFrame:
    """Demand per product x site x month (``DEMAND_PLAN_COLUMNS``): once the demand review is
    signed off, the demand frozen at that sign-off (``cycles.plan_build.frozen_demand``: later
    sales corrections or forecast runs cannot move it); before, the live demand."""
    frozen = frozen_demand(cycle)
    return live_demand_plan(cycle) if frozen is None else frozen


def live_demand_plan(cycle: PlanningCycle) -> pd.DataFrame:
    """The demand as it stands now (``DEMAND_PLAN_COLUMNS``); see the module docstring."""
    if current_run(cycle) is None:
        return _run_rate_plan(cycle)
    consensus = consensus_frame(cycle)
    source = "consensus" if DemandOverride.objects.filter(cycle=cycle).exists() else "statistical"
    shares = site_shares(cycle, consensus["product_id"].unique().tolist())
    plan = consensus.merge(shares, on="product_id", how="inner")
    plan["demand_units"] = plan["consensus_units"] * plan["share"]
    plan["source"] = source
    return plan[DEMAND_PLAN_COLUMNS].reset_index(drop=True)


def site_shares(cycle: PlanningCycle, product_ids: list[int]) -> pd.DataFrame:
    """Each product's share of its last 12 months of sales per site [product_id, site_id, share]."""
    first = history_months(cycle, 12)[0]
    like = dict(
        Product.objects.filter(pk__in=product_ids, like_product__isnull=False).values_list(
            "pk", "like_product_id"
        )
    )
    wanted = set(product_ids) | set(like.values())
    rows = (
        SalesHistory.objects.filter(product_id__in=wanted, month__gte=first, month__lt=cycle.month)
        .values("product_id", "site_id")
        .annotate(units=Sum("quantity"))
    )
    sales = pd.DataFrame.from_records(list(rows), columns=["product_id", "site_id", "units"])
    sales["units"] = sales["units"].astype(float).clip(lower=0)
    totals = sales.groupby("product_id")["units"].transform("sum")
    sales["share"] = (sales["units"] / totals.where(totals > 0)).fillna(0.0)
    sales = sales[sales["share"] > 0][["product_id", "site_id", "share"]]
    own = set(sales["product_id"])
    borrowed = [
        sales[sales["product_id"] == like[p]].assign(product_id=p)
        for p in product_ids
        if p not in own and p in like
    ]
    return pd.concat([sales[sales["product_id"].isin(product_ids)], *borrowed], ignore_index=True)


def _run_rate_plan(cycle: PlanningCycle) -> pd.DataFrame:
    # Average monthly units over the last 12 closed months, held flat across the horizon.
    first = (pd.Period(cycle.month, freq="M") - 12).to_timestamp().date()
    rows = (
        SalesHistory.objects.filter(month__gte=first, month__lt=cycle.month)
        .values("product_id", "site_id")
        .annotate(units=Sum("quantity"))
    )
    base = pd.DataFrame.from_records(list(rows), columns=["product_id", "site_id", "units"])
    if base.empty:
        return pd.DataFrame(columns=DEMAND_PLAN_COLUMNS)
    base["demand_units"] = base["units"].astype(float) / 12.0
    months = pd.DataFrame({"month": horizon_months(cycle)})
    plan = base.drop(columns="units").merge(months, how="cross")
    plan["source"] = "run_rate"
    return plan[DEMAND_PLAN_COLUMNS]


def statistical_frame(
    cycle: PlanningCycle, product_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """The current good run's rows [product_id, family_id, month, statistical/lower/upper, model]."""
    run = current_run(cycle)
    columns = ["product_id", "family_id", "month", "statistical_units"]
    columns += ["lower_units", "upper_units", "model"]
    if run is None:
        return pd.DataFrame(columns=columns)
    rows = StatisticalForecast.objects.filter(run=run)
    if product_ids is not None:
        rows = rows.filter(product_id__in=list(product_ids))
    values = rows.values_list(
        "product_id",
        "product__family_id",
        "month",
        "forecast_units",
        "lower_units",
        "upper_units",
        "model",
    )
    frame = pd.DataFrame.from_records(list(values), columns=columns)
    for column in ("statistical_units", "lower_units", "upper_units"):
        frame[column] = frame[column].astype(float)
    return frame


def event_units(cycle: PlanningCycle, stat: pd.DataFrame) -> pd.DataFrame:
    """Uplift in units per product x month from the cycle's events [product_id, month, event_units].

    % events scale the statistical forecast; unit events on a family are spread over its
    products in proportion to their statistical forecast that month (equally when all are zero).
    """
    events = event_units_by_event(cycle, stat).drop(columns="event_id")
    return events.groupby(["product_id", "month"], as_index=False)["event_units"].sum()


def event_units_by_event(cycle: PlanningCycle, stat: pd.DataFrame) -> pd.DataFrame:
    """Each event's own uplift [event_id, product_id, month, event_units] (see `event_units`)."""
    columns = ["event_id", "product_id", "month", "event_units"]
    parts: list[pd.DataFrame] = []
    for event in DemandEvent.objects.filter(cycle=cycle):
        in_scope = stat["month"].between(event.start_month, event.end_month)
        if event.product_id:
            in_scope &= stat["product_id"] == event.product_id
        else:
            in_scope &= stat["family_id"] == event.family_id
        rows = stat.loc[in_scope, ["product_id", "month", "statistical_units"]].copy()
        if rows.empty:
            continue
        value = float(event.uplift_value)
        if event.uplift_kind == UpliftKind.PERCENT:
            rows["event_units"] = rows["statistical_units"] * value / 100.0
        else:
            rows["event_units"] = _spread(rows, value)
        parts.append(rows.assign(event_id=event.pk)[columns])
    if not parts:
        return pd.DataFrame(columns=columns).astype({"event_units": float})
    events = pd.concat(parts, ignore_index=True)
    events["event_units"] = events["event_units"].astype(float)
    return events


def _spread(rows: pd.DataFrame, units: float) -> pd.Series:
    by_month = rows.groupby("month")["statistical_units"]
    totals, counts = by_month.transform("sum"), by_month.transform("count")
    weight = (rows["statistical_units"] / totals.where(totals > 0)).fillna(1.0 / counts)
    return weight * units


def consensus_frame(cycle: PlanningCycle, product_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """statistical + events + overrides per product x month (``CONSENSUS_COLUMNS``)."""
    wanted = None if product_ids is None else set(product_ids)
    if wanted is not None:
        # Family events spread over the whole family, so read every product of those families.
        families = Product.objects.filter(pk__in=wanted).values("family_id")
        product_ids = Product.objects.filter(family_id__in=families).values_list("pk", flat=True)
    stat = statistical_frame(cycle, product_ids)
    if stat.empty:
        return pd.DataFrame(columns=CONSENSUS_COLUMNS)
    events = event_units(cycle, stat)
    if wanted is not None:
        stat = stat[stat["product_id"].isin(wanted)]
    overrides = overrides_frame(cycle, wanted)
    frame = stat.merge(events, on=["product_id", "month"], how="left")
    frame = frame.merge(overrides, on=["product_id", "month"], how="left")
    frame["overridden"] = frame["version"].notna()
    frame["version"] = pd.to_numeric(frame["version"]).fillna(0).astype(int)
    frame[["event_units", "adjustment_units"]] = frame[["event_units", "adjustment_units"]].fillna(
        0.0
    )
    total = frame["statistical_units"] + frame["event_units"] + frame["adjustment_units"]
    frame["consensus_units"] = total.clip(lower=0.0)
    return frame[CONSENSUS_COLUMNS]


def overrides_frame(cycle: PlanningCycle, product_ids: Iterable[int] | None = None) -> pd.DataFrame:
    rows = DemandOverride.objects.filter(cycle=cycle)
    if product_ids is not None:
        rows = rows.filter(product_id__in=list(product_ids))
    columns = ["product_id", "month", "adjustment_units", "version"]
    frame = pd.DataFrame.from_records(list(rows.values_list(*columns)), columns=columns)
    frame["adjustment_units"] = frame["adjustment_units"].astype(float)
    frame["version"] = frame["version"].astype("Int64")
    return frame


def actuals_frame(product_ids: Iterable[int], first: dt.date, before: dt.date) -> pd.DataFrame:
    """Sales history totalled over sites and channels [product_id, month, actual_units]."""
    rows = (
        SalesHistory.objects.filter(
            product_id__in=list(product_ids), month__gte=first, month__lt=before
        )
        .values_list("product_id", "month")
        .annotate(units=Sum("quantity"))
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["product_id", "month", "actual_units"])
    frame["actual_units"] = frame["actual_units"].astype(float)
    return frame
