"""The demo company's walk runs the plan pipeline: demand sign-off -> targets -> supply ->
projection -> financial roll-up.

The demand sign-off starts the pipeline on Celery; in the demo (eager Celery, no broker) it has
run by the time the next stage is prepared, so each prep below only fills a step that is still
missing or stale, synchronously and in pipeline order (seeding inside one transaction, as the
tests do, never sees the queued steps run).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from cycles.models import PlanningCycle
from cycles.plan import PlanLocked, plan_status
from cycles.plan_build import plan_build
from cycles.services import TransitionError
from demo.hooks import register_stage_prep


def _missing(cycle: PlanningCycle, key: str) -> bool:
    status = {s.key: s for s in plan_status(cycle)}[key]
    return not status.computed or status.stale


def _check(run: Any, what: str) -> None:
    if run.error:
        raise TransitionError(f"{what} failed: {run.error}")


@register_stage_prep("supply_review")
def plan_targets_and_supply(cycle: PlanningCycle, user: Any) -> None:
    from inventory.calculation import inventory_run_now
    from supply.services import supply_run_now

    if _missing(cycle, "targets"):  # the inventory planner's calculation
        planner = get_user_model().objects.filter(username="inventory").first() or user
        _check(inventory_run_now(cycle.pk, planner, plan_step="targets"), "Inventory targets")
    if _missing(cycle, "supply"):
        _check(supply_run_now(cycle.pk, user), "Supply plan")


@register_stage_prep("inventory_review")
def project_inventory(cycle: PlanningCycle, user: Any) -> None:
    from inventory.calculation import inventory_run_now

    if _missing(cycle, "projection"):
        _check(inventory_run_now(cycle.pk, user, plan_step="projection"), "Inventory projection")


@register_stage_prep("reconciliation")
def roll_up_plan(cycle: PlanningCycle, user: Any) -> None:
    if _missing(cycle, "finance"):
        try:
            plan_build(cycle.pk, user.pk)
        except PlanLocked as exc:
            raise TransitionError(str(exc)) from exc
