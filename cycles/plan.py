"""The plan pipeline's bookkeeping: which run each step pins, what it read, and what is stale.

The pipeline of a cycle runs in one order (``PLAN_STEP_ORDER``): consensus demand (frozen at the
demand sign-off) -> inventory targets -> constrained supply plan -> projected inventory ->
financial roll-up. Each step is a run of its stage; when a run succeeds, the stage calls
``step_succeeded`` inside the transaction that stores the run's results: it locks the cycle row,
refuses an approved or closed cycle (``PlanLocked``: the run ends without writing anything),
pins the run with what it read (``inputs_read``) and, once the demand is frozen, queues the next
step (``register_launcher``) after the commit.

A step is stale when
* a service changed one of its inputs after it was computed (``mark_stale``: reopen, override,
  event, target or policy change, firm order...), or
* an upstream step now pins a different run than the one this step read, or
* a data version it read (sales history, stock, receipts, products, supply terms, resources)
  changed since (an ERP import, an API upsert, an admin edit): a counter per data source the
  database bumps on every write of its tables (``datainputs.versions``), so reading them is one
  query on a five-row table however large the sales history.
A stale step cannot be signed off (``stale_problems``, registered in ``cycles.preconditions``).
An approved or closed cycle is never stale: its plan is the frozen snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from cycles.models import PlanningCycle
from cycles.plan_models import PLAN_STEP_ORDER, PlanStep, PlanStepKey
from datainputs import versions as data_version
from datainputs.models import InventoryOnHand, OpenReceipt, SalesHistory
from masterdata.models import Product, ResourceCapacity, SupplyTerm, SupplyTermMode

DATA_SOURCES: dict[str, tuple[type[models.Model], ...]] = {
    "sales_history": (SalesHistory,),
    "stock": (InventoryOnHand, OpenReceipt),
    "products": (Product,),
    "supply_terms": (SupplyTerm, SupplyTermMode),
    "capacity": (ResourceCapacity,),
}
# Which data each step reads (its "data versions").
STEP_DATA: dict[str, tuple[str, ...]] = {
    "demand": ("sales_history",),
    "targets": ("sales_history", "products", "supply_terms"),
    "supply": ("stock", "products", "supply_terms", "capacity"),
    "projection": ("stock",),
    "finance": ("products",),
}
DATA_LABELS = {
    "sales_history": "sales history",
    "stock": "stock on hand or open receipts",
    "products": "product master data (prices, costs, families)",
    "supply_terms": "supply terms (lead times, MOQs)",
    "capacity": "resource capacities",
}
# The steps a stage's sign-off approves (and pins), in pipeline order.
STAGE_STEPS: dict[str, tuple[str, ...]] = {
    "demand_review": ("demand",),
    "supply_review": ("demand", "targets", "supply"),
    "inventory_review": ("demand", "targets", "supply", "projection"),
    "reconciliation": PLAN_STEP_ORDER,
    "executive_review": PLAN_STEP_ORDER,
}
# Reopening a stage makes its first own step and everything after it stale.
REOPEN_FROM = {
    "data_inputs": "demand",
    "demand_review": "demand",
    "supply_review": "supply",
    "inventory_review": "projection",
    "reconciliation": "finance",
}
STEP_LABELS = dict(PlanStepKey.choices)

# (cycle id, user id) -> None: request the step's run (queued; its task pins it when done)
Launcher = Callable[[int, int | None], None]
_LAUNCHERS: dict[str, Launcher] = {}


class PlanLocked(Exception):
    """The cycle was approved (or closed) while a run calculated: its results are not applied."""


def register_launcher(step_key: str) -> Callable[[Launcher], Launcher]:
    """Register how ``step_key`` is started (a stage app, from ``AppConfig.ready``)."""

    def decorator(function: Launcher) -> Launcher:
        _LAUNCHERS[step_key] = function
        return function

    return decorator


def data_versions(names: Iterable[str]) -> dict[str, str]:
    """``name -> "v<counter>"`` for each data source (one query: ``datainputs.versions``)."""
    current = data_version.current()
    return {name: f"v{current[name]}" for name in names}


def steps(cycle: PlanningCycle) -> dict[str, PlanStep]:
    """The cycle's steps by key; a step never computed is an unsaved ``PlanStep``."""
    stored = {s.key: s for s in PlanStep.objects.filter(cycle=cycle)}
    return {key: stored.get(key) or PlanStep(cycle=cycle, key=key) for key in PLAN_STEP_ORDER}


def pinned_run_id(cycle: PlanningCycle | int, step_key: str) -> int | None:
    """The run step ``step_key`` of the cycle pins (None before it was first computed)."""
    cycle_id = cycle if isinstance(cycle, int) else cycle.pk
    return (
        PlanStep.objects.filter(cycle_id=cycle_id, key=step_key)
        .values_list("run_id", flat=True)
        .first()
    )


def pins(cycle: PlanningCycle) -> dict[str, int | None]:
    """step key -> pinned run id, for every step computed so far."""
    return {k: s.run_id for k, s in steps(cycle).items() if s.computed_at is not None}


def inputs_read(cycle: PlanningCycle, step_key: str) -> dict[str, Any]:
    """What a run of ``step_key`` reads: the upstream pins and the data versions (take it
    before reading, store it with ``step_succeeded``)."""
    upstream = PLAN_STEP_ORDER[: PLAN_STEP_ORDER.index(step_key)]
    current = pins(cycle)
    return {
        "runs": {key: current.get(key) for key in upstream},
        "data": data_versions(STEP_DATA[step_key]),
    }


def step_succeeded(
    cycle_id: int, step_key: str, run_id: int, read: dict[str, Any], user_id: int | None = None
) -> bool:
    """Pin ``run_id`` as ``step_key`` (call inside the transaction storing the run's results).

    Raises ``PlanLocked`` on an approved or closed cycle, so the caller's transaction rolls back
    and the run ends without changing anything published. Returns False (nothing pinned) when a
    newer run of the step was pinned meanwhile. Once the demand is frozen, the next step is
    queued after the commit.
    """
    cycle = PlanningCycle.objects.select_for_update().get(pk=cycle_id)
    if cycle.is_locked:
        raise PlanLocked(
            f"{cycle} was approved while this run calculated; its results were not applied."
        )
    step, _ = PlanStep.objects.select_for_update().get_or_create(cycle=cycle, key=step_key)
    if step_key != "demand" and step.run_id is not None and step.run_id > run_id:
        return False
    step.run_id, step.inputs, step.computed_at = run_id, read, timezone.now()
    step.stale, step.stale_reason, step.stale_since = False, "", None
    step.save()
    index = PLAN_STEP_ORDER.index(step_key)
    if index + 1 < len(PLAN_STEP_ORDER) and _demand_frozen(cycle):
        following = PLAN_STEP_ORDER[index + 1]
        transaction.on_commit(lambda: launch(cycle_id, following, user_id))
    return True


def _demand_frozen(cycle: PlanningCycle) -> bool:
    return PlanStep.objects.filter(cycle=cycle, key="demand", computed_at__isnull=False).exists()


def launch(cycle_id: int, step_key: str, user_id: int | None) -> None:
    """Start ``step_key`` of the cycle (after a commit); a locked cycle starts nothing."""
    if PlanningCycle.objects.filter(pk=cycle_id, state__in=["approved", "closed"]).exists():
        return
    launcher = _LAUNCHERS.get(step_key)
    if launcher is not None:
        launcher(cycle_id, user_id)


def mark_stale(cycle: PlanningCycle, from_step: str, reason: str) -> int:
    """Mark ``from_step`` and every later computed step of ``cycle`` stale with ``reason``.

    The one entry point for services that change a plan input (reopen, override, event, target
    or policy change, firm order, overtime). Keeps the first reason of an already-stale step.
    Returns how many steps became stale.
    """
    keys = PLAN_STEP_ORDER[PLAN_STEP_ORDER.index(from_step) :]
    return PlanStep.objects.filter(
        cycle=cycle, key__in=keys, computed_at__isnull=False, stale=False
    ).update(stale=True, stale_reason=reason[:255], stale_since=timezone.now())


@dataclass(frozen=True)
class StepStatus:
    key: str
    label: str
    run_id: int | None
    computed_at: Any
    reasons: tuple[str, ...]

    @property
    def computed(self) -> bool:
        return self.computed_at is not None

    @property
    def stale(self) -> bool:
        return bool(self.reasons)


def plan_status(cycle: PlanningCycle) -> list[StepStatus]:
    """Every step in order with its pin and why it is stale (no reasons: fresh or not computed)."""
    by_key = steps(cycle)
    locked = cycle.is_locked
    versions = {} if locked else data_versions(DATA_SOURCES)
    rows: list[StepStatus] = []
    upstream_stale = ""
    for key in PLAN_STEP_ORDER:
        step = by_key[key]
        reasons: list[str] = []
        if step.computed_at is not None and not locked:
            reasons = _reasons(step, by_key, versions)
            if upstream_stale and not reasons:
                reasons = [f"{upstream_stale} is stale"]
        if reasons and not upstream_stale:
            upstream_stale = STEP_LABELS[key]
        rows.append(StepStatus(key, STEP_LABELS[key], step.run_id, step.computed_at,
                               tuple(reasons)))  # fmt: skip
    return rows


def _reasons(step: PlanStep, by_key: dict[str, PlanStep], versions: dict[str, str]) -> list[str]:
    reasons = [step.stale_reason] if step.stale else []
    for key, run_id in (step.inputs.get("runs") or {}).items():
        now = by_key[key].run_id if key in by_key else None
        if now != run_id:
            reasons.append(f"{STEP_LABELS[key]} was recalculated since (run {run_id} -> {now})")
    for name, version in (step.inputs.get("data") or {}).items():
        # "rows:last change" versions stored before the counters cannot be compared: skipped
        legacy = not str(version).startswith("v")
        if name in versions and not legacy and versions[name] != version:
            reasons.append(f"New {DATA_LABELS[name]} since it was calculated")
    return reasons


def stale_problems(cycle: PlanningCycle, stage_key: str) -> list[str]:
    """Why ``stage_key`` cannot be signed off because a step it approves is stale."""
    wanted = set(STAGE_STEPS.get(stage_key, ()))
    return [
        f"{s.label} is stale ({'; '.join(s.reasons)}); re-plan before signing off."
        for s in plan_status(cycle)
        if s.key in wanted and s.stale
    ]


def sign_off_pins(cycle: PlanningCycle, stage_key: str) -> dict[str, Any]:
    """What a sign-off of ``stage_key`` approves: the run each of its steps pins."""
    current = pins(cycle)
    return {
        "runs": {k: current.get(k) for k in STAGE_STEPS.get(stage_key, ()) if k in current},
    }
