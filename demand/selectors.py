"""Reads of the demand review that other stages and the grid build on.

`cycle_demand_plan` is the contract the supply and inventory reviews (and the API export) call:
the cycle's demand per product, site and month over the horizon. It returns the consensus demand
when the cycle has a succeeded forecast run, split to sites by `datainputs.selectors.site_shares`
(recent sales, else like-item, family, supply-term site...: a product's demand is never
dropped), else a flat run-rate from the last twelve months of sales history, so downstream
stages always have something to plan against and say which source they used. Past-due open
orders (backlog) are added to the first month on their own site.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from django.db.models import Sum

from cycles.models import PlanningCycle
from cycles.plan_build import frozen_demand
from datainputs.models import SalesHistory
from datainputs.selectors import past_due_orders, site_shares
from demand.models import (
    CurrentForecast,
    DemandEvent,
    DemandOverride,
    ForecastRun,
    StatisticalForecast,
    UpliftKind,
)
from masterdata.models import Product
from siop.bulk import read_frame
from siop.lookups import any_of

DEMAND_PLAN_COLUMNS = [
    "product_id",
    "site_id",
    "month",
    "demand_units",
    "consensus_units",
    "backlog_units",
    "source",
]
PLANNER_ONLY_MODEL = "none (planner input)"
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
    "statistical_changed",
    "carried",
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


def cycle_demand_plan(cycle: PlanningCycle, month: dt.date | None = None) -> pd.DataFrame:
    """Demand per product x site x month (``DEMAND_PLAN_COLUMNS``): once the demand review is
    signed off, the demand frozen at that sign-off (``cycles.plan_build.frozen_demand``: later
    sales corrections or forecast runs cannot move it); before, the live demand. ``month``:
    that month's rows only."""
    frozen = frozen_demand(cycle, month)
    if frozen is not None:
        return frozen
    plan = live_demand_plan(cycle)
    if month is None:
        return plan
    return plan[pd.to_datetime(plan["month"]) == pd.Timestamp(month)].reset_index(drop=True)


def live_demand_plan(cycle: PlanningCycle, consensus: pd.DataFrame | None = None) -> pd.DataFrame:
    """The demand as it stands now (``DEMAND_PLAN_COLUMNS``; units).

    ``demand_units`` = ``consensus_units`` + ``backlog_units``; backlog (past-due open orders,
    `datainputs.selectors.past_due_orders`) sits on its own site in the first month only.
    ``consensus``: the cycle's ``consensus_frame`` when the caller already has it (the sign-off
    freezes it and this split from one reading).
    """
    if current_run(cycle) is None:
        plan, source = _run_rate_plan(cycle), "run_rate"
    else:
        consensus = consensus_frame(cycle) if consensus is None else consensus
        overridden = DemandOverride.objects.filter(cycle=cycle).exists()
        source = "consensus" if overridden else "statistical"
        shares = site_shares(consensus["product_id"].unique().tolist(), cycle.month)
        plan = consensus.merge(shares[["product_id", "site_id", "share"]], on="product_id")
        plan["consensus_units"] = plan["consensus_units"].astype(float) * plan["share"]
    return _with_backlog(plan, cycle, source)


def _with_backlog(plan: pd.DataFrame, cycle: PlanningCycle, source: str) -> pd.DataFrame:
    keys = ["product_id", "site_id", "month"]
    backlog = past_due_orders(cycle.month).assign(month=cycle.month)
    plan = plan[[*keys, "consensus_units"]].merge(backlog, on=keys, how="outer")
    plan[["consensus_units", "backlog_units"]] = (
        plan[["consensus_units", "backlog_units"]].astype(float).fillna(0.0)
    )
    plan["demand_units"] = plan["consensus_units"] + plan["backlog_units"]
    plan["source"] = source
    plan = plan.astype({"product_id": "int64", "site_id": "int64"})
    return plan.sort_values(keys)[DEMAND_PLAN_COLUMNS].reset_index(drop=True)


def _run_rate_plan(cycle: PlanningCycle) -> pd.DataFrame:
    # Average monthly units over the last 12 closed months, held flat across the horizon
    # (already per site, so it needs no site split).
    first = (pd.Period(cycle.month, freq="M") - 12).to_timestamp().date()
    rows = (
        SalesHistory.objects.filter(month__gte=first, month__lt=cycle.month)
        .values("product_id", "site_id")
        .annotate(units=Sum("quantity"))
    )
    base = pd.DataFrame.from_records(list(rows), columns=["product_id", "site_id", "units"])
    base["consensus_units"] = base["units"].astype(float) / 12.0
    months = pd.DataFrame({"month": horizon_months(cycle)})
    return base.drop(columns="units").merge(months, how="cross")


def statistical_frame(
    cycle: PlanningCycle,
    product_ids: Iterable[int] | None = None,
    months: Iterable[dt.date] | None = None,
) -> pd.DataFrame:
    """The current good run's rows [product_id, family_id, month, statistical/lower/upper, model]
    (of ``months`` only when given)."""
    run = current_run(cycle)
    columns = ["product_id", "family_id", "month", "statistical_units"]
    columns += ["lower_units", "upper_units", "model"]
    if run is None:
        return pd.DataFrame(columns=columns)
    rows = StatisticalForecast.objects.filter(run=run)
    if product_ids is not None:
        rows = rows.filter(any_of("product_id", product_ids))
    if months is not None:
        rows = rows.filter(month__in=list(months))
    values = rows.values_list(
        "product_id", "product__family_id", "month", "forecast_units", "lower_units",
        "upper_units", "model",
    )  # fmt: skip
    frame = read_frame(values, columns, dates=["month"], text=["model"])
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


def consensus_frame(
    cycle: PlanningCycle,
    product_ids: Iterable[int] | None = None,
    months: Iterable[dt.date] | None = None,
) -> pd.DataFrame:
    """The consensus per product x month over the horizon (``CONSENSUS_COLUMNS``, units);
    ``months``: those months of it only (a save reads the month it writes, not all 18).

    consensus_units = the typed override where there is one, else max(0, statistical + events);
    adjustment_units = consensus - (statistical + events) on overridden cells (0 elsewhere);
    statistical_changed flags an override whose statistical forecast has moved since it was
    typed (``statistical_units`` is the new value). A typed cell without a forecast row (a
    product the forecast does not cover) is kept with a statistical forecast of 0.
    """
    wanted = None if product_ids is None else set(product_ids)
    spread = DemandEvent.objects.filter(cycle=cycle, product__isnull=True)
    if wanted is not None and spread.exclude(uplift_kind=UpliftKind.PERCENT).exists():
        # A unit event on a family is spread over the whole family: read all of its products
        # (a page of the grid otherwise reads only its own products).
        families = Product.objects.filter(pk__in=wanted).values("family_id")
        product_ids = Product.objects.filter(family_id__in=families).values_list("pk", flat=True)
    months = None if months is None else list(months)
    stat = statistical_frame(cycle, product_ids, months).astype({"product_id": "int64"})
    events = event_units(cycle, stat).astype({"product_id": "int64"})
    if wanted is not None:
        stat = stat[stat["product_id"].isin(wanted)]
    overrides = overrides_frame(cycle, wanted, months)
    overrides = overrides[overrides["month"].isin(horizon_months(cycle))]
    if stat.empty and overrides.empty:
        return pd.DataFrame(columns=CONSENSUS_COLUMNS)
    frame = stat.merge(events, on=["product_id", "month"], how="left")
    frame = frame.merge(overrides, on=["product_id", "month"], how="outer")
    return _consensus(frame)[CONSENSUS_COLUMNS]


def _consensus(frame: pd.DataFrame) -> pd.DataFrame:
    frame["overridden"] = frame["version"].notna()
    frame["version"] = pd.to_numeric(frame["version"]).fillna(0).astype(int)
    frame["carried"] = frame["carried"].astype("boolean").fillna(False).astype(bool)
    missing = frame["family_id"].isna()
    if missing.any():
        families = dict(Product.objects.values_list("pk", "family_id"))
        frame.loc[missing, "family_id"] = frame.loc[missing, "product_id"].map(families)
        frame.loc[missing, "model"] = "no forecast"
    frame = frame.astype({"product_id": "int64", "family_id": "int64"})
    numbers = ["statistical_units", "lower_units", "upper_units", "event_units"]
    frame[numbers] = frame[numbers].astype(float).fillna(0.0)
    forecast = frame["statistical_units"] + frame["event_units"]
    typed = frame["override_units"].astype(float)
    frame["consensus_units"] = typed.where(frame["overridden"], forecast.clip(lower=0.0))
    frame["adjustment_units"] = (frame["consensus_units"] - forecast).where(
        frame["overridden"], 0.0
    )
    seen = frame["statistical_at_entry_units"].astype(float)
    moved = (frame["statistical_units"] - seen).abs() >= 0.005
    frame["statistical_changed"] = frame["overridden"] & seen.notna() & moved
    return frame.sort_values(["product_id", "month"]).reset_index(drop=True)


def _planner_only_rows(overrides: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Cells the planner typed for a product the forecast has no row for (a new product with
    no history and no like-item): statistical and events are zero, the consensus is the input."""
    known = pd.MultiIndex.from_frame(frame[["product_id", "month"]])
    mine = overrides[~pd.MultiIndex.from_frame(overrides[["product_id", "month"]]).isin(known)]
    if mine.empty:
        return mine
    families = dict(
        Product.objects.filter(pk__in=set(mine["product_id"])).values_list("pk", "family_id")
    )
    return mine.assign(
        family_id=mine["product_id"].map(families),
        statistical_units=0.0,
        lower_units=0.0,
        upper_units=0.0,
        model=PLANNER_ONLY_MODEL,
        event_units=0.0,
        version=mine["version"].astype(int),
        overridden=True,
    )


def overrides_frame(
    cycle: PlanningCycle,
    product_ids: Iterable[int] | None = None,
    months: Iterable[dt.date] | None = None,
) -> pd.DataFrame:
    """The cycle's overrides [product_id, month, override_units, statistical_at_entry_units,
    version, carried] (units; ``carried``: taken over from an earlier cycle), of ``months``
    only when given."""
    rows = DemandOverride.objects.filter(cycle=cycle)
    if product_ids is not None:
        rows = rows.filter(any_of("product_id", product_ids))
    if months is not None:
        rows = rows.filter(month__in=list(months))
    fields = ["product_id", "month", "consensus_units", "statistical_at_entry_units", "version"]
    values = rows.values_list(*fields, "carried_from_id")
    columns = ["product_id", "month", "override_units", "statistical_at_entry_units", "version"]
    frame = read_frame(values, [*columns, "carried"], dates=["month"])
    frame["override_units"] = frame["override_units"].astype(float)
    frame["statistical_at_entry_units"] = frame["statistical_at_entry_units"].astype(float)
    frame["version"] = frame["version"].astype("Int64")
    frame["carried"] = frame["carried"].notna()
    return frame


def backlog_frame(cycle: PlanningCycle, product_ids: Iterable[int]) -> pd.DataFrame:
    """Past-due open orders totalled over sites, in the cycle's first month.

    Returns [product_id, month, backlog_units] (`datainputs.selectors.past_due_orders`).
    """
    backlog = past_due_orders(cycle.month, product_ids)
    totals = backlog.groupby("product_id", as_index=False)["backlog_units"].sum()
    return totals.assign(month=cycle.month)[["product_id", "month", "backlog_units"]]


def actuals_frame(product_ids: Iterable[int], first: dt.date, before: dt.date) -> pd.DataFrame:
    """Sales history totalled over sites and channels [product_id, month, actual_units]."""
    rows = (
        SalesHistory.objects.filter(
            any_of("product_id", product_ids), month__gte=first, month__lt=before
        )
        .order_by()  # the model's ordering (by product, site, channel) would join those tables
        .values_list("product_id", "month")
        .annotate(units=Sum("quantity"))
    )
    # COPY, not the ORM: a family's 6 months are 6,000 sums, each a Decimal made and converted
    frame = read_frame(rows, ["product_id", "month", "actual_units"], dates=["month"])
    frame["actual_units"] = frame["actual_units"].astype(float)
    return frame
