"""The demo company's supply review shows no contradictory number on any row (issue 13).

Walks every row of every succeeded supply plan of the seeded demo: resource-months (load
within capacity plus the overtime used, overtime within its allowance, utilisation = load /
capacity), the resource summary (overloaded only beyond regular capacity plus allowed
overtime; "on overtime" months are not overloaded), planned orders (no planned buy or production run below its
term's order minimum, no phase-out product bought or made at a site where it is still short), shortages
(a known reason backed by the plan's own numbers) and costs (components add up to the total).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum

from cycles.models import PlanningCycle
from cycles.runs import RunStatus
from demo.services import demo_seed
from masterdata.models import Lifecycle, Product, SupplyTerm
from supply import selectors
from supply.checks import unexplained_shortages
from supply.engine.rccp import is_overloaded
from supply.models import PlanCost, PlannedOrder, PlanResourceLoad, Shortage, SupplyPlanRun
from supply.services import supply_run_now

AS_OF = dt.date(2026, 11, 1)
TOLERANCE = 1e-6


def _resource_rows(run: SupplyPlanRun) -> list[str]:
    found = []
    for row in PlanResourceLoad.objects.filter(run=run).select_related("resource"):
        where = f"run {run.pk} {row.resource.code} {row.month:%Y-%m}"
        if row.load_hours > row.capacity_hours + row.overtime_hours + 1e-4:
            found.append(f"{where}: load {row.load_hours} above capacity + overtime used")
        if row.overtime_hours > row.overtime_limit_hours + 1e-4:
            found.append(f"{where}: overtime {row.overtime_hours} above its allowance")
        utilisation = row.load_hours / max(row.capacity_hours, 1e-9) * 100.0
        if row.capacity_hours > 0 and row.utilisation_pct != pytest.approx(utilisation):
            found.append(f"{where}: utilisation {row.utilisation_pct} is not load / capacity")
    return found


def _summaries(run: SupplyPlanRun) -> list[str]:
    found = []
    for summary in selectors.resource_summaries(run, run.cycle):
        rows = PlanResourceLoad.objects.filter(run=run, resource_id=summary.resource_id)
        hours = np.array(
            [[r.required_hours, r.capacity_hours, r.overtime_limit_hours] for r in rows]
        )
        over = int(is_overloaded(*hours.T).sum())
        above_regular = int((hours[:, 0] > hours[:, 1] * (1 + TOLERANCE) + TOLERANCE).sum())
        if summary.overloaded_months != over:
            found.append(f"{summary.code}: {summary.overloaded_months} overloaded, rows say {over}")
        if summary.overloaded_months + summary.overtime_months != above_regular:
            found.append(f"{summary.code}: overloaded + on overtime != months above capacity")
    return found


def _orders(run: SupplyPlanRun) -> list[str]:
    found = []
    terms = SupplyTerm.objects.values_list(
        "product_id", "site_id", "supplier__code", "resource__code", "min_order_qty"
    )
    minimum = {(product, site, supplier or resource): float(moq)
               for product, site, supplier, resource, moq in terms}  # fmt: skip
    for order in PlannedOrder.objects.filter(run=run, firm_units=0):
        moq = minimum[(order.product_id, order.site_id, order.source_code)]
        if 0 < order.quantity_units < moq - TOLERANCE:
            found.append(f"run {run.pk} order {order.pk}: {order.quantity_units} below MOQ {moq}")
    # Per product-site (the plan's position): a phase-out made at one site and too small to
    # reach its run minimum at another is short only where nothing could be made.
    phase_out = Product.objects.filter(lifecycle=Lifecycle.PHASE_OUT)
    for product in phase_out:
        for site_id in set(PlannedOrder.objects.filter(run=run, product=product)
                           .values_list("site_id", flat=True)):  # fmt: skip
            bought = PlannedOrder.objects.filter(
                run=run, product=product, site_id=site_id, firm_units=0
            ).aggregate(units=Sum("quantity_units"))["units"] or 0.0  # fmt: skip
            demand = Shortage.objects.filter(run=run, product=product, site_id=site_id)
            if bought > 0 and demand.exists():
                found.append(f"run {run.pk} {product.sku}: phase-out bought {bought} yet short")
    return found


@pytest.mark.django_db
def test_given_the_demo_company_then_no_supply_row_contradicts_itself() -> None:
    # Given the demo company and this month's plan
    demo_seed(seed=42, sku_count=150, as_of=AS_OF)
    current = PlanningCycle.objects.get(month=AS_OF)
    run = supply_run_now(current.pk, get_user_model().objects.get(username="supply"))
    assert run.status == RunStatus.SUCCEEDED, run.error
    # When every row of every succeeded plan is walked
    found: list[str] = []
    for plan in SupplyPlanRun.objects.filter(status=RunStatus.SUCCEEDED).select_related("cycle"):
        found += _resource_rows(plan) + _summaries(plan) + _orders(plan)
        found += unexplained_shortages(plan)
        costs = dict(PlanCost.objects.filter(run=plan).values_list("component", "cost_eur"))
        parts = sum(value for name, value in costs.items() if name != "total")
        if not np.isclose(parts, costs["total"], rtol=1e-9, atol=0.01):
            found.append(f"run {plan.pk}: components {parts} != total {costs['total']}")
    # Then nothing contradicts
    assert found == []
    assert set(Shortage.objects.values_list("reason", flat=True)) <= set(selectors.REASON_TEXT)
