"""Build the cycle's consensus plan record from the runs its steps pin.

* ``demand_freeze`` (the demand sign-off, in its transaction) stores the consensus demand per
  product x site x month as ``PlanDemandRow`` and pins the demand step; ``frozen_demand`` is what
  every later step reads instead of the live demand.
* ``plan_build`` (the financial roll-up step) merges the frozen demand with the columns each
  stage contributes from its pinned run (``register_contribution``: supply -> production,
  purchases by transport mode, lost sales; inventory -> opening and projected inventory, safety
  stock and the inventory value) and prices them at the master data's standard price and cost:

  served_units = consensus_demand_units - lost_sales_units (>= 0), where consensus_demand_units
  is all demand, backlog included (``backlog_units`` says how much of it is past due: never add it)
  revenue_eur = served_units x unit_price_eur; cogs_eur = served_units x unit_cost_eur
  gross_margin_eur = revenue_eur - cogs_eur; revenue_at_risk_eur = lost_sales_units x price
  opening/projected_inventory_units = on-hand stock of the pinned projection (max(units, 0): a
  backorder is not stock); inventory_value_eur = the projection's stored value of that on-hand
  stock at cost (`inventory.plan_rows`; not re-priced here); 0 without a projection

  (revenue at standard price and COGS at standard cost: APICS/ASCM; inventory at cost as for
  turns = COGS / average inventory at cost.) The step's "run id" is the plan's version.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from cycles.models import PlanningCycle
from cycles.plan import inputs_read, pins, step_succeeded
from cycles.plan_models import ConsensusPlan, PlanDemandRow, PlanResourceRow, PlanRow, PlanStep
from masterdata.models import Product
from siop.bulk import load_frame, read_frame

KEYS = ["product_id", "site_id", "month"]
RESOURCE_KEYS = ["resource_id", "month"]
DEMAND_PLAN_COLUMNS = [
    "product_id", "site_id", "month", "demand_units", "consensus_units", "backlog_units", "source",
]  # fmt: skip
UNIT_COLUMNS = (
    "consensus_demand_units", "backlog_units", "served_units", "lost_sales_units",
    "production_units", "purchase_units", "opening_inventory_units", "projected_inventory_units",
    "safety_stock_units",
)  # fmt: skip
RESOURCE_COLUMNS = ("load_hours", "capacity_hours", "overtime_hours", "utilisation_pct")
BATCH = 5000
_JSON = json.JSONEncoder(sort_keys=True)  # one encoder for 250,000 rows, not one per row
logger = logging.getLogger(__name__)

# (cycle, step key -> pinned run id) -> frame of KEYS + some plan columns
Contribution = Callable[[PlanningCycle, dict[str, int | None]], pd.DataFrame]
_CONTRIBUTIONS: dict[str, Contribution] = {}
_RESOURCE_CONTRIBUTIONS: dict[str, Contribution] = {}


def register_contribution(name: str, *, resources: bool = False) -> Callable[[Contribution], Contribution]:  # fmt: skip
    """Register a stage's columns of the plan record (product rows, or resource rows)."""

    def decorator(function: Contribution) -> Contribution:
        (_RESOURCE_CONTRIBUTIONS if resources else _CONTRIBUTIONS)[name] = function
        return function

    return decorator


def demand_freeze(
    cycle: PlanningCycle, demand: pd.DataFrame, forecast_run_id: int | None, user: Any
) -> int:
    """Freeze ``demand`` (``DEMAND_PLAN_COLUMNS``) as the cycle's consensus demand and pin the
    demand step (call inside the sign-off transaction); returns the freeze's version.

    The demand step's "run" is the freeze version (1, 2, ... per cycle), so every re-freeze makes
    the steps computed from the previous one stale; its inputs name the forecast run.
    """
    read = {**inputs_read(cycle, "demand"), "forecast_run": forecast_run_id}
    previous = PlanStep.objects.filter(cycle=cycle, key="demand").values_list("run_id", flat=True)
    version = (previous.first() or 0) + 1
    step_succeeded(cycle.pk, "demand", version, read, getattr(user, "pk", None))
    PlanDemandRow.objects.filter(cycle=cycle).delete()
    backlog = demand.get("backlog_units", 0.0)
    load_frame(PlanDemandRow, pd.DataFrame({
        "cycle_id": cycle.pk, "product_id": demand["product_id"].astype(int),
        "site_id": demand["site_id"].astype(int),
        "month": pd.to_datetime(demand["month"]).dt.date,
        "consensus_demand_units": demand["demand_units"].astype(float).round(6),
        "backlog_units": pd.Series(backlog, index=demand.index).astype(float).fillna(0.0).round(6),
        "source": demand["source"].astype(str).str[:40],
    }))  # fmt: skip
    return version


LIVE_DEMAND_STATES = frozenset({"data_inputs", "demand_review"})


def demand_phase(cycle: PlanningCycle) -> str:
    """ "live" while the demand review is open (the demand is read from the forecast and the
    overrides), else "frozen" (read from the demand frozen at its sign-off): the one thing about
    a cycle's state that what the demand pages show depends on."""
    return "live" if cycle.state in LIVE_DEMAND_STATES else "frozen"


def frozen_demand(cycle: PlanningCycle, month: dt.date | None = None) -> pd.DataFrame | None:
    """The demand frozen at the cycle's last demand sign-off (``DEMAND_PLAN_COLUMNS``), or None
    while the demand review is open (then the live demand applies). ``month``: that month only
    (read by the database, e.g. each earlier cycle's first month for the forecast error)."""
    if demand_phase(cycle) == "live":
        return None
    rows = PlanDemandRow.objects.filter(cycle=cycle).order_by("product_id", "site_id", "month")
    if not rows.exists():
        return None
    if month is not None:
        rows = rows.filter(month=month)
    frame = read_frame(
        rows.values_list("product_id", "site_id", "month", "consensus_demand_units",
                         "backlog_units", "source"),
        ["product_id", "site_id", "month", "demand_units", "backlog_units", "source"],
        dates=["month"], text=["source"],
    )  # fmt: skip
    frame["consensus_units"] = frame["demand_units"] - frame["backlog_units"]
    return frame[DEMAND_PLAN_COLUMNS]


def _merged(cycle: PlanningCycle, pinned: dict[str, int | None]) -> pd.DataFrame:
    demand = read_frame(
        PlanDemandRow.objects.filter(cycle=cycle).values_list(
            "product_id", "site_id", "month", "consensus_demand_units", "backlog_units"),
        [*KEYS, "consensus_demand_units", "backlog_units"], dates=["month"],
    )  # fmt: skip
    frames = [demand] + [c(cycle, pinned) for c in _CONTRIBUTIONS.values()]
    merged = frames[0]
    for frame in frames[1:]:
        if not frame.empty:
            merged = merged.merge(frame, on=KEYS, how="outer")
    for column in UNIT_COLUMNS:
        merged[column] = merged[column].astype(float).fillna(0.0) if column in merged else 0.0
    if "purchase_units_by_mode" not in merged:
        merged["purchase_units_by_mode"] = None
    return merged


def _priced(rows: pd.DataFrame) -> pd.DataFrame:
    prices = pd.DataFrame.from_records(
        list(Product.objects.values_list("id", "unit_price", "unit_cost")),
        columns=["product_id", "unit_price_eur", "unit_cost_eur"],
    ).astype({"unit_price_eur": float, "unit_cost_eur": float})
    rows = rows.merge(prices, on="product_id", how="left").fillna(
        {"unit_price_eur": 0.0, "unit_cost_eur": 0.0}
    )
    # consensus_demand_units already includes the backlog (PlanDemandRow): count it once.
    rows["served_units"] = (rows["consensus_demand_units"] - rows["lost_sales_units"]).clip(
        lower=0.0
    )
    rows["revenue_eur"] = rows["served_units"] * rows["unit_price_eur"]
    rows["cogs_eur"] = rows["served_units"] * rows["unit_cost_eur"]
    rows["gross_margin_eur"] = rows["revenue_eur"] - rows["cogs_eur"]
    rows["revenue_at_risk_eur"] = rows["lost_sales_units"] * rows["unit_price_eur"]
    # The projection's own valuation (on-hand stock at cost), not a second formula here.
    stored = rows.get("inventory_value_eur", pd.Series(0.0, index=rows.index))
    rows["inventory_value_eur"] = stored.astype(float).fillna(0.0)
    return rows


MONEY_COLUMNS = ("unit_price_eur", "unit_cost_eur", "revenue_eur", "cogs_eur",
                 "gross_margin_eur", "revenue_at_risk_eur", "inventory_value_eur")  # fmt: skip


def _plan_frame(plan: ConsensusPlan, rows: pd.DataFrame) -> pd.DataFrame:
    """The ``PlanRow`` columns of ``rows`` for a COPY (JSON as text, numbers to 6 decimals)."""
    frame = rows[[*KEYS, *UNIT_COLUMNS, *MONEY_COLUMNS]].copy()
    frame[[*UNIT_COLUMNS, *MONEY_COLUMNS]] = frame[[*UNIT_COLUMNS, *MONEY_COLUMNS]].round(6)
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame["purchase_units_by_mode"] = [
        _JSON.encode(v) if isinstance(v, dict) and v else "{}"
        for v in rows["purchase_units_by_mode"]
    ]
    return frame.assign(plan_id=plan.pk).astype({"product_id": "int64", "site_id": "int64"})


def _resource_rows(plan: ConsensusPlan, cycle: PlanningCycle, pinned: dict[str, int | None]
                   ) -> list[PlanResourceRow]:  # fmt: skip
    out: list[PlanResourceRow] = []
    for contribution in _RESOURCE_CONTRIBUTIONS.values():
        frame = contribution(cycle, pinned)
        for r in frame.itertuples(index=False):
            util = getattr(r, "utilisation_pct", None)
            out.append(PlanResourceRow(
                plan=plan, resource_id=int(r.resource_id), month=pd.Timestamp(r.month).date(),
                load_hours=float(r.load_hours), capacity_hours=float(r.capacity_hours),
                overtime_hours=float(r.overtime_hours),
                utilisation_pct=None if util is None or pd.isna(util) else float(util),
            ))  # fmt: skip
    return out


def plan_build(cycle_id: int, user_id: int | None = None) -> int | None:
    """Roll the pinned runs up into the cycle's plan record; returns the plan's new version.

    Raises ``cycles.plan.PlanLocked`` (nothing written) on an approved or closed cycle.
    """
    cycle = PlanningCycle.objects.get(pk=cycle_id)
    read = inputs_read(cycle, "finance")
    pinned = pins(cycle)
    rows = _priced(_merged(cycle, pinned))
    with transaction.atomic():
        plan, _ = ConsensusPlan.objects.select_for_update().get_or_create(cycle=cycle)
        if not step_succeeded(cycle_id, "finance", plan.version + 1, read, user_id):
            return None
        PlanRow.objects.filter(plan=plan).delete()
        PlanResourceRow.objects.filter(plan=plan).delete()
        load_frame(PlanRow, _plan_frame(plan, rows))
        PlanResourceRow.objects.bulk_create(_resource_rows(plan, cycle, pinned), batch_size=BATCH)
        plan.version += 1
        plan.run_ids, plan.built_at = {**pinned, "finance": plan.version}, timezone.now()
        plan.save()
    _after_build(cycle_id)
    return plan.version


# cycle id -> None: what other apps recompute from a freshly built plan (the executive's facts)
AfterBuild = Callable[[int], None]
_AFTER_BUILD: list[AfterBuild] = []


def register_after_build(function: AfterBuild) -> AfterBuild:
    """Call ``function(cycle_id)`` after every plan build (from an app's ``AppConfig.ready``)."""
    if function not in _AFTER_BUILD:
        _AFTER_BUILD.append(function)
    return function


def _after_build(cycle_id: int) -> None:
    for function in _AFTER_BUILD:
        try:
            function(cycle_id)
        except Exception:  # the plan is built; a follower's failure must not undo or fail it
            logger.exception("After-build hook %s failed for cycle %s", function, cycle_id)


# (cycle, signing user) -> None, run inside the sign-off's transaction before it advances
Freeze = Callable[[PlanningCycle, Any], None]
_FREEZES: dict[str, list[Freeze]] = {}


def register_freeze(stage_key: str) -> Callable[[Freeze], Freeze]:
    """Register what a stage's sign-off freezes (the demand review: its consensus demand)."""

    def decorator(function: Freeze) -> Freeze:
        entries = _FREEZES.setdefault(stage_key, [])
        if function not in entries:
            entries.append(function)
        return function

    return decorator


def run_freezes(cycle: PlanningCycle, stage_key: str, user: Any) -> None:
    """Called explicitly by ``cycles.services.stage_sign_off`` (not a model signal)."""
    for freeze in _FREEZES.get(stage_key, []):
        freeze(cycle, user)
