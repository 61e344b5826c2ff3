"""Write services of the supply review: plan runs, firm orders, extra overtime, sign-off.

Every service checks the role (only the supply planner edits), refuses an approved or closed
cycle, locks the cycle row (select_for_update) and compares the version the user saw, so a
concurrent edit is refused with a clear message instead of silently overwriting. Every changed
plan number (firm quantity, overtime allowance) is audited with who, before, after, reason and
source via `cycles.audit.audit_record`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from cycles.audit import audit_record
from cycles.models import PlanningCycle
from cycles.plan import mark_stale, register_launcher
from cycles.run_tasks import request_run, run_now
from cycles.services import stage_sign_off
from cycles.stage_edits import check_version, editable_cycle, save_new_version
from masterdata.models import Resource
from supply.models import FirmOrder, PlannedOrder, ResourceOvertime, SupplyPlanRun

EDIT_ACTION = "edit_supply_plan"
RUN_ACTION = "run_supply_plan"
STAGE_KEY = "supply_review"


class SupplyError(Exception):
    """A write the server refuses, with a message meant for the user."""


def _editable_cycle(cycle_id: int, user: Any, action: str = EDIT_ACTION) -> PlanningCycle:
    return editable_cycle(
        cycle_id, user, action=action, error=SupplyError, owner="supply planner",
        stage="supply review", stage_key=STAGE_KEY,
    )  # fmt: skip


def supply_run_request(cycle_id: int, user: Any) -> SupplyPlanRun:
    """Queue a plan; the Celery task is sent only once this transaction commits. A plan already
    queued or running is returned instead of starting a second one."""
    from supply import tasks  # the task module imports the planning, not the reverse

    with transaction.atomic():
        cycle = _editable_cycle(cycle_id, user, RUN_ACTION)
        return request_run(SupplyPlanRun, cycle, user, tasks.supply_plan.delay)


@register_launcher("supply")
def supply_step_launch(cycle_id: int, user_id: int | None) -> None:
    """The pipeline's supply step (after the targets): queue a plan as ``user_id``, without the
    planner's role and stage checks; an approved or closed cycle starts nothing."""
    from supply import tasks

    with transaction.atomic():
        cycle = PlanningCycle.objects.select_for_update().get(pk=cycle_id)
        if not cycle.is_locked:
            user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
            request_run(SupplyPlanRun, cycle, user, tasks.supply_plan.delay)


def supply_run_now(cycle_id: int, user: Any) -> SupplyPlanRun:
    """Plan synchronously (demo seeding, scripts): same checks as a queued request."""
    from supply.planning import supply_run_execute

    return run_now(
        SupplyPlanRun, lambda: _editable_cycle(cycle_id, user, RUN_ACTION), user, supply_run_execute
    )


def _positive(value: Decimal, what: str) -> Decimal:
    if value is None or value < 0:
        raise SupplyError(f"{what}: must be a number >= 0.")
    return value


def firm_order_save(cycle_id: int, planned_order_id: int, quantity: Decimal, *, version: int | None,
                    user: Any, reason: str = "") -> FirmOrder:  # fmt: skip
    """Firm a planned order of the cycle's plan at ``quantity`` (create or change the firm
    order of its lane and month). ``version`` is the firm order's version the user saw (None
    or 0 when it was not firm yet)."""
    quantity = _positive(quantity, "Firm quantity")
    with transaction.atomic():
        cycle = _editable_cycle(cycle_id, user)
        order = PlannedOrder.objects.select_related("product", "site").filter(
            pk=planned_order_id, run__cycle=cycle).first()  # fmt: skip
        if order is None:
            raise SupplyError("This planned order is not part of the cycle's plan; reload.")
        lane = {"cycle": cycle, "product": order.product, "site": order.site,
                "source_type": order.source_type, "source_code": order.source_code,
                "mode": order.mode, "release_month": order.release_month}  # fmt: skip
        firm = FirmOrder.objects.select_for_update().filter(**lane).first()
        check_version(
            firm, version, SupplyError,
            changed="This order was firmed or changed by someone else meanwhile; reload.",
            removed="This firm order was released by someone else meanwhile; reload.",
        )  # fmt: skip
        before = None if firm is None else firm.quantity_units
        firm = firm or FirmOrder(**lane, quantity_units=quantity, version=0)
        firm.quantity_units = quantity
        save_new_version(firm, user)
        audit_record(cycle=cycle, table="supply_firm_order", record_key=firm.record_key,
                     field="quantity_units", before=before, after=quantity, user=user,
                     source="grid", reason=(reason or "firmed")[:60])  # fmt: skip
        mark_stale(cycle, "supply", f"Firm order {firm.record_key} changed by {user}")
    return firm


def firm_order_release(cycle_id: int, firm_order_id: int, *, version: int, user: Any,
                       reason: str = "") -> None:  # fmt: skip
    """Un-firm: the next plan may change or drop the order again."""
    with transaction.atomic():
        cycle = _editable_cycle(cycle_id, user)
        firm = FirmOrder.objects.select_for_update().select_related("product", "site").filter(
            pk=firm_order_id, cycle=cycle).first()  # fmt: skip
        if firm is None or firm.version != version:
            raise SupplyError("This firm order was changed by someone else meanwhile; reload.")
        audit_record(cycle=cycle, table="supply_firm_order", record_key=firm.record_key,
                     field="quantity_units", before=firm.quantity_units, after=None, user=user,
                     source="grid", reason=(reason or "released")[:60])  # fmt: skip
        mark_stale(cycle, "supply", f"Firm order {firm.record_key} released by {user}")
        firm.delete()


def overtime_save(cycle_id: int, resource_id: int, extra_hours: Decimal, *, version: int | None,
                  user: Any, reason: str) -> ResourceOvertime:  # fmt: skip
    """Allow ``extra_hours`` of overtime per month on a resource for this cycle (on top of the
    master data's allowance); the next plan may use them at the resource's overtime rate."""
    extra_hours = _positive(extra_hours, "Extra overtime hours")
    if not reason.strip():
        raise SupplyError("Give a reason for the extra overtime.")
    with transaction.atomic():
        cycle = _editable_cycle(cycle_id, user)
        resource = Resource.objects.filter(pk=resource_id).first()
        if resource is None:
            raise SupplyError("This resource does not exist.")
        row = ResourceOvertime.objects.select_for_update().filter(
            cycle=cycle, resource=resource).first()  # fmt: skip
        check_version(
            row, version, SupplyError,
            changed="The overtime of this resource was changed meanwhile; reload.",
            removed="The overtime of this resource was removed meanwhile; reload.",
        )  # fmt: skip
        before = None if row is None else row.extra_hours_per_month
        row = row or ResourceOvertime(cycle=cycle, resource=resource, version=0,
                                      extra_hours_per_month=extra_hours)  # fmt: skip
        row.extra_hours_per_month = extra_hours
        save_new_version(row, user)
        audit_record(cycle=cycle, table="supply_resource_overtime", record_key=resource.code,
                     field="extra_hours_per_month", before=before, after=extra_hours, user=user,
                     source="form", reason=reason[:60])  # fmt: skip
        mark_stale(cycle, "supply", f"Overtime of {resource.code} changed by {user}")
    return row


def supply_sign_off(cycle_id: int, user: Any, comment: str = "") -> PlanningCycle:
    """Sign the supply review off (the cycle checks owner and preconditions)."""
    return stage_sign_off(cycle_id, STAGE_KEY, user, comment)
