"""Reconciliation services on PostgreSQL: baseline facts, scenarios, staleness, recommendation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.roles import Role
from cycles import preconditions
from cycles.models import AuditEntry, PlanningCycle
from cycles.plan_models import ConsensusPlan
from reconciliation import selectors, services
from reconciliation.models import ScenarioFact
from reconciliation.services import ReconciliationError
from tests.reconciliation.conftest import MONTHS, run_on_commit

pytestmark = pytest.mark.django_db


def _baseline_run(cycle: PlanningCycle, finance):  # type: ignore[no-untyped-def]
    baseline = services.baseline_ensure(cycle.pk, finance)
    return baseline, run_on_commit(lambda: services.scenario_run_request(baseline.pk, finance))


def test_baseline_facts_are_the_consensus_plan_rolled_up(at_reconciliation, users) -> None:  # type: ignore[no-untyped-def]
    # given the consensus plan (MADE-1 serves 100 of 150, BUY-1 40 of 40; price 7.50, cost 4.00)
    _, run = _baseline_run(at_reconciliation, users[Role.FINANCE])
    # then November's total: revenue 140 x 7.50 = 1050.00, COGS 560.00, 50 x 7.50 at risk
    assert run.status == "succeeded", run.error
    total = ScenarioFact.objects.get(run=run, family_code="*", month=MONTHS[0])
    assert (total.revenue_eur, total.cogs_eur) == (1050.0, 560.0)
    assert total.revenue_at_risk_eur == 375.0
    assert total.production_cost_eur == 400.0 and total.purchase_cost_eur == 160.0
    assert (total.load_hours, total.capacity_hours) == (100.0, 100.0)


def test_a_scenario_with_overtime_closes_the_gap_on_the_supply_engine(
    at_reconciliation, plant, users
) -> None:  # type: ignore[no-untyped-def]
    # given a scenario allowing 50 h of overtime a month on the full line
    finance = users[Role.FINANCE]
    scenario = services.scenario_create(at_reconciliation.pk, finance, "Overtime")
    services.lever_add(scenario.pk, finance, "overtime", {"resource": "LINE-1", "hours": 50})
    # when it runs
    run = run_on_commit(lambda: services.scenario_run_request(scenario.pk, finance))
    assert run.status == "succeeded", run.error
    # then nothing is lost any more and the overtime is a plan cost (50 h x 2 EUR)
    total = ScenarioFact.objects.get(run=run, family_code="*", month=MONTHS[0])
    assert total.lost_sales_units == pytest.approx(0.0, abs=1e-6)
    assert total.revenue_eur == pytest.approx(190 * 7.5)
    assert total.overtime_cost_eur == pytest.approx(100.0)


def test_a_moved_baseline_makes_a_scenario_stale_and_refused_until_rebased(
    at_reconciliation, plant, users
) -> None:  # type: ignore[no-untyped-def]
    finance, cycle = users[Role.FINANCE], at_reconciliation
    scenario = services.scenario_create(cycle.pk, finance, "Demand +5 %")
    services.lever_add(scenario.pk, finance, "demand_change", {"pct": 5})
    run_on_commit(lambda: services.scenario_run_request(scenario.pk, finance))
    # when the consensus plan is rebuilt (version 1 -> 2)
    ConsensusPlan.objects.filter(cycle=cycle).update(version=2)
    state = selectors.scenario_state(scenario, 2)
    assert state.stale
    # then it can neither be recommended nor run before a rebase
    with pytest.raises(ReconciliationError, match="stale"):
        services.recommend(cycle.pk, scenario.pk, finance, "Looks best")
    with pytest.raises(ReconciliationError, match="Rebase"):
        services.scenario_run_request(scenario.pk, finance)
    # and after the one-click rebase it is current and may be recommended
    run = run_on_commit(lambda: services.scenario_rebase(scenario.pk, finance))
    assert run.status == "succeeded" and run.baseline_version == 2
    services.recommend(cycle.pk, scenario.pk, finance, "Looks best")
    assert preconditions.unmet(cycle, "reconciliation") == []


def test_sign_off_needs_a_current_recommendation(at_reconciliation, plant, users) -> None:  # type: ignore[no-untyped-def]
    finance, cycle = users[Role.FINANCE], at_reconciliation
    assert preconditions.unmet(cycle, "reconciliation") == [
        "Finance has not recommended a scenario yet."
    ]
    baseline, _ = _baseline_run(cycle, finance)
    services.recommend(cycle.pk, baseline.pk, finance, "The plan as agreed")
    assert preconditions.unmet(cycle, "reconciliation") == []
    # a lever change after the recommendation makes it not current
    scenario = services.scenario_create(cycle.pk, finance, "Cheaper")
    run_on_commit(lambda: services.scenario_run_request(scenario.pk, finance))
    services.recommend(cycle.pk, scenario.pk, finance, "Switch")
    services.lever_add(scenario.pk, finance, "cost_change", {"pct": -5})
    assert "not current" in preconditions.unmet(cycle, "reconciliation")[0]


def test_lever_changes_and_the_recommendation_are_audited(at_reconciliation, users) -> None:  # type: ignore[no-untyped-def]
    finance, cycle = users[Role.FINANCE], at_reconciliation
    scenario = services.scenario_create(cycle.pk, finance, "Promo")
    lever = services.lever_add(scenario.pk, finance, "price_change",
                               {"pct": -10, "family": "FAM0", "first_month": "2027-01"})  # fmt: skip
    services.lever_remove(scenario.pk, lever.pk, finance, reason="Not agreed with sales")
    baseline, _ = _baseline_run(cycle, finance)
    services.recommend(cycle.pk, baseline.pk, finance, "Baseline holds")
    entries = AuditEntry.objects.filter(cycle=cycle, table__startswith="reconciliation")
    levers = entries.filter(table="reconciliation.lever").order_by("id")
    assert [bool(e.after) for e in levers] == [True, False]
    assert (
        "Price change · -10 % · family FAM0 · 2027-01" in levers[0].after
        and levers[1].reason == "Not agreed with sales"
    )
    recommended = entries.get(table="reconciliation.recommendation")
    assert recommended.after == baseline.name and recommended.comment == "Baseline holds"
    assert recommended.user == finance


def test_prices_are_snapshotted_per_cycle(at_reconciliation, plant, users) -> None:  # type: ignore[no-untyped-def]
    finance, cycle = users[Role.FINANCE], at_reconciliation
    scenario = services.scenario_create(cycle.pk, finance, "As planned")
    first = run_on_commit(lambda: services.scenario_run_request(scenario.pk, finance))
    # when master data's price of BUY-1 changes after the first calculation
    plant["bought"].unit_price = Decimal("99.00")
    plant["bought"].save()
    second = run_on_commit(lambda: services.scenario_run_request(scenario.pk, finance))
    # then the reconciled revenue does not move
    revenue = [ScenarioFact.objects.get(run=r, family_code="*", month=MONTHS[0]).revenue_eur
               for r in (first, second)]  # fmt: skip
    assert revenue[0] == pytest.approx(revenue[1])


def test_best_expected_worst_are_created_once_from_the_intervals(at_reconciliation, users) -> None:  # type: ignore[no-untyped-def]
    finance, cycle = users[Role.FINANCE], at_reconciliation
    created = services.interval_scenarios_create(cycle.pk, finance)
    assert [s.name for s in created] == ["Best case", "Expected case", "Worst case"]
    worst = created[2]
    assert [(lever.kind, lever.params) for lever in worst.levers.all()] == [
        ("forecast_interval", {"bound": "lower"})
    ]
    assert services.interval_scenarios_create(cycle.pk, finance) == []


def test_a_bad_lever_is_refused_and_a_failing_run_says_why(at_reconciliation, users) -> None:  # type: ignore[no-untyped-def]
    finance, cycle = users[Role.FINANCE], at_reconciliation
    scenario = services.scenario_create(cycle.pk, finance, "Bad")
    with pytest.raises(ReconciliationError, match="Unknown lever"):
        services.lever_add(scenario.pk, finance, "teleport", {})
    with pytest.raises(ReconciliationError, match="Lever not added"):
        services.lever_add(scenario.pk, finance, "demand_change", {"first_month": "2027-13"})
    services.lever_add(scenario.pk, finance, "capacity_change", {"resource": "NOPE", "pct": 5})
    run = run_on_commit(lambda: services.scenario_run_request(scenario.pk, finance))
    assert run.status == "failed"
    assert run.error == ("A lever cannot be applied: Lever 1 (capacity_change): resource: "
                         "unknown resource 'NOPE'")  # fmt: skip


def test_only_finance_edits_and_a_signed_off_or_approved_cycle_is_read_only(
    at_reconciliation, users
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReconciliationError, match="Only the finance"):
        services.scenario_create(at_reconciliation.pk, users[Role.SUPPLY_PLANNER], "X")
    PlanningCycle.objects.filter(pk=at_reconciliation.pk).update(state="executive_review")
    with pytest.raises(ReconciliationError, match="signed off"):
        services.scenario_create(at_reconciliation.pk, users[Role.FINANCE], "X")
    PlanningCycle.objects.filter(pk=at_reconciliation.pk).update(state="approved")
    with pytest.raises(ReconciliationError, match="read-only"):
        services.scenario_create(at_reconciliation.pk, users[Role.FINANCE], "X")


def test_cancel_stops_a_queued_run(at_reconciliation, users) -> None:  # type: ignore[no-untyped-def]
    finance = users[Role.FINANCE]
    scenario = services.scenario_create(at_reconciliation.pk, finance, "Slow")
    run = services.scenario_run_request(scenario.pk, finance)  # queued; its task not sent yet
    cancelled = services.scenario_run_cancel(run.pk, finance)
    assert cancelled.status == "failed" and cancelled.error.startswith("Cancelled")
    from reconciliation.calculation import scenario_run_execute

    assert scenario_run_execute(run.pk) == "failed"  # the late task leaves it alone
    retry = run_on_commit(lambda: services.scenario_run_request(scenario.pk, finance))
    assert retry.pk != run.pk and retry.status == "succeeded"


def test_financial_view_compares_with_last_cycles_approved_plan(
    at_reconciliation, plant, users
) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from cycles.plan_models import ApprovedPlan, ApprovedPlanRow
    from cycles.services import cycle_open

    # given October's approved plan sold 120 units of MADE-1 in November for 900.00
    october = cycle_open(dt.date(2026, 10, 1), users[Role.ADMINISTRATOR])
    approved = ApprovedPlan.objects.create(cycle=october, sha256="0" * 64, run_ids={}, row_count=1)
    family = plant["made"].family.code
    ApprovedPlanRow.objects.create(
        approved_plan=approved, product_id_at_approval=plant["made"].pk, sku="MADE-1",
        site_code="DC1", family_code=family, month=MONTHS[0], served_units=120.0,
        revenue_eur=900.0, gross_margin_eur=420.0, inventory_value_eur=40.0,
    )  # fmt: skip
    _, run = _baseline_run(at_reconciliation, users[Role.FINANCE])
    # when finance reads November of this cycle's baseline (100 x 7.50 = 750.00)
    view = selectors.financial_view(at_reconciliation, run, "month").set_index(["family", "bucket"])
    row = view.loc[(family, "2026-11")]
    # then the gap to the approved plan is -150.00, i.e. -16.7 %
    assert row["approved_revenue_eur"] == 900.0
    assert row["approved_revenue_eur_gap"] == pytest.approx(-150.0)
    assert row["approved_revenue_eur_gap_pct"] == pytest.approx(-16.6667, abs=1e-3)
    assert row["approved_closing_inventory_value_eur"] == 40.0


def test_before_the_plan_record_exists_the_baseline_is_planned_from_the_inputs(
    plant, cycle, users
) -> None:  # type: ignore[no-untyped-def]
    # given a cycle whose plan pipeline has not built the consensus plan record yet
    from tests.helpers import move_to_stage

    cycle = move_to_stage(cycle, "reconciliation")
    finance = users[Role.FINANCE]
    baseline, run = _baseline_run(cycle, finance)
    # then the baseline is planned by the supply engine on the stage inputs (run-rate demand:
    # 150 a month of MADE-1 against 100 h of LINE-1), is not stale and can be recommended
    assert run.status == "succeeded", run.error
    assert run.warnings[0].startswith("No consensus plan record yet")
    total = ScenarioFact.objects.get(run=run, family_code="*", month=MONTHS[0])
    assert total.lost_sales_units == pytest.approx(50.0, abs=1e-6)
    services.recommend(cycle.pk, baseline.pk, finance, "Plan as is")
    assert preconditions.unmet(cycle, "reconciliation") == [] or all(
        "reconciliation" not in p.lower() for p in preconditions.unmet(cycle, "reconciliation")
    )


def test_cancelling_a_demand_event_removes_its_uplift_from_the_plan(
    at_reconciliation, plant, users
) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from demand.models import DemandEvent, StatisticalForecast
    from tests.factories import forecast_ready

    # given a campaign adding 100 units of MADE-1 in December (inside its consensus of 150)
    cycle, finance = at_reconciliation, users[Role.FINANCE]
    forecast = forecast_ready(cycle)
    for month in MONTHS:
        StatisticalForecast.objects.create(
            run=forecast, product=plant["made"], month=month, forecast_units=Decimal("150"),
            lower_units=Decimal("120"), upper_units=Decimal("180"), model="test",
        )  # fmt: skip
    event = DemandEvent.objects.create(
        cycle=cycle, name="Xmas promo", product=plant["made"], start_month=dt.date(2026, 12, 1),
        end_month=dt.date(2026, 12, 1), uplift_kind="units", uplift_value=Decimal("100"),
    )  # fmt: skip
    scenario = services.scenario_create(cycle.pk, finance, "No promo")
    services.lever_add(
        scenario.pk, finance, "demand_event", {"event": event.pk, "action": "cancel"}
    )
    # when the scenario runs
    run = run_on_commit(lambda: services.scenario_run_request(scenario.pk, finance))
    assert run.status == "succeeded", run.error
    # then December's demand of MADE-1 is 50 and LINE-1 (100 h) serves it all
    dec = ScenarioFact.objects.get(run=run, family_code=plant["made"].family.code,
                                   month=MONTHS[1])  # fmt: skip
    assert dec.demand_units == pytest.approx(50.0)
    assert dec.lost_sales_units == pytest.approx(0.0, abs=1e-6)
