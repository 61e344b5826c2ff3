"""Consensus edits: family spread, preserved overrides, audit, locking and conflicts."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from accounts.roles import Role
from cycles.models import AuditEntry
from demand.models import DemandOverride
from demand.overrides import CellEdit, ConflictError, overrides_apply
from demand.selectors import consensus_frame
from demand.services import DemandError
from tests.demand.conftest import family_products
from tests.factories import user_with_role

DEC = dt.date(2026, 12, 1)


def cell(frame, product_id, month=DEC):  # type: ignore[no-untyped-def]
    row = frame[(frame["product_id"] == product_id) & (frame["month"] == month)].iloc[0]
    return row


def family_total(cycle, code, month=DEC) -> float:  # type: ignore[no-untyped-def]
    ids = [p.pk for p in family_products(code)]
    frame = consensus_frame(cycle, ids)
    return round(float(frame[frame["month"] == month]["consensus_units"].sum()), 2)


@pytest.mark.django_db
def test_a_family_edit_is_spread_in_proportion_and_sums_exactly(forecast_cycle, users) -> None:
    bikes = family_products("BIKES")
    before = consensus_frame(forecast_cycle, [p.pk for p in bikes])
    stat = {p.pk: float(cell(before, p.pk)["statistical_units"]) for p in bikes}
    # When the planner sets the BIKES family to 1000.01 units in December
    family_id = bikes[0].family_id
    edit = CellEdit(month=DEC, consensus_units=Decimal("1000.01"), version=0, family_id=family_id)
    changed = overrides_apply(
        forecast_cycle.pk, [edit], users[Role.DEMAND_PLANNER], reason="customer_intel"
    )
    # Then every product changed, the family sums to exactly the typed number
    assert changed == 3
    assert family_total(forecast_cycle, "BIKES") == 1000.01
    # And each product keeps its share of the statistical forecast
    after = consensus_frame(forecast_cycle, [p.pk for p in bikes])
    for p in bikes:
        share = float(cell(after, p.pk)["consensus_units"]) / 1000.01
        assert share == pytest.approx(stat[p.pk] / sum(stat.values()), abs=1e-3)
    # And the other months are untouched
    assert family_total(forecast_cycle, "BIKES", dt.date(2027, 1, 1)) == pytest.approx(
        float(before[before["month"] == dt.date(2027, 1, 1)]["consensus_units"].sum()), abs=0.01
    )


@pytest.mark.django_db
def test_a_family_edit_keeps_products_already_overridden(forecast_cycle, users) -> None:
    planner = users[Role.DEMAND_PLANNER]
    bike1, bike2, bike3 = family_products("BIKES")
    # Given BIKE-1 was overridden to 500 for December
    overrides_apply(
        forecast_cycle.pk,
        [CellEdit(month=DEC, consensus_units=Decimal("500"), version=0, product_id=bike1.pk)],
        planner,
        reason="promotion",
    )
    # When the family is set to 900
    version = DemandOverride.objects.get(product=bike1, month=DEC).version
    overrides_apply(
        forecast_cycle.pk,
        [
            CellEdit(
                month=DEC,
                consensus_units=Decimal("900"),
                version=version,
                family_id=bike1.family_id,
            )
        ],
        planner,
        reason="market_trend",
    )
    # Then BIKE-1 stays at 500 and the other two share the remaining 400
    frame = consensus_frame(forecast_cycle, [bike1.pk, bike2.pk, bike3.pk])
    assert float(cell(frame, bike1.pk)["consensus_units"]) == 500.0
    rest = float(cell(frame, bike2.pk)["consensus_units"]) + float(
        cell(frame, bike3.pk)["consensus_units"]
    )
    assert rest == pytest.approx(400.0, abs=0.001)
    assert float(cell(frame, bike2.pk)["consensus_units"]) > float(
        cell(frame, bike3.pk)["consensus_units"]
    )


@pytest.mark.django_db
def test_every_override_is_audited_with_who_before_after_reason_and_source(
    forecast_cycle, users
) -> None:
    planner = users[Role.DEMAND_PLANNER]
    helm = family_products("HELMETS")[0]
    before = float(cell(consensus_frame(forecast_cycle, [helm.pk]), helm.pk)["consensus_units"])
    overrides_apply(
        forecast_cycle.pk,
        [CellEdit(month=DEC, consensus_units=Decimal("77"), version=0, product_id=helm.pk)],
        planner,
        reason="customer_intel",
        comment="Retailer X listing",
    )
    entry = AuditEntry.objects.get(table="demand_override")
    assert entry.user == planner and entry.source == "grid"
    assert entry.record_key == "HELM-1:2026-12" and entry.after == "77.00"
    assert float(entry.before) == pytest.approx(before, abs=0.01)
    assert entry.reason == "customer_intel" and entry.comment == "Retailer X listing"


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict_and_nothing_is_written(forecast_cycle, users) -> None:
    planner = users[Role.DEMAND_PLANNER]
    helm1, helm2 = family_products("HELMETS")
    first = CellEdit(month=DEC, consensus_units=Decimal("70"), version=0, product_id=helm1.pk)
    overrides_apply(forecast_cycle.pk, [first], planner, reason="promotion")
    # When a second planner saves the same cell from the grid they loaded before (version 0),
    # together with another cell
    other = CellEdit(month=DEC, consensus_units=Decimal("5"), version=0, product_id=helm2.pk)
    stale = CellEdit(month=DEC, consensus_units=Decimal("90"), version=0, product_id=helm1.pk)
    with pytest.raises(ConflictError, match="changed by demand_planner"):
        overrides_apply(forecast_cycle.pk, [other, stale], planner, reason="promotion")
    # Then the first save stands and the other cell of the batch was not written either
    assert DemandOverride.objects.get(product=helm1, month=DEC).version == 1
    assert not DemandOverride.objects.filter(product=helm2).exists()


@pytest.mark.django_db
def test_reason_scope_and_state_are_enforced(forecast_cycle, users) -> None:
    helm = family_products("HELMETS")[0]
    edit = CellEdit(month=DEC, consensus_units=Decimal("1"), version=0, product_id=helm.pk)
    with pytest.raises(DemandError, match="reason code"):
        overrides_apply(forecast_cycle.pk, [edit], users[Role.DEMAND_PLANNER], reason="")
    with pytest.raises(DemandError, match="needs a comment"):
        overrides_apply(forecast_cycle.pk, [edit], users[Role.DEMAND_PLANNER], reason="other")
    with pytest.raises(PermissionDenied):
        overrides_apply(forecast_cycle.pk, [edit], users[Role.SALES], reason="promotion")
    bikes_only = user_with_role(
        Role.DEMAND_PLANNER, "bike_planner", families=[family_products("BIKES")[0].family]
    )
    with pytest.raises(PermissionDenied, match="HELMETS"):
        overrides_apply(forecast_cycle.pk, [edit], bikes_only, reason="promotion")
    late = CellEdit(
        month=dt.date(2030, 1, 1), consensus_units=Decimal("1"), version=0, product_id=helm.pk
    )
    with pytest.raises(DemandError, match="outside this cycle's horizon"):
        overrides_apply(forecast_cycle.pk, [late], users[Role.DEMAND_PLANNER], reason="promotion")


@pytest.mark.django_db(transaction=True)
def test_two_planners_saving_the_same_cell_at_once_one_gets_a_conflict(
    forecast_cycle, users
) -> None:
    # The suite runs on PostgreSQL (make test); row locks are what is under test here.
    assert connection.vendor == "postgresql"
    helm = family_products("HELMETS")[0]
    planners = [users[Role.DEMAND_PLANNER], user_with_role(Role.DEMAND_PLANNER, "planner2")]
    barrier, outcomes = threading.Barrier(2), []

    def save(user, units) -> None:  # type: ignore[no-untyped-def]
        edit = CellEdit(month=DEC, consensus_units=Decimal(units), version=0, product_id=helm.pk)
        barrier.wait()
        try:
            overrides_apply(forecast_cycle.pk, [edit], user, reason="promotion")
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(u, n))
        for u, n in zip(planners, ["61", "62"], strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Exactly one save wins; the other is told, and the stored number is the winner's
    assert sorted(outcomes) == ["conflict", "saved"]
    override = DemandOverride.objects.get(product=helm, month=DEC)
    assert override.version == 1
    assert AuditEntry.objects.filter(table="demand_override").count() == 1
