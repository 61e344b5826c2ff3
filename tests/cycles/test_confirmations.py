"""What supply signed off is what inventory and finance plan with, even after a re-plan.

The pipeline computes the service targets before the supply plan, so a target change during the
inventory review re-plans supply after the supply review signed it off. Until the supply planner
confirms the re-planned run, no later stage may be signed off (the approval would otherwise hold
a supply plan nobody in supply approved).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from cycles.confirmations import drifts, stage_confirm
from cycles.models import AuditEntry, StageEvent
from cycles.plan import STEP_LABELS, pinned_run_id
from cycles.replan import plan_replan
from cycles.services import TransitionError, stage_sign_off
from inventory.models import ServiceTarget
from inventory.services import TargetChange, service_targets_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def replanned(demo_company, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """November in the inventory review, after the inventory planner raised the AX target and
    re-planned, which re-planned the supply plan the supply review had signed off."""
    users = demo_company
    with django_capture_on_commit_callbacks(execute=True):
        cycle = stage_sign_off(users["november"].pk, "demand_review", users["demand"], "ok")
    cycle = stage_sign_off(cycle.pk, "supply_review", users["supply"], "Capacity agreed")
    signed = pinned_run_id(cycle, "supply")
    target = ServiceTarget.objects.get(cycle=cycle, segment="AX")
    change = TargetChange("AX", Decimal("0.995"), target.version)
    service_targets_update(cycle.pk, [change], users["inventory"], "Key account")
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_replan(cycle.pk, users["inventory"]) == "targets"
    assert pinned_run_id(cycle, "supply") != signed
    return cycle, signed


def test_a_supply_plan_replanned_after_its_sign_off_blocks_the_inventory_sign_off(
    replanned, demo_company
) -> None:
    cycle, signed = replanned
    # Then the drift names the supply review and both runs
    (drift,) = drifts(cycle)
    assert drift.stage_key == "supply_review"
    assert (STEP_LABELS["supply"], signed, pinned_run_id(cycle, "supply")) in drift.changed
    # And the inventory review cannot be signed off over a supply plan nobody in supply approved
    with pytest.raises(TransitionError, match="Supply review signed off runs that were re-planned"):
        stage_sign_off(cycle.pk, "inventory_review", demo_company["inventory"], "ok")


def test_only_the_supply_owner_confirms_and_then_the_next_sign_off_pins_the_confirmed_run(
    replanned, demo_company
) -> None:
    cycle, _ = replanned
    users = demo_company
    # When the inventory planner tries to confirm supply's numbers, it is refused
    with pytest.raises(TransitionError, match="Only the supply planner"):
        stage_confirm(cycle.pk, "supply_review", users["inventory"], "")
    # When the supply planner confirms the re-planned run
    stage_confirm(cycle.pk, "supply_review", users["supply"], "Re-checked the new buffer")
    confirm = StageEvent.objects.get(cycle=cycle, action=StageEvent.Action.CONFIRM)
    assert confirm.pinned["runs"]["supply"] == pinned_run_id(cycle, "supply")
    assert drifts(cycle) == []
    # And the confirmation is in the audit log with the runs before and after
    entry = AuditEntry.objects.get(
        table="cycles.stage", record_key="supply_review", reason="confirm"
    )
    assert f"supply #{confirm.pinned['runs']['supply']}" in entry.after
    # Then the inventory review signs off, pinning the very run supply confirmed
    cycle = stage_sign_off(cycle.pk, "inventory_review", users["inventory"], "ok")
    event = StageEvent.objects.get(cycle=cycle, stage_key="inventory_review", action="sign_off")
    assert event.pinned["runs"]["supply"] == confirm.pinned["runs"]["supply"]
    # And a confirmation with nothing re-planned is refused
    with pytest.raises(TransitionError, match="nothing to confirm"):
        stage_confirm(cycle.pk, "supply_review", users["supply"], "")


def test_the_ribbon_tells_everyone_and_offers_the_confirmation_to_the_owner_only(
    replanned, demo_company, client
) -> None:
    cycle, _ = replanned
    url = reverse("cycles:detail", kwargs={"pk": cycle.pk})
    client.force_login(demo_company["inventory"])
    page = client.get(url).content.decode()
    assert 'data-testid="drift-ribbon"' in page and "Confirm Supply review" not in page
    client.force_login(demo_company["supply"])
    page = client.get(url).content.decode()
    assert "Confirm Supply review" in page
    # When the supply planner presses it, the ribbon is gone
    confirm = reverse("cycles:transition", kwargs={"pk": cycle.pk, "kind": "confirm"})
    client.post(confirm, {"stage_key": "supply_review", "comment": "ok"})
    assert 'data-testid="drift-ribbon"' not in client.get(url).content.decode()
