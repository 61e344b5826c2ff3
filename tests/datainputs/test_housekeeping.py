"""Upload previews nobody applied expire (beat task), and the import history page lists imports."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from datainputs.models import ImportBatch
from datainputs.tasks import EXPIRED_MESSAGE, purge_stale_previews
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def batch(hours_old: float, status: str = "previewed") -> ImportBatch:
    created = ImportBatch.objects.create(
        data_input="sales_history",
        source="upload",
        file_name=f"{hours_old}h.csv",
        status=status,
        row_count=1,
        payload=[[2, {"sku": "X"}]],
    )
    stamp = timezone.now() - dt.timedelta(hours=hours_old)
    ImportBatch.objects.filter(pk=created.pk).update(created_at=stamp)
    return created


def test_stale_previews_expire_and_fresh_ones_stay(settings) -> None:
    settings.IMPORT_PREVIEW_MAX_AGE_HOURS = 48
    old, fresh, applied = batch(50), batch(2), batch(80, status="applied")
    # When beat runs the task (twice: it is idempotent)
    assert purge_stale_previews.delay().get() == 1
    assert purge_stale_previews.delay().get() == 0
    # Then the old preview is rejected with a reason and its rows are gone
    for row in (old, fresh, applied):
        row.refresh_from_db()
    assert old.status == "rejected" and old.payload == []
    assert old.errors == [{"row": 0, "field": "file", "message": EXPIRED_MESSAGE}]
    assert fresh.status == "previewed" and fresh.payload and applied.status == "applied"


def test_the_beat_schedule_names_a_registered_task(settings) -> None:
    from siop.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_import_history_filters_by_status(client, users) -> None:
    batch(1), batch(1, status="applied")
    assert client.login(username=users[Role.SALES].username, password=PASSWORD)
    page = client.get(reverse("datainputs:batches"), {"status": "applied"}).content.decode()
    assert "1 rows" in page and "Applied" in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_expiry_task_runs_on_a_real_worker_through_redis(celery_worker_redis) -> None:
    stale = batch(72)
    purge_stale_previews.delay()  # no result backend: watch the database instead
    for _ in range(60):
        stale.refresh_from_db()
        if stale.status == "rejected":
            break
        time.sleep(0.5)
    assert stale.status == "rejected" and stale.payload == []
