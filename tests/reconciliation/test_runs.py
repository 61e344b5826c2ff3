"""Scenario runs on the shared run lifecycle (`cycles.run_tasks.request_run`, scoped per scenario)."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.roles import Role
from cycles.run_tasks import request_run
from cycles.runs import RunStatus
from reconciliation import services
from reconciliation.models import ScenarioRun
from tests.cycles.run_fixtures import DEAD_BROKER, broker

pytestmark = pytest.mark.django_db


def test_two_scenarios_queue_in_parallel_and_one_scenario_never_twice(
    at_reconciliation, users
) -> None:  # type: ignore[no-untyped-def]
    # Given two scenarios of the same cycle
    finance = users[Role.FINANCE]
    slow = services.scenario_create(at_reconciliation.pk, finance, "Slow")
    other = services.scenario_create(at_reconciliation.pk, finance, "Other")
    # When each is requested (queued; their tasks not sent yet) and the first one again
    first = services.scenario_run_request(slow.pk, finance)
    second = services.scenario_run_request(other.pk, finance)
    again = services.scenario_run_request(slow.pk, finance)
    # Then the two scenarios have a run each, and the repeat is the same run, not a second one
    assert first.pk != second.pk and again.pk == first.pk
    assert ScenarioRun.objects.filter(status=RunStatus.QUEUED).count() == 2
    assert first.levers == [] and first.baseline_version == slow.baseline_version


def test_request_run_scope_is_one_active_run_per_scope(at_reconciliation, users) -> None:  # type: ignore[no-untyped-def]
    # Given a scenario with a queued run
    finance = users[Role.FINANCE]
    scenario = services.scenario_create(at_reconciliation.pk, finance, "Scoped")
    with transaction.atomic():
        queued = request_run(ScenarioRun, at_reconciliation, finance, None,
                             scope={"scenario": scenario})  # fmt: skip
        # When the shared lifecycle is asked again for the same scope
        same = request_run(ScenarioRun, at_reconciliation, finance, None,
                           scope={"scenario": scenario})  # fmt: skip
    # Then it answers the active run
    assert same.pk == queued.pk and queued.scenario_id == scenario.pk


@pytest.mark.django_db(transaction=True)
def test_a_scenario_requested_with_the_broker_down_fails_with_retry(
    at_reconciliation, users, settings
) -> None:  # type: ignore[no-untyped-def]
    finance = users[Role.FINANCE]
    scenario = services.scenario_create(at_reconciliation.pk, finance, "Down")
    with broker(DEAD_BROKER, settings):
        run = services.scenario_run_request(scenario.pk, finance)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "broker unreachable" in run.error


def test_family_facts_never_carry_the_month_totals_and_every_reader_counts_once(
    at_reconciliation, users, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from executive.scenarios import scenario_options
    from reconciliation import selectors
    from reconciliation.engine import TOTAL

    # Given the baseline calculated (140 served a month at 7.50: 1,050 EUR revenue a month)
    finance = users[Role.FINANCE]
    baseline = services.baseline_ensure(at_reconciliation.pk, finance)
    with django_capture_on_commit_callbacks(execute=True):
        services.scenario_run_request(baseline.pk, finance)
    run = ScenarioRun.objects.get(scenario=baseline)
    # When the facts are read through the selectors
    families = selectors.family_facts(run)
    totals = selectors.month_totals(run)
    # Then the family rows hold no total row, and the totals are their sums per month
    assert len(families) and TOTAL not in set(families["family"])
    by_month = families.groupby("period")["revenue_eur"].sum()
    assert list(totals.set_index("period")["revenue_eur"]) == pytest.approx(list(by_month))
    assert by_month.iloc[0] == pytest.approx(1050.0)
    # And the executive's scenario totals count the revenue once (3 months x 1,050)
    option = next(o for o in scenario_options(at_reconciliation) if o.id is None)
    assert option.totals["revenue_eur"] == pytest.approx(3 * 1050.0)
