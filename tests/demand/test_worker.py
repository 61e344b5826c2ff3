"""A forecast run through a real Celery worker consuming from Redis."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from accounts.roles import Role
from demand.models import ForecastChunk, StatisticalForecast
from demand.selectors import current_run
from demand.services import forecast_run_request
from tests.helpers import wait_until_finished


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@override_settings(DEMAND_FORECAST_CHUNK_SIZE=2)
def test_a_real_worker_runs_the_chunked_forecast_and_switches_the_cycle(
    celery_worker_redis, review_cycle, users
) -> None:
    # When the planner requests a run (sent to Redis when the transaction commits)
    with transaction.atomic():
        run = forecast_run_request(review_cycle.pk, users[Role.DEMAND_PLANNER])
    # Then the worker computes its three chunks and the run succeeds
    run = wait_until_finished(run)
    assert run.status == "succeeded", run.error
    assert run.progress_done == run.progress_total == 5
    assert ForecastChunk.objects.filter(run=run, status="done").count() == 3
    assert StatisticalForecast.objects.filter(run=run).count() == 5 * 18
    assert current_run(review_cycle) == run
