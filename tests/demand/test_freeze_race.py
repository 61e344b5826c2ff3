"""An override saved while the demand review is being signed off either lands before the freeze
(and is in the frozen demand) or is refused; it is never lost in between (PostgreSQL locks).

The sign-off is a background run (``cycles.sign_off``): the request records it under the cycle's
lock, and from then every edit is refused until the worker has frozen the demand."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from accounts.roles import Role
from cycles.plan_models import PlanDemandRow
from cycles.runs import RunStatus
from cycles.sign_off import execute_sign_off, request_sign_off
from demand.models import DemandOverride
from demand.overrides import CellEdit, overrides_apply
from demand.services import DemandError
from tests.demand.conftest import family_products
from tests.demand.test_overrides import DEC

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_until_blocked() -> None:
    """Until another session waits on a row lock of this database (no timing assumption)."""
    with connection.cursor() as cursor:
        for _ in range(100_000):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # statistics are per-transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
    raise AssertionError("The second session never waited on the lock.")


def _in_thread(work, outcomes) -> threading.Thread:  # type: ignore[no-untyped-def]
    def run() -> None:
        try:
            work()
            outcomes.append("done")
        except DemandError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _edit(product) -> CellEdit:  # type: ignore[no-untyped-def]
    return CellEdit(month=DEC, consensus_units=Decimal("777"), version=0, product_id=product.pk)


def _frozen(product) -> float:  # type: ignore[no-untyped-def]
    rows = PlanDemandRow.objects.filter(product=product, month=DEC)
    return round(sum(r.consensus_demand_units for r in rows), 2)


def test_an_override_racing_the_sign_off_after_it_is_refused(forecast_cycle, users) -> None:
    assert connection.vendor == "postgresql"
    helm = family_products("HELMETS")[0]
    outcomes: list[str] = []
    sent: list[int] = []
    # Given the sign-off request holds the cycle's lock (its transaction is still open)
    with transaction.atomic():
        request_sign_off(forecast_cycle.pk, "demand_review", users[Role.DEMAND_PLANNER], "ok",
                         send=sent.append)  # fmt: skip
        save = lambda: overrides_apply(  # noqa: E731
            forecast_cycle.pk, [_edit(helm)], users[Role.DEMAND_PLANNER], reason="promotion"
        )
        thread = _in_thread(save, outcomes)
        _wait_until_blocked()  # the override waits for the request's lock
    thread.join()
    # Then the override is refused once the request committed (the stage is signing off)
    assert outcomes and "demand review is being signed off" in outcomes[0]
    # And when the worker signs off, nothing slipped in
    assert execute_sign_off(sent[0]) == RunStatus.SUCCEEDED
    assert not DemandOverride.objects.filter(product=helm).exists()
    assert _frozen(helm) != 777.0


def test_an_override_while_the_worker_freezes_is_refused(forecast_cycle, users) -> None:
    assert connection.vendor == "postgresql"
    helm = family_products("HELMETS")[0]
    planner = users[Role.DEMAND_PLANNER]
    outcomes: list[str] = []
    sent: list[int] = []
    request_sign_off(forecast_cycle.pk, "demand_review", planner, "ok", send=sent.append)
    # Given the worker's sign-off holds the cycle's lock while it freezes
    with transaction.atomic():
        assert execute_sign_off(sent[0]) == RunStatus.SUCCEEDED  # nested: not committed yet
        save = lambda: overrides_apply(  # noqa: E731
            forecast_cycle.pk, [_edit(helm)], planner, reason="promotion"
        )
        thread = _in_thread(save, outcomes)
        _wait_until_blocked()  # the override waits for the sign-off's lock
    thread.join()
    # Then the override is refused; the frozen demand is without it
    assert outcomes and "demand review" in outcomes[0]
    assert not DemandOverride.objects.filter(product=helm).exists()
    assert _frozen(helm) != 777.0


def test_an_override_racing_the_sign_off_before_it_is_frozen_with_it(forecast_cycle, users) -> None:
    assert connection.vendor == "postgresql"
    helm = family_products("HELMETS")[0]
    outcomes: list[str] = []
    planner = users[Role.DEMAND_PLANNER]
    # Given the override's transaction holds the cycle's lock
    with transaction.atomic():
        overrides_apply(forecast_cycle.pk, [_edit(helm)], planner, reason="promotion")
        sent: list[int] = []
        sign = lambda: request_sign_off(  # noqa: E731
            forecast_cycle.pk, "demand_review", planner, "ok", send=sent.append
        )
        thread = _in_thread(sign, outcomes)
        _wait_until_blocked()  # the sign-off request waits for the override's lock
    thread.join()
    # Then the request was accepted, and the worker froze the demand including the override
    assert outcomes == ["done"]
    assert execute_sign_off(sent[0]) == RunStatus.SUCCEEDED
    assert _frozen(helm) == 777.0
