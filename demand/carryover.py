"""What a new cycle takes over from the demand review of the cycle it starts from, and dropping it.

`carry_overrides_and_events` runs as a ``cycles.carryover`` hook inside the transaction that
opens the new cycle: the previous cycle's overrides for months inside the new horizon (the
typed consensus, its reason and comment, the statistical forecast then seen, so the grid flags
the cell if this cycle's forecast differs) and its events still running in the new horizon are
copied with ``carried_from`` naming the previous cycle, each copy audited (source
"carry_over"). A planner's "retailer listing win" of Jan = 4,000 typed in November is still
Jan = 4,000 in December. `carried_drop` lets the planner remove carried items (audited).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.selectors import user_may
from cycles import carryover
from cycles.audit import audit_bulk
from cycles.models import AuditEntry, PlanningCycle
from cycles.plan import mark_stale
from cycles.stage_edits import editable_cycle
from demand.grid_warm import WARMER as GRID_WARMER
from demand.models import DemandEvent, DemandOverride
from demand.selectors import horizon_months
from demand.services import DemandError
from siop.warming import warm_on_commit

SOURCE = "carry_over"


def _entry(cycle: PlanningCycle, table: str, key: str, before: str, after: str, user: Any,
           reason: str, comment: str) -> AuditEntry:  # fmt: skip
    return AuditEntry(
        cycle=cycle, table=table, record_key=key, field="carried_over", before=before,
        after=after, user=user if getattr(user, "is_authenticated", False) else None,
        source=SOURCE, reason=reason, comment=comment,
    )  # fmt: skip


@carryover.register("demand.overrides_and_events")
def carry_overrides_and_events(new: PlanningCycle, previous: PlanningCycle, user: Any) -> None:
    """Copy ``previous``'s future overrides and running events into ``new`` (audited)."""
    months = horizon_months(new)
    overrides = DemandOverride.objects.filter(cycle=previous, month__in=months).select_related(
        "product"
    )
    copies = [
        DemandOverride(
            cycle=new, product=o.product, month=o.month, consensus_units=o.consensus_units,
            statistical_at_entry_units=o.statistical_at_entry_units, carried_from=previous,
            reason=o.reason, comment=o.comment, version=1, updated_by=o.updated_by,
        )
        for o in overrides
    ]  # fmt: skip
    DemandOverride.objects.bulk_create(copies, batch_size=2000)
    note = f"Carried over from {previous}."
    entries = [
        _entry(new, "demand_override", f"{o.product.sku}:{o.month:%Y-%m}", "",
               str(o.consensus_units), user, o.reason, note)
        for o in copies
    ]  # fmt: skip
    for event in DemandEvent.objects.filter(cycle=previous, end_month__gte=months[0]):
        copy = DemandEvent.objects.create(
            cycle=new, name=event.name, product_id=event.product_id, family_id=event.family_id,
            start_month=event.start_month, end_month=event.end_month,
            uplift_kind=event.uplift_kind, uplift_value=event.uplift_value,
            carried_from=previous, created_by=event.created_by,
        )  # fmt: skip
        entries.append(_entry(new, "demand_event", str(copy.pk), "", _event_text(copy), user,
                              "promotion", note))  # fmt: skip
    audit_bulk(entries)


def _event_text(event: DemandEvent) -> str:
    return (
        f"{event.name}: {event.uplift_value} {event.uplift_kind} "
        f"{event.start_month:%Y-%m}..{event.end_month:%Y-%m}"
    )


def carried_drop(
    cycle_id: int,
    user: Any,
    *,
    override_ids: Iterable[int] = (),
    event_ids: Iterable[int] = (),
) -> int:
    """Delete carried-over overrides and events of the cycle (only carried ones); audited.

    Returns how many were dropped. Raises ``PermissionDenied`` for a role that may not edit
    demand and ``DemandError`` outside the demand review or on an approved cycle (the one edit
    guard of every stage). Dropping marks the plan's demand step stale.
    """
    if not user_may(user, "edit_demand"):
        raise PermissionDenied("Your role may not change the demand plan.")
    with transaction.atomic():
        cycle = editable_cycle(
            cycle_id, user, action="edit_demand", error=DemandError, owner="demand planner",
            stage="demand review", stage_key="demand_review", current_only=True,
        )  # fmt: skip
        overrides = list(
            DemandOverride.objects.filter(
                cycle=cycle, carried_from__isnull=False, pk__in=list(override_ids)
            ).select_related("product")
        )
        events = list(
            DemandEvent.objects.filter(
                cycle=cycle, carried_from__isnull=False, pk__in=list(event_ids)
            )
        )
        entries = [
            _entry(cycle, "demand_override", f"{o.product.sku}:{o.month:%Y-%m}",
                   str(o.consensus_units), "", user, o.reason, "Carried-over override dropped.")
            for o in overrides
        ] + [
            _entry(cycle, "demand_event", str(e.pk), _event_text(e), "", user, "promotion",
                   "Carried-over event dropped.")
            for e in events
        ]  # fmt: skip
        DemandOverride.objects.filter(pk__in=[o.pk for o in overrides]).delete()
        DemandEvent.objects.filter(pk__in=[e.pk for e in events]).delete()
        audit_bulk(entries)
        if entries:
            mark_stale(cycle, "demand", f"Carried-over items dropped by {user}")
            warm_on_commit(GRID_WARMER, cycle.pk)
    return len(entries)
