"""The comparison of the baseline and up to four scenarios, read from their stored facts.

Each metric has a direction: +1 when more is better (revenue, margin, fill rate), -1 when less
is better (costs, lost sales, inventory value, days of inventory), 0 when neither (demand,
utilisation, weeks of supply). A delta is scenario - baseline; its colour is good when it moves
in the metric's direction, bad when against it, none when it is (about) zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cycles.models import PlanningCycle
from reconciliation import selectors
from reconciliation.engine import TOTAL, Bridge, pvm_bridge
from reconciliation.models import ScenarioRun
from reconciliation.selectors import References, ScenarioState

MAX_SCENARIOS = 4
# key, label, unit, direction
METRICS: tuple[tuple[str, str, str, int], ...] = (
    ("demand_units", "Demand", "units", 0),
    ("served_units", "Fulfilled", "units", 1),
    ("lost_sales_units", "Lost sales", "units", -1),
    ("revenue_eur", "Revenue at standard price", "EUR", 1),
    ("cogs_eur", "COGS at standard cost", "EUR", 0),
    ("gross_margin_eur", "Gross margin", "EUR", 1),
    ("gross_margin_pct", "Gross margin %", "%", 1),
    ("production_cost_eur", "Production cost (plan)", "EUR", -1),
    ("purchase_cost_eur", "Purchase cost (plan)", "EUR", -1),
    ("transport_cost_eur", "Transport cost (plan)", "EUR", -1),
    ("holding_cost_eur", "Holding cost (plan)", "EUR", -1),
    ("overtime_cost_eur", "Overtime cost (plan)", "EUR", -1),
    ("plan_cost_eur", "Supply costs (plan) total", "EUR", -1),
    ("revenue_at_risk_eur", "Revenue at risk (shortages)", "EUR", -1),
    ("closing_inventory_value_eur", "Closing inventory value", "EUR", -1),
    ("average_inventory_value_eur", "Average inventory value", "EUR", -1),
    ("days_of_inventory", "Days of inventory", "days", -1),
    ("weeks_of_supply", "Weeks of supply (end of horizon)", "weeks", 0),
    ("planned_fill_rate_pct", "Planned fill rate", "%", 1),
    ("capacity_utilisation_pct", "Capacity utilisation", "%", 0),
    ("budget_revenue_eur_gap", "Revenue vs budget", "EUR", 1),
    ("budget_gross_margin_eur_gap", "Gross margin vs budget", "EUR", 1),
)
CHART_SERIES = (("revenue_eur", "Revenue EUR"), ("gross_margin_eur", "Gross margin EUR"),
                ("closing_inventory_value_eur", "Closing inventory value EUR"),
                ("planned_fill_rate_pct", "Planned fill rate %"))  # fmt: skip
SAME_TOLERANCE = 0.005


@dataclass
class Column:
    state: ScenarioState
    horizon: dict[str, float] = field(default_factory=dict)
    monthly: pd.DataFrame | None = None
    bridge: Bridge | None = None


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def column_for(cycle: PlanningCycle, state: ScenarioState, refs: References) -> Column:
    """A scenario's horizon totals, monthly totals and bridge, read from its stored summary;
    built once per result run and references, then read from the cache (`selectors.run_cached`)."""
    if state.result is None:
        return Column(state)
    run = state.result
    horizon, monthly, bridge = selectors.run_cached(
        "column", run, refs, lambda: _column_parts(cycle, run, refs)
    )
    return Column(state, horizon, monthly, bridge)


def _column_parts(
    cycle: PlanningCycle, run: ScenarioRun, refs: References
) -> tuple[dict[str, float | None], pd.DataFrame, Bridge | None]:
    view = selectors.financial_view(cycle, run, "horizon", refs)
    total = view.loc[view["family"] == TOTAL]
    horizon = {key: _finite(total.iloc[0].get(key)) for key, *_ in METRICS} if len(total) else {}
    monthly = selectors.summary_frame(run, "month")
    bridge = None
    if len(refs.budget):
        months = {str(p) for p in refs.budget["period"]}
        sold = monthly.loc[(monthly["family"] != TOTAL) & monthly["bucket"].isin(months)]
        scenario = sold.groupby("family", as_index=False)[["served_units", "revenue_eur"]].sum()
        bridge = pvm_bridge(scenario.rename(columns={"served_units": "units"}), refs.budget)
    return horizon, monthly.loc[monthly["family"] == TOTAL], bridge


def columns(cycle: PlanningCycle, scenario_ids: list[int]) -> list[Column]:
    """The baseline (when it exists) and the chosen scenarios (at most `MAX_SCENARIOS`)."""
    states = selectors.scenario_states(cycle)
    chosen = [s for s in states if s.scenario.is_baseline]
    chosen += [s for s in states if s.scenario.pk in scenario_ids and not s.scenario.is_baseline]
    refs = selectors.references(cycle)
    return [column_for(cycle, state, refs) for state in chosen[: MAX_SCENARIOS + 1]]


def _tone(delta: float | None, direction: int) -> str:
    if delta is None or abs(delta) < SAME_TOLERANCE or direction == 0:
        return "same" if delta is None or abs(delta) < SAME_TOLERANCE else "neutral"
    return "good" if delta * direction > 0 else "bad"


def metric_rows(cols: list[Column]) -> list[dict[str, Any]]:
    """One row per metric: values per column and the delta to the first column with its tone."""
    rows = []
    for key, label, unit, direction in METRICS:
        values = [c.horizon.get(key) for c in cols]
        base = values[0] if values else None
        cells = []
        for value in values:
            delta = None if value is None or base is None else value - base
            cells.append({"value": value, "delta": delta, "tone": _tone(delta, direction)})
        same = all(c["tone"] == "same" for c in cells[1:])
        rows.append({"key": key, "label": label, "unit": unit, "cells": cells, "same": same})
    return rows


def chart_data(cols: list[Column]) -> dict[str, Any]:
    """Monthly series per column and the bridges, for `static/reconciliation/compare.js`."""
    series = []
    for c in cols:
        if c.monthly is None:
            continue
        months = c.monthly["bucket"].tolist()
        series.append({"name": c.state.scenario.name, "months": months,
                       **{key: [_finite(v) for v in c.monthly[key]] for key, _ in CHART_SERIES}})  # fmt: skip
    bridges = [
        {"name": c.state.scenario.name, "budget": c.bridge.budget_eur, "price": c.bridge.price_eur,
         "volume": c.bridge.volume_eur, "mix": c.bridge.mix_eur, "scenario": c.bridge.scenario_eur}
        for c in cols if c.bridge is not None
    ]  # fmt: skip
    return {"series": series, "metrics": [list(m) for m in CHART_SERIES], "bridges": bridges}
