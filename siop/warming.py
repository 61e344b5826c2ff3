"""Answers computed in the background once their data changed, so no visitor waits for them.

One mechanism for every warmer. A stage registers a warmer under a name: a function of ids
(a cycle id, or none) that computes the answers its pages ask for first into the shared
versioned cache (``siop.cached_json.warm``, under the very ETag the page's request computes)
and returns how many it had to build. The services that change that data call
``warm_on_commit(name, *ids)``: the tasks are sent once their transaction commits (never for a
rolled-back change; a broker outage only logs, and the first visitor builds the answer).

Warming never holds up a user's run (a forecast, a sign-off, a plan build step, an export, a
scenario), which shares the worker processes and the queue: warming tasks go at the broker's
lowest priority (``WARM_PRIORITY``; the runs are sent without one, the highest) and run at the
lowest CPU priority (``niced``: a request on the same cores goes first), and a warmer
whose work grows with the company registers a split (``register_split``): the ids it is sent
become many small tasks (one per family), so a run sent while warming goes waits for at most
the small task each busy worker process is on, never for a whole cycle's warming.

Each task takes ids and is idempotent: the warmer reads the data versions itself, as a request
does, so what it stores names the versions it was built from and is never served once the data
moved on; an answer already cached is not built again, so a burst of saves, each sending
tasks, builds each answer once per data version. If the data changes while a warmer runs, the
change's own tasks build the answers of the new versions.

Warming only pays where web processes read what the worker writes: a shared (Redis) versioned
cache, or Celery running eagerly in the web process; otherwise nothing is sent.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import connections, transaction

from siop.cached_json import CACHE_ALIAS

Warmer = Callable[..., int]  # (*ids) -> how many answers were built
Piece = tuple[str, Sequence[int]]  # (warmer name, its ids): one small task
Splitter = Callable[..., list[Piece]]  # (*ids) -> the pieces that together warm what ids name
# Redis transport: 0 is served first and is what a message without a priority gets (every run);
# 9, the last of its priority steps (settings: CELERY_BROKER_TRANSPORT_OPTIONS), is served last.
WARM_PRIORITY = 9
WARM_NICENESS = 10  # and the lowest CPU priority in practice (``niced``)
_WARMERS: dict[str, Warmer] = {}
_SPLITTERS: dict[str, Splitter] = {}
_PAUSED: ContextVar[bool] = ContextVar("siop_warming_paused", default=False)
log = logging.getLogger(__name__)


def register(name: str) -> Callable[[Warmer], Warmer]:
    """Register ``function(*ids) -> built`` as the warmer ``name`` (at its module's import,
    from an ``AppConfig.ready``, so web and worker processes both know it)."""

    def decorator(function: Warmer) -> Warmer:
        _WARMERS[name] = function
        return function

    return decorator


def register_split(name: str) -> Callable[[Splitter], Splitter]:
    """Register ``function(*ids) -> [(warmer name, ids)]``: sending the warmer ``name`` sends one
    task per piece instead (each a registered warmer), so no single warming task is long."""

    def decorator(function: Splitter) -> Splitter:
        _SPLITTERS[name] = function
        return function

    return decorator


def pieces(name: str, *ids: int) -> list[Piece]:
    """The small tasks that warm what ``name`` on ``ids`` does (itself, if it has no split)."""
    split = _SPLITTERS.get(name)
    return split(*ids) if split is not None else [(name, ids)]


@contextmanager
def paused() -> Iterator[None]:
    """Send no warming task within this block: a bulk writer nobody reads meanwhile (seeding a
    company) would otherwise warm every page once per change, in its own process when Celery
    runs eagerly (a 10,000-SKU seed took 3.6 times as long). The first visitor builds them."""
    token = _PAUSED.set(True)
    try:
        yield
    finally:
        _PAUSED.reset(token)


def worthwhile() -> bool:
    """Whether web processes would read what a warming task stores (never while paused)."""
    if _PAUSED.get():
        return False
    from django.core.cache import caches

    shared = "redis" in type(caches[CACHE_ALIAS]).__name__.lower()  # RedisCache
    return shared or bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def send(name: str, *ids: int) -> None:
    """Send the warming tasks now (the caller's data is committed), at the lowest priority; a
    broker error only logs, and stops the sending (each send would wait for the broker again)."""
    if not worthwhile():
        return
    try:
        for piece, piece_ids in pieces(name, *ids):
            warm_answers.apply_async((piece, list(piece_ids)), priority=WARM_PRIORITY)
    except Exception:  # the first visitor builds the answer instead
        log.warning("Could not send the warming task %s%s", name, ids, exc_info=True)


def warm_on_commit(name: str, *ids: int) -> None:
    """Send the warming tasks once the current transaction commits (at once outside one);
    nothing when paused now (the commit may come after the pause)."""
    if not _PAUSED.get():
        transaction.on_commit(lambda: send(name, *ids))


def run(name: str, *ids: int) -> int:
    """Run the warmer ``name`` here and now, as its task does; returns how many it built."""
    return _WARMERS[name](*ids)


@shared_task(name="siop.warm_answers")
def warm_answers(name: str, ids: list[int]) -> int:
    """Run the warmer ``name`` on ``ids`` at the lowest CPU priority (``niced``); returns how
    many answers it built (idempotent). Eager Celery runs it in the caller's own thread and
    transaction (``make run``, the tests)."""
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return run(name, *ids)
    return niced(run, name, *ids)


def niced(function: Callable[..., int], *args: Any) -> int:
    """``function(*args)`` on a thread of its own at niceness ``WARM_NICENESS``, with its own
    database connection (closed after).

    Where web and worker share the cores (the 2-core host the benchmarks run on, or one VM with
    the whole compose stack), a request that arrives while warming goes then gets the core: the
    scheduler weighs niceness 10 at a tenth of 0. Linux keeps niceness per thread, so the worker
    process keeps its own for the runs it takes next (an unprivileged process could never lower
    it back). Where it is not permitted, the warmer runs at the process's priority.
    """
    outcome: dict[str, Any] = {}

    def body() -> None:
        with suppress(OSError, AttributeError):  # not permitted, or not Linux
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WARM_NICENESS)
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # raised again in the task's own thread
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=body, name="siop-warming")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return int(outcome["value"])
