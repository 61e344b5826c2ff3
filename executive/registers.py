"""Write services for the registers (decisions, assumptions, risks and opportunities) and the
carry-over of open entries and open exceptions into the next cycle.

A closed decision's measured outcome: when it answers an exception, the value at risk that
went away (value at risk when decided minus the value at risk of the same rule and scope in
the newest evaluation, 0 once no longer breached); otherwise what its owner measured at close.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.selectors import user_role
from cycles import carryover
from cycles.audit import audit_record
from cycles.models import PlanningCycle
from executive.models import (
    ExceptionStatus,
    PlanException,
    RegisterEntry,
    RegisterKind,
    RegisterStatus,
)

EDITORS = frozenset({Role.EXECUTIVE, Role.FINANCE, Role.ADMINISTRATOR})


class RegisterError(Exception):
    """A register change the server refuses, with a message for the user."""


@dataclass(frozen=True)
class EntryInput:
    kind: str
    title: str
    detail: str = ""
    owner: Any = None
    due_date: dt.date | None = None
    expected_impact_eur: float | None = None
    downside_eur: float | None = None
    plan_eur: float | None = None
    upside_eur: float | None = None
    exception_id: int | None = None
    scenario_id: int | None = None


def _check(cycle: PlanningCycle, user: Any, data: EntryInput) -> PlanException | None:
    if user_role(user) not in EDITORS:
        raise RegisterError("Only executives, finance or an administrator keep the registers.")
    if data.kind not in RegisterKind.values:
        raise RegisterError(f"Unknown register '{data.kind}'.")
    if not data.title.strip():
        raise RegisterError("Give the entry a title.")
    if data.kind == RegisterKind.DECISION and (data.owner is None or data.due_date is None):
        raise RegisterError("A decision needs an owner and a due date.")
    values = (data.downside_eur, data.plan_eur, data.upside_eur)
    if data.kind in {RegisterKind.RISK, RegisterKind.OPPORTUNITY} and None in values:
        raise RegisterError("A risk or opportunity needs its downside, plan and upside values.")
    if None not in values and not (data.downside_eur <= data.plan_eur <= data.upside_eur):  # type: ignore[operator]
        raise RegisterError("Downside <= plan <= upside, please.")
    if data.exception_id is None:
        return None
    exc = PlanException.objects.filter(pk=data.exception_id, cycle=cycle).first()
    if exc is None:
        raise RegisterError("The linked exception is not one of this cycle's.")
    return exc


def add_entry(cycle_id: int, user: Any, data: EntryInput) -> RegisterEntry:
    """Record a decision, assumption, risk or opportunity in the cycle's register."""
    cycle = PlanningCycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        raise RegisterError("This cycle does not exist.")
    exc = _check(cycle, user, data)
    with transaction.atomic():
        entry = RegisterEntry.objects.create(
            cycle=cycle,
            kind=data.kind,
            title=data.title.strip()[:200],
            detail=data.detail,
            owner=data.owner,
            due_date=data.due_date,
            expected_impact_eur=data.expected_impact_eur,
            downside_eur=data.downside_eur,
            plan_eur=data.plan_eur,
            upside_eur=data.upside_eur,
            exception=exc,
            scenario_id=data.scenario_id
            if data.scenario_id is not None
            else (exc.scenario_id if exc else None),
            created_by=user,
        )
        entry.origin = entry
        entry.save(update_fields=["origin"])
        audit_record(
            cycle=cycle,
            table="executive.register",
            record_key=str(entry.pk),
            field=data.kind,
            before=None,
            after=entry.title,
            user=user,
            source="grid",
        )
    return entry


def set_status(
    entry_id: int, user: Any, status: str, measured_outcome_eur: float | None = None
) -> RegisterEntry:
    """Move an entry to ``status``; closing a decision fixes its measured outcome."""
    if user_role(user) not in EDITORS:
        raise RegisterError("Only executives, finance or an administrator keep the registers.")
    if status not in RegisterStatus.values:
        raise RegisterError(f"Unknown status '{status}'.")
    with transaction.atomic():
        entry = RegisterEntry.objects.select_for_update().filter(pk=entry_id).first()
        if entry is None:
            raise RegisterError("This entry does not exist.")
        before = entry.status
        entry.status = status
        if status == RegisterStatus.CLOSED:
            entry.closed_at = timezone.now()
            entry.measured_outcome_eur = (
                measured_outcome_eur
                if measured_outcome_eur is not None
                else measured_outcome(entry)
            )
        entry.save()
        audit_record(
            cycle=entry.cycle,
            table="executive.register",
            record_key=str(entry.pk),
            field="status",
            before=before,
            after=status,
            user=user,
            source="grid",
        )
    return entry


def measured_outcome(entry: RegisterEntry) -> float | None:
    """Value at risk removed since the decision, for a decision that answers an exception.

    Compared within the cycle the decision is closed in: the same rule and scope there (0 when
    it is not breached any more)."""
    exc = entry.exception
    if exc is None:
        return None
    now = PlanException.objects.filter(
        cycle=entry.cycle,
        rule=exc.rule,
        scope_key=exc.scope_key,
        status__in=[ExceptionStatus.OPEN, ExceptionStatus.ACCEPTED],
    ).first()
    return exc.value_at_risk_eur - (now.value_at_risk_eur if now else 0.0)


@carryover.register("executive.registers")
def carry_registers(new: PlanningCycle, previous: PlanningCycle, user: Any) -> None:
    """Open register entries and open monitoring exceptions go on; pending breaches attach."""
    for entry in RegisterEntry.objects.filter(cycle=previous).exclude(status=RegisterStatus.CLOSED):
        RegisterEntry.objects.create(
            cycle=new,
            kind=entry.kind,
            title=entry.title,
            detail=entry.detail,
            owner=entry.owner,
            due_date=entry.due_date,
            status=entry.status,
            expected_impact_eur=entry.expected_impact_eur,
            downside_eur=entry.downside_eur,
            plan_eur=entry.plan_eur,
            upside_eur=entry.upside_eur,
            exception=entry.exception,
            scenario_id=entry.scenario_id,
            origin=entry.origin or entry,
            carried_from=entry,
            created_by=entry.created_by,
        )
    for exc in PlanException.objects.filter(
        cycle=previous, source="monitoring", status=ExceptionStatus.OPEN
    ):
        carried = PlanException.objects.get(pk=exc.pk)
        carried.pk, carried.cycle, carried.carried_from = None, new, exc
        carried.save()
    PlanException.objects.filter(cycle__isnull=True).update(cycle=new)
