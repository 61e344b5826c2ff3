"""Answers computed in the background once their data changed, so no visitor waits for them.

One mechanism for every warmer. A stage registers a warmer under a name: a function of ids
(a cycle id, or none) that computes the answers its pages ask for first into the shared
versioned cache (``siop.cached_json.warm``, under the very ETag the page's request computes)
and returns how many it had to build. The services that change that data call
``warm_on_commit(name, *ids)``: the task is sent once their transaction commits (never for a
rolled-back change; a broker outage only logs, and the first visitor builds the answer).

The task takes ids and is idempotent: the warmer reads the data versions itself, as a request
does, so what it stores names the versions it was built from and is never served once the data
moved on; an answer already cached is not built again, so a burst of saves, each sending a
task, builds each answer once per data version. If the data changes while a warmer runs, the
change's own task builds the answers of the new versions.

Warming only pays where web processes read what the worker writes: a shared (Redis) versioned
cache, or Celery running eagerly in the web process; otherwise nothing is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.db import transaction

from siop.cached_json import CACHE_ALIAS

Warmer = Callable[..., int]  # (*ids) -> how many answers were built
_WARMERS: dict[str, Warmer] = {}
log = logging.getLogger(__name__)


def register(name: str) -> Callable[[Warmer], Warmer]:
    """Register ``function(*ids) -> built`` as the warmer ``name`` (at its module's import,
    from an ``AppConfig.ready``, so web and worker processes both know it)."""

    def decorator(function: Warmer) -> Warmer:
        _WARMERS[name] = function
        return function

    return decorator


def worthwhile() -> bool:
    """Whether web processes would read what a warming task stores."""
    from django.core.cache import caches

    shared = "redis" in type(caches[CACHE_ALIAS]).__name__.lower()  # RedisCache
    return shared or bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def send(name: str, *ids: int) -> None:
    """Send the warming task now (the caller's data is committed); a broker error only logs."""
    if not worthwhile():
        return
    try:
        warm_answers.delay(name, list(ids))
    except Exception:  # the first visitor builds the answer instead
        log.warning("Could not send the warming task %s%s", name, ids, exc_info=True)


def warm_on_commit(name: str, *ids: int) -> None:
    """Send the warming task once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send(name, *ids))


@shared_task(name="siop.warm_answers")
def warm_answers(name: str, ids: list[int]) -> int:
    """Run the warmer ``name`` on ``ids``; returns how many answers it built (idempotent)."""
    return _WARMERS[name](*ids)
