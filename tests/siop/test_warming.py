"""Background warming never makes a user's run wait for more than one small task.

Warming after a plan build or a forecast (every family's demand grid and supply plan grid first
paint, the accuracy report) shares the worker processes and the queue with the runs people
click (forecast, sign-off, plan build steps, exports, scenarios). It is sent at the broker's
lowest priority, one small task per family, so a run clicked while warming goes is picked up
as soon as a worker process finishes the family it is on.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from accounts.roles import Role
from cycles import sign_off
from cycles.runs import RunStatus
from demand import accuracy_warm, grid_warm
from masterdata.models import ProductFamily
from siop import warming
from supply import plan_grid_pages
from tests.factories import FamilyFactory
from tests.helpers import wait_until_finished

pytestmark = pytest.mark.django_db
LOWEST = {"priority": 9}  # the Redis transport serves 0 (a message without priority) first


class Sent:
    """Stands in for the warming task: records what ``apply_async`` was asked to send."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[str, list[int]], dict[str, Any]]] = []

    def apply_async(self, args: tuple[str, list[int]], **options: Any) -> None:
        self.calls.append((args, options))


@pytest.fixture
def sent(monkeypatch) -> Sent:  # type: ignore[no-untyped-def]
    recorder = Sent()
    monkeypatch.setattr(warming, "warm_answers", recorder)
    return recorder


@pytest.fixture
def families(db) -> list[int]:  # type: ignore[no-untyped-def]
    for code in ("BIKES", "HELMETS", "TYRES"):
        FamilyFactory(code=code)
    return list(ProductFamily.objects.order_by("code").values_list("pk", flat=True))


def test_a_whole_cycle_s_demand_warming_is_one_lowest_priority_task_per_family_and_company(
    cycle, families, sent
):
    # When the demand grid of a whole cycle is warmed (after a forecast run, a plan build)
    warming.send(grid_warm.WARMER, cycle.pk)
    # Then one small task is sent per family, then one for the company rows (opt-in on the
    # page, and summed from the families' frames), all at the lowest priority
    assert sent.calls == [
        *(((grid_warm.FAMILY_WARMER, [cycle.pk, family]), LOWEST) for family in families),
        ((grid_warm.COMPANY_WARMER, [cycle.pk]), LOWEST),
    ]


def test_a_save_warms_the_company_rows_and_only_the_family_it_changed(cycle, families, sent):
    # When a planner's save in one family is committed
    warming.send(grid_warm.WARMER, cycle.pk, families[1])
    # Then only that family and the company rows are warmed, at the lowest priority
    assert sent.calls == [
        ((grid_warm.FAMILY_WARMER, [cycle.pk, families[1]]), LOWEST),
        ((grid_warm.COMPANY_WARMER, [cycle.pk]), LOWEST),
    ]


def test_the_supply_plan_grid_and_the_accuracy_report_are_warmed_at_the_lowest_priority(
    cycle, families, sent
):
    # When a plan build ends (supply plan grid) and a sign-off's snapshot is taken (accuracy)
    warming.send(plan_grid_pages.WARMER, cycle.pk)
    warming.send(accuracy_warm.WARMER)
    # Then the plan grid's family rows and each family's first page are one task each, and the
    # accuracy report one task, all at the lowest priority
    assert sent.calls == [
        ((plan_grid_pages.HEAD_WARMER, [cycle.pk]), LOWEST),
        *(((plan_grid_pages.FAMILY_WARMER, [cycle.pk, family]), LOWEST) for family in families),
        ((accuracy_warm.WARMER, []), LOWEST),
    ]


def test_a_broker_that_does_not_answer_is_asked_once_not_once_per_family(
    cycle, families, monkeypatch
):
    attempts = []

    class Down:
        def apply_async(self, args: Any, **options: Any) -> None:
            attempts.append(args)
            raise ConnectionError("broker down")

    monkeypatch.setattr(warming, "warm_answers", Down())
    # When the whole cycle is warmed while the broker is down
    warming.send(grid_warm.WARMER, cycle.pk)
    # Then nothing is raised to the saving user, and the sending stops at the first failure
    assert len(attempts) == 1


# --- On a real worker ---------------------------------------------------------------------------
SLOW_FAMILY_SECONDS = 0.4


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_sign_off_clicked_while_every_family_is_being_warmed_waits_for_one_family_at_most(
    cycle, users, loaded_inputs, celery_worker_redis, monkeypatch
):
    # Given nine families whose warming takes a while each, and a worker (one process)
    FamilyFactory.create_batch(8)
    families = list(ProductFamily.objects.values_list("pk", flat=True))  # and loaded_inputs' one
    order: list[str] = []
    lock = threading.Lock()

    def slow_family(cycle: Any, family: Any) -> int:
        time.sleep(SLOW_FAMILY_SECONDS)
        with lock:
            order.append(f"family {family.pk}")
        return 0

    def recorded_sign_off(run_id: int) -> str:
        with lock:
            order.append("sign-off")
        return real_sign_off(run_id)

    real_sign_off = sign_off.execute_sign_off
    monkeypatch.setattr(grid_warm, "_warm_family", slow_family)
    monkeypatch.setattr(sign_off, "execute_sign_off", recorded_sign_off)
    monkeypatch.setattr(warming, "worthwhile", lambda: True)  # the worker shares this process
    # When the whole cycle's demand grid warming is sent, then the administrator signs off
    warming.send(grid_warm.WARMER, cycle.pk)
    run = sign_off.request_sign_off(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR], "ok")
    # Then the sign-off runs as soon as the worker finishes the family it was on
    assert wait_until_finished(run).status == RunStatus.SUCCEEDED
    deadline = time.monotonic() + 30
    while len(order) < len(families) + 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(order) == sorted(["sign-off", *(f"family {pk}" for pk in families)])
    # (the family the worker was on when the request committed; two on a slow machine, where
    # the request outlasts a family) and before the other families, not after all of them
    warmed_before = order.index("sign-off")
    assert warmed_before <= 2, order


def test_a_warming_task_runs_at_the_lowest_cpu_priority_and_the_worker_keeps_its_own(
    settings, monkeypatch
):
    import os
    import threading

    # Given a real worker (not eager Celery) and a warmer that notes its CPU priority
    settings.CELERY_TASK_ALWAYS_EAGER = False
    seen: dict[str, int] = {}

    def probe() -> int:
        seen["niceness"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return 1

    monkeypatch.setitem(warming._WARMERS, "test.probe", probe)
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    # When its task runs
    assert warming.warm_answers("test.probe", []) == 1
    # Then the warmer ran at the lowest priority, and the worker's process kept its own for the
    # runs it takes next
    assert seen["niceness"] == max(own, warming.WARM_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own


def test_a_warmer_s_error_fails_its_task(settings, monkeypatch):
    # Given a warmer whose database went away
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broken() -> int:
        raise RuntimeError("database went away")

    monkeypatch.setitem(warming._WARMERS, "test.broken", broken)
    # When its task runs, then it fails with that error (logged by Celery, nothing stored)
    with pytest.raises(RuntimeError, match="database went away"):
        warming.warm_answers("test.broken", [])
