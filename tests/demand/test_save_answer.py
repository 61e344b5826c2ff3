"""A grid save answers with the cells it changed, equal to what a reload would show."""

from __future__ import annotations

import json

import pytest

from accounts.roles import Role
from cycles.models import AuditEntry
from tests.demand.conftest import family_products
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _save(client, cycle, edits):  # type: ignore[no-untyped-def]
    body = json.dumps({"reason": "customer_intel", "comment": "", "edits": edits})
    return client.post(f"/demand/cycles/{cycle.pk}/overrides/", body,
                       content_type="application/json")  # fmt: skip


def test_a_family_save_answers_with_every_changed_cell_as_a_reload_shows_it(
    client, forecast_cycle, users
) -> None:
    client.login(username=users[Role.DEMAND_PLANNER].username, password=PASSWORD)
    bikes = family_products("BIKES")
    family_id = bikes[0].family_id
    grid_url = f"/demand/cycles/{forecast_cycle.pk}/grid.json?family={family_id}"
    loaded = {r["id"]: r for r in client.get(grid_url).json()["rows"]}
    version = loaded[f"f{family_id}-consensus"]["v2027_01"]
    # When the planner types a family total for January and a product cell for February
    answer = _save(client, forecast_cycle, [
        {"family_id": family_id, "month": "2027-01", "consensus_units": "1000", "version": version},
        {"product_id": bikes[0].pk, "month": "2027-02", "consensus_units": "77",
         "version": loaded[f"p{bikes[0].pk}-consensus"]["v2027_02"]},
    ]).json()  # fmt: skip
    # Then the answer has the family and product consensus and override rows, only those months
    cells = {c["id"]: c for c in answer["cells"]}
    expected = {f"{key}-{m}" for key in [f"f{family_id}", *(f"p{p.pk}" for p in bikes)]
                for m in ("override", "consensus")}  # fmt: skip
    assert set(cells) == expected
    assert cells[f"f{family_id}-consensus"]["m2027_01"] == 1000.0
    assert all(k in {"id", "m2027_01", "v2027_01", "m2027_02", "v2027_02", "overridden",
                     "carried", "statistical_changed"} for c in cells.values() for k in c)  # fmt: skip
    # and every patched cell equals what a reload shows
    reloaded = {r["id"]: r for r in client.get(grid_url).json()["rows"]}
    for row_id, patch in cells.items():
        for field, value in patch.items():
            assert reloaded[row_id].get(field, 0 if field.startswith("v") else None) == value, (
                row_id, field)  # fmt: skip
    assert AuditEntry.objects.filter(table="demand_override").count() >= len(bikes) + 1
