"""Reads of the reconciliation: scenarios with their state, facts, budget, last approved plan.

Pages and the export only read stored figures: a run's month / quarter / year / horizon summary
(stored with the run, `ScenarioRun.summary`), its facts (`ScenarioFact`) and small reference
tables. A succeeded run never changes, so what is derived from it and the references (the
financial view with its budget and last-approved gaps) is computed once and kept in the
``versioned`` cache under the run and `References.key`, which names the references' content:
a recalculation (a new run) or a changed budget is a new key, never a stale answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import caches
from django.db.models import OuterRef, Subquery, Sum

from cycles.models import PlanningCycle
from cycles.plan_models import ApprovedPlan, ApprovedPlanRow, ConsensusPlan
from cycles.run_selectors import latest_run
from cycles.runs import RunStatus
from cycles.windows import FigureWindow
from reconciliation.engine import TOTAL, budget_figures, summarise, versus
from reconciliation.engine.periods import bucket_label
from reconciliation.engine.rollup import SUM_COLUMNS
from reconciliation.engine.scenario import recommendation_problems
from reconciliation.levers_io import describe
from reconciliation.models import (
    BudgetLine,
    Recommendation,
    Scenario,
    ScenarioFact,
    ScenarioKind,
    ScenarioLever,
    ScenarioRun,
)


def consensus_plan(cycle: PlanningCycle) -> ConsensusPlan | None:
    return ConsensusPlan.objects.filter(cycle=cycle).first()


def plan_version(cycle: PlanningCycle) -> int | None:
    plan = consensus_plan(cycle)
    return None if plan is None else plan.version


def lever_list(scenario: Scenario) -> list[dict[str, Any]]:
    """The scenario's levers as stored: kind and params, in order (what a run pins)."""
    return [{"kind": lever.kind, "params": lever.params} for lever in scenario.levers.all()]


def latest_result(scenario: Scenario) -> ScenarioRun | None:
    return (
        ScenarioRun.objects.filter(scenario=scenario, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )


def latest_scenario_run(scenario: Scenario) -> ScenarioRun | None:
    """The newest run, for its progress (its stored figures are not read)."""
    runs = ScenarioRun.objects.filter(scenario=scenario).defer("summary")
    return runs.order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class ScenarioState:
    scenario: Scenario
    levers: list[dict[str, Any]]
    run: ScenarioRun | None  # the newest run (progress)
    result: ScenarioRun | None  # the newest succeeded run (numbers)
    stale: bool  # the consensus plan moved since the scenario's baseline
    outdated: bool  # levers changed since the result was calculated

    @property
    def lever_lines(self) -> list[str]:
        return [describe(lever["kind"], lever["params"]) for lever in self.levers]

    @property
    def problems(self) -> list[str]:
        active = self.run is not None and self.run.is_active
        current = self.result is not None and not self.outdated
        return recommendation_problems(stale=self.stale, has_results=current, active=active)


def _state(scenario: Scenario, version: int | None, run: ScenarioRun | None,
           result: ScenarioRun | None) -> ScenarioState:  # fmt: skip
    levers = lever_list(scenario)
    stale = scenario.baseline_version != version
    stale = stale or (result is not None and result.baseline_version != version)
    outdated = result is not None and result.levers != levers
    return ScenarioState(scenario, levers, run, result, stale, outdated)


def scenario_state(scenario: Scenario, version: int | None) -> ScenarioState:
    return _state(scenario, version, latest_scenario_run(scenario), latest_result(scenario))


def scenario_states(cycle: PlanningCycle) -> list[ScenarioState]:
    """Baseline first, then the scenarios in creation order (three queries whatever the count)."""
    version = plan_version(cycle)
    runs = ScenarioRun.objects.filter(scenario=OuterRef("pk"))
    newest = runs.order_by("-created_at", "-id").values("pk")[:1]
    result = runs.filter(status=RunStatus.SUCCEEDED).order_by("-finished_at", "-id").values("pk")
    scenarios = list(
        Scenario.objects.filter(cycle=cycle).prefetch_related("levers")
        .annotate(newest_id=Subquery(newest), result_id=Subquery(result[:1]))
    )  # fmt: skip
    wanted = {s.newest_id for s in scenarios} | {s.result_id for s in scenarios}  # type: ignore[attr-defined]
    by_id = ScenarioRun.objects.in_bulk([pk for pk in wanted if pk is not None])
    ordered = sorted(scenarios, key=lambda s: (s.kind != ScenarioKind.BASELINE, s.pk))
    return [
        _state(s, version, by_id.get(s.newest_id), by_id.get(s.result_id))  # type: ignore[attr-defined]
        for s in ordered
    ]


def recommendation(cycle: PlanningCycle) -> Recommendation | None:
    return (
        Recommendation.objects.filter(cycle=cycle)
        .select_related("scenario", "run", "recommended_by")
        .first()
    )


def _facts(run: ScenarioRun, *, totals: bool) -> pd.DataFrame:
    columns = ["family_code", "month", *SUM_COLUMNS]
    rows = ScenarioFact.objects.filter(run=run)
    rows = rows.filter(family_code=TOTAL) if totals else rows.exclude(family_code=TOTAL)
    frame = pd.DataFrame.from_records(list(rows.values_list(*columns)), columns=columns)
    frame = frame.rename(columns={"family_code": "family"})
    frame["period"] = pd.PeriodIndex(pd.to_datetime(frame.pop("month")), freq="M")
    return frame


MONTHLY = pd.PeriodDtype("M")


def _stored_month_rows(run: ScenarioRun) -> tuple[dict[str, int], list[list[Any]]] | None:
    """``(column -> index in a row, family rows)`` of the run's stored monthly summary (total rows
    left out); None for a run stored before summaries carried every `rollup.SUM_COLUMNS`."""
    stored = (run.summary or {}).get("month")
    if not isinstance(stored, dict) or not set(SUM_COLUMNS) <= set(stored["columns"]):
        return None
    at = {c: i for i, c in enumerate(stored["columns"])}
    return at, [row for row in stored["data"] if row[at["family"]] != TOTAL]


def _stored_months(run: ScenarioRun) -> pd.DataFrame | None:
    """The family rows of the run's stored monthly summary as facts (None for a run stored
    before summaries existed). A one-month bucket of one family is that fact itself (a sum of
    one value, its first and last), so these are the fact rows' values, read without a query."""
    if (found := _stored_month_rows(run)) is None:
        return None
    at, rows = found
    frame = _stored_frame(["family", *SUM_COLUMNS],
                          [[row[at[c]] for c in ("family", *SUM_COLUMNS)] for row in rows])  # fmt: skip
    # 'YYYY-MM' -> monthly period ordinal (months since 1970-01), without parsing each text
    ordinals = [(int(m[:4]) - 1970) * 12 + int(m[5:7]) - 1 for m in
                (row[at["first_period"]] for row in rows)]  # fmt: skip
    frame["period"] = pd.arrays.PeriodArray(np.array(ordinals, dtype="int64"), dtype=MONTHLY)
    return frame


def family_facts(run: ScenarioRun) -> pd.DataFrame:
    """The run's family x month facts: family, period (monthly) and `rollup.SUM_COLUMNS`, in EUR
    and units. Family rows only, never the stored monthly total rows, so any sum of them is a
    total counted once (the one read of facts for every page, the export and the executive).
    Read from the run's stored monthly summary when it has one (no query), else its fact rows."""
    stored = _stored_months(run)
    return stored if stored is not None else _facts(run, totals=False)


def month_totals(run: ScenarioRun) -> pd.DataFrame:
    """The run's stored total per month: period and `rollup.SUM_COLUMNS` (the family sums plus
    the resource figures only the total carries: overtime cost, load and capacity hours)."""
    return _facts(run, totals=True).drop(columns="family")


def window_totals(run: ScenarioRun, window: FigureWindow) -> dict[str, float]:
    """Sums of the run's family facts over ``window`` (`cycles.windows`): column -> EUR/units
    (from the stored monthly family rows when the run has them: ~200 rows, summed in Python)."""
    found = _stored_month_rows(run)
    if found is not None:
        at, family_rows = found
        first = pd.Period(window.first, freq="M")
        inside = {str(first + n) for n in range(window.months)}
        rows = [row for row in family_rows if row[at["first_period"]] in inside]
        return {c: math.fsum(row[at[c]] or 0.0 for row in rows) for c in SUM_COLUMNS}
    facts = family_facts(run)
    inside_facts = facts[window.mask(facts["period"])]
    return {c: float(inside_facts[c].sum()) for c in SUM_COLUMNS}


def headline(run: ScenarioRun) -> dict[str, Any]:
    """The run's stored horizon figures of the total (``engine.periods.summarise`` columns,
    None where a ratio has no denominator): what the workspace shows per scenario, read
    without the budget or the last approved plan."""
    stored = (run.summary or {}).get("horizon")
    if isinstance(stored, dict):
        at = stored["columns"].index("family")
        total = next((row for row in stored["data"] if row[at] == TOTAL), None)
        return {} if total is None else dict(zip(stored["columns"], total, strict=True))
    horizon = summary_frame(run, "horizon")
    rows = horizon.loc[horizon["family"] == TOTAL].astype(object)
    return rows.where(rows.notna(), None).iloc[0].to_dict() if len(rows) else {}


def _budget_rows(cycle: PlanningCycle) -> list[tuple[Any, ...]]:
    months = pd.period_range(pd.Period(cycle.month, freq="M"), periods=cycle.horizon_months)
    first, last = months[0].to_timestamp().date(), months[-1].to_timestamp().date()
    rows = BudgetLine.objects.filter(
        version__is_active=True, month__gte=first, month__lte=last
    ).order_by("family__code", "month", "pk")
    return list(rows.values_list("family__code", "month", "units", "revenue_eur", "cogs_eur"))


def _budget(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    columns = ["family", "month", "units", "revenue_eur", "cogs_eur"]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame = frame.astype({"units": float, "revenue_eur": float, "cogs_eur": float})
    frame["period"] = pd.PeriodIndex(pd.to_datetime(frame.pop("month")), freq="M")
    return frame


def budget_frame(cycle: PlanningCycle) -> pd.DataFrame:
    """Active budget lines over the cycle's horizon: family, period, units, revenue_eur, cogs_eur."""
    return _budget(_budget_rows(cycle))


def previous_approved(cycle: PlanningCycle) -> ApprovedPlan | None:
    """The approved plan of the latest earlier cycle (``vs last approved``)."""
    return (
        ApprovedPlan.objects.filter(cycle__month__lt=cycle.month)
        .select_related("cycle")
        .order_by("-cycle__month")
        .first()
    )


def approved_facts(approved: ApprovedPlan, cycle: PlanningCycle) -> pd.DataFrame:
    """Its rows over this cycle's horizon, by family and month, in their frozen values (an
    approved plan never changes, so the sums are cached under its SHA-256 and the window)."""
    months = pd.period_range(pd.Period(cycle.month, freq="M"), periods=cycle.horizon_months)
    first, last = months[0].to_timestamp().date(), months[-1].to_timestamp().date()
    key = f"approved-facts:{approved.sha256}:{first}:{last}"
    cached = caches["versioned"].get(key)
    if cached is None:
        cached = _approved_sums(approved, first, last)
        caches["versioned"].set(key, cached)
    return cached.copy()


def _approved_sums(approved: ApprovedPlan, first: dt.date, last: dt.date) -> pd.DataFrame:
    columns = ["family_code", "month", "consensus_demand_units", "served_units",
               "revenue_eur", "gross_margin_eur", "inventory_value_eur", "revenue_at_risk_eur"]  # fmt: skip
    # Summed by the database: the snapshot has a row per product x site x month (250,000 at
    # 10,000 SKUs); the page needs family x month.
    rows = (
        ApprovedPlanRow.objects.filter(approved_plan=approved, month__gte=first, month__lte=last)
        .values("family_code", "month")
        .annotate(**{f"sum_{c}": Sum(c) for c in columns[2:]})
        .order_by()
        .values_list(*columns[:2], *(f"sum_{c}" for c in columns[2:]))
    )
    frame = pd.DataFrame.from_records(list(rows), columns=columns).rename(
        columns={"family_code": "family", "inventory_value_eur": "closing_inventory_value_eur"}
    )
    frame["period"] = pd.PeriodIndex(pd.to_datetime(frame.pop("month")), freq="M")
    values = [c for c in frame.columns if c not in ("family", "period")]
    frame[values] = frame[values].astype(float)
    frame = frame.groupby(["family", "period"], as_index=False)[values].sum()
    totals = frame.groupby("period", as_index=False)[values].sum().assign(family=TOTAL)
    return pd.concat([frame, totals], ignore_index=True)


def _approved_figures(approved: pd.DataFrame, bucket: str) -> pd.DataFrame:
    frame = approved.sort_values("period").copy()
    frame["bucket"] = bucket_label(frame["period"], bucket)
    grouped = frame.groupby(["family", "bucket"])
    flows = ["served_units", "revenue_eur", "gross_margin_eur", "revenue_at_risk_eur"]
    out = grouped[flows].sum()
    out["closing_inventory_value_eur"] = grouped["closing_inventory_value_eur"].last()
    return out.reset_index()


BUDGET_COMPARED = {"served_units": "units", "revenue_eur": "revenue_eur", "cogs_eur": "cogs_eur",
                   "gross_margin_eur": "gross_margin_eur"}  # fmt: skip
APPROVED_COMPARED = {c: c for c in ("served_units", "revenue_eur", "gross_margin_eur",
                                    "revenue_at_risk_eur", "closing_inventory_value_eur")}  # fmt: skip


@dataclass(frozen=True)
class References:
    """What every scenario is compared with, read once per page: the active budget lines and
    the previous cycle's approved plan (family x month; empty frames when there is none).
    ``key`` names their content (the budget lines' digest, the approved plan's SHA-256 and
    window), so figures derived from them are cached under it and never outlive a change."""

    budget: pd.DataFrame
    approved: pd.DataFrame
    key: str = ""


def references(cycle: PlanningCycle) -> References:
    approved = previous_approved(cycle)
    frame = approved_facts(approved, cycle) if approved is not None else pd.DataFrame()
    rows = _budget_rows(cycle)
    budget_digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:32]
    approved_key = (
        "none" if approved is None else f"{approved.sha256}:{cycle.month}:{cycle.horizon_months}"
    )
    return References(_budget(rows), frame, f"{budget_digest}:{approved_key}")


CACHE_FORMAT = 1  # in every key: bump when what is cached changes shape


def run_cached(kind: str, run: ScenarioRun, refs: References, build: Callable[[], Any]) -> Any:
    """``build()`` for a succeeded ``run`` and ``refs``, computed once and then read from the
    ``versioned`` cache (the run's id and finish time name its figures: they never change)."""
    finished = run.finished_at.isoformat() if run.finished_at else "-"
    key = f"recon:{CACHE_FORMAT}:{kind}:{run.pk}:{finished}:{refs.key}"
    cache = caches["versioned"]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value)
    return value


def summary_frame(run: ScenarioRun, bucket: str) -> pd.DataFrame:
    """The run's stored figures for ``bucket`` (summarised from its facts for a run stored
    before summaries existed)."""
    stored = (run.summary or {}).get(bucket)
    if stored is None:
        facts = [family_facts(run), month_totals(run).assign(family=TOTAL)]
        return summarise(pd.concat(facts, ignore_index=True), bucket)
    if isinstance(stored, list):  # stored as records by the first version of the summaries
        frame = pd.DataFrame.from_records(stored)
        numbers = [c for c in frame.columns if c not in SUMMARY_TEXT]
        return frame.astype({c: float for c in numbers})
    return _stored_frame(stored["columns"], stored["data"])


SUMMARY_TEXT = ("family", "bucket", "first_period")


def _stored_frame(columns: list[str], data: list[list[Any]]) -> pd.DataFrame:
    """Stored rows as a frame: text columns as they are, every other one float (None -> NaN),
    converted in one numpy call (pandas' per-column ``astype`` cost ~1 ms a column)."""
    numbers = [i for i, c in enumerate(columns) if c not in SUMMARY_TEXT]
    values = np.array([[row[i] for i in numbers] for row in data], dtype=float)
    values = values.reshape(len(data), len(numbers))
    number_at = {i: j for j, i in enumerate(numbers)}
    return pd.DataFrame({
        c: values[:, number_at[i]] if i in number_at else [row[i] for row in data]
        for i, c in enumerate(columns)
    })  # fmt: skip


def financial_view(
    cycle: PlanningCycle, run: ScenarioRun, bucket: str, refs: References | None = None
) -> pd.DataFrame:
    """Figures per family and bucket with the budget and last-approved comparisons.

    Columns: `engine.periods.summarise` output, ``budget_*`` and ``approved_*`` values with
    ``_gap`` and ``_gap_pct`` (gap = scenario - reference). Budget columns are NaN without a
    budget; approved columns NaN without an earlier approved plan. Built once per run, bucket
    and references (`run_cached`).
    """
    refs = refs or references(cycle)
    return run_cached(f"view-{bucket}", run, refs, lambda: _financial_view(run, bucket, refs))


def _financial_view(run: ScenarioRun, bucket: str, refs: References) -> pd.DataFrame:
    figures = summary_frame(run, bucket)
    if len(refs.budget):
        figures = versus(figures, budget_figures(refs.budget, bucket), BUDGET_COMPARED, "budget")
    if len(refs.approved):
        figures = versus(figures, _approved_figures(refs.approved, bucket), APPROVED_COMPARED,
                         "approved")  # fmt: skip
    return figures


def scenario_levers(scenario: Scenario) -> list[ScenarioLever]:
    return list(scenario.levers.all())


def cycle_run(cycle: PlanningCycle) -> ScenarioRun | None:
    """The cycle's newest scenario run (for a cycle-level progress display)."""
    return latest_run(ScenarioRun, cycle)
