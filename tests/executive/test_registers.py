"""Registers: decisions, assumptions, risks carried from cycle to cycle until closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.roles import Role
from cycles.services import cycle_open
from executive import exceptions, registers
from executive.models import ExceptionRule, PlanException, RegisterEntry
from tests.executive.conftest import build_plan, month_add

DEC = dt.date(2026, 12, 1)


@pytest.mark.django_db
def test_a_decision_needs_owner_and_due_date_and_risks_need_their_three_values(
    client, exec_cycle, users
) -> None:
    client.force_login(users[Role.EXECUTIVE])
    url = reverse("executive:register", args=[exec_cycle.pk])
    response = client.post(url, {"kind": "decision", "title": "Add a shift"})
    assert response.status_code == 400
    assert "A decision needs an owner and a due date." in response.content.decode()
    risk = client.post(
        url,
        {
            "kind": "risk",
            "title": "Port strike",
            "downside_eur": "-50000",
            "plan_eur": "0",
            "upside_eur": "-60000",
        },
    )
    assert "Downside &lt;= plan &lt;= upside" in risk.content.decode()
    ok = client.post(
        url,
        {
            "kind": "decision",
            "title": "Add a shift",
            "owner": users[Role.SUPPLY_PLANNER].pk,
            "due_date": "2026-11-20",
            "expected_impact_eur": "12000",
        },
    )
    assert ok.status_code == 302
    assert RegisterEntry.objects.get().owner == users[Role.SUPPLY_PLANNER]


@pytest.mark.django_db
def test_planners_cannot_write_the_executive_register(exec_cycle, users) -> None:
    with pytest.raises(registers.RegisterError, match="Only executives"):
        registers.add_entry(
            exec_cycle.pk,
            users[Role.DEMAND_PLANNER],
            registers.EntryInput(kind="assumption", title="x"),
        )


@pytest.mark.django_db
def test_open_entries_carry_over_and_a_closed_decision_shows_its_measured_outcome(
    client, exec_cycle, users, catalog
) -> None:
    # given a decision answering a 300 EUR shortage, and an open risk
    exceptions.ensure_rules()
    ExceptionRule.objects.filter(code="shortage_value").update(threshold=100.0)
    build_plan(exec_cycle, catalog["products"], catalog["site"], lost={("BEV-1", 0): 30.0})
    from executive import evaluation

    evaluation.evaluate_plan(exec_cycle.pk)
    shortage = PlanException.objects.get(rule__code="shortage_value")
    executive = users[Role.EXECUTIVE]
    decision = registers.add_entry(
        exec_cycle.pk,
        executive,
        registers.EntryInput(
            kind="decision",
            title="Expedite BEV-1",
            owner=executive,
            due_date=dt.date(2026, 11, 25),
            expected_impact_eur=300.0,
            exception_id=shortage.pk,
        ),
    )
    registers.add_entry(
        exec_cycle.pk,
        executive,
        registers.EntryInput(
            kind="risk", title="Port strike", downside_eur=-50_000, plan_eur=0, upside_eur=0
        ),
    )
    # when December opens from November
    december = cycle_open(DEC, users[Role.ADMINISTRATOR], copy_from=exec_cycle)
    carried = RegisterEntry.objects.filter(cycle=december)
    assert sorted(carried.values_list("title", flat=True)) == ["Expedite BEV-1", "Port strike"]
    assert carried.get(title="Expedite BEV-1").origin_id == decision.pk
    # and December's plan no longer has the shortage when the decision is closed there
    build_plan(december, catalog["products"], catalog["site"])
    evaluation.evaluate_plan(december.pk)
    copy = carried.get(title="Expedite BEV-1")
    registers.set_status(copy.pk, executive, "closed")
    copy.refresh_from_db()
    assert copy.measured_outcome_eur == pytest.approx(300.0)
    # then January shows the closed decision's expected impact next to its measured outcome
    january = cycle_open(month_add(DEC, 1), users[Role.ADMINISTRATOR], copy_from=december)
    assert not RegisterEntry.objects.filter(cycle=january, title="Expedite BEV-1").exists()
    client.force_login(executive)
    html = client.get(reverse("executive:register", args=[january.pk])).content.decode()
    assert "Closed decisions of earlier cycles" in html and "Expedite BEV-1" in html
