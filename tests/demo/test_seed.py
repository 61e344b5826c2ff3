"""The demo company is deterministic by seed and yields a completed and an open cycle."""

from __future__ import annotations

import datetime as dt

import pytest

from cycles.models import PlanningCycle
from datainputs.models import SalesHistory
from demo.generate import build_plan
from demo.load import frame_digest
from demo.services import demo_seed
from masterdata.models import Product, Resource, Supplier

AS_OF = dt.date(2026, 11, 1)


def test_same_seed_gives_the_same_company_and_another_seed_does_not() -> None:
    first, second = build_plan(7, 40, AS_OF), build_plan(7, 40, AS_OF)
    assert frame_digest(first.sales) == frame_digest(second.sales)
    assert frame_digest(first.products.astype(str)) == frame_digest(second.products.astype(str))
    assert frame_digest(build_plan(8, 40, AS_OF).sales) != frame_digest(first.sales)


def test_history_has_36_months_seasonality_launches_and_phase_outs() -> None:
    plan = build_plan(42, 150, AS_OF)
    assert plan.sales["month"].nunique() == 36
    assert plan.sales["month"].max() == dt.date(2026, 10, 1)
    assert set(plan.products["lifecycle"]) == {"active", "new", "phase_out"}
    assert (plan.products["kind"] == "intermittent").sum() >= 5


@pytest.mark.django_db
def test_seeded_database_has_the_company_and_cycles() -> None:
    demo_seed(seed=3, sku_count=30, as_of=AS_OF)
    assert Product.objects.count() == 30
    assert Resource.objects.count() == 5 and Supplier.objects.count() == 6
    assert SalesHistory.objects.filter(month=dt.date(2026, 10, 1)).exists()
    states = dict(PlanningCycle.objects.values_list("month", "state"))
    assert states == {dt.date(2026, 10, 1): "closed", AS_OF: "demand_review"}


@pytest.mark.django_db
def test_seeding_twice_into_separate_databases_writes_identical_rows(django_db_blocker) -> None:
    demo_seed(seed=5, sku_count=20, as_of=AS_OF, with_cycles=False)
    rows = list(
        SalesHistory.objects.order_by(
            "product__sku", "site__code", "channel__code", "month"
        ).values_list("product__sku", "site__code", "channel__code", "month", "quantity", "revenue")
    )
    SalesHistory.objects.all().delete()
    from django.contrib.auth import get_user_model

    from datainputs.models import InventoryOnHand, OpenOrder, OpenReceipt
    from masterdata.models import Channel, ProductFamily, ResourceLoad, Site, SupplyTerm

    for model in (
        OpenOrder,
        OpenReceipt,
        InventoryOnHand,
        SupplyTerm,
        ResourceLoad,
        Product,
        Resource,
        ProductFamily,
        Site,
        Channel,
        Supplier,
    ):
        model.objects.all().delete()
    get_user_model().objects.all().delete()
    demo_seed(seed=5, sku_count=20, as_of=AS_OF, with_cycles=False)
    again = list(
        SalesHistory.objects.order_by(
            "product__sku", "site__code", "channel__code", "month"
        ).values_list("product__sku", "site__code", "channel__code", "month", "quantity", "revenue")
    )
    assert rows == again and len(rows) > 1000


@pytest.fixture
def only_test_preps(monkeypatch):  # type: ignore[no-untyped-def]
    """Leave out the stage apps' own demo preparations (forecasts, solver runs): the walk's rules
    are under test here; the full walk is covered by the seeded-database test above."""
    from demo import hooks

    monkeypatch.setattr(hooks, "_PREPS", {})
    return hooks


@pytest.mark.django_db
def test_a_stage_that_is_not_ready_stops_the_walk_without_failing_the_seed(
    only_test_preps,
) -> None:
    from cycles import preconditions

    def never_ready(cycle):  # type: ignore[no-untyped-def]
        return ["The stock count is missing."]

    preconditions.register("data_inputs")(never_ready)
    try:
        summary = demo_seed(seed=3, sku_count=10, as_of=AS_OF)
    finally:
        preconditions._CHECKS["data_inputs"].remove(never_ready)
    states = dict(PlanningCycle.objects.values_list("month", "state"))
    assert states == {dt.date(2026, 10, 1): "data_inputs", AS_OF: "data_inputs"}
    assert "stopped at Data inputs: Not ready to sign off: The stock count is missing." in (
        summary.text
    )


@pytest.mark.django_db
def test_stage_preparations_run_as_the_owner_before_each_sign_off(only_test_preps) -> None:
    calls: list[tuple[str, str, str]] = []

    def record(cycle, user):  # type: ignore[no-untyped-def]
        calls.append((str(cycle), cycle.state, user.username))

    only_test_preps.register_stage_prep("data_inputs")(record)
    demo_seed(seed=3, sku_count=10, as_of=AS_OF)
    assert calls == [
        ("SIOP October 2026", "data_inputs", "admin"),
        ("SIOP November 2026", "data_inputs", "admin"),
    ]


@pytest.mark.django_db
def test_a_crashing_preparation_is_reported_and_seeding_goes_on(only_test_preps) -> None:
    def crash(cycle, user):  # type: ignore[no-untyped-def]
        raise RuntimeError("solver missing")

    only_test_preps.register_stage_prep("data_inputs")(crash)
    summary = demo_seed(seed=3, sku_count=10, as_of=AS_OF)
    assert "stopped at Data inputs: RuntimeError: solver missing" in summary.text
    assert PlanningCycle.objects.count() == 2


@pytest.mark.django_db
def test_rerun_on_a_seeded_database_opens_the_new_month_and_prints_logins(
    only_test_preps,
) -> None:
    demo_seed(seed=3, sku_count=10, as_of=AS_OF)
    summary = demo_seed(seed=3, sku_count=10, as_of=dt.date(2026, 12, 1), if_empty=True)
    december = PlanningCycle.objects.get(month=dt.date(2026, 12, 1))
    assert december.state == "data_inputs" and december.previous is not None
    assert "nothing seeded" in summary.text and "admin" in summary.text
    assert "siop-demo" in summary.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "demand_due"),
    [(dt.date(2026, 11, 30), dt.date(2026, 12, 3)), (dt.date(2026, 11, 2), dt.date(2026, 11, 8))],
    ids=["end-of-month", "start-of-month"],
)
def test_right_after_seeding_no_stage_of_the_open_cycle_is_overdue(
    only_test_preps, today, demand_due
) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from cycles.selectors import stage_track

    # Given the demo seeded on ``today`` (the seed's today)
    demo_seed(seed=3, sku_count=10, as_of=AS_OF, today=today)
    current = PlanningCycle.objects.get(month=AS_OF)
    # When the cycle page's stage track is read that day
    rows = stage_track(current, get_user_model().objects.get(username="admin"), today=today)
    # Then no stage shows "Overdue", the open demand review is due a few days ahead (or on its
    # usual day early in the month), and the stages keep their order and spacing
    assert current.state == "demand_review"
    assert not [r.label for r in rows if r.is_overdue]
    due = {r.stage.key: r.stage.due_date for r in rows}
    assert due["demand_review"] == demand_due
    assert list(due.values()) == sorted(due.values())
    assert (due["executive_review"] - due["demand_review"]).days == 24 - 8


@pytest.mark.django_db
def test_seeding_warms_no_page_and_warming_works_again_after_it(
    monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from demand import grid_warm
    from siop import warming

    # Given warming that records what it is asked to send (with eager Celery it would build
    # every page in the seed's own process, where nobody reads them)
    sent: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(warming, "warm_answers", type("Task", (), {
        "apply_async": staticmethod(lambda args, **_: sent.append(args))})())  # fmt: skip
    # When the demo company is seeded with its cycles (forecasts, saves, plan builds)
    with django_capture_on_commit_callbacks(execute=True):
        demo_seed(seed=3, sku_count=30, as_of=AS_OF)
    # Then nothing was sent
    assert sent == []
    # And a change after the seed warms again
    open_cycle = PlanningCycle.objects.get(month=AS_OF)
    warming.send(grid_warm.WARMER, open_cycle.pk)
    assert sent
