"""Sales history references stay intact without per-row foreign keys (set-based triggers).

Every write path ends in the same table, so these tests go through the import service (fast
path and row path), the ORM (admin and demo use it) and raw SQL; and through the deletes a user
can attempt on a product, site or channel that sales history still references.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import psycopg2
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from accounts.roles import Role
from datainputs.importers import get_spec
from datainputs.importers.payload import TablePayload
from datainputs.models import SalesHistory
from datainputs.services import table_import
from masterdata.models import Channel, Product, Site
from tests.factories import ChannelFactory, ProductFactory, SalesHistoryFactory, SiteFactory

SALES = get_spec("sales_history")
HEADER = "sku,site,channel,month,quantity,revenue"


def _csv(lines: list[str]) -> TablePayload:
    return TablePayload.from_csv(("\n".join([HEADER, *lines]) + "\n").encode())


@pytest.mark.django_db
@pytest.mark.parametrize("fast_path", [True, False])
def test_import_with_an_unknown_code_writes_nothing_and_names_the_row(
    users, monkeypatch, fast_path
) -> None:
    # given known master data and a body whose third row names an unknown SKU
    (
        ProductFactory.create(sku="A-1"),
        SiteFactory.create(code="DC1"),
        ChannelFactory.create(code="RETAIL"),
    )
    if not fast_path:
        monkeypatch.setattr("datainputs.importers.staged.supports", lambda spec: False)
    lines = [f"A-1,DC1,RETAIL,2025-{m:02d},5,10.00" for m in (1, 2)] + [
        "NOPE,DC1,RETAIL,2025-03,5,1"
    ]
    # when it is imported
    outcome = table_import(SALES, _csv(lines), users[Role.DEMAND_PLANNER])
    # then nothing is written and the row and field are reported
    assert outcome.counts is None and SalesHistory.objects.count() == 0
    assert [(e.row, e.column) for e in outcome.errors] == [
        (4, "sku")
    ]  # file line 4 (line 1 is the header)


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Product, Site, Channel])
def test_deleting_a_referenced_product_site_or_channel_is_refused(model) -> None:
    # given one sales-history row
    row = SalesHistoryFactory.create()
    referenced = {Product: row.product, Site: row.site, Channel: row.channel}[model]
    # when the referenced row is deleted through the ORM (admin, services) -> PROTECT refuses
    with pytest.raises(ProtectedError):
        referenced.delete()
    # and when it is deleted with raw SQL -> the database refuses
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [referenced.pk])
    # then the row and its sales history are still there
    assert model.objects.filter(pk=referenced.pk).exists() and SalesHistory.objects.count() == 1


@pytest.mark.django_db
def test_unreferenced_master_rows_can_still_be_deleted() -> None:
    product, site = ProductFactory.create(), SiteFactory.create()
    product.delete(), site.delete()
    assert not Product.objects.filter(pk=product.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["product_id", "site_id", "channel_id"])
def test_orm_and_sql_writes_with_an_unknown_id_are_refused(field) -> None:
    row = SalesHistoryFactory.create()
    # an ORM insert (admin, demo seed) naming a missing id
    values = {"product_id": row.product_id, "site_id": row.site_id, "channel_id": row.channel_id}
    values[field] = 987654
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesHistory.objects.create(
            **values, month=dt.date(2025, 1, 1), quantity=Decimal(1), revenue=Decimal(1)
        )
    # an update re-pointing an existing row
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesHistory.objects.filter(pk=row.pk).update(**{field: 987654})
    assert list(SalesHistory.objects.values_list(field, flat=True)) == [getattr(row, field)]


def _other_connection() -> psycopg2.extensions.connection:
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
    )


@pytest.mark.django_db(transaction=True)
def test_delete_racing_an_uncommitted_import_is_refused_after_it_commits() -> None:
    # given a product nobody references yet, and a transaction inserting history for it
    row = SalesHistoryFactory.create()
    product = ProductFactory.create()
    writer, deleter = _other_connection(), _other_connection()
    with writer.cursor() as cursor:
        cursor.execute(
            "INSERT INTO datainputs_saleshistory (product_id, site_id, channel_id, month, "
            "quantity, revenue, created_at, updated_at) VALUES (%s, %s, %s, '2025-01-01', 1, 1, "
            "now(), now())",
            [product.pk, row.site_id, row.channel_id],
        )
    errors: list[Exception] = []

    def delete() -> None:
        try:
            with deleter.cursor() as cursor:
                cursor.execute("DELETE FROM masterdata_product WHERE id = %s", [product.pk])
            deleter.commit()
        except psycopg2.Error as exc:
            errors.append(exc)

    # when a delete of the product starts before the insert commits (it sees no history yet)
    thread = threading.Thread(target=delete)
    thread.start()
    _wait_until_blocked(deleter.get_backend_pid())
    writer.commit()
    thread.join(timeout=30)
    writer.close(), deleter.close()
    # then the delete waited for the insert and is refused; the history keeps its product
    assert [getattr(e, "pgcode", None) for e in errors] == ["23503"]
    assert SalesHistory.objects.filter(product=product).exists()


def _wait_until_blocked(pid: int) -> None:
    with connection.cursor() as cursor:
        for _ in range(600):
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() == ("Lock",):
                return
            threading.Event().wait(0.05)
    raise AssertionError("the delete never waited for the inserting transaction")


@pytest.mark.django_db
def test_admin_refuses_to_delete_a_product_with_sales_history(admin_client) -> None:
    # given a product with sales history
    row = SalesHistoryFactory.create()
    url = reverse("admin:masterdata_product_delete", args=[row.product_id])
    # when an administrator opens and confirms its delete page
    page = admin_client.get(url)
    admin_client.post(url, {"post": "yes"})
    # then admin names the protected history and the product is still there
    assert "Cannot delete" in page.content.decode()
    assert Product.objects.filter(pk=row.product_id).exists()
