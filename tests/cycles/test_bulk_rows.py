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
