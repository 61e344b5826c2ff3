"""Write services of the inventory review: settings and service targets, overrides, runs.

Every service checks the role (only the inventory planner edits), refuses an approved or closed
cycle, locks the row it changes (select_for_update) and compares the version the user saw, so a
concurrent edit is refused with a clear message instead of silently overwritten. Every changed
number is written to the shared audit log with who, before, after, reason and source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from cycles.audit import audit_record
from cycles.models import PlanningCycle
from cycles.plan import mark_stale, register_launcher
from cycles.run_tasks import request_run
from cycles.stage_edits import check_version, editable_cycle, save_new_version
from inventory.engine.segmentation import DEFAULT_SERVICE_TARGETS
from inventory.models import (
    SEGMENTS,
    InventoryRun,
    InventorySettings,
    PolicyOverride,
    ServiceTarget,
)
from masterdata.models import Product, Site

EDIT_ACTION = "edit_inventory_policy"
SETTINGS_FIELDS = (
    "abc_a_cutoff", "abc_b_cutoff", "xyz_x_cutoff", "xyz_y_cutoff", "service_type",
    "holding_rate_per_year", "order_cost_eur", "review_period_months", "excess_cover_weeks",
    "default_lead_time_days",
)  # fmt: skip
STALE_RUN_AFTER = dt.timedelta(hours=1)
OVERRIDE_FIELDS = ("service_target", "safety_stock_units", "order_quantity_units")


class InventoryError(Exception):
    """A write the server refuses, with a message meant for the user."""


def _in_target_range(service_target: Decimal) -> bool:
    return Decimal("0.5") <= service_target <= Decimal("0.9999")


def _editable_cycle(cycle_id: int, user: Any) -> PlanningCycle:
    return editable_cycle(
        cycle_id, user, action=EDIT_ACTION, error=InventoryError, owner="inventory planner",
        stage="inventory review", stage_key="inventory_review",
    )  # fmt: skip


def inventory_setup(cycle: PlanningCycle) -> tuple[InventorySettings, list[ServiceTarget]]:
    """The cycle's settings and nine targets, created with defaults on first use.

    Copied from the previous cycle when it has them, so a planner's choices carry forward.
    An approved or closed cycle is never written to: missing rows come back unsaved.
    """
    persist = not cycle.is_locked
    settings = InventorySettings.objects.filter(cycle=cycle).first()
    if settings is None:
        source = InventorySettings.objects.filter(cycle_id=cycle.previous_id).first()
        values = {f: getattr(source, f) for f in SETTINGS_FIELDS} if source else {}
        settings = InventorySettings(cycle=cycle, **values)
        if persist:
            settings, _ = InventorySettings.objects.get_or_create(cycle=cycle, defaults=values)
    targets = {t.segment: t for t in ServiceTarget.objects.filter(cycle=cycle)}
    missing = [s for s in SEGMENTS if s not in targets]
    if missing:
        previous = dict(
            ServiceTarget.objects.filter(cycle_id=cycle.previous_id).values_list(
                "segment", "service_target"
            )
        )
        for segment in missing:
            default = previous.get(segment, Decimal(str(DEFAULT_SERVICE_TARGETS[segment])))
            targets[segment] = ServiceTarget(cycle=cycle, segment=segment, service_target=default)
            if persist:
                targets[segment], _ = ServiceTarget.objects.get_or_create(
                    cycle=cycle, segment=segment, defaults={"service_target": default}
                )
    return settings, [targets[s] for s in SEGMENTS]


@dataclass(frozen=True)
class TargetChange:
    segment: str
    service_target: Decimal
    version: int


def service_targets_update(
    cycle_id: int, changes: list[TargetChange], user: Any, reason: str
) -> int:
    """Set cell targets; returns how many changed. Refuses stale versions (all or nothing)."""
    with transaction.atomic():
        cycle = _editable_cycle(cycle_id, user)
        inventory_setup(cycle)
        rows = {t.segment: t for t in ServiceTarget.objects.select_for_update().filter(cycle=cycle)}
        changed = 0
        for change in changes:
            row = rows[change.segment]
            if row.version != change.version:
                raise InventoryError(
                    f"The {change.segment} target was changed by someone else meanwhile; reload."
                )
            if not _in_target_range(change.service_target):
                raise InventoryError(
                    f"{change.segment}: a target must be between 50 % and 99.99 %."
                )
            if row.service_target == change.service_target:
                continue
            audit_record(
                cycle=cycle, table="inventory_service_target", record_key=change.segment,
                field="service_target", before=row.service_target, after=change.service_target,
                user=user, source="form", reason=reason,
            )  # fmt: skip
            row.service_target, row.version = change.service_target, row.version + 1
            row.save(update_fields=["service_target", "version"])
            changed += 1
        if changed:
            mark_stale(cycle, "targets", f"Service targets changed by {user}: {reason}")
    return changed


def settings_update(
    cycle_id: int, values: dict[str, Any], version: int, user: Any, reason: str
) -> int:
    """Update segmentation cut-offs and policy parameters; returns how many fields changed."""
    with transaction.atomic():
        cycle = _editable_cycle(cycle_id, user)
        inventory_setup(cycle)
        settings = InventorySettings.objects.select_for_update().get(cycle=cycle)
        if settings.version != version:
            raise InventoryError("The settings were changed by someone else meanwhile; reload.")
        a, b = (
            values.get("abc_a_cutoff", settings.abc_a_cutoff),
            values.get("abc_b_cutoff", settings.abc_b_cutoff),
        )
        x, y = (
            values.get("xyz_x_cutoff", settings.xyz_x_cutoff),
            values.get("xyz_y_cutoff", settings.xyz_y_cutoff),
        )
        if not 0 < a <= b <= 1:
            raise InventoryError("ABC cut-offs must satisfy 0 < A <= B <= 100 %.")
        if not 0 <= x <= y:
            raise InventoryError("XYZ cut-offs must satisfy 0 <= X <= Y.")
        _check_parameters(values)
        changed = [f for f in SETTINGS_FIELDS if f in values and values[f] != getattr(settings, f)]
        for name in changed:
            audit_record(
                cycle=cycle, table="inventory_settings", record_key=str(cycle.pk), field=name,
                before=getattr(settings, name), after=values[name], user=user, source="form",
                reason=reason,
            )  # fmt: skip
            setattr(settings, name, values[name])
        if changed:
            settings.version += 1
            settings.save(update_fields=[*changed, "version"])
            mark_stale(cycle, "targets", f"Inventory settings changed by {user}: {reason}")
    return len(changed)


POSITIVE_PARAMETERS = {
    "holding_rate_per_year": "Holding rate per year",
    "excess_cover_weeks": "Excess above (weeks of supply)",
}
NON_NEGATIVE_PARAMETERS = {
    "order_cost_eur": "Order cost",
    "review_period_months": "Review period",
    "default_lead_time_days": "Default lead time",
}


def _check_parameters(values: dict[str, Any]) -> None:
    for name, label in POSITIVE_PARAMETERS.items():
        if name in values and not values[name] > 0:
            raise InventoryError(f"{label}: must be greater than zero.")
    for name, label in NON_NEGATIVE_PARAMETERS.items():
        if name in values and values[name] < 0:
            raise InventoryError(f"{label}: must not be negative.")


def _record_key(product_id: int, site_id: int) -> str:
    product = Product.objects.only("sku").get(pk=product_id)
    site = Site.objects.only("code").get(pk=site_id)
    return f"{product.sku}@{site.code}"


def _check_override(values: dict[str, Decimal | None], reason: str) -> None:
    if not reason.strip():
        raise InventoryError("Give a reason for the override.")
    if all(values.get(f) is None for f in OVERRIDE_FIELDS):
        raise InventoryError("Set at least one of service target, safety stock or order quantity.")
    target = values.get("service_target")
    if target is not None and not _in_target_range(target):
        raise InventoryError("Service target: must be between 50 % and 99.99 %.")
    for name in ("safety_stock_units", "order_quantity_units"):
        if values.get(name) is not None and values[name] < 0:  # type: ignore[operator]
            raise InventoryError(f"{name.replace('_', ' ')}: must not be negative.")


def policy_override_save(
    cycle_id: int,
    product_id: int,
    site_id: int,
    values: dict[str, Decimal | None],
    *,
    reason: str,
    comment: str,
    version: int | None,
    user: Any,
) -> PolicyOverride:
    """Create or change a product-site override; every changed field is audited."""
    _check_override(values, reason)
    with transaction.atomic():
        cycle = _editable_cycle(cycle_id, user)
        row = (
            PolicyOverride.objects.select_for_update()
            .filter(cycle=cycle, product_id=product_id, site_id=site_id)
            .first()
        )
        check_version(
            row, version, InventoryError,
            changed="This override was changed by someone else meanwhile; reload.",
            removed="This override was removed by someone else meanwhile; reload.",
        )  # fmt: skip
        row = row or PolicyOverride(cycle=cycle, product_id=product_id, site_id=site_id, version=0)
        key = _record_key(product_id, site_id)
        for name in OVERRIDE_FIELDS:
            before, after = getattr(row, name), values.get(name)
            if before != after:
                audit_record(
                    cycle=cycle, table="inventory_policy_override", record_key=key, field=name,
                    before=before, after=after, user=user, source="form", reason=reason[:60],
                    comment=comment,
                )  # fmt: skip
                setattr(row, name, after)
        row.reason, row.comment = reason[:60], comment
        save_new_version(row, user)
        mark_stale(cycle, "targets", f"Policy override of {key} changed by {user}: {reason}")
    return row


def policy_override_delete(
    cycle_id: int, override_id: int, version: int, user: Any, reason: str
) -> None:
    with transaction.atomic():
        cycle = _editable_cycle(cycle_id, user)
        row = PolicyOverride.objects.select_for_update().filter(cycle=cycle, pk=override_id).first()
        if row is None or row.version != version:
            raise InventoryError("This override was changed by someone else meanwhile; reload.")
        key = _record_key(row.product_id, row.site_id)
        for name in OVERRIDE_FIELDS:
            if getattr(row, name) is not None:
                audit_record(
                    cycle=cycle, table="inventory_policy_override", record_key=key, field=name,
                    before=getattr(row, name), after=None, user=user, source="form",
                    reason=(reason or "removed")[:60],
                )  # fmt: skip
        mark_stale(cycle, "targets", f"Policy override of {key} removed by {user}")
        row.delete()


def inventory_run_request(cycle_id: int, user: Any) -> InventoryRun:
    """Queue a calculation; the Celery task is sent only once this transaction commits.

    While a run is queued or running the same run is returned (no duplicate work); a run
    active for longer than `STALE_RUN_AFTER` (the broker's redelivery window) is given up
    as failed so a lost message cannot block the review forever.
    """

    with transaction.atomic():
        cycle = _editable_cycle(cycle_id, user)
        return _request_step(cycle, user, "targets")


def _request_step(cycle: PlanningCycle, user: Any, step: str) -> InventoryRun:
    from inventory import tasks

    run = request_run(
        InventoryRun, cycle, user, tasks.inventory_calculate.delay, stale_after=STALE_RUN_AFTER
    )
    # Set before the commit sends the task; an active run already queued keeps its own step.
    InventoryRun.objects.filter(pk=run.pk, status="queued", attempts=0).update(plan_step=step)
    run.refresh_from_db(fields=["plan_step"])
    return run


def _launch(step: str) -> Any:
    def launch(cycle_id: int, user_id: int | None) -> None:
        """The pipeline's inventory step: queued as ``user_id`` without the planner's checks."""
        with transaction.atomic():
            cycle = PlanningCycle.objects.select_for_update().get(pk=cycle_id)
            if not cycle.is_locked:
                user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
                _request_step(cycle, user, step)

    return launch


register_launcher("targets")(_launch("targets"))
register_launcher("projection")(_launch("projection"))
