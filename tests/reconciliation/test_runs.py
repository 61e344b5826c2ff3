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
