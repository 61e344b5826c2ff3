"""Result frames reach the database unchanged, by COPY (PostgreSQL) or the ORM fallback."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from inventory import storage
from inventory.models import InventoryRun, PolicyOverride, ProjectionRow

pytestmark = pytest.mark.django_db


def _projection(product_id: int, site_id: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product": [product_id], "site": [site_id],
            "period": [pd.Period("2026-11", freq="M")], "opening_units": [10.1],
            "receipts_units": [0.2], "planned_supply_units": [0.0], "demand_units": [4.0],
            "lost_sales_units": [1.0], "closing_units": [7.3], "safety_stock_units": [2.0], "weeks_of_supply": [np.inf],
            "closing_value": [14.6], "stockout": [False], "below_safety_stock": [False],
            "excess": [True], "obsolete": [False],
        }
    )  # fmt: skip


def test_given_projection_frame_when_copied_then_decimals_exact_and_infinity_null(
    review_cycle, company
) -> None:
    run = InventoryRun.objects.create(cycle=review_cycle)
    product, site = company["products"]["PUMP-1"], company["sites"][0]
    storage.insert_frame(
        ProjectionRow, storage.projection_frame(run.pk, _projection(product.pk, site.pk))
    )
    row = ProjectionRow.objects.get(run=run)
    assert (row.opening_units, row.receipts_units, row.closing_units) == (
        Decimal("10.10"), Decimal("0.20"), Decimal("7.30"),
    )  # fmt: skip
    assert row.lost_sales_units == Decimal("1.00")
    served = row.demand_units - row.lost_sales_units
    assert row.opening_units + row.receipts_units - served == row.closing_units
    assert row.weeks_of_supply is None and row.excess and row.month == dt.date(2026, 11, 1)


def test_given_orm_fallback_then_same_values_as_copy(review_cycle, company) -> None:
    run = InventoryRun.objects.create(cycle=review_cycle)
    product, site = company["products"]["PUMP-1"], company["sites"][0]
    frame = storage.projection_frame(run.pk, _projection(product.pk, site.pk))
    (row,) = storage._records(ProjectionRow, frame)
    assert row.closing_units == Decimal("7.30") and row.weeks_of_supply is None


def test_given_reason_with_tabs_and_backslashes_then_stored_verbatim_apart_from_whitespace(
    review_cycle, company, users
) -> None:
    from accounts.roles import Role
    from inventory.calculation import inventory_run_now
    from inventory.models import PolicyRow

    product, site = company["products"]["VALVE-1"], company["sites"][1]
    PolicyOverride.objects.create(
        cycle=review_cycle, product=product, site=site, order_quantity_units=Decimal("480"),
        reason="C:\\plans\tQ1",
    )  # fmt: skip
    run = inventory_run_now(review_cycle.pk, users[Role.INVENTORY_PLANNER])
    row = PolicyRow.objects.get(run=run, product=product, site=site)
    assert row.overridden == "C:\\plans Q1" and row.order_quantity_units == 480
