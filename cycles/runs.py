"""The shared shape of a calculation run (forecast, supply plan, inventory policies, scenarios).

Each stage keeps its own concrete run model inheriting `CalculationRun`; the Celery task of a run
takes the run id, moves it queued -> running -> succeeded/failed, records progress and the error
text, and only a succeeded run is ever read as the stage's current result ("atomic switch").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class CalculationRun(models.Model):
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
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    def mark_running(self, total: int) -> None:
        self.status, self.started_at = RunStatus.RUNNING, timezone.now()
        self.progress_done, self.progress_total, self.error = 0, total, ""
        self.attempts += 1
        self.save(
            update_fields=[
                "status",
                "started_at",
                "progress_done",
                "progress_total",
                "error",
                "attempts",
            ]
        )

    def mark_progress(self, done: int, message: str = "") -> None:
        # Written with update() so a progress tick never overwrites the status set elsewhere.
        type(self)._default_manager.filter(pk=self.pk).update(
            progress_done=done, message=message[:255]
        )
        self.progress_done, self.message = done, message[:255]

    def mark_finished(self, *, error: str = "") -> None:
        self.status = RunStatus.FAILED if error else RunStatus.SUCCEEDED
        self.error, self.finished_at = error, timezone.now()
        if not error:
            self.progress_done = self.progress_total
        self.save(update_fields=["status", "error", "finished_at", "progress_done"])
