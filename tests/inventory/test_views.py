"""The inventory review page: who may see and change what, and the sign-off."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from cycles.models import PlanningCycle, StageEvent
from inventory.calculation import inventory_run_now
from inventory.models import InventoryRun, ServiceTarget
from inventory.services import inventory_setup
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _client(client, user):  # type: ignore[no-untyped-def]
    client.login(username=user.username, password=PASSWORD)
    return client


def _target_post(cycle: PlanningCycle, ax_percent: str) -> dict[str, str]:
    _, targets = inventory_setup(cycle)
    data = {f"target_{t.segment}": str(t.service_target * 100) for t in targets}
    data.update({f"version_{t.segment}": str(t.version) for t in targets})
    data.update({"target_AX": ax_percent, "reason": "test"})
    return data


def test_given_anonymous_visitor_then_sent_to_login(client, review_cycle) -> None:
    response = client.get(reverse("inventory:review", args=[review_cycle.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.SALES, Role.FINANCE, Role.EXECUTIVE, Role.DEMAND_PLANNER])
def test_given_other_role_then_page_is_read_only_and_posts_are_forbidden(
    client, review_cycle, users, role
) -> None:
    inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    reader = _client(client, users[role])
    page = reader.get(reverse("inventory:review", args=[review_cycle.pk]))
    assert page.status_code == 200
    assert b"ABC-XYZ matrix" in page.content and b'id="recalculate"' not in page.content
    for name in ("targets", "calculate", "sign_off", "settings"):
        url = reverse(f"inventory:{name}", args=[review_cycle.pk])
        assert reader.post(url, _target_post(review_cycle, "99")).status_code == 403
    assert ServiceTarget.objects.get(cycle=review_cycle, segment="AX").version == 0


def test_given_erp_account_then_browser_pages_are_forbidden(client, review_cycle, users) -> None:
    response = _client(client, users[Role.ERP]).get(reverse("inventory:current"))
    assert response.status_code == 403


def test_given_planner_then_targets_saved_calculation_runs_and_page_shows_results(
    client, review_cycle, users, django_capture_on_commit_callbacks
) -> None:
    planner = _client(client, users[Role.INVENTORY_PLANNER])
    url = reverse("inventory:targets", args=[review_cycle.pk])
    planner.post(url, _target_post(review_cycle, "99.5"))
    assert (
        str(ServiceTarget.objects.get(cycle=review_cycle, segment="AX").service_target) == "0.9950"
    )
    with django_capture_on_commit_callbacks(execute=True):
        planner.post(reverse("inventory:calculate", args=[review_cycle.pk]))
    run = InventoryRun.objects.get(cycle=review_cycle)
    assert run.status == "succeeded", run.error
    page = planner.get(reverse("inventory:review", args=[review_cycle.pk]))
    content = page.content.decode()
    assert "PUMP-1" in content and "Exceptions by value at risk" in content
    assert 'id="inventory-chart-data"' in content and "plotly-basic.min.js" in content


def test_given_invalid_target_then_clear_message_and_nothing_saved(
    client, review_cycle, users
) -> None:
    planner = _client(client, users[Role.INVENTORY_PLANNER])
    url = reverse("inventory:targets", args=[review_cycle.pk])
    response = planner.post(url, _target_post(review_cycle, "120"), follow=True)
    assert "AX target %" in response.content.decode()
    assert ServiceTarget.objects.get(cycle=review_cycle, segment="AX").version == 0


def test_given_no_run_then_sign_off_refused_with_reason(client, review_cycle, users) -> None:
    planner = _client(client, users[Role.INVENTORY_PLANNER])
    response = planner.post(reverse("inventory:sign_off", args=[review_cycle.pk]), follow=True)
    assert "have not been calculated" in response.content.decode()
    review_cycle.refresh_from_db()
    assert review_cycle.state == "inventory_review"


def test_given_succeeded_run_then_planner_signs_off_and_cycle_advances(
    client, review_cycle, users
) -> None:
    inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    planner = _client(client, users[Role.INVENTORY_PLANNER])
    planner.post(reverse("inventory:sign_off", args=[review_cycle.pk]), {"comment": "ok"})
    review_cycle.refresh_from_db()
    assert review_cycle.state == "reconciliation"
    assert StageEvent.objects.filter(stage_key="inventory_review", action="sign_off").exists()


def test_given_override_form_then_saved_with_reason_and_errors_named(
    client, review_cycle, users, company
) -> None:
    planner = _client(client, users[Role.INVENTORY_PLANNER])
    pump, dc1 = company["products"]["PUMP-1"], company["sites"][0]
    url = reverse("inventory:override", args=[review_cycle.pk, pump.pk, dc1.pk])
    assert planner.get(url).status_code == 200
    bad = planner.post(url, {"safety_stock_units": "-5", "reason": "x", "version": "0"})
    assert bad.status_code == 400 and "greater than or equal to 0" in bad.content.decode()
    ok = planner.post(url, {"safety_stock_units": "55", "reason": "launch", "version": "0"})
    assert ok.status_code == 302
    reader = _client(client, users[Role.SALES])
    assert reader.post(url, {"safety_stock_units": "1", "reason": "x"}).status_code == 403


def test_given_progress_poll_then_partial_and_refresh_when_done(
    client, review_cycle, users
) -> None:
    run = inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    reader = _client(client, users[Role.SALES])
    url = reverse("inventory:run_progress", args=[run.pk])
    response = reader.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    assert b'data-status="succeeded"' in response.content


def test_given_approved_cycle_then_page_is_read_only_even_for_the_planner(
    client, review_cycle, users
) -> None:
    inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    PlanningCycle.objects.filter(pk=review_cycle.pk).update(state="approved")
    planner = _client(client, users[Role.INVENTORY_PLANNER])
    page = planner.get(reverse("inventory:review", args=[review_cycle.pk]))
    assert page.status_code == 200 and b"read-only" in page.content
    assert b'id="recalculate"' not in page.content
    response = planner.post(reverse("inventory:calculate", args=[review_cycle.pk]), follow=True)
    assert "locked" in response.content.decode()


def test_given_garbled_delete_request_then_clear_message_not_an_error_page(
    client, review_cycle, users, company
) -> None:
    from decimal import Decimal

    from inventory.models import PolicyOverride

    row = PolicyOverride.objects.create(
        cycle=review_cycle, product=company["products"]["PUMP-1"], site=company["sites"][0],
        safety_stock_units=Decimal("5"), reason="x", version=1,
    )  # fmt: skip
    planner = _client(client, users[Role.INVENTORY_PLANNER])
    url = reverse("inventory:override_delete", args=[review_cycle.pk, row.pk])
    response = planner.post(url, {"version": "abc"}, follow=True)
    assert response.status_code == 200 and "someone else" in response.content.decode()
    assert PolicyOverride.objects.filter(pk=row.pk).exists()


def test_given_family_scoped_reader_then_policy_table_shows_only_their_families(
    client, review_cycle, users, company
) -> None:
    from tests.factories import user_with_role

    inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    pumps = company["products"]["PUMP-1"].family
    scoped = user_with_role(Role.SALES, "sales.pumps", families=[pumps])
    page = _client(client, scoped).get(reverse("inventory:review", args=[review_cycle.pk]))
    content = page.content.decode()
    assert 'data-sku="PUMP-1"' in content and 'data-sku="VALVE-1"' not in content


def test_the_costliest_exceptions_are_read_from_an_index_not_sorted_per_view(
    review_cycle, users
) -> None:
    from django.db import connection, transaction

    from inventory.models import InventoryException

    # Given a succeeded run (the review page shows its 25 costliest exceptions,
    # inventory.selectors.ranked_exceptions)
    run = inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    rows = InventoryException.objects.filter(run=run).order_by("-value_at_risk_eur", "id")[:25]
    sql, params = rows.query.sql_with_params()
    # When PostgreSQL plans the page's query with sorting made prohibitively expensive
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Then an index gives the order: no sort of the run's exceptions at any catalogue size
    assert "Sort" not in plan, plan
