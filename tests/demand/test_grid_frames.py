"""A family's grid frames are read once and shared by its pages, never after they changed.

The family rows read every product of the family (their totals are over it) and keep what they
read for a while; a page of products asked afterwards is a slice of it. A planner must see the
same numbers either way, in units or in money, searched or not, and a save must show at once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from demand.overrides import CellEdit, overrides_apply
from tests.demand.conftest import family_products, reads_plan_data, signed_in

pytestmark = pytest.mark.django_db
DEC = dt.date(2026, 12, 1)


def _pages(cycle, family, products) -> list[str]:  # type: ignore[no-untyped-def]
    grid = f"/demand/cycles/{cycle.pk}/grid.json?family={family.pk}"
    return [
        f"{grid}&offset=1&limit=2",
        f"{grid}&offset=0&limit=2&value=1",
        f"{grid}&offset=0&limit=200&q={products[2].sku}",
    ]


def test_pages_after_the_family_rows_are_slices_of_them_with_the_numbers_of_their_own_reading(
    forecast_cycle, users, bikes_with_event_and_typed_cell
):
    # Given a family with a unit event on the whole family and a typed cell, and a planner who
    # opened its family rows
    bikes, planner = bikes_with_event_and_typed_cell, users[Role.DEMAND_PLANNER]
    client = signed_in(planner)
    family_rows = f"/demand/cycles/{forecast_cycle.pk}/grid.json?family={bikes[0].family_id}"
    assert client.get(f"{family_rows}&part=family").status_code == 200
    # When they page, in units, in money and by a search
    with CaptureQueriesContext(connection) as queries:
        sliced = [client.get(url).json() for url in _pages(forecast_cycle, bikes[0].family, bikes)]
    # Then no page read the plan again
    assert not reads_plan_data([q["sql"] for q in queries.captured_queries])
    # And each page is the one its own reading gives (nothing cached)
    caches["versioned"].clear()
    own = [client.get(url).json() for url in _pages(forecast_cycle, bikes[0].family, bikes)]
    assert sliced == own
    assert [a["product_count"] for a in own] == [len(bikes), len(bikes), 1]


def test_a_save_after_the_family_rows_shows_on_the_next_page_read(forecast_cycle, users):
    # Given a planner who opened a family's rows (its frames are kept)
    bikes = family_products("BIKES")
    planner = users[Role.DEMAND_PLANNER]
    client = signed_in(planner)
    grid = f"/demand/cycles/{forecast_cycle.pk}/grid.json?family={bikes[0].family_id}"
    assert client.get(f"{grid}&part=family").status_code == 200
    # When another planner types 321 units for a product in December
    overrides_apply(forecast_cycle.pk, [CellEdit(DEC, Decimal("321"), 0, bikes[0].pk)], planner,
                    reason="customer_intel")  # fmt: skip
    # Then the page with that product shows 321, and the family rows include it
    page = client.get(f"{grid}&offset=0&limit=2").json()
    consensus = next(r for r in page["rows"] if r["id"] == f"p{bikes[0].pk}-consensus")
    assert consensus["m2026_12"] == 321.0
    caches["versioned"].clear()
    assert client.get(f"{grid}&offset=0&limit=2").json() == page


def test_company_rows_summed_from_the_families_frames_equal_their_own_reading(
    forecast_cycle, bikes_with_event_and_typed_cell
):
    from demand import grid
    from demand.grid_cache import company_answer

    # Given a unit event on a family and a typed cell (the fixture)
    for value in (False, True):
        # When the company rows are summed from each family's frames
        summed = company_answer(forecast_cycle, None, value)["rows"]
        # Then they are the rows one reading of every product gives, in units and in money
        assert summed == grid.company_rows(forecast_cycle, None, value)
        assert any(row.get("m2026_12") for row in summed)


def test_the_frames_are_keyed_by_every_source_the_grid_reads():
    from demand.grid_cache import FRAME_SOURCES, GRID_SOURCES

    # Then no table the grid shows is left out of the frames' keys (a change of it would
    # otherwise leave a kept frame in use)
    assert set().union(*FRAME_SOURCES.values()) == set(GRID_SOURCES)


def test_after_a_save_the_grid_s_reload_reads_nothing_again(forecast_cycle, users):
    # Given a planner who opened a family's rows
    bikes = family_products("BIKES")
    client = signed_in(users[Role.DEMAND_PLANNER])
    grid = f"/demand/cycles/{forecast_cycle.pk}/grid.json?family={bikes[0].family_id}"
    head = client.get(f"{grid}&part=family").json()
    family_row = next(r for r in head["rows"] if r["is_family"] and r["editable"])
    # When they raise the family's December consensus and save
    edit = {"family_id": bikes[0].family_id, "product_id": None, "month": "2026-12",
            "consensus_units": round(family_row["m2026_12"] + 30, 2),
            "version": family_row["v2026_12"]}  # fmt: skip
    saved = client.post(f"/demand/cycles/{forecast_cycle.pk}/overrides/",
                        {"reason": "customer_intel", "comment": "", "edits": [edit]},
                        content_type="application/json")  # fmt: skip
    assert saved.status_code == 200, saved.content
    # Then the grid's reload (family rows, first page) reads no plan or sales data again
    with CaptureQueriesContext(connection) as queries:
        rows = client.get(f"{grid}&part=family").json()
        page = client.get(f"{grid}&offset=0&limit=200").json()
    assert not reads_plan_data([q["sql"] for q in queries.captured_queries])
    # And it shows the saved total, as a reading with nothing kept does
    total = next(r for r in rows["rows"] if r["id"] == family_row["id"])
    assert total["m2026_12"] == pytest.approx(edit["consensus_units"], abs=0.02)
    caches["versioned"].clear()
    assert client.get(f"{grid}&part=family").json() == rows
    assert client.get(f"{grid}&offset=0&limit=200").json() == page
