"""Two people advancing the same stage at the same moment: exactly one succeeds (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.roles import Role
from cycles.models import StageEvent
from cycles.services import TransitionError, stage_sign_off

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_sign_off_of_one_stage_succeeds_once(cycle, users, loaded_inputs) -> None:
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL row locks: run it with DATABASE_URL set.")
    # Given two administrators press "Sign off data inputs" at the same time
    second_admin = type(users[Role.ADMINISTRATOR]).objects.create_user("admin2", password="x")
    from accounts.models import Profile

    Profile.objects.create(user=second_admin, role=Role.ADMINISTRATOR)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(user) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            stage_sign_off(cycle.pk, "data_inputs", user)
            outcomes.append("ok")
        except TransitionError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=press, args=(u,)) for u in (users[Role.ADMINISTRATOR], second_admin)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # Then exactly one advanced the cycle and the other got a clear message
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    loser = next(o for o in outcomes if o != "ok")
    assert "not the current stage any more" in loser
    cycle.refresh_from_db()
    assert cycle.state == "demand_review" and cycle.version == 1
    assert StageEvent.objects.filter(cycle=cycle, action="sign_off").count() == 1
