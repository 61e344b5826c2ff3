"""Reads of the executive review: plan frames for the fact builders, and the page reads.

The plan frames (``plan_frame``, ``approved_frame``) are heavy (one row per product x site x
month) and are only read by Celery tasks building facts; the page reads (``snapshot``,
``trend``, ``escalated``...) touch a handful of small rows whatever the number of SKUs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.db import connection
from django.db.models import QuerySet

from cycles.models import (
    ApprovedPlan,
    ApprovedPlanRow,
    ApprovedResourceRow,
    ConsensusPlan,
    PlanningCycle,
    PlanResourceRow,
    PlanRow,
)
from executive.engine.plan_facts import NUMBER_COLUMNS
from executive.models import (
    ExceptionStatus,
    FactSource,
    KpiSnapshot,
    PerformanceSnapshot,
    PlanException,
    RegisterEntry,
)

ROW_COLUMNS = ["month", *NUMBER_COLUMNS]
PlanFrames = tuple[pd.DataFrame, pd.DataFrame]  # (plan rows, resource rows)
RESOURCE_COLUMNS = ["month", "load_hours", "capacity_hours"]


def consensus_plan(cycle: PlanningCycle) -> ConsensusPlan | None:
    return ConsensusPlan.objects.filter(cycle=cycle).first()


def _fetch(queryset: QuerySet[Any], columns: list[str]) -> pd.DataFrame:
    """Run a values_list query with a plain cursor: the plan frames have one row per product x
    site x month, and the per-row conversions of the ORM's iterator cost more than the query."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pd.DataFrame.from_records(rows, columns=columns)


def plan_frame(cycle: PlanningCycle) -> pd.DataFrame:
    """The cycle's consensus plan rows with product_id, site_id and family (code)."""
    fields = ["product_id", "site_id", "product__family__code", *ROW_COLUMNS]
    frame = _fetch(PlanRow.objects.filter(plan__cycle=cycle).values_list(*fields), fields)
    return frame.rename(columns={"product__family__code": "family"})


def approved_frame(cycle: PlanningCycle) -> pd.DataFrame:
    """The frozen approved rows, keyed as at approval (product id, site code, family code)."""
    fields = ["product_id_at_approval", "site_code", "family_code", *ROW_COLUMNS]
    rows = ApprovedPlanRow.objects.filter(approved_plan__cycle=cycle).values_list(*fields)
    frame = _fetch(rows, fields)
    return frame.rename(
        columns={
            "product_id_at_approval": "product_id",
            "site_code": "site_id",
            "family_code": "family",
        }
    )


def site_keys_as_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """A live plan frame keyed by site code, to compare with an approved snapshot."""
    from masterdata.models import Site

    codes = dict(Site.objects.values_list("id", "code"))
    return frame.assign(site_id=frame["site_id"].map(codes))


def plan_frames(cycle: PlanningCycle) -> PlanFrames:
    """The live plan's rows and resource rows, read once for facts and rules."""
    return plan_frame(cycle), resource_frame(cycle)


def resource_frame(cycle: PlanningCycle, approved: bool = False) -> pd.DataFrame:
    if approved:
        rows: QuerySet[Any] = ApprovedResourceRow.objects.filter(approved_plan__cycle=cycle)
        values = rows.values_list("resource_code", *RESOURCE_COLUMNS)
    else:
        rows = PlanResourceRow.objects.filter(plan__cycle=cycle)
        values = rows.values_list("resource__code", *RESOURCE_COLUMNS)
    return pd.DataFrame.from_records(list(values), columns=["resource", *RESOURCE_COLUMNS])


def last_approved_before(month: dt.date) -> PlanningCycle | None:
    """The newest cycle before ``month`` whose plan was approved (its snapshot exists)."""
    plan = (
        ApprovedPlan.objects.filter(cycle__month__lt=month)
        .select_related("cycle")
        .order_by("-cycle__month")
        .first()
    )
    return plan.cycle if plan else None


def snapshot(cycle: PlanningCycle | None, source: str) -> KpiSnapshot | None:
    if cycle is None:
        return None
    return KpiSnapshot.objects.filter(cycle=cycle, source=source).first()


def headline_snapshot(cycle: PlanningCycle) -> KpiSnapshot | None:
    """What the cycle's tiles show: its approved facts once approved, else its live plan's."""
    found = {s.source: s for s in KpiSnapshot.objects.filter(cycle=cycle)}
    return found.get(FactSource.APPROVED) or found.get(FactSource.PLAN)


def trend(cycle: PlanningCycle, count: int = 12) -> list[tuple[dt.date, dict[str, Any]]]:
    """(cycle month, KPI values) of the last ``count`` cycles up to ``cycle``, oldest first.

    Each cycle contributes its approved facts when it has them, else its live plan's."""
    rows = KpiSnapshot.objects.filter(cycle__month__lte=cycle.month).values_list(
        "cycle__month", "source", "kpis"
    )
    by_month: dict[dt.date, dict[str, Any]] = {}
    for month, source, values in rows.order_by("-cycle__month")[: count * 2]:
        if source == FactSource.APPROVED or month not in by_month:
            by_month[month] = values
    return sorted(by_month.items())[-count:]


def escalated(cycle: PlanningCycle) -> QuerySet[PlanException]:
    """Open tier-3 exceptions of ``cycle`` (what the executive decides), worst first."""
    return (
        PlanException.objects.filter(cycle=cycle, tier=3, status=ExceptionStatus.OPEN)
        .select_related("rule", "owner")
        .order_by("-value_at_risk_eur")
    )


def exceptions(cycle: PlanningCycle, tier: int | None = None) -> QuerySet[PlanException]:
    rows = PlanException.objects.filter(cycle=cycle).select_related("rule", "owner")
    if tier is not None:
        rows = rows.filter(tier=tier)
    return rows.order_by("-tier", "status", "-value_at_risk_eur")


def register(cycle: PlanningCycle, kind: str | None = None) -> QuerySet[RegisterEntry]:
    rows = RegisterEntry.objects.filter(cycle=cycle).select_related("owner", "exception")
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows


def latest_performance() -> PerformanceSnapshot | None:
    return PerformanceSnapshot.objects.order_by("-computed_at", "-id").first()


def target_cycle_for_monitoring() -> PlanningCycle | None:
    """The cycle a plan-vs-actual breach is shown in: the newest cycle still being planned."""
    return (
        PlanningCycle.objects.exclude(state__in=["approved", "closed"]).order_by("-month").first()
    )
