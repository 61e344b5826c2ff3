"""Helpers for the run lifecycle tests: a broker that is down, and the rows a run wrote.

The data set is the inventory review's small company (five products, two sites, 24 months of
history, stock and supply terms): the forecast, the supply plan and the inventory calculation
all run on it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import models

from cycles.runs import CalculationRun

DEAD_BROKER = "redis://127.0.0.1:6399/0"  # nothing listens there


def drop_broker_pools(app: Any) -> None:
    """Forget cached broker connections, so the next send uses the app's current broker URL."""
    from kombu import pools

    pools.reset()
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def broker(url: str, settings: Any) -> Iterator[Any]:
    """Send tasks to ``url`` (not eagerly) inside the block, then restore the app's broker."""
    from siop.celery import app

    previous = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "result_backend")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url=url, task_always_eager=False, result_backend=None)
    drop_broker_pools(app)
    try:
        yield app
    finally:
        app.conf.update(previous)
        drop_broker_pools(app)


def result_models(run_model: type[CalculationRun]) -> list[type[models.Model]]:
    """Every model holding rows of a run (a foreign key to the run model), chunks and pointers excluded."""
    found = []
    for model in apps.get_models():
        if model._meta.model_name in ("forecastchunk", "currentforecast"):
            continue
        for field in model._meta.fields:
            if isinstance(field, models.ForeignKey) and field.related_model is run_model:
                found.append(model)
                break
    return found


def duplicate_rows(run: CalculationRun) -> int:
    """Rows of ``run`` identical in every column but the id to another row of the same table."""
    extra = 0
    for model in result_models(type(run)):
        fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        run_field = next(
            f for f in model._meta.fields if getattr(f, "related_model", None) is type(run)
        )
        rows = [
            repr(r)
            for r in model._default_manager.filter(**{run_field.name: run}).values_list(*fields)
        ]
        extra += len(rows) - len(set(rows))
    return extra
