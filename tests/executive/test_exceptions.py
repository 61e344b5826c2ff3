"""Exceptions: rules with editable thresholds, the escalation matrix, owners, history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from executive import evaluation, exceptions
from executive.models import ExceptionRule, ExceptionStatus, PlanException
from tests.executive.conftest import build_plan


@pytest.fixture
def short_plan(exec_cycle, catalog):  # type: ignore[no-untyped-def]
    """November's plan loses 30 BEV-1 units (300 EUR) in its first month."""
    build_plan(exec_cycle, catalog["products"], catalog["site"], lost={("BEV-1", 0): 30.0})
    return exec_cycle


@pytest.mark.django_db
def test_a_shortage_above_the_threshold_raises_one_exception_with_owner_and_due_date(
    short_plan, users
) -> None:
    exceptions.ensure_rules()
    ExceptionRule.objects.filter(code="shortage_value").update(threshold=250.0)
    evaluation.evaluate_plan(short_plan.pk)
    evaluation.evaluate_plan(short_plan.pk)  # re-evaluating updates, never duplicates
    shortage = PlanException.objects.get(rule__code="shortage_value")
    assert shortage.value_at_risk_eur == pytest.approx(300.0)
    assert shortage.tier == 1 and shortage.owner == users[Role.SUPPLY_PLANNER]
    assert shortage.due_date == short_plan.stages.get(key="supply_review").due_date
    assert shortage.escalations.count() == 1  # raised once
    # the 120 % capacity load is a supply exception too
    assert PlanException.objects.filter(rule__code="capacity_over").count() == 1


@pytest.mark.django_db
def test_the_escalation_matrix_moves_a_growing_breach_to_the_executives(
    short_plan, users, catalog
) -> None:
    exceptions.ensure_rules()
    ExceptionRule.objects.filter(code="shortage_value").update(
        threshold=100.0, tier2_value_eur=1_000.0, tier3_value_eur=5_000.0
    )
    evaluation.evaluate_plan(short_plan.pk)
    # when the shortage grows to 600 units (6,000 EUR)
    build_plan(short_plan, catalog["products"], catalog["site"], lost={("BEV-1", 0): 600.0})
    evaluation.evaluate_plan(short_plan.pk)
    shortage = PlanException.objects.get(rule__code="shortage_value")
    assert shortage.tier == 3 and shortage.owner == users[Role.EXECUTIVE]
    assert [(h.from_tier, h.to_tier) for h in shortage.escalations.all()] == [(0, 1), (1, 3)]
    # and once the shortage is gone, the exception is resolved, not deleted
    build_plan(short_plan, catalog["products"], catalog["site"])
    evaluation.evaluate_plan(short_plan.pk)
    shortage.refresh_from_db()
    assert shortage.status == ExceptionStatus.RESOLVED


@pytest.mark.django_db
def test_manual_escalation_needs_a_reason_and_is_recorded(short_plan, users) -> None:
    evaluation.evaluate_plan(short_plan.pk)
    capacity = PlanException.objects.get(rule__code="capacity_over")
    with pytest.raises(exceptions.ExceptionError, match="Say why"):
        exceptions.escalate(capacity.pk, users[Role.SUPPLY_PLANNER], " ")
    exceptions.escalate(capacity.pk, users[Role.SUPPLY_PLANNER], "Needs overtime budget")
    capacity.refresh_from_db()
    assert capacity.tier == 2 and capacity.owner == users[Role.FINANCE]
    last = capacity.escalations.last()
    assert last is not None and last.comment == "Needs overtime budget"


@pytest.mark.django_db
def test_rule_thresholds_are_edited_on_the_rules_page_by_executives_only(client, users) -> None:
    rules = exceptions.ensure_rules()
    rule = rules["actual_vs_consensus"]
    payload = {
        "rule": rule.pk,
        "threshold": "15",
        "default_tier": "1",
        "tier2_value_eur": "1000",
        "tier3_value_eur": "5000",
        "enabled": "on",
    }
    client.force_login(users[Role.DEMAND_PLANNER])
    assert client.post(reverse("executive:rules"), payload).status_code == 400
    client.force_login(users[Role.EXECUTIVE])
    client.post(reverse("executive:rules"), payload)
    rule.refresh_from_db()
    assert rule.threshold == 15.0 and rule.tier3_value_eur == 5000.0
    bad = dict(payload, tier3_value_eur="10")
    response = client.post(reverse("executive:rules"), bad)
    assert response.status_code == 400
    assert "tier-3 value must be at least the tier-2" in response.content.decode()


@pytest.mark.django_db
def test_exception_pages_answer_garbage_with_404_not_500(client, users, short_plan) -> None:
    client.force_login(users[Role.EXECUTIVE])
    assert client.get("/executive/exceptions/999999/").status_code == 404
    assert client.get(f"/executive/{short_plan.pk}/scenarios/abc/").status_code == 404
    assert client.get(f"/executive/{short_plan.pk}/scenarios/77/").status_code == 404
    assert client.get(f"/executive/{short_plan.pk}/exceptions/?tier=x").status_code == 200
    assert client.get("/executive/999999/").status_code == 404
    assert client.get(f"/executive/{short_plan.pk}/pack/").status_code == 404
