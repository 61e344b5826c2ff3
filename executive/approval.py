"""The executive approval: choose a scenario, confirm, approve with a comment, freeze the pack.

``approve`` calls ``cycles.services.stage_sign_off`` for the executive stage (which refuses a
stale plan and writes the frozen approved plan) inside one transaction with the approval record,
the accepted exceptions and the meeting pack: all of it happens, or none. The approval page
queues it as a sign-off run (`request_approval`, executed by `approve_run` in a worker), which
also renders the approved plan's export documents before it reports success.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from api import renditions
from cycles import services as cycle_services
from cycles import sign_off
from cycles.models import PlanningCycle, SignOffRun
from executive import facts, pack, scenarios, selectors
from executive.models import Approval, ExceptionStatus, FactSource, KpiSnapshot, PlanException

logger = logging.getLogger(__name__)

STAGE = "executive_review"
EXECUTOR = "executive.approve"


class ApprovalError(Exception):
    """An approval the server refuses, with a message for the user."""


@dataclass(frozen=True)
class Confirmation:
    cycle: PlanningCycle
    chosen: scenarios.ScenarioOption
    recommended: scenarios.ScenarioOption
    options: list[scenarios.ScenarioOption]
    totals: dict[str, Any]
    tier3: list[PlanException]
    tier3_value_eur: float


def confirmation(cycle: PlanningCycle, scenario_id: int | None, reason: str) -> Confirmation:
    """What the executive is about to approve; raises ApprovalError when it cannot be."""
    if cycle.state != STAGE:
        raise ApprovalError(f"{cycle} is not at the executive review (it is {cycle.state}).")
    options = scenarios.scenario_options(cycle)
    chosen = scenarios.find(options, scenario_id)
    if chosen is None:
        raise ApprovalError("Choose one of the scenarios listed.")
    if chosen.stale:
        raise ApprovalError(f"Scenario '{chosen.name}' is stale; finance must rebase it first.")
    best = scenarios.recommended(options)
    if chosen.id != best.id and not reason.strip():
        raise ApprovalError(
            f"Say why you approve '{chosen.name}' rather than the recommended '{best.name}'."
        )
    tier3 = list(selectors.escalated(cycle))
    snap = selectors.headline_snapshot(cycle)
    totals = dict(chosen.totals) or (dict(snap.kpis) if snap else {})
    return Confirmation(
        cycle, chosen, best, options, totals, tier3, sum(e.value_at_risk_eur for e in tier3)
    )


def approve(
    cycle_id: int, user: Any, scenario_id: int | None, reason: str, comment: str
) -> Approval:
    """Approve the cycle's plan with ``scenario_id`` (None: baseline); comment mandatory."""
    if not comment.strip():
        raise ApprovalError("An approval needs a comment (what was decided, and why).")
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        raise ApprovalError("This cycle does not exist.")
    confirm = confirmation(cycle, scenario_id, reason)
    with transaction.atomic():
        try:
            cycle = cycle_services.approve_plan(cycle_id, user, comment.strip(), confirm.chosen.id)
        except cycle_services.TransitionError as exc:
            raise ApprovalError(str(exc)) from exc
        accepted = PlanException.objects.filter(cycle=cycle, tier=3, status=ExceptionStatus.OPEN)
        count = accepted.count()
        value = float(accepted.aggregate(v=Sum("value_at_risk_eur"))["v"] or 0.0)
        accepted.update(status=ExceptionStatus.ACCEPTED, updated_at=timezone.now())
        approval = Approval.objects.create(
            cycle=cycle,
            scenario_id=confirm.chosen.id,
            scenario_name=confirm.chosen.name,
            recommended_scenario_id=confirm.recommended.id,
            reason=reason.strip(),
            comment=comment.strip(),
            approved_by=user,
            accepted_exceptions=count,
            accepted_exceptions_eur=value,
        )
        _freeze_pack(approval, confirm, user)
        _send_refresh(cycle.pk, user)  # queued in this transaction, sent once it commits
    return approval


def request_approval(
    cycle_id: int,
    user: Any,
    scenario_id: int | None,
    reason: str,
    comment: str,
    *,
    send: Callable[[int], Any] | None = None,
) -> SignOffRun:
    """Queue the approval as a sign-off run (``cycles.sign_off``) once the cheap checks pass
    (comment, scenario, reason, the cycle's sign-off checks); ApprovalError says why not.

    The run executes `approve` and renders the approved plan's export documents
    (`api.renditions.render_all`) before it reports success; with eager Celery it has done so
    when this returns. ``send``: see `cycles.sign_off.request_sign_off`.
    """
    if not comment.strip():
        raise ApprovalError("An approval needs a comment (what was decided, and why).")
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        raise ApprovalError("This cycle does not exist.")
    confirm = confirmation(cycle, scenario_id, reason)
    try:
        return sign_off.request_sign_off(
            cycle_id, STAGE, user, comment.strip(), executor=EXECUTOR,
            scenario_id=confirm.chosen.id, reason=reason.strip(), send=send,
        )  # fmt: skip
    except cycle_services.TransitionError as exc:
        raise ApprovalError(str(exc)) from exc


@sign_off.register_executor("executive.approve")
def approve_run(run: SignOffRun) -> None:
    """A queued approval (``SignOffRun`` of the executive review): `approve`, then the approved
    plan's JSON and CSV documents, all in the run's transaction.

    The documents are rendered in a savepoint: a render that fails (a database error, memory)
    never undoes the approval -- it is logged, and the render task sent when the approval commits
    (`api.renditions.render_after_approval`), or the first API call, renders them again.
    """
    try:
        approve(run.cycle_id, run.requested_by, run.scenario_id, run.reason, run.comment)
    except ApprovalError as exc:
        raise cycle_services.TransitionError(str(exc)) from exc
    try:
        with transaction.atomic():
            renditions.render_all(run.cycle_id)
    except Exception:  # the approval stands; the documents are rendered later (see above)
        logger.exception("Rendering the approved plan of cycle %s failed", run.cycle_id)


def _frozen_kpis(cycle: PlanningCycle) -> dict[str, Any]:
    """The plan's facts as approved: the live plan's, rebuilt if the plan moved since."""
    plan = selectors.consensus_plan(cycle)
    snap = selectors.snapshot(cycle, FactSource.PLAN)
    if plan is not None and (snap is None or snap.plan_version != plan.version):
        snap = facts.refresh_plan_facts(cycle.pk)
    return dict(snap.kpis) if snap else {}


def _freeze_pack(approval: Approval, confirm: Confirmation, user: Any) -> None:
    cycle = approval.cycle
    values = _frozen_kpis(cycle)
    values.update(
        approved_exceptions=approval.accepted_exceptions,
        approved_exceptions_eur=approval.accepted_exceptions_eur,
    )
    previous_cycle = selectors.last_approved_before(cycle.month)
    prev: KpiSnapshot | None = (
        selectors.headline_snapshot(previous_cycle) if previous_cycle else None
    )
    snap = selectors.snapshot(cycle, FactSource.PLAN)
    extra = {
        "scenario_name": approval.scenario_name,
        "reason": approval.reason,
        "comment": approval.comment,
        "approved_by": str(user),
        "approved_at": approval.approved_at.isoformat(timespec="minutes"),
        "accepted_exceptions": approval.accepted_exceptions,
        "accepted_exceptions_eur": approval.accepted_exceptions_eur,
        "waterfall": snap.waterfall if snap else [],
        "families": snap.families if snap else [],
    }
    approval.pack = pack.pack_content(
        cycle, values, prev.kpis if prev else {}, confirm.options, confirm.chosen, extra
    )
    approval.pack_xlsx = pack.pack_xlsx(approval.pack)
    approval.save(update_fields=["pack", "pack_xlsx"])


def _send_refresh(cycle_id: int, user: Any) -> None:
    from executive.tasks import request_refresh

    request_refresh(cycle_id, user)
