"""Reconciliation fixtures: the supply review's small plant, a cycle at the reconciliation and
a consensus plan record built directly (the plan pipeline itself is tested in cycles/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import TestCase

from accounts.roles import Role
from cycles.models import PlanningCycle
from cycles.plan_models import ConsensusPlan, PlanResourceRow, PlanRow
from reconciliation import services
from reconciliation.budget import BUDGET_LINES, budget_version_create
from reconciliation.models import Scenario
from tests.helpers import move_to_stage
from tests.supply.conftest import plant  # noqa: F401  (the fixture, shared)

MONTHS = [dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)]


def consensus_plan(cycle: PlanningCycle, parts: dict[str, Any], version: int = 1) -> ConsensusPlan:
    """MADE-1: demand 150 a month, 100 made (LINE-1 is full), 50 lost; BUY-1: 40 bought and sold.
    Price 7.50, cost 4.00 for both (the factories' defaults)."""
    plan, _ = ConsensusPlan.objects.update_or_create(cycle=cycle, defaults={"version": version})
    PlanRow.objects.filter(plan=plan).delete()
    for month in MONTHS:
        for product, demand, served, made, bought in (
            (parts["made"], 150.0, 100.0, 100.0, 0.0), (parts["bought"], 40.0, 40.0, 0.0, 40.0)
        ):  # fmt: skip
            PlanRow.objects.create(
                plan=plan, product=product, site=parts["site"], month=month,
                consensus_demand_units=demand, served_units=served,
                lost_sales_units=demand - served, production_units=made, purchase_units=bought,
                unit_price_eur=7.5, unit_cost_eur=4.0, revenue_eur=served * 7.5,
            )  # fmt: skip
        PlanResourceRow.objects.update_or_create(
            plan=plan, resource=parts["line"], month=month,
            defaults={"load_hours": 100.0, "capacity_hours": 100.0},
        )  # fmt: skip
    return plan


@pytest.fixture
def at_reconciliation(cycle: PlanningCycle, plant: dict[str, Any]) -> PlanningCycle:  # noqa: F811
    consensus_plan(cycle, plant)
    return move_to_stage(cycle, "reconciliation")


def run_on_commit(call: Any) -> Any:
    """Call a service that queues a run; the (eager) task runs when its transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = call()
    result.refresh_from_db()
    return result


@pytest.fixture
def calculated(at_reconciliation, plant, users):  # type: ignore[no-untyped-def]  # noqa: F811
    """Baseline and an overtime scenario, both calculated, and a budget 10 % above plan."""
    from datainputs.importers import validate_rows, write_rows

    finance, cycle = users[Role.FINANCE], at_reconciliation
    budget_version_create(finance, "AOP-2027", 2027)
    family = plant["made"].family.code
    raw = [{"budget": "AOP-2027", "family": family, "month": "2027-01", "units": "154",
            "revenue_eur": "1155.00", "cogs_eur": "616.00"}]  # fmt: skip
    write_rows(BUDGET_LINES, validate_rows(BUDGET_LINES, list(enumerate(raw, 2))).rows)
    scenario = services.scenario_create(cycle.pk, finance, "<script>alert(1)</script> OT")
    services.lever_add(scenario.pk, finance, "overtime", {"resource": "LINE-1", "hours": 50})
    baseline = Scenario.objects.get(cycle=cycle, kind="baseline")
    for s in (baseline, scenario):
        run = run_on_commit(lambda s=s: services.scenario_run_request(s.pk, finance))
        assert run.status == "succeeded", run.error
    return cycle, baseline, scenario
