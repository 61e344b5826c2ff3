"""Assemble the decision dashboard from precomputed facts (a few small reads, no plan rows).

Tiles carry their value, the delta to the last approved plan and to the budget, a 12-cycle
trend (as SVG polyline points) and their definition for the hover text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cycles.models import PlanningCycle
from executive import scenarios, selectors
from executive.engine.definitions import KPI_DEFS, KpiDef
from executive.engine.kpis import deviation_pct
from executive.models import Approval, KpiSnapshot, PlanException

BUDGET_KEYS = {"revenue_eur", "gross_margin_eur"}


@dataclass(frozen=True)
class Tile:
    kpi: KpiDef
    value: float | None
    vs_last: float | None  # this - last approved (points for %)
    vs_last_tone: str  # "good", "bad" or ""
    vs_budget_pct: float | None
    budget_note: str
    trend_points: str  # SVG polyline points in a 100 x 24 box
    trend_values: list[tuple[str, float | None]] = field(default_factory=list)

    @property
    def hover(self) -> str:
        sign = f" Sign: {self.kpi.sign}." if self.kpi.sign else ""
        return f"{self.kpi.label} = {self.kpi.formula}.{sign}"


@dataclass(frozen=True)
class Dashboard:
    cycle: PlanningCycle
    snapshot: KpiSnapshot | None
    facts_outdated: bool
    compared_to: PlanningCycle | None
    tiles: list[Tile]
    waterfall: list[dict[str, Any]]
    options: list[scenarios.ScenarioOption]
    escalated: list[PlanException]
    approval: Approval | None


def _tone(kpi: KpiDef, delta: float | None) -> str:
    if delta is None or abs(delta) < 1e-9 or not kpi.better:
        return ""
    return "good" if (delta > 0) == (kpi.better == "up") else "bad"


def _points(values: list[float | None]) -> str:
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return ""
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    step = 100.0 / max(len(values) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{22 - (v - low) / span * 20:.1f}"
        for i, v in enumerate(values)
        if v is not None
    )


def _budget(cycle: PlanningCycle, snap: KpiSnapshot | None) -> dict[str, float] | None:
    """Budget revenue and, when the budget carries COGS, gross margin over the KPI months."""
    if snap is None or not snap.months:
        return None
    months = [dt.date.fromisoformat(m["month"]) for m in snap.months]
    frame = scenarios.budget_by_family(cycle, months)
    if frame is None:
        return None
    out = {"revenue_eur": float(frame["revenue_eur"].sum())}
    if "cogs_eur" in frame:
        out["gross_margin_eur"] = out["revenue_eur"] - float(frame["cogs_eur"].sum())
    return out


def build(cycle: PlanningCycle) -> Dashboard:
    snap = selectors.headline_snapshot(cycle)
    plan = selectors.consensus_plan(cycle)
    outdated = plan is not None and (
        snap is None or (snap.source == "plan" and snap.plan_version != plan.version)
    )
    previous = selectors.last_approved_before(cycle.month)
    last = selectors.headline_snapshot(previous) if previous else None
    history = selectors.trend(cycle)
    budget = _budget(cycle, snap)
    values = snap.kpis if snap else {}
    tiles = []
    for kpi in KPI_DEFS:
        value = values.get(kpi.key)
        before = last.kpis.get(kpi.key) if last else None
        delta = value - before if value is not None and before is not None else None
        series = [(m.strftime("%b %y"), v.get(kpi.key)) for m, v in history]
        vs_budget, note = None, ""
        if kpi.key in BUDGET_KEYS:
            if budget is None or kpi.key not in budget:
                note = "no budget"
            elif value is not None:
                vs_budget = deviation_pct(value, budget[kpi.key])
        tiles.append(
            Tile(
                kpi,
                value,
                delta,
                _tone(kpi, delta),
                vs_budget,
                note,
                _points([v for _, v in series]),
                series,
            )
        )
    return Dashboard(
        cycle=cycle,
        snapshot=snap,
        facts_outdated=outdated,
        compared_to=previous,
        tiles=tiles,
        waterfall=snap.waterfall if snap else [],
        options=scenarios.scenario_options(cycle, snap),
        escalated=list(selectors.escalated(cycle)),
        approval=Approval.objects.filter(cycle=cycle).only("id", "scenario_name").first(),
    )
