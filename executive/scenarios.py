"""The reconciliation's scenarios and budget, as the executive review reads them.

The reconciliation app owns scenarios and the budget. This module is the one door through which
the executive review reads them, so it works whether or not that app provides them yet:

* ``reconciliation.selectors.executive_scenarios(cycle)`` -> iterable of mappings with ``id``,
  ``name``, ``recommended`` (bool), ``stale`` (bool), ``levers`` (text), ``url`` (optional) and
  ``totals`` (revenue_eur, gross_margin_eur, inventory_value_eur, planned_fill_rate_pct...).
* ``reconciliation.selectors.budget_by_family(cycle, months)`` -> DataFrame family, revenue_eur
  over the given month starts.

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

from cycles.models import PlanningCycle
from executive import selectors


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


def scenario_options(cycle: PlanningCycle) -> list[ScenarioOption]:
    """The baseline and the reconciliation's scenarios; exactly one is recommended."""
    provider = _provider("executive_scenarios")
    options = [_option(item) for item in provider(cycle)] if provider else []
    if not any(o.id is None for o in options):
        snap = selectors.headline_snapshot(cycle)
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
    """Budget revenue per family over ``months``, or None when no budget is available."""
    provider = _provider("budget_by_family")
    if provider is None:
        return None
    frame = provider(cycle, months)
    if frame is None or len(frame) == 0:
        return None
    return pd.DataFrame(frame)[["family", "revenue_eur"]]
