"""Write service for consensus edits from the grid or an upload (optimistic locking, audited).

The planner types the consensus they want and the override stores exactly that value (with the
statistical forecast seen at the time), so a later forecast re-run never moves it: the plan,
the audit log and the grid keep the typed number. A family cell is spread over the family's
products in proportion to their forecast (statistical + events), keeping products already
overridden that month, and stored as product values; rounding to cents puts the remainder on
the largest share so the products sum exactly. A product the forecast does not cover (no
sales in the last 36 months, no like-item) can still be given a consensus.

Concurrency: each product cell carries ``version``; a family cell carries the sum of its
products' versions (versions only grow, so any change alters the sum). Rows are locked with
``SELECT ... FOR UPDATE`` and a concurrent first insert of the same cell hits the unique
constraint; either way the later save gets ``ConflictError`` and nothing of the batch is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from accounts.selectors import user_family_ids, user_may
from cycles.models import PlanningCycle
from cycles.plan import mark_stale
from cycles.stage_edits import editable_cycle
from demand.grid_warm import WARMER as GRID_WARMER
from demand.models import DemandOverride, ReasonCode
from demand.override_writes import Locked, write_cells
from demand.selectors import consensus_frame, horizon_months
from demand.services import DemandError
from masterdata.models import Product, ProductFamily
from siop.warming import warm_on_commit

CENT = Decimal("0.01")
# Largest consensus a cell takes (units per month); the column keeps 14 integer digits, and a
# bigger number is a typo or a paste of the wrong column, answered with a message, not a 500.
MAX_UNITS = Decimal("1e10")


class ConflictError(DemandError):
    """Someone else saved the same cell since the user loaded it."""


@dataclass(frozen=True)
class CellEdit:
    month: dt.date
    consensus_units: Decimal
    version: int
    product_id: int | None = None
    family_id: int | None = None


def overrides_apply(
    cycle_id: int,
    edits: list[CellEdit],
    user: Any,
    *,
    reason: str,
    comment: str = "",
    source: str = "grid",
) -> int:
    """Apply all edits or none; returns the number of product cells changed.

    The cycle row is locked first (the demand sign-off locks it too), so an edit racing the
    sign-off either lands before the freeze or is refused afterwards, never lost in between.
    """
    _check_request(user, reason, comment)
    changed = 0
    try:
        with transaction.atomic():
            cycle = _editable_cycle(cycle_id, user)
            for edit in edits:
                changed += _apply_one(cycle, edit, user, (reason, comment, source))
            if changed:
                mark_stale(cycle, "demand", f"Consensus changed by {user}: {reason}")
                warm_on_commit(GRID_WARMER, cycle.pk, *_families_of(edits))
    except IntegrityError:
        raise ConflictError(
            "Another planner saved one of these cells at the same moment; "
            "reload to see their numbers, then edit again."
        ) from None
    return changed


def _check_request(user: Any, reason: str, comment: str) -> None:
    if not user_may(user, "edit_demand"):
        raise PermissionDenied("Your role may not change the demand plan.")
    if reason not in ReasonCode.values:
        raise DemandError("Choose a reason code for the override.")
    if reason == ReasonCode.OTHER and not comment.strip():
        raise DemandError("Reason 'Other' needs a comment saying why.")


def _editable_cycle(cycle_id: int, user: Any) -> PlanningCycle:
    """The locked cycle at demand review (the shared edit guard of every stage)."""
    return editable_cycle(
        cycle_id, user, action="edit_demand", error=DemandError, owner="demand planner",
        stage="demand review", stage_key="demand_review", current_only=True,
    )  # fmt: skip


def _apply_one(cycle: PlanningCycle, edit: CellEdit, user: Any, why: tuple[str, str, str]) -> int:
    """One edit, set-based: one lock, one read of the consensus, one write per table; returns
    the number of product cells changed (each audited)."""
    _check_edit(cycle, edit)
    if edit.family_id is not None:
        product_ids = _family_products(edit.family_id, user)
    else:
        product_ids = _family_products(_family_of(edit.product_id), user)
        product_ids = [p for p in product_ids if p == edit.product_id]
    locked = _locked(cycle, edit.month, product_ids)
    if sum(version for _, version in locked.values()) != edit.version:
        raise ConflictError(_conflict_message(cycle, edit, product_ids))
    current = consensus_frame(cycle, product_ids, [edit.month]).set_index("product_id")
    if edit.product_id is not None and edit.product_id not in current.index:
        current = _uncovered(current, edit)
    if current.empty:
        raise DemandError(
            f"{edit.month:%b %Y}: no product of this family has a forecast to spread the family "
            "total over; type the numbers on the products instead."
        )
    targets = _targets(current, edit, set(locked))
    before = {pid: _dec(v) for pid, v in current["consensus_units"].items()}
    changed = {pid: t for pid, t in targets.items() if t != before[pid]}
    if not changed:
        return 0
    seen = {pid: _dec(current.at[pid, "statistical_units"]) for pid in changed}
    cells = [(pid, before[pid], target, seen[pid]) for pid, target in changed.items()]
    return write_cells(cycle, edit.month, cells, locked, user, why)


def _check_edit(cycle: PlanningCycle, edit: CellEdit) -> None:
    if edit.month not in horizon_months(cycle):
        raise DemandError(f"{edit.month:%b %Y} is outside this cycle's horizon.")
    if edit.consensus_units < 0:
        raise DemandError("Consensus cannot be negative.")
    if edit.consensus_units >= MAX_UNITS:
        raise DemandError(f"{edit.consensus_units} units is above the limit of {MAX_UNITS:,.0f}.")


def _locked(cycle: PlanningCycle, month: dt.date, product_ids: list[int]) -> dict[int, Locked]:
    """product_id -> (override id, version) of the month's overrides, locked until commit."""
    rows = (
        DemandOverride.objects.select_for_update()
        .filter(cycle=cycle, month=month, product_id__in=product_ids)
        .values_list("product_id", "pk", "version")
    )
    return {product_id: (pk, version) for product_id, pk, version in rows}


def _uncovered(current: pd.DataFrame, edit: CellEdit) -> pd.DataFrame:
    """A zero-forecast row for a product the statistical forecast does not cover."""
    zero = {"month": edit.month, "statistical_units": 0.0, "event_units": 0.0}
    row = pd.DataFrame([{**zero, "consensus_units": 0.0}], index=pd.Index([edit.product_id]))
    return pd.concat([current, row]) if not current.empty else row


def _families_of(edits: list[CellEdit]) -> list[int]:
    """The families the edits changed (one query, however many product cells were pasted)."""
    families = {edit.family_id for edit in edits if edit.family_id is not None}
    products = [edit.product_id for edit in edits if edit.product_id is not None]
    families |= set(Product.objects.filter(pk__in=products).values_list("family_id", flat=True))
    return sorted(families)


def _family_of(product_id: int | None) -> int:
    if product_id is None:
        raise DemandError("The edit names no product.")
    family_id = Product.objects.filter(pk=product_id).values_list("family_id", flat=True).first()
    if family_id is None:
        raise DemandError(f"Product {product_id} does not exist.")
    return family_id


def _family_products(family_id: int, user: Any) -> list[int]:
    scope = user_family_ids(user)
    if scope is not None and family_id not in scope:
        family = ProductFamily.objects.filter(pk=family_id).first()
        raise PermissionDenied(f"You do not plan family {family.code if family else family_id}.")
    return list(Product.objects.filter(family_id=family_id).values_list("pk", flat=True))


def _targets(current: pd.DataFrame, edit: CellEdit, overridden: set[int]) -> dict[int, Decimal]:
    target = edit.consensus_units.quantize(CENT, ROUND_HALF_UP)
    if edit.product_id is not None:
        return {edit.product_id: target}
    consensus = {pid: _dec(v) for pid, v in current["consensus_units"].items()}
    kept = {pid: consensus[pid] for pid in consensus if pid in overridden}
    free = [pid for pid in consensus if pid not in overridden]
    if not free:  # every product already overridden: scale them all
        free, kept = list(consensus), {}
        weights = {pid: consensus[pid] for pid in free}
    else:
        base = current["statistical_units"] + current["event_units"]
        weights = {pid: _dec(max(float(base[pid]), 0.0)) for pid in free}
    remaining = target - sum(kept.values(), Decimal("0"))
    if remaining < 0:
        raise DemandError(
            f"{edit.month:%b %Y}: the family total {target} is below the {sum(kept.values())} "
            "already overridden on its products; lower those products first."
        )
    return {**kept, **_spread(remaining, weights)}


def _spread(total: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    weight_sum = sum(weights.values(), Decimal("0"))
    if weight_sum <= 0:
        weights = {pid: Decimal("1") for pid in weights}
        weight_sum = Decimal(len(weights))
    shares = {
        pid: (total * w / weight_sum).quantize(CENT, ROUND_HALF_UP) for pid, w in weights.items()
    }
    largest = max(shares, key=lambda pid: (weights[pid], -pid))
    shares[largest] += total - sum(shares.values(), Decimal("0"))
    return shares


def _dec(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))).quantize(CENT)


def _conflict_message(cycle: PlanningCycle, edit: CellEdit, product_ids: list[int]) -> str:
    latest = (
        DemandOverride.objects.filter(cycle=cycle, month=edit.month, product_id__in=product_ids)
        .select_related("updated_by")
        .order_by("-updated_at", "-pk")
        .first()
    )
    who = ""
    if latest is not None and latest.updated_by is not None:
        name = latest.updated_by.get_full_name() or latest.updated_by.get_username()
        who = f" by {name} at {latest.updated_at:%H:%M:%S}"
    return (
        f"Conflict: {edit.month:%b %Y} was changed{who} after you loaded the grid. "
        "Your changes were not saved; reload to see the new numbers and edit again."
    )
