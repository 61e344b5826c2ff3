"""Stage sign-offs as background runs: one mechanism for every stage and the approval.

A sign-off request (`request_sign_off`) makes the cheap checks at once (role, state, comment,
preconditions including stale steps: `services.sign_off_checks`) and refuses with the reason as
before; if they pass it records a `SignOffRun` in the transaction that locked the cycle, and the
task is sent once that transaction commits. From then until the run finishes the stage is
"signing off": `stage_edits.editable_cycle` refuses every edit of it, a second sign-off and a
reopen are refused (`run_selectors.active_sign_off`), so an edit racing the sign-off either
committed before the request (and is in the freeze) or is refused.

The task (`execute_sign_off`, idempotent by run id on the shared run lifecycle) runs the
synchronous core under the cycle lock -- `services.stage_sign_off`, or the executor a stage app
registered (`register_executor`: the executive's approval) -- and finishes the run in the same
transaction: either the stage is signed off and the run succeeded, or neither. A failure
(preconditions changed meanwhile, an exception) fails the run with its reason; the stage is
then in progress again and the plan ribbon offers Retry. The watchdog re-queues or fails a run
whose worker died. With eager Celery (``make run``, tests) the run executes within the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

from cycles.models import SignOffRun
from cycles.run_selectors import active_sign_off, signing_off_text
from cycles.run_tasks import dispatch, execute_run, task_sender
from cycles.runs import RunStatus, RunTakenOver
from cycles.services import TransitionError, locked_cycle, sign_off_checks, stage_sign_off
from cycles.stages import STAGE_BY_KEY

logger = logging.getLogger(__name__)
EXPECTED = ((TransitionError, ""),)

# run -> None: signs the run's stage off (raising TransitionError with the reason if it cannot)
Executor = Callable[[SignOffRun], None]
_EXECUTORS: dict[str, Executor] = {}


def register_executor(name: str) -> Callable[[Executor], Executor]:
    """Register the executor ``name`` (a `SignOffRun.executor`), from a stage app."""

    def decorator(function: Executor) -> Executor:
        _EXECUTORS[name] = function
        return function

    return decorator


def request_sign_off(
    cycle_id: int,
    stage_key: str,
    user: Any,
    comment: str = "",
    *,
    executor: str = "",
    scenario_id: int | None = None,
    reason: str = "",
    send: Callable[[int], Any] | None = None,
) -> SignOffRun:
    """Queue the sign-off of ``stage_key`` by ``user``; TransitionError if it is refused now.

    Returns the run: finished already with eager Celery, else queued. ``send`` (a run id taker)
    replaces the task's sender (tests hold the run back with it).
    """
    with transaction.atomic():
        cycle = locked_cycle(cycle_id)
        signing = active_sign_off(cycle.pk)
        if signing is not None:
            raise TransitionError(signing_off_text(signing))
        sign_off_checks(cycle, stage_key, user, comment)
        run = SignOffRun.objects.create(
            cycle=cycle, requested_by=user, stage_key=stage_key, executor=executor,
            comment=comment, scenario_id=scenario_id, reason=reason,
            message=f"Signing off the {STAGE_BY_KEY[stage_key].label.lower()}...",
        )  # fmt: skip
    if send is None and settings.CELERY_TASK_ALWAYS_EAGER:
        execute_sign_off(run.pk)  # no worker: as a task sent on commit would, in this process
        run.refresh_from_db()
    else:
        dispatch(run, send or task_sender(SignOffRun))
    return run


def execute_sign_off(run_id: int) -> str:
    """The body of the ``cycles.sign_off`` task; returns the run's final status (a finished
    run is left alone: a re-delivered message does nothing)."""
    return execute_run(SignOffRun, run_id, _work, steps=1, expected=EXPECTED, logger=logger,
                       name="Sign-off run")  # fmt: skip


def _work(run: SignOffRun) -> None:
    with transaction.atomic():
        execute = _EXECUTORS.get(run.executor) if run.executor else _plain
        if execute is None:
            raise TransitionError(f"No sign-off executor '{run.executor}' is registered.")
        execute(run)
        if not run.mark_finished():  # cancelled meanwhile: roll the sign-off back
            raise RunTakenOver(f"Sign-off run {run.pk} was cancelled; nothing was signed off.")


def _plain(run: SignOffRun) -> None:
    stage_sign_off(run.cycle_id, run.stage_key, run.requested_by, run.comment,
                   scenario_id=run.scenario_id)  # fmt: skip


def outcome(run: SignOffRun, done: str) -> str:
    """The message after a request: ``done`` when the run succeeded, that it is under way when
    queued or running; TransitionError with the run's error when it failed."""
    if run.status == RunStatus.FAILED:
        raise TransitionError(f"Not signed off: {run.error}")
    if run.status == RunStatus.SUCCEEDED:
        return done
    return f"Signing off the {run.stage_label} (run {run.pk}); the page updates when it is done."
