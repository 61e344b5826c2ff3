"""Write services for events (promotions, campaigns) and new products' like-items, audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.selectors import user_family_ids, user_may
from cycles.audit import audit_record
from cycles.models import PlanningCycle
from cycles.plan import mark_stale
from cycles.stage_edits import editable_cycle
from demand.grid_warm import WARMER as GRID_WARMER
from demand.models import DemandEvent
from demand.services import DemandError
from masterdata.models import Product
from siop.warming import warm_on_commit


def _guard(cycle_id: int, user: Any, family_id: int | None) -> PlanningCycle:
    """The locked cycle at demand review (the shared edit guard), in the user's families."""
    if not user_may(user, "edit_demand"):
        raise PermissionDenied("Your role may not change the demand plan.")
    scope = user_family_ids(user)
    if scope is not None and family_id not in scope:
        raise PermissionDenied("You do not plan this product family.")
    return editable_cycle(
        cycle_id, user, action="edit_demand", error=DemandError, owner="demand planner",
        stage="demand review", stage_key="demand_review", current_only=True,
    )  # fmt: skip


def event_create(cycle_id: int, data: dict[str, Any], user: Any) -> DemandEvent:
    product = data.get("product")
    family_id = product.family_id if product else data["family"].pk
    with transaction.atomic():
        cycle = _guard(cycle_id, user, family_id)
        event = DemandEvent.objects.create(cycle=cycle, created_by=user, **data)
        audit_record(
            cycle=cycle,
            table="demand_event",
            record_key=str(event.pk),
            field="uplift",
            before=None,
            after=f"{event.name}: {event.uplift_value} {event.uplift_kind} "
            f"{event.start_month:%Y-%m}..{event.end_month:%Y-%m}",
            user=user,
            source="grid",
            reason="promotion",
        )
        mark_stale(cycle, "demand", f"Event '{event.name}' added by {user}")
        warm_on_commit(GRID_WARMER, cycle.pk, family_id)
    return event


def event_delete(event_id: int, user: Any) -> None:
    event = DemandEvent.objects.select_related("cycle", "product").get(pk=event_id)
    family_id = event.product.family_id if event.product else event.family_id
    with transaction.atomic():
        cycle = _guard(event.cycle_id, user, family_id)
        audit_record(
            cycle=cycle,
            table="demand_event",
            record_key=str(event.pk),
            field="uplift",
            before=f"{event.name}: {event.uplift_value} {event.uplift_kind}",
            after=None,
            user=user,
            source="grid",
            reason="promotion",
        )
        mark_stale(cycle, "demand", f"Event '{event.name}' removed by {user}")
        warm_on_commit(GRID_WARMER, cycle.pk, *([family_id] if family_id else []))
        event.delete()


def like_item_set(cycle_id: int, product_id: int, like_sku: str, scale: Decimal, user: Any) -> None:
    """Point a new product at a like-item and scale; the next forecast run uses them."""
    product = Product.objects.get(pk=product_id)
    like = Product.objects.filter(sku=like_sku.strip()).first()
    if like is None or like.pk == product.pk:
        raise DemandError(f"Like-item SKU '{like_sku}' is not another existing product.")
    with transaction.atomic():
        cycle = _guard(cycle_id, user, product.family_id)
        before = f"{product.like_product.sku if product.like_product else ''} x{product.like_scale}"
        product.like_product, product.like_scale = like, scale
        product.save(update_fields=["like_product", "like_scale", "updated_at"])
        audit_record(
            cycle=cycle,
            table="product",
            record_key=product.sku,
            field="like_item",
            before=before,
            after=f"{like.sku} x{scale}",
            user=user,
            source="grid",
            reason="new_listing",
        )
