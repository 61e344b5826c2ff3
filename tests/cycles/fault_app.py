"""The project's Celery app for worker-fault tests, with every run step slowed down.

Started as ``celery -A tests.cycles.fault_app worker`` by ``test_run_worker_faults.py``: each
progress tick of a supply or inventory run and each forecast chunk waits ``FAULT_STEP_SECONDS``,
so a test can kill the worker, Redis or PostgreSQL connections while a run is surely mid-way.
Nothing else differs from production.
"""

from __future__ import annotations

import os
import time
from typing import Any

from celery.signals import worker_process_init

from siop.celery import app

__all__ = ["app"]


@worker_process_init.connect
def _slow_down_run_steps(**_: Any) -> None:
    from cycles.runs import CalculationRun
    from demand import services

    pause = float(os.environ.get("FAULT_STEP_SECONDS", "1"))
    tick, compute = CalculationRun.mark_progress, services.forecast_chunk_compute

    def slow_tick(self: CalculationRun, done: int, message: str = "") -> None:
        tick(self, done, message)
        time.sleep(pause)

    def slow_chunk(run_id: int, index: int) -> bool:
        time.sleep(pause)
        return compute(run_id, index)

    CalculationRun.mark_progress = slow_tick  # type: ignore[method-assign]
    services.forecast_chunk_compute = slow_chunk
