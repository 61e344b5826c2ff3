"""Binary COPY (``siop.bulk_binary``) stores what the text COPY would: a value it cannot encode
exactly goes by text instead of failing or shifting."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pandas as pd
import pytest

from cycles.plan_models import PlanDemandRow
from masterdata.models import Product, Site
from siop.bulk import load_frame
from siop.bulk_binary import binary_copy
from tests.factories import ProductFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _demand_rows(cycle, months: pd.Series) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    product, site = cast(Product, ProductFactory()), cast(Site, SiteFactory())
    return pd.DataFrame({
        "cycle_id": cycle.pk, "product_id": product.pk, "site_id": site.pk, "month": months,
        "consensus_demand_units": 12.5, "backlog_units": 0.0, "source": "consensus",
    })  # fmt: skip


def test_a_month_given_as_a_zoned_midnight_is_stored_as_that_day(cycle) -> None:  # type: ignore[no-untyped-def]
    # Given demand rows whose month is midnight of 1 December in Paris (23:00 on 30 Nov in UTC)
    months = pd.Series([pd.Timestamp("2026-12-01 00:00", tz="Europe/Paris")])
    frame = _demand_rows(cycle, months)
    # When they are loaded
    load_frame(PlanDemandRow, frame)
    # Then the stored month is 1 December, as the text COPY stores it, not 30 November
    assert list(PlanDemandRow.objects.values_list("month", flat=True)) == [dt.date(2026, 12, 1)]


def test_a_far_future_month_is_stored_instead_of_failing_the_load(cycle) -> None:  # type: ignore[no-untyped-def]
    # Given demand rows with a "no end" month beyond pandas' nanosecond range
    months = pd.Series([dt.date(2026, 12, 1), dt.date(9999, 12, 1)])
    frame = _demand_rows(cycle, months)
    # When they are loaded (the binary encoder leaves them to the text format)
    assert binary_copy(PlanDemandRow, frame) is None
    load_frame(PlanDemandRow, frame)
    # Then both months read back as written
    stored = sorted(PlanDemandRow.objects.values_list("month", flat=True))
    assert stored == [dt.date(2026, 12, 1), dt.date(9999, 12, 1)]
