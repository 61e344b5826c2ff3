"""The reconciliation's scenarios and budget, as the executive review reads them.

The reconciliation app owns scenarios and the budget. This module is the one door through which
the executive review reads them, so it works whether or not that app provides them yet:

* ``reconciliation.selectors.executive_scenarios(cycle)`` -> iterable of mappings with ``id``,
  ``name``, ``recommended`` (bool), ``stale`` (bool), ``levers`` (text), ``url`` (optional) and
  ``totals`` (revenue_eur, gross_margin_eur, inventory_value_eur, planned_fill_rate_pct...).
* ``reconciliation.selectors.budget_by_family(cycle, months)`` -> DataFrame family, revenue_eur
  over the given month starts.

Without those two, the reconciliation's own reads are adapted when present: ``scenario_states``
(scenario, levers, result run, stale/outdated), ``recommendation`` and ``family_facts`` (family x
period facts of a run, without the monthly total rows), and ``budget_frame`` (family, period, revenue_eur). The baseline
scenario maps to id None (the consensus plan itself, as ``ApprovedPlan.scenario_id`` records it).

When a function is missing, the baseline (the cycle's consensus plan, from the precomputed
facts) is the only scenario and recommended, and there is no budget: tiles say "no budget".
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.urls import NoReverseMatch, reverse

from cycles.models import PlanningCycle
from cycles.windows import FigureWindow, kpi_window
from executive import selectors
from executive.engine import kpis


@dataclass(frozen=True)
class ScenarioOption:
    id: int | None  # None = the baseline (the consensus plan itself)
    name: str
    recommended: bool
    stale: bool = False
    levers: str = ""
    url: str = ""
    totals: dict[str, Any] = field(default_factory=dict)


def _provider(name: str) -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("reconciliation.selectors")
    except ImportError:
        return None
    function = getattr(module, name, None)
    return function if callable(function) else None


def _facts_totals(frame: pd.DataFrame, window: FigureWindow) -> dict[str, Any]:
    """KPI totals of a scenario's family x period facts over the KPI window (`cycles.windows`)."""
    if frame is None or len(frame) == 0:
        return {}
    facts = frame[window.mask(frame["period"])]
    sums = {c: float(facts[c].sum()) for c in facts.columns if c.endswith(("_eur", "_units"))}
    monthly = (
        facts.groupby("period")["closing_inventory_value_eur"].sum()
        if "closing_inventory_value_eur" in facts
        else pd.Series(dtype=float)
    )
    demand = sums.get("demand_units", 0.0)
    return {
        "revenue_eur": sums.get("revenue_eur"),
        "gross_margin_eur": sums.get("gross_margin_eur"),
        "inventory_value_eur": float(monthly.mean()) if len(monthly) else None,
        "planned_fill_rate_pct": kpis.fill_rate_pct(
            demand - sums.get("lost_sales_units", 0.0), demand
        ),
        "revenue_at_risk_eur": sums.get("revenue_at_risk_eur"),
    }


def _from_reconciliation(cycle: PlanningCycle) -> list[ScenarioOption]:
    states, chosen, facts = (
        _provider(n) for n in ("scenario_states", "recommendation", "family_facts")
    )
    if states is None or chosen is None or facts is None:
        return []
    recommendation = chosen(cycle)
    recommended_pk = getattr(recommendation, "scenario_id", None)
    options = []
    for state in states(cycle):
        scenario = state.scenario
        baseline = getattr(scenario, "kind", "") == "baseline"
        totals = _facts_totals(facts(state.result), kpi_window(cycle)) if state.result else {}
        options.append(
            ScenarioOption(
                id=None if baseline else scenario.pk,
                name=str(scenario.name),
                recommended=scenario.pk == recommended_pk,
                stale=bool(state.stale or getattr(state, "outdated", False)),
                levers="; ".join(getattr(state, "lever_lines", [])),
                url=_url(cycle, scenario.pk),
                totals=totals,
            )
        )
    return options


def _url(cycle: PlanningCycle, scenario_pk: int) -> str:
    try:
        return reverse(
            "reconciliation:scenario", kwargs={"pk": cycle.pk, "scenario_pk": scenario_pk}
        )
    except NoReverseMatch:
        return ""


def scenario_options(cycle: PlanningCycle, snap: Any = None) -> list[ScenarioOption]:
    """The baseline and the reconciliation's scenarios; exactly one is recommended.

    ``snap``: the cycle's headline facts when the caller already read them."""
    provider = _provider("executive_scenarios")
    options = (
        [_option(item) for item in provider(cycle)] if provider else _from_reconciliation(cycle)
    )
    if not any(o.id is None for o in options):
        snap = snap or selectors.headline_snapshot(cycle)
        baseline = ScenarioOption(
            None, "Baseline (consensus plan)", not options, totals=dict(snap.kpis) if snap else {}
        )
        options.insert(0, baseline)
    if not any(o.recommended for o in options):
        first = options[0]
        options[0] = ScenarioOption(
            first.id, first.name, True, first.stale, first.levers, first.url, first.totals
        )
    return options


def _option(item: Any) -> ScenarioOption:
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    return ScenarioOption(
        id=get("id"),
        name=str(get("name", "Scenario")),
        recommended=bool(get("recommended")),
        stale=bool(get("stale", False)),
        levers=str(get("levers", "") or ""),
        url=str(get("url", "") or ""),
        totals=dict(get("totals", {}) or {}),
    )


def recommended(options: list[ScenarioOption]) -> ScenarioOption:
    return next(o for o in options if o.recommended)


def find(options: list[ScenarioOption], scenario_id: int | None) -> ScenarioOption | None:
    return next((o for o in options if o.id == scenario_id), None)


def budget_by_family(cycle: PlanningCycle, months: list[dt.date]) -> pd.DataFrame | None:
    """Budget revenue (and COGS when given) per family over ``months``; None without budget."""
    provider = _provider("budget_by_family")
    if provider is not None:
        frame = provider(cycle, months)
    elif (lines := _provider("budget_frame")) is not None:
        frame = lines(cycle)
        periods = {pd.Period(m, freq="M") for m in months}
        frame = frame[frame["period"].isin(periods)] if len(frame) else frame
    else:
        return None
    if frame is None or len(frame) == 0:
        return None
    frame = pd.DataFrame(frame)
    columns = [c for c in ("revenue_eur", "cogs_eur") if c in frame]
    return frame.groupby("family", as_index=False)[columns].sum()
