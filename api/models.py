"""Machine clients (one hashed, expiring, revocable token per ERP) and idempotency records.

Tokens are random 256-bit secrets; only their SHA-256 is stored (a fast hash is enough for
high-entropy secrets, and lets a request find its client with one indexed lookup). The secret is
shown once, when the client is created or its token rotated.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiClient(models.Model):
    name = models.CharField(max_length=80, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_client"
    )
    token_prefix = models.CharField(
        max_length=16, help_text="First characters, to tell tokens apart."
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotencyRecord(models.Model):
    """The first request with an ``Idempotency-Key`` and, once done, its response."""

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", "In flight"
        DONE = "done", "Done"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_path = models.CharField(max_length=300)
    body_sha256 = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_FLIGHT)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_user_key")
        ]


class PlanRendition(models.Model):
    """An approved plan as the API publishes it (JSON or CSV), rendered once and kept gzipped.

    An approved plan never changes (``cycles.approval``), so its documents are built once -- by a
    task sent when the approval commits, or by the first request -- and every later call serves
    these bytes instead of rebuilding 250,000 rows. Keyed by the snapshot's SHA-256, the format
    and the cycle state the document names (approved, then closed).

    A row in status ``rendering`` (empty body) marks a render in progress since ``started_at``:
    another caller waits for it or answers 202 instead of rendering the same document twice; a
    marker older than ``api.renditions.STALE_AFTER`` (its renderer died) is taken over.
    """

    class Status(models.TextChoices):
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"

    sha256 = models.CharField(max_length=64)
    fmt = models.CharField(max_length=8)
    state = models.CharField(max_length=24)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.READY)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When rendering began.")
    gzip_body = models.BinaryField(default=b"")
    raw_bytes = models.BigIntegerField(default=0, help_text="Size before compression, bytes.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sha256", "fmt", "state"], name="uniq_plan_rendition")
        ]
