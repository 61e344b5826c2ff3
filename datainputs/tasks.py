"""Periodic housekeeping for data inputs (run by Celery beat, see ``CELERY_BEAT_SCHEDULE``).

A previewed upload keeps its parsed rows in ``ImportBatch.payload`` until it is applied. Previews
nobody applied would keep that payload forever, so they expire: the rows are dropped and the batch
is marked rejected with a message saying why. Idempotent: running it twice changes nothing more.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from datainputs.models import ImportBatch

EXPIRED_MESSAGE = "The preview expired before it was applied; upload the file again."


def stale_previews_purge(now: dt.datetime | None = None) -> int:
    """Expire previews older than ``IMPORT_PREVIEW_MAX_AGE_HOURS``; returns how many expired."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.IMPORT_PREVIEW_MAX_AGE_HOURS)
    return ImportBatch.objects.filter(
        status=ImportBatch.Status.PREVIEWED, created_at__lt=cutoff
    ).update(
        status=ImportBatch.Status.REJECTED,
        payload=[],
        errors=[{"row": 0, "field": "file", "message": EXPIRED_MESSAGE}],
    )


@shared_task(name="datainputs.tasks.purge_stale_previews")
def purge_stale_previews() -> int:
    return stale_previews_purge()
