"""The shared shape of a calculation run (forecast, supply plan, inventory policies, scenarios).

Each stage keeps its own concrete run model inheriting `CalculationRun`; the Celery task of a run
takes the run id, moves it queued -> running -> succeeded/failed, records progress and the error
text, and only a succeeded run is ever read as the stage's current result ("atomic switch").

A running run carries a heartbeat (`heartbeat_at`, written every `RUN_HEARTBEAT_SECONDS` by the
worker executing it); `cycles.run_watchdog` re-queues or fails a run whose heartbeat has gone
silent, so a killed worker never leaves a run "running" forever. Every finishing write is
conditional on the run still being active, so a run cancelled (or given up by the watchdog)
while its worker was still busy keeps its failed status.
"""

from __future__ import annotations

import os
import socket
from typing import Any, ClassVar

from django.conf import settings
from django.db import connection, models
from django.utils import timezone


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class CalculationRun(models.Model):
    # The Celery task (registered name) that executes a run from its id: the watchdog re-sends
    # it for a run whose worker is gone. Empty: such runs are failed (with Retry) instead.
    task_name: ClassVar[str] = ""
    # The role action (accounts.roles) allowed to start, retry and cancel this kind of run.
    run_action: ClassVar[str] = ""
    # Models ("app_label.Model") holding the run's result rows, deleted once the run is superseded
    # and past retention (cycles.run_pruning); the run record itself is kept.
    pruned_rows: ClassVar[tuple[str, ...]] = ()
    # File fields of the run (an export's workbook), deleted from storage once the run finished
    # more than EXPORT_RETENTION_HOURS ago (cycles.run_pruning); the run record itself is kept.
    pruned_files: ClassVar[tuple[str, ...]] = ()
    # Background runs nobody starts by hand (the plan roll-up, the executive's refresh): when
    # the newest one failed, the plan ribbon names it with a Retry button (label: its name).
    ribbon_label: ClassVar[str] = ""
    # Fields telling such runs apart within a cycle (one newest run, one retry per value).
    retry_scope: ClassVar[tuple[str, ...]] = ()
    retry_on_locked_cycle: ClassVar[bool] = True
    # Fields a Retry copies from the failed run to the new one (besides ``retry_scope``).
    retry_fields: ClassVar[tuple[str, ...]] = ()
    # Only the current stage's owner may retry (a sign-off is signed by whoever retries it, and
    # only the owner may sign off; an administrator's retry would fail in the worker).
    retry_by_owner_only: ClassVar[bool] = False

    cycle = models.ForeignKey("cycles.PlanningCycle", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When the run's task was last handed to the broker."
    )
    dispatches = models.PositiveSmallIntegerField(
        default=0, help_text="How many times the run's task was handed to the broker."
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the worker executing the run."
    )
    worker = models.CharField(
        max_length=255, blank=True, help_text="host:pid of the process executing the run."
    )

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == RunStatus.SUCCEEDED else 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def ribbon_applies(self, cycle: Any) -> bool:
        """Whether this failed run still belongs on ``cycle``'s ribbon (a sign-off: only while
        the cycle is still at its stage)."""
        return True

    @property
    def kind(self) -> str:
        """The run model's label (``app_label.modelname``), naming the kind in URLs."""
        return self._meta.label_lower

    def mark_running(self, total: int) -> None:
        now = timezone.now()
        self.status, self.started_at, self.heartbeat_at = RunStatus.RUNNING, now, now
        self.progress_done, self.progress_total, self.error = 0, total, ""
        self.attempts += 1
        self.worker = f"{socket.gethostname()}:{os.getpid()}"[:255]
        self.save(
            update_fields=[
                "status",
                "started_at",
                "heartbeat_at",
                "worker",
                "progress_done",
                "progress_total",
                "error",
                "attempts",
            ]
        )

    def mark_progress(self, done: int, message: str = "") -> None:
        # Written with update() so a progress tick never overwrites the status set elsewhere.
        now = timezone.now()
        type(self)._default_manager.filter(pk=self.pk).update(
            progress_done=done, message=message[:255], heartbeat_at=now
        )
        self.progress_done, self.message, self.heartbeat_at = done, message[:255], now

    def mark_finished(self, *, error: str = "") -> bool:
        """Finish the run as succeeded (no ``error``) or failed; False if it was no longer active.

        Conditional on the run still being queued or running, so a run cancelled or given up
        meanwhile is never switched to succeeded by a worker that was still busy with it; and on
        it still being this process's run (``worker``): a success written by a worker whose run
        another worker has taken over raises `RunTakenOver`, which rolls back the rows it was
        storing in the same transaction (one writer per run, no duplicate rows).
        """
        status = RunStatus.FAILED if error else RunStatus.SUCCEEDED
        now = timezone.now()
        fields: dict[str, object] = {"status": status, "error": error, "finished_at": now}
        if not error:
            fields["progress_done"] = self.progress_total
        mine = type(self)._default_manager.filter(pk=self.pk, status__in=ACTIVE_STATUSES)
        if self.worker:
            mine = mine.filter(worker=self.worker)
        if mine.update(**fields):
            for name, value in fields.items():
                setattr(self, name, value)
            if not error:
                self._refresh_row_statistics()
            return True
        self.refresh_from_db()
        if self.is_active and not error:
            raise RunTakenOver(f"Run {self.pk} is now executed by {self.worker}.")
        return False

    def _refresh_row_statistics(self) -> None:
        """Refresh the planner statistics of the tables holding the run's rows
        (``pruned_rows``) in the transaction that marks it succeeded, so they are committed
        with the success and the rows.

        Why: a run replaces its stage's current rows (a 10,000-SKU forecast writes 180,000 and
        drops as many; a supply run writes 172,000 orders). Until the tables are analysed the
        planner estimates the new run id as absent and scans: the supply review's orders query
        took 691 ms instead of 6, the demand grid's family rows 1.9 s instead of 0.3. Analysed
        after the commit, the first reader (the planner who watched the run finish, or a
        warmer) still planned in that window. ANALYZE is transactional in PostgreSQL and does
        not count the rows this transaction deleted; its lock only excludes other ANALYZE and
        VACUUM runs. A failure rolls back only itself: the run still succeeds.
        """
        if not self.pruned_rows or connection.vendor != "postgresql":
            return
        from django.apps import apps  # the row models live in the stage apps, loaded later

        from siop.bulk import refresh_statistics_or_log

        refresh_statistics_or_log(
            *[apps.get_model(label)._meta.db_table for label in self.pruned_rows]
        )


class RunTakenOver(Exception):
    """This worker's run was taken over by another worker (its own is presumed dead)."""
