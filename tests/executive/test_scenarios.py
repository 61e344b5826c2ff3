"""The executive review reads the reconciliation's scenarios and budget through one adapter."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from executive import scenarios


def fake_reconciliation(monkeypatch: pytest.MonkeyPatch, functions: dict[str, Any]) -> None:
    monkeypatch.setattr(scenarios, "_provider", lambda name: functions.get(name))


@pytest.mark.django_db
def test_reconciliation_scenarios_map_to_options_with_their_totals(monkeypatch, exec_cycle) -> None:
    # given the reconciliation's baseline and a recommended "Expedite by air" scenario
    baseline = SimpleNamespace(pk=11, name="Baseline", kind="baseline")
    air = SimpleNamespace(pk=12, name="Expedite by air", kind="custom")
    family_rows = pd.DataFrame(
        {
            "family": ["BEV", "BEV"],
            "period": pd.PeriodIndex(["2026-11", "2026-12"], freq="M"),
            "demand_units": [100.0, 100.0],
            "lost_sales_units": [10.0, 0.0],
            "revenue_eur": [900.0, 1000.0],
            "gross_margin_eur": [300.0, 400.0],
            "revenue_at_risk_eur": [100.0, 0.0],
            "closing_inventory_value_eur": [50.0, 70.0],
        }
    )
    facts = family_rows  # the reconciliation's family_facts: family rows only
    states = [
        SimpleNamespace(
            scenario=baseline, result=None, stale=False, outdated=False, lever_lines=[]
        ),
        SimpleNamespace(
            scenario=air,
            result="run",
            stale=False,
            outdated=False,
            lever_lines=["Air freight allowed"],
        ),
    ]
    fake_reconciliation(
        monkeypatch,
        {
            "scenario_states": lambda cycle: states,
            "recommendation": lambda cycle: SimpleNamespace(scenario_id=12),
            "family_facts": lambda run: facts,
        },
    )
    options = scenarios.scenario_options(exec_cycle)
    assert [(o.id, o.name, o.recommended) for o in options] == [
        (None, "Baseline", False),
        (12, "Expedite by air", True),
    ]
    totals = options[1].totals
    assert totals["revenue_eur"] == pytest.approx(1900.0)
    assert totals["planned_fill_rate_pct"] == pytest.approx(95.0)
    assert totals["inventory_value_eur"] == pytest.approx(60.0)
    assert options[1].levers == "Air freight allowed"


@pytest.mark.django_db
def test_budget_lines_are_summed_per_family_over_the_kpi_months(monkeypatch, exec_cycle) -> None:
    lines = pd.DataFrame(
        {
            "family": ["BEV", "BEV", "SNK"],
            "period": pd.PeriodIndex(["2026-11", "2028-01", "2026-11"], freq="M"),
            "revenue_eur": [1000.0, 5000.0, 300.0],
        }
    )
    fake_reconciliation(monkeypatch, {"budget_frame": lambda cycle: lines})
    budget = scenarios.budget_by_family(exec_cycle, [dt.date(2026, 11, 1)])
    assert budget is not None
    assert dict(zip(budget["family"], budget["revenue_eur"], strict=True)) == {
        "BEV": 1000.0,
        "SNK": 300.0,
    }


@pytest.mark.django_db
def test_without_the_reconciliation_the_baseline_is_the_recommended_option(exec_cycle) -> None:
    options = scenarios.scenario_options(exec_cycle)
    assert [(o.id, o.recommended) for o in options] == [(None, True)]
    assert scenarios.budget_by_family(exec_cycle, [dt.date(2026, 11, 1)]) is None


@pytest.mark.django_db
def test_a_plan_off_budget_raises_a_gap_exception_and_shows_on_the_revenue_tile(
    monkeypatch, client, users, exec_cycle
) -> None:
    from django.urls import reverse

    from accounts.roles import Role
    from executive import tasks
    from executive.models import PlanException

    # given a budget of 20,000 EUR for BEV and 4,800 for SNK over the year (plan: 24,000/4,800)
    months = pd.period_range("2026-11", periods=12, freq="M")
    lines = pd.DataFrame(
        {
            "family": ["BEV"] * 12 + ["SNK"] * 12,
            "period": list(months) * 2,
            "revenue_eur": [20_000 / 12] * 12 + [400.0] * 12,
            "cogs_eur": [1000.0] * 12 + [100.0] * 12,
        }
    )
    fake_reconciliation(monkeypatch, {"budget_frame": lambda cycle: lines})
    tasks.refresh_cycle(exec_cycle.pk)
    gap = PlanException.objects.get(rule__code="gap_to_budget")
    assert gap.family_code == "BEV" and gap.measured == pytest.approx(20.0)
    assert gap.value_at_risk_eur == pytest.approx(4000.0)
    client.force_login(users[Role.EXECUTIVE])
    html = client.get(reverse("executive:dashboard", args=[exec_cycle.pk])).content.decode()
    assert "vs budget: +16.1 %" in html  # revenue 28,800 vs 24,800
    assert "vs budget: +3.4 %" in html  # margin 12,000 vs 24,800 - 13,200
