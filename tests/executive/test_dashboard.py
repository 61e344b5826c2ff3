"""The decision dashboard reads facts computed from the plan record (given/when/then)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from executive import facts, tasks
from executive.models import FactSource, KpiSnapshot
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_plan_facts_hold_the_kpis_of_the_next_twelve_months(exec_cycle) -> None:
    # given November's plan: 2 x 100 BEV units at 10 EUR and 100 SNK units at 4 EUR a month
    # when the facts are built (as the task does after a plan build)
    snap = facts.refresh_plan_facts(exec_cycle.pk)
    # then revenue is 12 x (2000 + 400) and the capacity tile shows the 120 % overload
    assert snap is not None and snap.source == FactSource.PLAN
    assert snap.kpis["revenue_eur"] == pytest.approx(12 * 2400)
    assert snap.kpis["gross_margin_eur"] == pytest.approx(12 * (800 + 200))
    assert snap.kpis["planned_fill_rate_pct"] == pytest.approx(100.0)
    assert snap.kpis["capacity_utilisation_pct"] == pytest.approx(120.0)
    assert snap.plan_version == 1


@pytest.mark.django_db
def test_waterfall_explains_the_change_since_october_approval(exec_cycle) -> None:
    # given October approved 90 units a month and November plans 100
    snap = facts.refresh_plan_facts(exec_cycle.pk)
    assert snap is not None
    bars = {b["driver"]: b["value_eur"] for b in snap.waterfall}
    # then the demand bar carries +10 units x margin over the 11 overlapping months... and the
    # new 12th month (October's snapshot ends in September 2027)
    assert bars["Demand"] == pytest.approx(11 * 10 * (4 + 4 + 2) + 100 * (4 + 4 + 2))
    assert bars["Price"] == pytest.approx(0.0)
    assert bars["Last approved"] + sum(
        v for k, v in bars.items() if k not in {"Last approved", "This plan"}
    ) == pytest.approx(bars["This plan"])


@pytest.mark.django_db
def test_dashboard_shows_tiles_with_formula_on_hover_and_the_escalated_exceptions(
    client, users, exec_cycle
) -> None:
    tasks.refresh_cycle(exec_cycle.pk)
    client.force_login(users[Role.EXECUTIVE])
    response = client.get(reverse("executive:dashboard", args=[exec_cycle.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "€28,800" in html  # revenue tile
    assert "Σ(F - A) / ΣA" in html and "positive = over-forecast" in html  # bias hover text
    assert "vs budget: no budget" in html  # no budget yet: said, not hidden
    assert "Baseline (consensus plan)" in html


@pytest.mark.django_db
def test_dashboard_says_when_the_plan_moved_since_its_facts(client, users, exec_cycle) -> None:
    facts.refresh_plan_facts(exec_cycle.pk)
    exec_cycle.consensus_plan.version = 2
    exec_cycle.consensus_plan.save()
    client.force_login(users[Role.EXECUTIVE])
    html = client.get(reverse("executive:dashboard", args=[exec_cycle.pk])).content.decode()
    assert "The plan changed since these facts were computed." in html


@pytest.mark.django_db
def test_the_executive_lands_on_the_dashboard_after_signing_in(client, users, exec_cycle) -> None:
    response = client.post(
        reverse("login"), {"username": "executive", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("executive:dashboard", args=[exec_cycle.pk])
    other = client.post(
        reverse("login"), {"username": "supply_planner", "password": PASSWORD}, follow=True
    )
    assert "/executive/" not in other.redirect_chain[-1][0]


@pytest.mark.django_db
def test_dashboard_reads_a_bounded_number_of_queries(
    client, users, exec_cycle, django_assert_max_num_queries
) -> None:
    # the page must not read plan rows: its query count does not grow with the SKUs
    facts.refresh_plan_facts(exec_cycle.pk)
    client.force_login(users[Role.EXECUTIVE])
    with django_assert_max_num_queries(25):
        client.get(reverse("executive:dashboard", args=[exec_cycle.pk]))
    assert KpiSnapshot.objects.count() == 1


def test_money_is_written_with_the_sign_before_the_currency() -> None:
    from executive.templatetags.executive_tags import eur, kpi_delta, kpi_value

    assert eur(-5.2) == "-€5" and eur(1234.6) == "€1,235" and eur(None) == "n/a"
    assert kpi_value(-1500, "eur") == "-€1,500"
    assert kpi_delta(-1500, "eur") == "-€1,500" and kpi_delta(2000, "eur") == "+€2,000"
    assert kpi_delta(-2.25, "pct") == "-2.2 pp"
