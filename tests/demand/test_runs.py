"""Forecast runs: chunked, progress recorded, safe to repeat, and an atomic switch."""

from __future__ import annotations

import pandas as pd
import pytest
from django.test import override_settings

from accounts.roles import Role
from cycles.models import AuditEntry
from demand import engine
from demand.engine import api as engine_api
from demand.engine.guards import FALLBACK, MAX_UNITS
from demand.history import SeriesBatch, forecast_rows
from demand.models import CurrentForecast, ForecastChunk, ForecastRun, StatisticalForecast
from demand.selectors import consensus_frame, current_run
from demand.services import (
    DemandError,
    forecast_chunk_compute,
    forecast_run_now,
    forecast_run_request,
    forecast_run_retry,
)

pytestmark = pytest.mark.django_db


@override_settings(DEMAND_FORECAST_CHUNK_SIZE=2)
def test_a_run_forecasts_every_product_over_the_horizon_in_chunks(review_cycle, users) -> None:
    # When the demand planner runs the forecast (chunks of two series)
    run = forecast_run_now(review_cycle.pk, users[Role.DEMAND_PLANNER])
    # Then it succeeded over three chunks, with full progress
    assert run.status == "succeeded" and run.percent == 100, run.error
    assert ForecastChunk.objects.filter(run=run, status="done").count() == 3
    # And every product has 18 months of forecast with an interval around it
    rows = StatisticalForecast.objects.filter(run=run)
    assert rows.count() == 5 * 18
    assert all(r.lower_units <= r.forecast_units <= r.upper_units for r in rows)
    # And the cycle now reads this run, with an audit entry of the switch
    assert current_run(review_cycle) == run
    assert AuditEntry.objects.filter(table="forecast_run", after=str(run.pk)).exists()


def test_level_series_are_forecast_near_their_level(forecast_cycle) -> None:
    frame = consensus_frame(forecast_cycle)
    by_product = frame.groupby("product_id")["statistical_units"].mean()
    levels = sorted(by_product)
    for got, level in zip(levels, [40.0, 50.0, 60.0, 100.0, 300.0], strict=True):
        assert got == pytest.approx(level, rel=0.06)


@override_settings(DEMAND_FORECAST_CHUNK_SIZE=2)
def test_a_failed_run_never_replaces_the_last_good_forecast(
    forecast_cycle, users, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    good = current_run(forecast_cycle)
    good_rows = consensus_frame(forecast_cycle)
    calls = {"n": 0}
    real = engine.forecast

    def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("engine crashed")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "forecast", flaky)
    # When a new run fails half-way (chunk 2 of 3)
    bad = forecast_run_now(forecast_cycle.pk, users[Role.DEMAND_PLANNER])
    # Then it is marked failed with the error, and the cycle still reads the good run
    assert bad.status == "failed" and "engine crashed" in bad.error
    assert current_run(forecast_cycle) == good
    assert consensus_frame(forecast_cycle).equals(good_rows)
    # When the planner retries it, only the unfinished chunks are computed again
    monkeypatch.setattr(engine, "forecast", real)
    with django_capture_on_commit_callbacks(execute=True):
        forecast_run_retry(bad.pk, users[Role.DEMAND_PLANNER])
    bad.refresh_from_db()
    assert bad.status == "succeeded" and bad.attempts == 2
    assert current_run(forecast_cycle) == bad
    assert StatisticalForecast.objects.filter(run=bad).count() == 5 * 18


def test_a_new_good_run_drops_the_rows_of_older_runs(forecast_cycle, users) -> None:
    old = current_run(forecast_cycle)
    assert old is not None
    new = forecast_run_now(forecast_cycle.pk, users[Role.DEMAND_PLANNER])
    assert current_run(forecast_cycle) == new
    assert not StatisticalForecast.objects.filter(run=old).exists()
    with pytest.raises(DemandError, match="Only a failed run"):
        forecast_run_retry(old.pk, users[Role.DEMAND_PLANNER])


def test_repeating_a_chunk_replaces_its_rows_instead_of_adding(forecast_cycle) -> None:
    run = current_run(forecast_cycle)
    assert run is not None
    before = StatisticalForecast.objects.filter(run=run).count()
    # Given a chunk is delivered again (worker lost after writing but before the ack)
    ForecastChunk.objects.filter(run=run).update(status="pending")
    ForecastRun.objects.filter(pk=run.pk).update(status="running")
    # When it is computed again
    forecast_chunk_compute(run.pk, 0)
    # Then the run has the same rows, not twice as many, and switches once more
    assert StatisticalForecast.objects.filter(run=run).count() == before
    assert CurrentForecast.objects.get(cycle=forecast_cycle).run == run


def test_a_run_request_is_sent_after_commit_and_only_one_at_a_time(
    review_cycle, users, django_capture_on_commit_callbacks
) -> None:
    planner = users[Role.DEMAND_PLANNER]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = forecast_run_request(review_cycle.pk, planner)
    assert len(callbacks) == 1 and run.status == "queued"
    with pytest.raises(DemandError, match="already in progress"):
        forecast_run_request(review_cycle.pk, planner)
    callbacks[0]()  # eager Celery in tests: runs the whole forecast now
    run.refresh_from_db()
    assert run.status == "succeeded"


def test_only_planners_may_run_the_forecast(review_cycle, users) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        forecast_run_request(review_cycle.pk, users[Role.SALES])


def test_no_history_fails_the_run_with_a_clear_message(cycle, users) -> None:
    run = forecast_run_now(cycle.pk, users[Role.DEMAND_PLANNER])
    assert run.status == "failed" and "No product has sales history" in run.error


def test_a_series_the_engine_cannot_fit_is_named_and_the_run_still_succeeds(
    review_cycle, users, monkeypatch
) -> None:
    # Given a model that raises on HELM-2's history (its months are the only ones near 60)
    real = engine_api.forecast_batch

    def fragile(batch, horizon, season_length):  # type: ignore[no-untyped-def]
        if ((batch.values > 55) & (batch.values < 70)).any():
            raise FloatingPointError("overflow in the trend model")
        return real(batch, horizon, season_length)

    monkeypatch.setattr(engine_api, "forecast_batch", fragile)
    # When the planner runs the forecast
    run = forecast_run_now(review_cycle.pk, users[Role.DEMAND_PLANNER])
    # Then the run succeeds, every product has its 18 months, and the message names HELM-2
    assert run.status == "succeeded", run.error
    assert StatisticalForecast.objects.filter(run=run).count() == 5 * 18
    assert "HELM-2" in run.message and FALLBACK in run.message
    fallen = StatisticalForecast.objects.filter(run=run, product__sku="HELM-2")
    assert {r.model for r in fallen} == {FALLBACK}
    assert all(55 <= r.forecast_units <= 66 for r in fallen)


def test_forecast_values_always_fit_the_database_column() -> None:
    # Given an engine answer far beyond numeric(16, 2) (a corrupt history, say)
    result = pd.DataFrame(
        {
            "series_id": ["7"],
            "period": [pd.Period("2026-11", freq="M")],
            "forecast": [5.9e14],
            "lower": [1.0],
            "upper": [5.9e22],
            "model": ["ETS+Theta"],
        }
    )
    # When it is turned into rows
    rows = forecast_rows(
        result, SeriesBatch(history=pd.DataFrame(), launch={7: None}, end={7: None})
    )
    # Then every value fits the column (below 1e14)
    assert rows[["forecast_units", "upper_units"]].to_numpy().max() <= MAX_UNITS < 1e14
