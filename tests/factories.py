"""factory_boy factories for master data, data inputs, users and cycles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import User

from accounts.models import Profile
from accounts.roles import Role
from datainputs.models import InventoryOnHand, SalesHistory
from masterdata.models import Channel, Product, ProductFamily, Site

PASSWORD = "pw-for-tests-1"


class FamilyFactory(factory.django.DjangoModelFactory[ProductFamily]):
    class Meta:
        model = ProductFamily
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"FAM{n}")
    name = factory.LazyAttribute(lambda o: f"Family {o.code}")


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Product {o.sku}")
    family = factory.SubFactory(FamilyFactory)
    unit_cost = Decimal("4.00")
    unit_price = Decimal("7.50")


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = "DC1"
    name = "Distribution centre"
    kind = "warehouse"


class ChannelFactory(factory.django.DjangoModelFactory[Channel]):
    class Meta:
        model = Channel
        django_get_or_create = ("code",)

    code = "RETAIL"
    name = "Retail"
    service_priority = 1


class SalesHistoryFactory(factory.django.DjangoModelFactory[SalesHistory]):
    class Meta:
        model = SalesHistory

    product = factory.SubFactory(ProductFactory)
    site = factory.SubFactory(SiteFactory)
    channel = factory.SubFactory(ChannelFactory)
    month = dt.date(2026, 10, 1)
    quantity = Decimal("100")
    revenue = Decimal("750")


class InventoryFactory(factory.django.DjangoModelFactory[InventoryOnHand]):
    class Meta:
        model = InventoryOnHand

    product = factory.SubFactory(ProductFactory)
    site = factory.SubFactory(SiteFactory)
    as_of_date = dt.date(2026, 11, 1)
    quantity = Decimal("250")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


def user_with_role(
    role: Role, username: str | None = None, families: list[ProductFamily] | None = None
) -> User:
    user = UserFactory.create(username=username or role.value)
    profile, _ = Profile.objects.get_or_create(user=user, defaults={"role": role})
    if families:
        profile.families.set(families)
    return user


def forecast_ready(cycle):  # type: ignore[no-untyped-def]
    """Give ``cycle`` a succeeded (empty) forecast run, so demand review may be signed off."""
    from demand.models import CurrentForecast, ForecastRun

    run = ForecastRun.objects.create(cycle=cycle, status="succeeded")
    CurrentForecast.objects.update_or_create(cycle=cycle, defaults={"run": run})
    return run


def stage_results_ready(cycle):  # type: ignore[no-untyped-def]
    """Give ``cycle`` a succeeded run of every calculating stage (forecast, supply, inventory).

    For tests of the cycle's transitions: each stage's own tests cover what its run computes.
    """
    from django.utils import timezone

    from inventory.models import InventoryRun
    from supply.models import SupplyPlanRun

    forecast_ready(cycle)
    now = timezone.now()
    SupplyPlanRun.objects.create(cycle=cycle, status="succeeded", finished_at=now)
    InventoryRun.objects.create(cycle=cycle, status="succeeded", finished_at=now)


def plan_steps_ready(cycle):  # type: ignore[no-untyped-def]
    """Pin the cycle's stub runs as the plan's targets, supply and projection steps and build
    its plan record, as the pipeline does after the demand sign-off (call after it)."""
    from cycles.plan import inputs_read, step_succeeded
    from cycles.plan_build import plan_build
    from inventory.models import InventoryRun
    from supply.models import SupplyPlanRun

    inventory = InventoryRun.objects.filter(cycle=cycle, status="succeeded").first()
    supply = SupplyPlanRun.objects.filter(cycle=cycle, status="succeeded").first()
    for key, run in (("targets", inventory), ("supply", supply), ("projection", inventory)):
        step_succeeded(cycle.pk, key, run.pk, inputs_read(cycle, key))
    version = plan_build(cycle.pk)
    baseline_recommended(cycle, version)


def baseline_recommended(cycle, version):  # type: ignore[no-untyped-def]
    """Finance's recommendation of the baseline on plan ``version`` (a succeeded empty run), so
    the reconciliation may be signed off; the reconciliation's own tests cover what it computes."""
    from django.utils import timezone

    from reconciliation.models import Recommendation, Scenario, ScenarioRun

    scenario = Scenario.objects.create(
        cycle=cycle, name="Baseline", kind="baseline", baseline_version=version
    )
    run = ScenarioRun.objects.create(
        cycle=cycle, scenario=scenario, status="succeeded", baseline_version=version,
        finished_at=timezone.now(), levers=[],
    )  # fmt: skip
    Recommendation.objects.create(cycle=cycle, scenario=scenario, run=run, comment="As agreed")


def walk_to_approval(cycle, users, demand_units=120.0, stop_at="approved"):  # type: ignore[no-untyped-def]
    """Walk ``cycle`` through every stage with stub runs, the loaded product's frozen demand of
    ``demand_units`` a month and a built plan record; stop before ``stop_at`` (a stage key), or
    approve. For tests of the cycle and the published plan; stage tests cover the real runs."""
    from cycles.plan_models import PlanDemandRow
    from cycles.services import stage_sign_off
    from cycles.stages import STAGES
    from datainputs.models import SalesHistory

    stage_results_ready(cycle)
    sale = SalesHistory.objects.order_by("id").first()
    for stage in STAGES:
        if stage.key == stop_at:
            break
        cycle = stage_sign_off(cycle.pk, stage.key, users[stage.owner], "ok")
        if stage.key == "demand_review":
            months = [
                dt.date(2026, 11 + i, 1) if i < 2 else dt.date(2027, i - 1, 1) for i in range(3)
            ]
            PlanDemandRow.objects.bulk_create(
                PlanDemandRow(cycle=cycle, product=sale.product, site=sale.site, month=m,
                              consensus_demand_units=demand_units, source="consensus")
                for m in months
            )  # fmt: skip
            plan_steps_ready(cycle)
    return cycle
