"""The demo company's inventory review shows no contradictory KPI on any row (issue 13).

Walks every stored policy row (as the review page shows it, with its weeks of supply), every
family row and the total: turns, DIO and weeks of supply read the same month-end stock, so
turns x DIO = 365, and "no stock" reads 0 days and 0 weeks together. Stored non-finite values
are NULL (None): infinite turns when nothing is stocked, infinite days and weeks when nothing
sells.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from cycles.models import PlanningCycle
from cycles.runs import RunStatus
from demo.services import demo_seed
from inventory import selectors
from inventory.calculation import inventory_run_now
from inventory.models import PolicyRow

AS_OF = dt.date(2026, 11, 1)


def contradictions(where: str, stock: float, turns: Any, dio: Any, weeks: Any) -> list[str]:
    """What a planner would call contradictory on one row (None = not finite)."""
    found = []
    both = turns is not None and dio is not None and turns > 0 and dio > 0
    if both and abs(turns * dio / 365.0 - 1.0) > 1e-6:
        found.append(f"{where}: {turns:.4g} turns but {dio:.4g} days")
    no_stock = stock <= 1e-9
    if dio is not None and (dio == 0) != no_stock:
        found.append(f"{where}: {dio:.4g} days with average stock {stock:.4g}")
    if weeks is not None and (weeks == 0) != no_stock:
        found.append(f"{where}: {weeks:.4g} weeks with average stock {stock:.4g}")
    if turns == 0 and (dio is not None or weeks is not None):
        found.append(f"{where}: 0 turns yet finite days {dio} or weeks {weeks}")
    return found


@pytest.mark.django_db
def test_given_the_demo_company_then_no_inventory_row_contradicts_itself() -> None:
    # Given the demo company, calculated by the inventory planner
    demo_seed(seed=42, sku_count=150, as_of=AS_OF)
    current = PlanningCycle.objects.get(month=AS_OF)
    run = inventory_run_now(current.pk, get_user_model().objects.get(username="inventory"))
    assert run.status == RunStatus.SUCCEEDED, run.error
    # When every row the review page shows is read
    rows = selectors.with_weeks_of_supply(run, PolicyRow.objects.filter(run=run))
    assert len(rows) >= 150
    found: list[str] = []
    for row in rows:
        found += contradictions(f"{row.product_id}@{row.site_id}", row.average_inventory_value_eur,
                                row.turns_per_year, row.dio_days, getattr(row, "weeks_of_supply"))  # fmt: skip # noqa: B009
    for kpis in [*run.summary["families"], run.summary["total"]]:
        found += contradictions(str(kpis.get("family", "total")), kpis["average_inventory_value"],
                                kpis["turns_per_year"], kpis["dio_days"], kpis["weeks_of_supply"])  # fmt: skip
    # Then none contradicts itself
    assert found == []
