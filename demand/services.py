"""Write services for forecast runs, sign-off and the frozen consensus snapshot.

A forecast run is split into chunks of series (``ForecastChunk``). Each chunk is computed by its
own Celery task and writes its rows keyed by (run, product, month), deleting what an earlier
attempt of the same chunk wrote, so a redelivered or retried chunk is harmless. The chunk that
completes the set switches the cycle's ``CurrentForecast`` to the run inside one transaction with
the run row locked; a failed run keeps the previous good forecast in place and can be retried
(only its unfinished chunks are recomputed).
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.selectors import user_may
from cycles.audit import audit_record
from cycles.models import PlanningCycle
from cycles.run_selectors import active_sign_off, signing_off_text
from cycles.run_tasks import dispatch
from cycles.runs import RunStatus
from demand import engine as demand_engine
from demand.engine.guards import FALLBACK
from demand.grid_warm import WARMER as GRID_WARMER
from demand.history import (
    fallback_skus,
    forecast_history,
    forecast_product_ids,
    forecast_rows,
)
from demand.models import (
    ChunkStatus,
    ConsensusSnapshot,
    CurrentForecast,
    ForecastChunk,
    ForecastRun,
    StatisticalForecast,
)
from demand.selectors import actuals_frame, consensus_frame, history_months
from siop.bulk import load_frame
from siop.warming import warm_on_commit

RUNNABLE_STATES = {"data_inputs", "demand_review"}


class DemandError(Exception):
    """A request the demand review refuses, with a message meant for the user."""


def chunk_size() -> int:
    return int(getattr(settings, "DEMAND_FORECAST_CHUNK_SIZE", 1000))


def _check_may_run(user: Any) -> None:
    if not user_may(user, "run_forecast"):
        raise PermissionDenied("Your role may not run the forecast.")


def _check_runnable(cycle: PlanningCycle) -> None:
    if cycle.state not in RUNNABLE_STATES:
        raise DemandError("The forecast can only be run before demand review is signed off.")
    signing = active_sign_off(cycle.pk)
    if signing is not None:
        raise DemandError(signing_off_text(signing))


def forecast_run_request(cycle_id: int, user: Any) -> ForecastRun:
    """Queue a forecast run for the cycle; the task is sent once the transaction commits."""
    _check_may_run(user)
    with transaction.atomic():
        cycle = PlanningCycle.objects.select_for_update().get(pk=cycle_id)
        _check_runnable(cycle)
        active = ForecastRun.objects.filter(
            cycle=cycle, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        )
        if active.exists():
            raise DemandError("A forecast run is already in progress for this cycle.")
        run = ForecastRun.objects.create(cycle=cycle, requested_by=user, chunk_size=chunk_size())
        _send_start(run)
    return run


def forecast_run_retry(run_id: int, user: Any) -> ForecastRun:
    """Resume a failed run: finished chunks are kept, the others are computed again."""
    _check_may_run(user)
    with transaction.atomic():
        run = ForecastRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.FAILED:
            raise DemandError("Only a failed run can be retried.")
        if ForecastRun.objects.filter(
            cycle_id=run.cycle_id, created_at__gt=run.created_at
        ).exists():
            raise DemandError("A newer run exists; run the forecast again instead.")
        _check_runnable(run.cycle)
        run.chunks.filter(status=ChunkStatus.FAILED).update(status=ChunkStatus.PENDING, error="")
        run.status, run.error, run.finished_at = RunStatus.QUEUED, "", None
        run.save(update_fields=["status", "error", "finished_at"])
        _send_start(run)
    return run


def _send_start(run: ForecastRun) -> None:
    """Send the run's start task after commit; an unreachable broker fails the run (Retry)."""
    from demand.tasks import forecast_run_start

    dispatch(run, forecast_run_start.delay)


def forecast_run_prepare(run_id: int) -> list[int]:
    """Split the run into chunks (once) and mark it running; returns the chunks left to compute."""
    with transaction.atomic():
        run = ForecastRun.objects.select_for_update().select_related("cycle").get(pk=run_id)
        if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return []
        if not run.chunks.exists():
            ids = forecast_product_ids(run.cycle)
            size = max(1, run.chunk_size)
            ForecastChunk.objects.bulk_create(
                ForecastChunk(run=run, index=i, product_ids=ids[start : start + size])
                for i, start in enumerate(range(0, len(ids), size))
            )
            run.series_count = len(ids)
            run.save(update_fields=["series_count"])
        if run.series_count == 0:
            run.mark_running(total=0)
            run.mark_finished(error="No product has sales history or a like-item to forecast from.")
            return []
        if run.status == RunStatus.QUEUED:
            done = ForecastChunk.objects.filter(run=run, status=ChunkStatus.DONE)
            already = sum(len(c.product_ids) for c in done)
            run.mark_running(total=run.series_count)
            run.mark_progress(already, f"{run.chunks.count()} chunks")
        return list(run.chunks.exclude(status=ChunkStatus.DONE).values_list("index", flat=True))


def forecast_chunk_compute(run_id: int, index: int) -> bool:
    """Forecast one chunk and store its rows; True when this chunk completed the run."""
    run = ForecastRun.objects.select_related("cycle").get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return False
    chunk = ForecastChunk.objects.get(run=run, index=index)
    if chunk.status != ChunkStatus.DONE:
        batch = forecast_history(run.cycle, list(chunk.product_ids))
        result = demand_engine.forecast(batch.history, run.cycle.horizon_months, 12)
        rows = forecast_rows(result, batch)
        _store_chunk(run, chunk.pk, rows, fallback_skus(rows))
    return forecast_run_finalize(run_id)


FALLBACK_NOTE = "fallback: "


def _store_chunk(run: ForecastRun, chunk_pk: int, rows: pd.DataFrame, fallen: list[str]) -> None:
    """Write the chunk's rows once; `fallen` (SKUs forecast by the engine's fallback) is kept
    on the chunk as a note so the finished run can name them."""
    with transaction.atomic():
        chunk = ForecastChunk.objects.select_for_update().get(pk=chunk_pk)
        if chunk.status == ChunkStatus.DONE:
            return
        StatisticalForecast.objects.filter(run=run, product_id__in=chunk.product_ids).delete()
        _insert_rows(run.pk, rows)
        chunk.status = ChunkStatus.DONE
        chunk.error = FALLBACK_NOTE + ", ".join(fallen) if fallen else ""
        chunk.attempts += 1
        chunk.save(update_fields=["status", "error", "attempts"])
        ForecastRun.objects.filter(pk=run.pk).update(
            progress_done=F("progress_done") + len(chunk.product_ids),
            message=f"Chunk {chunk.index + 1} done",
        )


ROW_COLUMNS = ["run_id", "product_id", "month", "forecast_units", "lower_units", "upper_units"]


def _insert_rows(run_id: int, rows: pd.DataFrame) -> None:
    """Write a chunk's rows: PostgreSQL ``COPY`` (about 15x faster than INSERTs), else bulk_create."""
    frame = rows.assign(run_id=run_id)[[*ROW_COLUMNS, "model"]]
    with connection.cursor() as cursor:
        copy = getattr(cursor.cursor, "copy_expert", None)  # psycopg2 on PostgreSQL
        if connection.vendor == "postgresql" and copy is not None:
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False, header=False)
            buffer.seek(0)
            table = StatisticalForecast._meta.db_table
            columns = ", ".join([*ROW_COLUMNS, "model"])
            copy(
                f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (model))",
                buffer,
            )
            return
    StatisticalForecast.objects.bulk_create(
        (StatisticalForecast(**record) for record in frame.to_dict("records")), batch_size=5000
    )


def forecast_run_finalize(run_id: int) -> bool:
    """Switch the cycle to the run when every chunk is done (once, under the run's row lock)."""
    with transaction.atomic():
        run = ForecastRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return False
        if run.chunks.exclude(status=ChunkStatus.DONE).exists():
            return False
        cycle = PlanningCycle.objects.select_for_update().get(pk=run.cycle_id)
        if cycle.state not in RUNNABLE_STATES:
            # Signed off (or approved) while it ran: the frozen consensus must not move.
            run.mark_finished(error="Not applied: the demand review was signed off meanwhile.")
            return False
        previous = CurrentForecast.objects.filter(cycle_id=run.cycle_id).first()
        CurrentForecast.objects.update_or_create(cycle_id=run.cycle_id, defaults={"run": run})
        # Older runs of the cycle can never be read or retried again: drop their rows (before
        # the success, whose statistics of the table then count only this run's).
        StatisticalForecast.objects.filter(
            run__cycle_id=run.cycle_id, run__created_at__lt=run.created_at
        ).delete()
        run.mark_finished()
        _name_fallbacks(run)
        audit_record(
            cycle=run.cycle,
            table="forecast_run",
            record_key=str(run.cycle_id),
            field="current_run",
            before=previous.run_id if previous else None,
            after=run.pk,
            user=run.requested_by,
            source="system",
            reason="forecast_run",
        )
        warm_on_commit(GRID_WARMER, run.cycle_id)  # the grids' first paint of the new forecast
    return True


def _name_fallbacks(run: ForecastRun) -> None:
    """The run's message names the products the engine could only forecast by its fallback
    method (`demand.engine.guards.FALLBACK`), so a planner can check them."""
    notes = run.chunks.filter(status=ChunkStatus.DONE, error__startswith=FALLBACK_NOTE)
    skus = sorted(
        s
        for note in notes.values_list("error", flat=True)
        for s in note[len(FALLBACK_NOTE) :].split(", ")
    )
    if skus:
        shown = ", ".join(skus[:10]) + (f" and {len(skus) - 10} more" if len(skus) > 10 else "")
        run.mark_progress(run.progress_done, f"{len(skus)} forecast by {FALLBACK}: {shown}")


def forecast_chunk_failed(run_id: int, index: int, error: str) -> None:
    """Record a chunk's final failure and fail the run; the last good forecast stays current."""
    with transaction.atomic():
        run = ForecastRun.objects.select_for_update().get(pk=run_id)
        ForecastChunk.objects.filter(run=run, index=index).update(
            status=ChunkStatus.FAILED, error=error[:2000], attempts=F("attempts") + 1
        )
        if run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
            run.mark_finished(error=f"Chunk {index + 1} failed: {error}"[:2000])


def forecast_run_now(cycle_id: int, user: Any) -> ForecastRun:
    """Run a whole forecast in this process (demo seeding, management commands); refused like
    a queued request once the demand review is signed off."""
    with transaction.atomic():
        _check_runnable(PlanningCycle.objects.select_for_update().get(pk=cycle_id))
        run = ForecastRun.objects.create(
            cycle_id=cycle_id, requested_by=user, chunk_size=chunk_size()
        )
    for index in forecast_run_prepare(run.pk):
        try:
            forecast_chunk_compute(run.pk, index)
        except Exception as exc:
            forecast_chunk_failed(run.pk, index, str(exc))
            break
    run.refresh_from_db()
    return run


def snapshot_freeze(cycle: PlanningCycle, consensus: pd.DataFrame | None = None) -> int:
    """Freeze naive, statistical and consensus per product x month with its lag (replaces).

    ``consensus``: the cycle's ``consensus_frame`` when the caller already read it."""
    consensus = consensus_frame(cycle) if consensus is None else consensus
    ConsensusSnapshot.objects.filter(cycle=cycle).delete()
    if consensus.empty:
        return 0
    last = history_months(cycle, 1)[0]
    naive = actuals_frame(consensus["product_id"].unique().tolist(), last, cycle.month)
    naive_by_product = naive.set_index("product_id")["actual_units"]
    start = pd.Period(cycle.month, freq="M")
    months = pd.PeriodIndex(pd.to_datetime(consensus["month"]), freq="M")
    frame = pd.DataFrame({
        "cycle_id": cycle.pk, "product_id": consensus["product_id"].astype(int).to_numpy(),
        "month": pd.to_datetime(consensus["month"]).dt.date.to_numpy(),
        "lag_months": (months.year - start.year) * 12 + (months.month - start.month),
        "naive_units": consensus["product_id"].map(naive_by_product).fillna(0.0).astype(float)
        .round(2).to_numpy(),
        "statistical_units": consensus["statistical_units"].astype(float).round(2).to_numpy(),
        "consensus_units": consensus["consensus_units"].astype(float).round(2).to_numpy(),
        "frozen_at": timezone.now(),
    })  # fmt: skip
    # COPY on PostgreSQL: the freeze runs inside the sign-off's transaction, holding its lock.
    return load_frame(ConsensusSnapshot, frame)


def consensus_sign_off(cycle_id: int, user: Any, comment: str = "") -> PlanningCycle:
    """Sign off the demand review (advances the cycle); the snapshot freezes on the sign-off."""
    from cycles.services import stage_sign_off

    return stage_sign_off(cycle_id, "demand_review", user, comment)
