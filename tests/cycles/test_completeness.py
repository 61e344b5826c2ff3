"""The data-inputs gate counts last month as loaded only when it covers what normally sells."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from cycles.completeness import accept_incomplete_month, sales_coverage
from cycles.models import AuditEntry
from cycles.services import TransitionError, stage_sign_off
from datainputs.models import SalesHistory
from masterdata.models import Channel, Product, Site
from tests.factories import ChannelFactory, InventoryFactory, ProductFactory, SiteFactory

pytestmark = pytest.mark.django_db

SEPTEMBER, OCTOBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1)


def _sales(products: int, october: int, prefix: str = "P") -> None:
    """`products` products sold in September; the first `october` of them also in October."""
    site, channel = cast(Site, SiteFactory()), cast(Channel, ChannelFactory())
    rows = []
    for n in range(products):
        product = cast(Product, ProductFactory(sku=f"{prefix}-{n:03d}"))
        months = [SEPTEMBER, OCTOBER] if n < october else [SEPTEMBER]
        rows += [
            SalesHistory(
                product=product,
                site=site,
                channel=channel,
                month=month,
                quantity=Decimal("10"),
                revenue=Decimal("75"),
            )
            for month in months
        ]
    SalesHistory.objects.bulk_create(rows)
    InventoryFactory(product=product, site=site, as_of_date=dt.date(2026, 11, 1))


def test_a_three_row_upload_of_last_month_does_not_pass(cycle, users) -> None:
    # Given 40 products sold in September and only 3 rows uploaded for October
    _sales(40, 3)
    # When the administrator signs off data inputs
    with pytest.raises(TransitionError) as refused:
        stage_sign_off(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR])
    # Then it is refused, saying how much is covered and the threshold
    message = str(refused.value)
    assert "covers 3 of the 40 products that sold in September 2026" in message
    assert "(8 %; at least 90 % needed)" in message


def test_a_month_covering_the_threshold_passes(cycle, users) -> None:
    # Given 36 of 40 September sellers (90 %) also in October (four stopped selling)
    _sales(40, 36)
    # Then data inputs can be signed off
    cycle = stage_sign_off(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR])
    assert cycle.state == "demand_review"


@override_settings(SIOP_SALES_COVERAGE_PCT=95)
def test_the_threshold_is_a_setting(cycle, users) -> None:
    _sales(40, 36)
    with pytest.raises(TransitionError, match="at least 95 % needed"):
        stage_sign_off(cycle.pk, "data_inputs", users[Role.ADMINISTRATOR])


def test_an_administrator_accepts_an_incomplete_month_with_a_reason(cycle, users) -> None:
    # Given a partial October (half a range was delisted in September)
    _sales(40, 20)
    admin = users[Role.ADMINISTRATOR]
    # When the administrator accepts it, saying why
    accept_incomplete_month(cycle, OCTOBER, admin, "Outdoor range delisted at end of September")
    # Then data inputs can be signed off, and the acceptance is in the audit log with the reason
    assert stage_sign_off(cycle.pk, "data_inputs", admin).state == "demand_review"
    entry = AuditEntry.objects.get(table="data_completeness", record_key="2026-10")
    assert entry.user == admin and entry.comment == "Outdoor range delisted at end of September"
    assert entry.before == "20 of 40 products (50.0 %)"


def test_only_an_administrator_with_a_reason_can_accept(cycle, users) -> None:
    _sales(10, 2)
    with pytest.raises(PermissionDenied):
        accept_incomplete_month(cycle, OCTOBER, users[Role.DEMAND_PLANNER], "looks fine")
    with pytest.raises(ValueError, match="reason"):
        accept_incomplete_month(cycle, OCTOBER, users[Role.ADMINISTRATOR], "   ")
    assert not AuditEntry.objects.filter(table="data_completeness").exists()


def test_the_command_records_the_acceptance(cycle, users) -> None:
    _sales(10, 2)
    admin = users[Role.ADMINISTRATOR]
    call_command("accept_sales_month", "2026-11", username=admin.username, reason="Plant shut")
    assert stage_sign_off(cycle.pk, "data_inputs", admin).state == "demand_review"


def test_coverage_takes_the_same_queries_for_ten_or_a_hundred_products(cycle) -> None:
    _sales(10, 5, prefix="S")
    with CaptureQueriesContext(connection) as small:
        assert sales_coverage(OCTOBER).covered == 5
    _sales(100, 100, prefix="L")
    with CaptureQueriesContext(connection) as large:
        coverage = sales_coverage(OCTOBER)
    assert (coverage.covered, coverage.expected) == (105, 110)
    assert len(small.captured_queries) == len(large.captured_queries) == 3
