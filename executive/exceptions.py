"""Write services for exceptions: evaluate rules, upsert what they find, escalate, assign.

An exception is keyed by (cycle, rule, scope): re-evaluating updates it instead of adding a
duplicate, raises its tier when its value at risk crossed a tier limit (recorded as an
escalation), reopens it when it is breached again, and marks it resolved when the breach is gone.
Accepted (at approval) and closed exceptions are left as the people who decided left them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.roles import Role
from accounts.selectors import user_role
from cycles.models import CycleStage, PlanningCycle
from executive.engine.rules import RULE_DEFAULTS, Candidate, tier_for
from executive.models import (
    ExceptionEscalation,
    ExceptionRule,
    ExceptionStatus,
    PlanException,
)

# Who handles a tier-1 exception of each rule, and which stage's due date applies.
TIER1_OWNER: dict[str, tuple[Role, str]] = {
    "gap_to_budget": (Role.FINANCE, "reconciliation"),
    "shortage_value": (Role.SUPPLY_PLANNER, "supply_review"),
    "capacity_over": (Role.SUPPLY_PLANNER, "supply_review"),
    "inventory_cover": (Role.INVENTORY_PLANNER, "inventory_review"),
    "tracking_signal": (Role.DEMAND_PLANNER, "demand_review"),
    "actual_vs_consensus": (Role.DEMAND_PLANNER, "demand_review"),
    "forecast_accuracy": (Role.DEMAND_PLANNER, "demand_review"),
}
TIER_OWNER: dict[int, tuple[Role, str]] = {
    2: (Role.FINANCE, "reconciliation"),
    3: (Role.EXECUTIVE, "executive_review"),
}
RULE_SOURCE = {d.code: d.source for d in RULE_DEFAULTS}


class ExceptionError(Exception):
    """A change to an exception the server refuses, with a message for the user."""


def ensure_rules() -> dict[str, ExceptionRule]:
    """Every rule with its default threshold unless someone already edited it."""
    rules = {r.code: r for r in ExceptionRule.objects.all()}
    for default in RULE_DEFAULTS:
        if default.code not in rules:
            rules[default.code], _ = ExceptionRule.objects.get_or_create(
                code=default.code,
                defaults={
                    "threshold": default.threshold,
                    "unit": default.unit,
                    "default_tier": default.default_tier,
                },
            )
    return rules


def _owner(role: Role) -> Any:
    return (
        get_user_model()
        .objects.filter(siop_profile__role=role, is_active=True)
        .order_by("id")
        .first()
    )


def routing(rule_code: str, tier: int, cycle: PlanningCycle | None) -> tuple[Any, dt.date | None]:
    """The default owner (first active user of the tier's role) and due date (stage due)."""
    role, stage_key = TIER_OWNER.get(tier) or TIER1_OWNER[rule_code]
    due = None
    if cycle is not None:
        stage = CycleStage.objects.filter(cycle=cycle, key=stage_key).first()
        due = stage.due_date if stage else None
    return _owner(role), due


def record(
    cycle: PlanningCycle | None, candidates: Iterable[Candidate], rule_codes: Iterable[str]
) -> list[PlanException]:
    """Upsert the breaches of ``rule_codes`` found in ``cycle`` (None: not yet attached)."""
    rules = ensure_rules()
    codes = list(rule_codes)
    with transaction.atomic():
        existing = {
            (e.rule.code, e.scope_key): e
            for e in PlanException.objects.select_for_update(of=("self",))
            .filter(cycle=cycle, rule__code__in=codes)
            .select_related("rule")
        }
        touched = []
        for candidate in candidates:
            rule = rules[candidate.rule]
            current = existing.pop((candidate.rule, candidate.scope_key), None)
            touched.append(_upsert(cycle, rule, candidate, current))
        for stale in existing.values():
            if stale.status == ExceptionStatus.OPEN:
                stale.status = ExceptionStatus.RESOLVED
                stale.save(update_fields=["status", "updated_at"])
    return touched


def _upsert(
    cycle: PlanningCycle | None, rule: ExceptionRule, c: Candidate, current: PlanException | None
) -> PlanException:
    tier = tier_for(
        c.value_at_risk_eur, rule.default_tier, rule.tier2_value_eur, rule.tier3_value_eur
    )
    if current is None:
        owner, due = routing(rule.code, tier, cycle)
        created = PlanException.objects.create(
            cycle=cycle,
            rule=rule,
            scope_key=c.scope_key,
            title=c.title[:255],
            family_code=c.family_code,
            month=c.month,
            measured=c.measured,
            threshold=rule.threshold,
            value_at_risk_eur=c.value_at_risk_eur,
            tier=tier,
            owner=owner,
            due_date=due,
            source=RULE_SOURCE[rule.code],
        )
        ExceptionEscalation.objects.create(
            exception=created, from_tier=0, to_tier=tier, comment="Raised by the escalation matrix."
        )
        return created
    current.title, current.measured = c.title[:255], c.measured
    current.value_at_risk_eur, current.threshold = c.value_at_risk_eur, rule.threshold
    if current.status == ExceptionStatus.RESOLVED:
        current.status = ExceptionStatus.OPEN
    if current.status == ExceptionStatus.OPEN and tier > current.tier:
        _raise_tier(current, tier, None, "Value at risk crossed the tier limit.")
    current.save()
    return current


def _raise_tier(exc: PlanException, tier: int, user: Any, comment: str) -> None:
    ExceptionEscalation.objects.create(
        exception=exc, from_tier=exc.tier, to_tier=tier, user=user, comment=comment
    )
    owner, due = routing(exc.rule.code, tier, exc.cycle)
    exc.tier, exc.owner = tier, owner or exc.owner
    exc.due_date = due or exc.due_date


def escalate(exception_id: int, user: Any, comment: str) -> PlanException:
    """Move an open exception one tier up (planners -> reconciliation -> executives)."""
    if not comment.strip():
        raise ExceptionError("Say why the exception is escalated.")
    with transaction.atomic():
        exc = (
            PlanException.objects.select_for_update(of=("self",))
            .select_related("rule", "cycle")
            .filter(pk=exception_id)
            .first()
        )
        if exc is None:
            raise ExceptionError("This exception does not exist.")
        if exc.status != ExceptionStatus.OPEN or exc.tier >= 3:
            raise ExceptionError("Only an open exception below tier 3 can be escalated.")
        _raise_tier(exc, exc.tier + 1, user, comment)
        exc.save()
    return exc


def update(
    exception_id: int,
    user: Any,
    *,
    owner: Any,
    due_date: dt.date | None,
    status: str,
    scenario_id: int | None,
) -> PlanException:
    """Change who owns an exception, by when, its status and the scenario that answers it."""
    if status not in {ExceptionStatus.OPEN, ExceptionStatus.CLOSED}:
        raise ExceptionError("An exception can only be set open or closed here.")
    with transaction.atomic():
        exc = PlanException.objects.select_for_update().filter(pk=exception_id).first()
        if exc is None:
            raise ExceptionError("This exception does not exist.")
        exc.owner, exc.due_date, exc.status, exc.scenario_id = owner, due_date, status, scenario_id
        exc.save()
    return exc


RULE_EDITORS = frozenset({Role.EXECUTIVE, Role.FINANCE, Role.ADMINISTRATOR})


def may_edit_rules(user: Any) -> bool:
    return user_role(user) in RULE_EDITORS


def save_rule(
    rule_id: int,
    user: Any,
    *,
    threshold: float,
    default_tier: int,
    tier2_value_eur: float,
    tier3_value_eur: float,
    enabled: bool,
) -> ExceptionRule:
    """Change a rule's threshold and escalation matrix (executives, finance, administrators)."""
    if not may_edit_rules(user):
        raise ExceptionError("Only executives, finance or an administrator set the rules.")
    if not 1 <= default_tier <= 3:
        raise ExceptionError("The default tier must be 1, 2 or 3.")
    if tier2_value_eur < 0 or tier3_value_eur < tier2_value_eur:
        raise ExceptionError("The tier-3 value must be at least the tier-2 value (both >= 0).")
    rule = ExceptionRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise ExceptionError("This rule does not exist.")
    rule.threshold, rule.default_tier = threshold, default_tier
    rule.tier2_value_eur, rule.tier3_value_eur = tier2_value_eur, tier3_value_eur
    rule.enabled, rule.updated_by = enabled, user
    rule.save()
    return rule
