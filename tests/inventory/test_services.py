"""Edits of the inventory review: audited, role-checked, version-checked, refused when locked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.roles import Role
from cycles.models import AuditEntry, PlanningCycle
from inventory.models import InventorySettings, PolicyOverride, ServiceTarget
from inventory.services import (
    InventoryError,
    TargetChange,
    inventory_setup,
    policy_override_delete,
    policy_override_save,
    service_targets_update,
    settings_update,
)

pytestmark = pytest.mark.django_db
ONLY_SS = {
    "service_target": None,
    "safety_stock_units": Decimal("40"),
    "order_quantity_units": None,
}


def test_given_new_cycle_then_nine_default_targets_and_settings_exist(cycle) -> None:
    settings, targets = inventory_setup(cycle)
    assert [t.segment for t in targets] == ["AX", "AY", "AZ", "BX", "BY", "BZ", "CX", "CY", "CZ"]
    assert targets[0].service_target == Decimal("0.98")
    assert settings.abc_a_cutoff == Decimal("0.80")


def test_given_target_change_then_saved_and_audited_with_before_after_reason(cycle, users) -> None:
    inventory_setup(cycle)
    planner = users[Role.INVENTORY_PLANNER]
    changed = service_targets_update(
        cycle.pk, [TargetChange("AX", Decimal("0.9950"), 0)], planner, "key account"
    )
    assert changed == 1
    assert ServiceTarget.objects.get(cycle=cycle, segment="AX").service_target == Decimal("0.995")
    entry = AuditEntry.objects.get(table="inventory_service_target")
    assert (entry.record_key, entry.before, entry.after) == ("AX", "0.9800", "0.9950")
    assert (entry.user, entry.reason, entry.cycle) == (planner, "key account", cycle)


def test_given_stale_version_then_target_change_refused_and_nothing_written(cycle, users) -> None:
    inventory_setup(cycle)
    planner = users[Role.INVENTORY_PLANNER]
    service_targets_update(cycle.pk, [TargetChange("AX", Decimal("0.99"), 0)], planner, "")
    with pytest.raises(InventoryError, match="changed by someone else"):
        service_targets_update(cycle.pk, [TargetChange("AX", Decimal("0.90"), 0)], planner, "")
    assert ServiceTarget.objects.get(cycle=cycle, segment="AX").service_target == Decimal("0.99")


@pytest.mark.parametrize("role", [r for r in Role if r != Role.INVENTORY_PLANNER])
def test_given_other_role_then_edits_refused(cycle, users, role) -> None:
    inventory_setup(cycle)
    with pytest.raises(InventoryError, match="Only the inventory planner"):
        service_targets_update(cycle.pk, [TargetChange("AX", Decimal("0.9"), 0)], users[role], "")


def test_given_approved_cycle_then_every_write_is_refused(cycle, users, company) -> None:
    inventory_setup(cycle)
    PlanningCycle.objects.filter(pk=cycle.pk).update(state="approved")
    planner = users[Role.INVENTORY_PLANNER]
    pump, dc1 = company["products"]["PUMP-1"], company["sites"][0]
    with pytest.raises(InventoryError, match="locked"):
        service_targets_update(cycle.pk, [TargetChange("AX", Decimal("0.9"), 0)], planner, "")
    with pytest.raises(InventoryError, match="locked"):
        policy_override_save(cycle.pk, pump.pk, dc1.pk, ONLY_SS, reason="x", comment="",
                             version=None, user=planner)  # fmt: skip


def test_given_override_then_each_changed_field_is_audited_and_removal_too(
    cycle, users, company
) -> None:
    planner = users[Role.INVENTORY_PLANNER]
    pump, dc1 = company["products"]["PUMP-1"], company["sites"][0]
    row = policy_override_save(cycle.pk, pump.pk, dc1.pk, ONLY_SS, reason="Tender",
                               comment="until March", version=None, user=planner)  # fmt: skip
    changed = {**ONLY_SS, "order_quantity_units": Decimal("120")}
    row = policy_override_save(cycle.pk, pump.pk, dc1.pk, changed, reason="Tender + pallet",
                               comment="", version=row.version, user=planner)  # fmt: skip
    entries = list(AuditEntry.objects.filter(table="inventory_policy_override").order_by("id"))
    assert [(e.field, e.before, e.after, e.reason) for e in entries] == [
        ("safety_stock_units", "", "40", "Tender"),
        ("order_quantity_units", "", "120", "Tender + pallet"),
    ]
    assert entries[0].record_key == "PUMP-1@DC1" and entries[0].user == planner
    policy_override_delete(cycle.pk, row.pk, row.version, planner, "tender lost")
    assert not PolicyOverride.objects.exists()
    removed = AuditEntry.objects.filter(table="inventory_policy_override", after="")
    assert {e.field for e in removed} == {"safety_stock_units", "order_quantity_units"}


def test_given_override_without_reason_or_values_then_refused(cycle, users, company) -> None:
    planner = users[Role.INVENTORY_PLANNER]
    pump, dc1 = company["products"]["PUMP-1"], company["sites"][0]
    with pytest.raises(InventoryError, match="reason"):
        policy_override_save(cycle.pk, pump.pk, dc1.pk, ONLY_SS, reason=" ", comment="",
                             version=None, user=planner)  # fmt: skip
    nothing = dict.fromkeys(ONLY_SS)
    with pytest.raises(InventoryError, match="at least one"):
        policy_override_save(cycle.pk, pump.pk, dc1.pk, nothing, reason="x", comment="",
                             version=None, user=planner)  # fmt: skip


def test_given_concurrent_override_edit_then_second_is_refused(cycle, users, company) -> None:
    planner = users[Role.INVENTORY_PLANNER]
    pump, dc1 = company["products"]["PUMP-1"], company["sites"][0]
    policy_override_save(cycle.pk, pump.pk, dc1.pk, ONLY_SS, reason="a", comment="",
                         version=None, user=planner)  # fmt: skip
    with pytest.raises(InventoryError, match="someone else"):
        policy_override_save(cycle.pk, pump.pk, dc1.pk, ONLY_SS, reason="b", comment="",
                             version=None, user=planner)  # fmt: skip


def test_given_settings_change_then_cutoffs_saved_audited_and_checked(cycle, users) -> None:
    inventory_setup(cycle)
    planner = users[Role.INVENTORY_PLANNER]
    values = {"abc_a_cutoff": Decimal("0.7"), "abc_b_cutoff": Decimal("0.9")}
    assert settings_update(cycle.pk, values, 0, planner, "new policy") == 2
    settings = InventorySettings.objects.get(cycle=cycle)
    assert (settings.abc_a_cutoff, settings.version) == (Decimal("0.7"), 1)
    assert AuditEntry.objects.filter(table="inventory_settings").count() == 2
    with pytest.raises(InventoryError, match="ABC"):
        settings_update(cycle.pk, {"abc_a_cutoff": Decimal("0.95")}, 1, planner, "")


def test_given_next_cycle_then_targets_carry_forward_from_previous(cycle, users) -> None:
    inventory_setup(cycle)
    service_targets_update(
        cycle.pk, [TargetChange("CZ", Decimal("0.8"), 0)], users[Role.INVENTORY_PLANNER], ""
    )
    later = PlanningCycle.objects.create(month="2026-12-01", state="data_inputs", previous=cycle)
    _, targets = inventory_setup(later)
    assert {t.segment: t.service_target for t in targets}["CZ"] == Decimal("0.8")


def test_given_approved_cycle_without_settings_then_page_setup_writes_nothing(cycle) -> None:
    PlanningCycle.objects.filter(pk=cycle.pk).update(state="approved")
    cycle.refresh_from_db()
    settings, targets = inventory_setup(cycle)
    assert settings.pk is None and len(targets) == 9
    assert not ServiceTarget.objects.filter(cycle=cycle).exists()


def test_given_active_run_then_request_returns_it_unless_stale(
    cycle, users, django_capture_on_commit_callbacks
) -> None:
    import datetime as dt

    from django.utils import timezone

    from inventory.models import InventoryRun
    from inventory.services import inventory_run_request

    planner = users[Role.INVENTORY_PLANNER]
    with django_capture_on_commit_callbacks(execute=False) as sent:
        first = inventory_run_request(cycle.pk, planner)
        assert inventory_run_request(cycle.pk, planner).pk == first.pk
    assert len(sent) == 1
    InventoryRun.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=2)
    )
    with django_capture_on_commit_callbacks(execute=False):
        second = inventory_run_request(cycle.pk, planner)
    first.refresh_from_db()
    assert second.pk != first.pk and first.status == "failed"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("holding_rate_per_year", Decimal("0"), "Holding rate per year: must be greater than zero"),
        ("review_period_months", Decimal("-1"), "Review period: must not be negative"),
    ],
)
def test_given_impossible_parameter_then_refused_naming_the_field(
    cycle, users, field, value, message
) -> None:
    inventory_setup(cycle)
    with pytest.raises(InventoryError, match=message):
        settings_update(cycle.pk, {field: value}, 0, users[Role.INVENTORY_PLANNER], "")
