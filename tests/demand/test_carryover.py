"""Carry-over (issue 10, "Backlog and carry-over are ignored").

An override typed in November for a month December still plans (Jan-27 = 4,000, "retailer
listing win") and a promotion still running must be in December's plan, marked as carried,
audited, and the planner can drop them (audited too).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from accounts.roles import Role
from cycles.models import AuditEntry
from cycles.services import cycle_open
from demand.carryover import carried_drop
from demand.events import event_create
from demand.models import DemandEvent, DemandOverride
from demand.overrides import CellEdit, overrides_apply
from demand.selectors import consensus_frame
from tests.demand.conftest import family_products
from tests.helpers import move_to_stage

pytestmark = pytest.mark.django_db
NOV, DEC, JAN = dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)


@pytest.fixture
def december(forecast_cycle, users):  # type: ignore[no-untyped-def]
    """November with a listing win for January, a spent November edit and two campaigns."""
    bike1 = family_products("BIKES")[0]
    planner = users[Role.DEMAND_PLANNER]
    edits = [
        CellEdit(month=JAN, consensus_units=Decimal("4000"), version=0, product_id=bike1.pk),
        CellEdit(month=NOV, consensus_units=Decimal("10"), version=0, product_id=bike1.pk),
    ]
    overrides_apply(forecast_cycle.pk, edits, planner, reason="new_listing", comment="Retailer")
    for name, end in (("Winter promo", dt.date(2027, 2, 1)), ("November promo", NOV)):
        event_create(forecast_cycle.pk, {"name": name, "product": bike1, "start_month": NOV,
                                         "end_month": end, "uplift_kind": "percent",
                                         "uplift_value": Decimal("10")}, planner)  # fmt: skip
    new = cycle_open(DEC, users[Role.ADMINISTRATOR], copy_from=forecast_cycle)
    return move_to_stage(new, "demand_review")


def test_future_overrides_and_running_events_are_carried_marked_and_audited(
    forecast_cycle, december
) -> None:
    bike1 = family_products("BIKES")[0]
    carried = DemandOverride.objects.get(cycle=december)
    assert (carried.product_id, carried.month, carried.consensus_units) == (
        bike1.pk, JAN, Decimal("4000.00"),
    )  # fmt: skip
    assert carried.carried_from == forecast_cycle and carried.comment == "Retailer"
    event = DemandEvent.objects.get(cycle=december)
    assert event.name == "Winter promo" and event.carried_from == forecast_cycle
    entries = AuditEntry.objects.filter(cycle=december, source="carry_over")
    assert sorted(entries.values_list("table", "after")) == [
        ("demand_event", "Winter promo: 10.00 percent 2026-11..2027-02"),
        ("demand_override", "4000.00"),
    ]


def test_the_carried_override_is_the_consensus_of_the_new_cycle(december, users) -> None:
    from demand.services import forecast_run_now

    bike1 = family_products("BIKES")[0]
    assert forecast_run_now(december.pk, users[Role.DEMAND_PLANNER]).status == "succeeded"
    frame = consensus_frame(december, [bike1.pk]).set_index("month")
    assert frame.at[JAN, "consensus_units"] == 4000.0
    assert bool(frame.at[JAN, "carried"]) and bool(frame.at[JAN, "overridden"])


def test_the_planner_drops_carried_items_audited(december, users) -> None:
    override = DemandOverride.objects.get(cycle=december)
    event = DemandEvent.objects.get(cycle=december)
    with pytest.raises(PermissionDenied):
        carried_drop(december.pk, users[Role.SALES], override_ids=[override.pk])

    dropped = carried_drop(
        december.pk, users[Role.DEMAND_PLANNER], override_ids=[override.pk], event_ids=[event.pk]
    )

    assert dropped == 2
    assert not DemandOverride.objects.filter(cycle=december).exists()
    assert not DemandEvent.objects.filter(cycle=december).exists()
    drops = AuditEntry.objects.filter(cycle=december, after="", source="carry_over")
    assert sorted(drops.values_list("table", "before")) == [
        ("demand_event", "Winter promo: 10.00 percent 2026-11..2027-02"),
        ("demand_override", "4000.00"),
    ]


def test_the_carried_page_lists_and_drops_through_the_browser_form(december, users, client) -> None:
    client.force_login(users[Role.DEMAND_PLANNER])
    page = client.get(f"/demand/cycles/{december.pk}/carried/")
    assert page.status_code == 200
    assert b"4000.00" in page.content and b"Winter promo" in page.content
    override = DemandOverride.objects.get(cycle=december)

    response = client.post(f"/demand/cycles/{december.pk}/carried/", {"override": [override.pk]})

    assert response.status_code == 302
    assert not DemandOverride.objects.filter(cycle=december).exists()
    assert DemandEvent.objects.filter(cycle=december).count() == 1
    bad = client.post(f"/demand/cycles/{december.pk}/carried/", {"override": ["x"]})
    assert bad.status_code == 302
