"""Celery tasks of a forecast run: start (split into chunks) and one task per chunk.

Tasks take ids only and call one service each. ``forecast_run_start`` fans the chunks out as a
group (no result backend needed: the chunk that finishes the set switches the run itself). A chunk
retries twice on error, then fails the run; every step is safe to repeat (acks_late redelivery).
"""

from __future__ import annotations

from celery import group, shared_task

from cycles.run_tasks import fresh_connection, run_heartbeat
from demand import services
from demand.models import ForecastRun


@shared_task(acks_late=True)
def forecast_run_start(run_id: int) -> int:
    pending = services.forecast_run_prepare(run_id)
    if pending:
        group(forecast_chunk.si(run_id, index) for index in pending).apply_async()
    return len(pending)


@shared_task(bind=True, acks_late=True, max_retries=2, default_retry_delay=1)
def forecast_chunk(self, run_id: int, index: int) -> bool:  # type: ignore[no-untyped-def]
    try:
        with run_heartbeat(ForecastRun, run_id):
            return services.forecast_chunk_compute(run_id, index)
    except Exception as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=0 if self.request.is_eager else 1) from exc
        fresh_connection()  # PostgreSQL may have dropped the connection the chunk failed on
        services.forecast_chunk_failed(run_id, index, f"{type(exc).__name__}: {exc}")
        return False


@shared_task(name="demand.tasks.warm_accuracy_report")
def warm_accuracy_report() -> int:
    """Messages an older release queued; warming now goes through ``siop.warm_answers``."""
    from demand.accuracy_warm import warm_report

    return warm_report()
