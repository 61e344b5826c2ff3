"""Write services of the reconciliation: scenarios, levers, runs, rebase, recommendation.

Every service checks the role (finance), locks the cycle row and refuses an approved cycle or
one past the reconciliation (signed off: read-only until reopened) through the one edit guard
(`cycles.stage_edits.editable_cycle`); lever changes and the recommendation are audited with
`cycles.audit.audit_record`. Runs are queued inside the transaction and their Celery task sent
on commit; one scenario never has two active runs, different scenarios run in parallel.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from cycles.audit import audit_record
from cycles.models import PlanningCycle
from cycles.run_control import RunControlError, run_cancel
from cycles.run_tasks import request_run
from cycles.stage_edits import editable_cycle
from reconciliation import selectors
from reconciliation.engine import LEVER_KINDS, LeverError
from reconciliation.levers_io import clean_params, describe, lever_from_params
from reconciliation.models import (
    Recommendation,
    Scenario,
    ScenarioKind,
    ScenarioLever,
    ScenarioRun,
)

EDIT_ACTION = "edit_reconciliation"
STAGE_KEY = "reconciliation"
# Forecast interval scenarios: the demand engine's interval is the 80 % prediction interval,
# so "upper" is its 90 % quantile (best case) and "lower" its 10 % quantile (worst case).
INTERVAL_SCENARIOS = (
    (ScenarioKind.BEST, "Best case", "upper", "Demand at the forecast's 90 % quantile."),
    (ScenarioKind.EXPECTED, "Expected case", "", "Demand at the consensus (the point forecast "
     "with the planners' overrides and events)."),
    (ScenarioKind.WORST, "Worst case", "lower", "Demand at the forecast's 10 % quantile."),
)  # fmt: skip
TABLE = "reconciliation.scenario"


class ReconciliationError(Exception):
    """A write the server refuses, with a message meant for the user."""


def _cycle(cycle_id: int, user: Any) -> PlanningCycle:
    return editable_cycle(cycle_id, user, action=EDIT_ACTION, error=ReconciliationError,
                          owner="finance", stage="reconciliation", stage_key=STAGE_KEY)  # fmt: skip


def _scenario(scenario_id: int, user: Any) -> tuple[PlanningCycle, Scenario]:
    cycle_id = Scenario.objects.filter(pk=scenario_id).values_list("cycle_id", flat=True).first()
    if cycle_id is None:
        raise ReconciliationError("This scenario does not exist.")
    cycle = _cycle(cycle_id, user)
    return cycle, Scenario.objects.select_for_update().get(pk=scenario_id)


def baseline_ensure(cycle_id: int, user: Any) -> Scenario:
    """The cycle's baseline scenario (the consensus plan), created on first use."""
    with transaction.atomic():
        return _baseline(_cycle(cycle_id, user), user)


def _baseline(cycle: PlanningCycle, user: Any) -> Scenario:
    baseline, _ = Scenario.objects.get_or_create(
        cycle=cycle, kind=ScenarioKind.BASELINE,
        defaults={"name": "Baseline (consensus plan)", "created_by": user,
                  "baseline_version": selectors.plan_version(cycle)},
    )  # fmt: skip
    return baseline


def scenario_create(cycle_id: int, user: Any, name: str, description: str = "",
                    kind: str = ScenarioKind.CUSTOM) -> Scenario:  # fmt: skip
    """A new scenario on the current consensus plan, with no levers yet."""
    name = name.strip()
    if not name:
        raise ReconciliationError("A scenario needs a name.")
    with transaction.atomic():
        cycle = _cycle(cycle_id, user)
        _baseline(cycle, user)  # every comparison starts from it
        if Scenario.objects.filter(cycle=cycle, name=name).exists():
            raise ReconciliationError(f"A scenario named '{name}' already exists in this cycle.")
        try:
            with transaction.atomic():
                scenario = Scenario.objects.create(
                    cycle=cycle, name=name, kind=kind, description=description, created_by=user,
                    baseline_version=selectors.plan_version(cycle),
                )  # fmt: skip
        except IntegrityError:
            raise ReconciliationError(f"A scenario named '{name}' already exists.") from None
        audit_record(cycle=cycle, table=TABLE, record_key=name, field="created", before=None,
                     after=kind, user=user, source="reconciliation")  # fmt: skip
        return scenario


def interval_scenarios_create(cycle_id: int, user: Any) -> list[Scenario]:
    """Best / expected / worst case from the forecast's prediction interval (missing ones only)."""
    created = []
    for kind, name, bound, text in INTERVAL_SCENARIOS:
        cycle = PlanningCycle.objects.get(pk=cycle_id)
        if Scenario.objects.filter(cycle=cycle, kind=kind).exists():
            continue
        scenario = scenario_create(cycle_id, user, name, text, kind)
        if bound:
            lever_add(scenario.pk, user, "forecast_interval", {"bound": bound})
        created.append(scenario)
    return created


def _audit_lever(cycle: PlanningCycle, scenario: Scenario, user: Any, before: str | None,
                 after: str | None, reason: str = "") -> None:  # fmt: skip
    audit_record(cycle=cycle, table="reconciliation.lever", record_key=scenario.name,
                 field="lever", before=before, after=after, user=user, source="reconciliation",
                 reason=reason)  # fmt: skip


def lever_add(scenario_id: int, user: Any, kind: str, params: dict[str, Any],
              reason: str = "") -> ScenarioLever:  # fmt: skip
    """Append a lever; its fields are checked here, its scope when the scenario runs."""
    if kind not in LEVER_KINDS:
        raise ReconciliationError(f"Unknown lever '{kind}'.")
    try:
        params = clean_params(params)
        lever_from_params(kind, params)
    except (TypeError, ValueError, LeverError) as exc:
        raise ReconciliationError(f"Lever not added: {exc}") from None
    with transaction.atomic():
        cycle, scenario = _scenario(scenario_id, user)
        if scenario.is_baseline:
            raise ReconciliationError("The baseline is the consensus plan: it has no levers.")
        position = (scenario.levers.order_by("-position").values_list("position", flat=True)
                    .first() or 0) + 1  # fmt: skip
        lever = ScenarioLever.objects.create(scenario=scenario, position=position, kind=kind,
                                             params=params, created_by=user)  # fmt: skip
        _audit_lever(cycle, scenario, user, None, f"{describe(kind, params)} "
                     f"{json.dumps(params, sort_keys=True)}", reason)  # fmt: skip
        return lever


def lever_remove(scenario_id: int, lever_id: int, user: Any, reason: str = "") -> None:
    with transaction.atomic():
        cycle, scenario = _scenario(scenario_id, user)
        lever = ScenarioLever.objects.filter(scenario=scenario, pk=lever_id).first()
        if lever is None:
            raise ReconciliationError("This lever is already gone.")
        text = f"{describe(lever.kind, lever.params)} {json.dumps(lever.params, sort_keys=True)}"
        lever.delete()
        _audit_lever(cycle, scenario, user, text, None, reason)


def _queue(cycle: PlanningCycle, scenario: Scenario, user: Any, send: bool = True) -> ScenarioRun:
    """A run of ``scenario`` (call with the cycle locked); the active one if there is one.

    The shared `cycles.run_tasks.request_run`, scoped to the scenario: the scenarios of a cycle
    calculate in parallel on several workers, one scenario never has two active runs.
    """
    from reconciliation import tasks

    return request_run(
        ScenarioRun, cycle, user, tasks.scenario_calculate.delay if send else None,
        scope={"scenario": scenario},
        fields={"baseline_version": scenario.baseline_version,
                "levers": selectors.lever_list(scenario)},
    )  # fmt: skip


def scenario_run_request(scenario_id: int, user: Any, send: bool = True) -> ScenarioRun:
    """Queue a calculation of the scenario (also the retry of a failed one); with ``send``
    False the run is only recorded (`scenario_run_now` executes it in this process)."""
    with transaction.atomic():
        cycle, scenario = _scenario(scenario_id, user)
        version = selectors.plan_version(cycle)
        if scenario.is_baseline and scenario.baseline_version != version:
            scenario.baseline_version = version  # the baseline always is the current plan
            scenario.save(update_fields=["baseline_version"])
        if scenario.baseline_version != version:
            raise ReconciliationError(
                f"'{scenario.name}' is stale: the consensus plan moved on. Rebase it first."
            )
        return _queue(cycle, scenario, user, send)


def scenario_run_now(scenario_id: int, user: Any) -> ScenarioRun:
    """Calculate synchronously (demo seeding, scripts): the same checks as a queued request."""
    from reconciliation.calculation import scenario_run_execute

    run = scenario_run_request(scenario_id, user, send=False)
    scenario_run_execute(run.pk)
    run.refresh_from_db()
    return run


def scenario_rebase(scenario_id: int, user: Any) -> ScenarioRun:
    """Move a stale scenario onto the current consensus plan and recalculate it."""
    with transaction.atomic():
        cycle, scenario = _scenario(scenario_id, user)
        version = selectors.plan_version(cycle)
        before, scenario.baseline_version = scenario.baseline_version, version
        scenario.save(update_fields=["baseline_version"])
        audit_record(cycle=cycle, table=TABLE, record_key=scenario.name, field="baseline_version",
                     before=before, after=version, user=user, source="reconciliation")  # fmt: skip
        return _queue(cycle, scenario, user)


def scenario_run_cancel(run_id: int, user: Any) -> ScenarioRun:
    """Stop a queued or running calculation (the shared run control: audited; a busy worker
    stops at its next step and never turns the run into a success)."""
    try:
        run = run_cancel(ScenarioRun, run_id, user)
    except (PermissionDenied, RunControlError) as exc:
        raise ReconciliationError(str(exc)) from None
    assert isinstance(run, ScenarioRun)
    return run


def recommend(cycle_id: int, scenario_id: int, user: Any, comment: str) -> Recommendation:
    """Finance recommends one scenario (with its current result) for executive approval."""
    comment = comment.strip()
    if not comment:
        raise ReconciliationError("Say why: a recommendation needs a comment.")
    with transaction.atomic():
        cycle = _cycle(cycle_id, user)
        scenario = Scenario.objects.filter(cycle=cycle, pk=scenario_id).first()
        if scenario is None:
            raise ReconciliationError("This scenario does not belong to this cycle.")
        state = selectors.scenario_state(scenario, selectors.plan_version(cycle))
        if state.problems:
            raise ReconciliationError(f"'{scenario.name}' cannot be recommended: "
                                      + " ".join(state.problems))  # fmt: skip
        assert state.result is not None
        previous = selectors.recommendation(cycle)
        recommendation, _ = Recommendation.objects.update_or_create(
            cycle=cycle, defaults={"scenario": scenario, "run": state.result, "comment": comment,
                                   "recommended_by": user},
        )  # fmt: skip
        audit_record(cycle=cycle, table="reconciliation.recommendation", record_key=str(cycle),
                     field="scenario", before=previous.scenario.name if previous else None,
                     after=scenario.name, user=user, source="reconciliation",
                     comment=comment)  # fmt: skip
        return recommendation
