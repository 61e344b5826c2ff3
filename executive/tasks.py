"""Celery tasks of the executive review. Each takes ids, recomputes from the database and is
idempotent (running it twice stores the same facts); errors are logged and re-raised only after
being recorded, so a broken cycle does not stop the nightly run of the others.

* ``refresh_cycle``: KPI facts of a cycle's plan (and approved snapshot) and the plan rules;
  sent after a plan build and after approval.
* ``monitor_execution``: actuals vs the approved plan in force, plan-vs-actual exceptions;
  sent after each import of sales history, open orders or stock (``datainputs`` hook).
* ``nightly_evaluation``: both, for the last 12 cycles (Celery beat, settings).
* ``execute``: the first two as an `ExecutiveRun` on the shared run lifecycle
  (``request_refresh``, ``after_import``): dispatched on commit, heartbeat, watchdog, and a
  failed run (a broker outage too) shown with Retry on the plan ribbon.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import transaction

from cycles.models import PlanningCycle
from cycles.run_tasks import execute_run, request_run
from cycles.runs import RunStatus
from executive import evaluation, facts, health, selectors
from executive.models import ExecutiveJob, ExecutiveRun

logger = logging.getLogger(__name__)
MONITORED_INPUTS = frozenset({"sales_history", "open_orders", "inventory_on_hand"})


@shared_task(name="executive.tasks.refresh_cycle")
def refresh_cycle(cycle_id: int) -> str:
    """Rebuild the cycle's dashboard facts and re-evaluate its plan rules (one read of the plan)."""
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return "missing"
    frames = selectors.plan_frames(cycle) if selectors.consensus_plan(cycle) else None
    evaluation.evaluate_plan(cycle_id, frames)  # first: the facts count its exceptions
    facts.refresh_plan_facts(cycle_id, frames)
    facts.refresh_approved_facts(cycle_id)
    facts.merge_kpis(cycle_id, health.override_facts(cycle))
    return "ok"


@shared_task(name="executive.tasks.monitor_execution")
def monitor_execution() -> str:
    """Score actuals against the plan in force; refresh the facts of the cycle being planned."""
    evaluation.monitor_execution()
    target = selectors.target_cycle_for_monitoring()
    if target is not None:
        facts.refresh_plan_facts(target.pk)
    return "ok"


@shared_task(name="executive.tasks.nightly_evaluation")
def nightly_evaluation() -> dict[str, int]:
    """Monitoring, then facts and rules of the last 12 cycles; one failure skips one cycle."""
    evaluation.monitor_execution()
    failed = 0
    # closed cycles too: their overrides are scored as the actual sales of their months arrive
    cycle_ids = list(PlanningCycle.objects.order_by("-month").values_list("pk", flat=True)[:12])
    for cycle_id in cycle_ids:
        try:
            refresh_cycle(cycle_id)
        except Exception:
            logger.exception("Executive facts of cycle %s failed", cycle_id)
            failed += 1
    return {"cycles": len(cycle_ids), "failed": failed}


@shared_task(name="executive.tasks.execute", acks_late=True)
def execute(run_id: int) -> str:
    """An `ExecutiveRun` on the shared run lifecycle (idempotent by run id)."""
    return execute_run(ExecutiveRun, run_id, _work, steps=1, expected=(), logger=logger,
                       name="Executive run")  # fmt: skip


def _work(run: ExecutiveRun) -> None:
    if run.job == ExecutiveJob.MONITOR:
        monitor_execution()
    else:
        refresh_cycle(run.cycle_id)
    run.mark_finished()


def _request(cycle: PlanningCycle | None, job: str, user: Any = None) -> ExecutiveRun | None:
    """Queue ``job`` for ``cycle`` (sent once the transaction commits; a broker outage fails
    the run with Retry). A run already queued is reused; one already running is not (it may
    have read the data before the change that asks for this one)."""
    if cycle is None:
        return None
    with transaction.atomic():
        locked = PlanningCycle.objects.select_for_update().get(pk=cycle.pk)
        return request_run(ExecutiveRun, locked, user, execute.delay, scope={"job": job},
                           reuse=(RunStatus.QUEUED,))  # fmt: skip


def after_import(data_input: str, batch_id: int) -> None:
    """The datainputs hook: monitor execution once an import of actuals is committed."""
    if data_input in MONITORED_INPUTS:
        cycle = (
            selectors.target_cycle_for_monitoring()
            or PlanningCycle.objects.order_by("-month").first()
        )
        _request(cycle, ExecutiveJob.MONITOR)


def after_build(cycle_id: int) -> None:
    """The plan build hook: refresh the facts of the freshly built plan."""
    request_refresh(cycle_id)


def request_refresh(cycle_id: int, user: Any = None) -> ExecutiveRun | None:
    """Queue a refresh of the cycle's facts once the caller's transaction commits (the plan
    build hook, the approval, the dashboard's Refresh button)."""
    return _request(PlanningCycle.objects.filter(pk=cycle_id).first(), ExecutiveJob.REFRESH, user)
