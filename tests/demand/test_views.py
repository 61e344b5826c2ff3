"""The grid's HTTP endpoints: roles, family scope, saving, 409 conflicts, sign-off."""

from __future__ import annotations

import json

import pytest

from accounts.roles import Role
from cycles.models import AuditEntry
from demand.models import ConsensusSnapshot
from tests.demand.conftest import family_products
from tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


def signed_in(client, user):  # type: ignore[no-untyped-def]
    client.login(username=user.username, password=PASSWORD)
    return client


def grid(client, cycle, family=None):  # type: ignore[no-untyped-def]
    url = f"/demand/cycles/{cycle.pk}/grid.json" + (f"?family={family.pk}" if family else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.json()


def row(data, row_id):  # type: ignore[no-untyped-def]
    rows = data["rows"] if isinstance(data, dict) else data
    return next(r for r in rows if r["id"] == row_id)


def save(client, cycle, edits, reason="customer_intel"):  # type: ignore[no-untyped-def]
    body = json.dumps({"reason": reason, "comment": "", "edits": edits})
    return client.post(
        f"/demand/cycles/{cycle.pk}/overrides/", body, content_type="application/json"
    )


def test_the_grid_shows_history_and_every_measure_for_family_and_products(
    client, forecast_cycle, users
) -> None:
    data = grid(signed_in(client, users[Role.DEMAND_PLANNER]), forecast_cycle)
    # 6 history months then the 18-month horizon
    assert [c["field"] for c in data["columns"]][:7] == [
        "m2026_05",
        "m2026_06",
        "m2026_07",
        "m2026_08",
        "m2026_09",
        "m2026_10",
        "m2026_11",
    ]
    assert len(data["columns"]) == 24
    bikes = family_products("BIKES")
    family_row = row(data, f"f{bikes[0].family_id}-consensus")
    products = [row(data, f"p{p.pk}-consensus") for p in bikes]
    # the family total is the sum of its products, and only consensus rows are editable
    assert family_row["m2026_12"] == pytest.approx(sum(p["m2026_12"] for p in products), abs=0.05)
    assert family_row["editable"] and not row(data, f"p{bikes[0].pk}-statistical")["editable"]
    assert row(data, f"p{bikes[0].pk}-actual")["m2026_10"] > 0
    # the statistical row names the model the engine chose
    assert row(data, f"p{bikes[0].pk}-statistical")["measure_label"].startswith("Statistical · ")


def test_saving_a_cell_then_a_stale_save_gets_409(client, forecast_cycle, users) -> None:
    client = signed_in(client, users[Role.DEMAND_PLANNER])
    helm = family_products("HELMETS")[0]
    cell = {"product_id": helm.pk, "month": "2026-12", "consensus_units": "55", "version": 0}
    answer = save(client, forecast_cycle, [cell]).json()
    assert answer["saved"] == 1
    assert row(answer["cells"], f"p{helm.pk}-consensus") | {} == {
        "id": f"p{helm.pk}-consensus", "m2026_12": 55.0, "v2026_12": 1,
        "overridden": ["m2026_12"], "carried": [], "statistical_changed": {},
    }  # fmt: skip
    data = grid(client, forecast_cycle, helm.family)
    assert row(data, f"p{helm.pk}-consensus")["m2026_12"] == 55.0
    assert row(data, f"p{helm.pk}-consensus")["v2026_12"] == 1
    # A second planner who loaded the grid before the save sends version 0 again
    other = signed_in(client, user_with_role(Role.DEMAND_PLANNER, "planner2"))
    response = save(other, forecast_cycle, [dict(cell, consensus_units="80")])
    assert response.status_code == 409
    assert "Conflict" in response.json()["error"] and "demand_planner" in response.json()["error"]
    assert row(grid(other, forecast_cycle, helm.family), f"p{helm.pk}-consensus")["m2026_12"] == 55


def test_bad_cells_are_refused_with_the_cell_and_field_named(client, forecast_cycle, users) -> None:
    client = signed_in(client, users[Role.DEMAND_PLANNER])
    helm = family_products("HELMETS")[0]
    bad = [{"product_id": helm.pk, "month": "2026-12", "consensus_units": "lots", "version": 0}]
    response = save(client, forecast_cycle, bad)
    assert (
        response.status_code == 400 and "Cell 1: 'lots' is not a number" in response.json()["error"]
    )
    response = save(client, forecast_cycle, [dict(bad[0], consensus_units="5")], reason="")
    assert response.status_code == 400 and "reason" in response.json()["error"].lower()
    assert not AuditEntry.objects.filter(table="demand_override").exists()


@pytest.mark.parametrize("role", [Role.SALES, Role.FINANCE, Role.SUPPLY_PLANNER, Role.EXECUTIVE])
def test_other_roles_read_the_grid_but_cannot_save(client, forecast_cycle, users, role) -> None:
    client = signed_in(client, users[role])
    data = grid(client, forecast_cycle)
    assert not any(r["editable"] for r in data["rows"])
    helm = family_products("HELMETS")[0]
    cell = {"product_id": helm.pk, "month": "2026-12", "consensus_units": "5", "version": 0}
    assert save(client, forecast_cycle, [cell]).status_code == 403
    page = client.get(f"/demand/cycles/{forecast_cycle.pk}/")
    assert page.status_code == 200 and b"save-overrides" not in page.content


def test_a_family_scoped_planner_only_sees_and_edits_their_families(client, forecast_cycle) -> None:
    bikes, helmets = family_products("BIKES"), family_products("HELMETS")
    planner = user_with_role(Role.DEMAND_PLANNER, "bikes_only", families=[bikes[0].family])
    client = signed_in(client, planner)
    page = client.get(f"/demand/cycles/{forecast_cycle.pk}/")
    assert b"BIKES" in page.content and b"HELMETS" not in page.content
    hidden = client.get(
        f"/demand/cycles/{forecast_cycle.pk}/grid.json?family={helmets[0].family_id}"
    )
    assert hidden.status_code == 404
    cell = {"product_id": helmets[0].pk, "month": "2026-12", "consensus_units": "5", "version": 0}
    assert save(client, forecast_cycle, [cell]).status_code == 403


def test_sign_off_needs_a_forecast_then_freezes_the_consensus(
    client, review_cycle, users, django_capture_on_commit_callbacks
) -> None:
    client = signed_in(client, users[Role.DEMAND_PLANNER])
    response = client.post(f"/demand/cycles/{review_cycle.pk}/sign-off/", follow=True)
    assert b"Run the statistical forecast first" in response.content
    review_cycle.refresh_from_db()
    assert review_cycle.state == "demand_review"
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery in tests
        client.post(f"/demand/cycles/{review_cycle.pk}/runs/")
    response = client.post(f"/demand/cycles/{review_cycle.pk}/sign-off/", follow=True)
    assert b"signed off" in response.content
    review_cycle.refresh_from_db()
    assert review_cycle.state == "supply_review"
    snapshot = ConsensusSnapshot.objects.filter(cycle=review_cycle)
    assert snapshot.count() == 5 * 18
    assert set(snapshot.values_list("lag_months", flat=True)) == set(range(18))


def test_run_progress_partial_polls_while_active(client, review_cycle, users) -> None:
    client = signed_in(client, users[Role.DEMAND_PLANNER])
    # The run is queued until the transaction commits: the partial keeps polling
    response = client.post(f"/demand/cycles/{review_cycle.pk}/runs/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert (
        b'data-status="queued"' in response.content and b'hx-trigger="every 2s"' in response.content
    )
    assert b"Live progress" not in response.content
