"""Bulk result rows (frozen demand, plan rows, projections, the approved snapshot) are written by
COPY and checked per statement, not per row: a row naming a product that does not exist is still
refused, and what is written reads back exactly (``siop.bulk``)."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pandas as pd
import pytest
from django.db import IntegrityError, connection, transaction

from cycles.plan_models import PlanDemandRow
from masterdata.models import Product, Site
from siop.bulk import load_frame, read_frame
from tests.factories import ProductFactory, SiteFactory

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)


def _rows(cycle, product_id: int, site_id: int, source: str = "consensus") -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return pd.DataFrame({
        "cycle_id": [cycle.pk], "product_id": [product_id], "site_id": [site_id], "month": [NOV],
        "consensus_demand_units": [12.5], "backlog_units": [0.0], "source": [source],
    })  # fmt: skip


def test_a_frozen_demand_row_for_a_missing_product_is_refused(cycle) -> None:  # type: ignore[no-untyped-def]
    assert connection.vendor == "postgresql"
    site = cast(Site, SiteFactory())
    # When a frozen-demand row names a product id that is not in the product master
    with pytest.raises(IntegrityError, match="product_id"), transaction.atomic():
        load_frame(PlanDemandRow, _rows(cycle, 987_654_321, site.pk))
    # Then nothing was stored
    assert not PlanDemandRow.objects.filter(cycle=cycle).exists()


def test_rows_written_by_copy_read_back_exactly(cycle) -> None:  # type: ignore[no-untyped-def]
    product, site = cast(Product, ProductFactory()), cast(Site, SiteFactory())
    # Given a row with an empty text, a fractional quantity and a date
    frame = _rows(cycle, product.pk, site.pk, source="")
    frame["consensus_demand_units"] = [0.1 + 0.2]
    load_frame(PlanDemandRow, frame)
    # When it is read back as a frame
    back = read_frame(
        PlanDemandRow.objects.filter(cycle=cycle).values_list(
            "product_id", "month", "consensus_demand_units", "source"),
        ["product_id", "month", "units", "source"], dates=["month"], text=["source"],
    )  # fmt: skip
    # Then the same values come back: the empty text stays empty, the float is bit-exact
    assert back.to_dict("records") == [
        {"product_id": product.pk, "month": NOV, "units": 0.1 + 0.2, "source": ""}
    ]
    stored = PlanDemandRow.objects.get(cycle=cycle)
    assert stored.source == "" and stored.consensus_demand_units == 0.1 + 0.2


def test_a_read_filtered_on_no_products_is_an_empty_frame_not_an_error() -> None:
    # Given a read narrowed to an empty product list (a user whose families hold no products)
    rows = Product.objects.filter(pk__in=[]).values_list("pk", "sku")
    # Then it answers an empty frame with the asked columns
    frame = read_frame(rows, ["pk", "sku"], text=["sku"])
    assert frame.empty and list(frame.columns) == ["pk", "sku"]


def test_plan_rows_go_by_binary_copy_and_read_back_bit_exact(cycle) -> None:  # type: ignore[no-untyped-def]
    from cycles.plan_models import ConsensusPlan, PlanRow
    from siop.bulk_binary import binary_copy

    product, site = cast(Product, ProductFactory()), cast(Site, SiteFactory())
    plan = ConsensusPlan.objects.create(cycle=cycle)
    numbers = [0.1 + 0.2, -1e-300, 123456789.123456, 0.0, 1e15 / 3, -7.5, 2.0**-40, 42.0, 1.5]
    # Given plan rows with awkward floats, a date and a JSON text with quotes and accents
    frame = pd.DataFrame({"plan_id": [plan.pk] * 2, "product_id": [product.pk] * 2,
                          "site_id": [site.pk] * 2, "month": [NOV, dt.date(2027, 1, 1)],
                          "purchase_units_by_mode": ['{"air": 1.5, "sea \\"x\\" é": 2}', "{}"]})  # fmt: skip
    columns = ["consensus_demand_units", "backlog_units", "served_units", "lost_sales_units",
               "production_units", "purchase_units", "opening_inventory_units",
               "projected_inventory_units", "safety_stock_units", "unit_price_eur",
               "unit_cost_eur", "revenue_eur", "cogs_eur", "gross_margin_eur",
               "revenue_at_risk_eur", "inventory_value_eur"]  # fmt: skip
    for n, column in enumerate(columns):
        frame[column] = [numbers[n % len(numbers)], numbers[(n + 4) % len(numbers)]]
    # When they are loaded (the binary format applies to every column of the frame)
    assert binary_copy(PlanRow, frame) is not None
    load_frame(PlanRow, frame)
    # Then every value reads back exactly
    back = PlanRow.objects.filter(plan=plan).order_by("month")
    assert [r.month for r in back] == [NOV, dt.date(2027, 1, 1)]
    assert [r.purchase_units_by_mode for r in back] == [{"air": 1.5, 'sea "x" é': 2}, {}]
    for column in columns:
        assert [getattr(r, column) for r in back] == frame[column].tolist(), column


def test_a_text_frame_with_empty_and_missing_values_reads_back_by_binary_copy(cycle, users) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from cycles.models import AuditEntry
    from siop.bulk_binary import binary_copy

    when = timezone.now()
    frame = pd.DataFrame({
        "cycle_id": [cycle.pk, None], "table": ["t", "t"], "record_key": ["a,b\n\"c\"", "ü"],
        "field": ["f", "f"], "before": ["", "x"], "after": ["1", "2"], "reason": ["", ""],
        "comment": ["semi;colon", "\\N"], "source": ["system", "system"],
        "user_id": [None, None], "created_at": [when, when],
    })  # fmt: skip
    frame["cycle_id"] = frame["cycle_id"].astype("Int64")
    # A missing id in an integer column is not guessed: the text format writes it
    assert binary_copy(AuditEntry, frame) is None
    load_frame(AuditEntry, frame.dropna(subset=["cycle_id"]).drop(columns="user_id"))
    entry = AuditEntry.objects.get(record_key='a,b\n"c"')
    assert (entry.before, entry.comment, entry.created_at) == ("", "semi;colon", when)
    assert binary_copy(AuditEntry, frame.dropna(subset=["cycle_id"]).drop(columns="user_id"))
