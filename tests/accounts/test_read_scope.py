"""Role x read x scope matrix: a user limited to two families reads nothing of a third family,
on any page, export or API endpoint (one rule: accounts/scoping.py).

Every human role is given a profile limited to BEV and SNK; a third family (OTH) holds a product
whose SKU, name and family name carry the marker ``OTHSECRET``. Every read below is made by every
role; a read "leaks" when the marker appears in what it answers (XLSX exports are unzipped).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Profile
from accounts.roles import Role
from api import exports
from cycles.audit import audit_record
from cycles.models import PlanningCycle
from datainputs.models import InventoryOnHand, OpenOrder, OpenReceipt, SalesHistory
from tests.factories import PASSWORD, ChannelFactory, FamilyFactory, ProductFactory, SiteFactory

pytestmark = pytest.mark.django_db
MARKER = "OTHSECRET"
HUMAN_ROLES = [r for r in Role if r != Role.ERP]


@pytest.fixture
def world(cycle, users):  # type: ignore[no-untyped-def]
    bev, snk = FamilyFactory(code="BEV"), FamilyFactory(code="SNK")
    oth = FamilyFactory(code="OTHFAM", name=f"{MARKER} family")
    site, channel = SiteFactory(code="DC1"), ChannelFactory(code="RETAIL")
    products = {
        "bev": ProductFactory(sku="BEV-1", family=bev),
        "snk": ProductFactory(sku="SNK-1", family=snk),
        "oth": ProductFactory(sku=f"{MARKER}-1", name=f"{MARKER} product", family=oth),
    }
    for product in products.values():
        SalesHistory.objects.create(
            product=product, site=site, channel=channel, month=dt.date(2026, 10, 1),
            quantity=Decimal(5), revenue=Decimal(50),
        )  # fmt: skip
        InventoryOnHand.objects.create(
            product=product, site=site, as_of_date=dt.date(2026, 11, 1), quantity=Decimal(9)
        )
        OpenOrder.objects.create(
            order_number=f"SO-{product.sku}", product=product, site=site, channel=channel,
            order_date=dt.date(2026, 11, 2), requested_date=dt.date(2026, 12, 1), quantity=1,
        )  # fmt: skip
        OpenReceipt.objects.create(
            order_number=f"PO-{product.sku}", receipt_type="purchase", product=product, site=site,
            due_date=dt.date(2026, 12, 1), quantity=Decimal(3),
        )  # fmt: skip
        for key in (f"{product.sku}:2026-12", f"{product.sku}@DC1"):
            audit_record(
                cycle=cycle, table="demand_override", record_key=key, field="consensus_units",
                before=1, after=2, user=users[Role.ADMINISTRATOR], source="grid",
            )  # fmt: skip
    for role in HUMAN_ROLES:
        Profile.objects.get(user=users[role]).families.set([bev, snk])
    return {"cycle": cycle, "products": products, "families": (bev, snk, oth), "site": site}


def _reads(world) -> list[str]:  # type: ignore[no-untyped-def]
    cycle, oth = world["cycle"], world["products"]["oth"]
    family = world["families"][2].pk
    pages = [
        "cycles:current", "cycles:list", "cycles:audit", "datainputs:home", "datainputs:batches",
        "datainputs:sales_history", "datainputs:open_orders", "datainputs:inventory_on_hand",
        "datainputs:open_receipts", "masterdata:products", "masterdata:families",
        "masterdata:sites", "masterdata:channels", "masterdata:suppliers", "masterdata:resources",
        "masterdata:resource_loads", "masterdata:resource_capacities", "masterdata:supply_terms",
        "demand:accuracy",
    ]  # fmt: skip
    urls = [reverse(name) for name in pages]
    lists = ["sales_history", "open_orders", "inventory_on_hand", "open_receipts"]
    urls += [f"{reverse('datainputs:' + n)}?family={family}&q=OTH" for n in lists]
    urls += [
        f"{reverse('cycles:audit')}?q=OTH",
        f"{reverse('masterdata:products')}?q=OTH",
    ]
    for name in ("cycles:detail", "demand:review", "demand:events", "demand:new_products",
                 "supply:review", "supply:plan", "inventory:review"):  # fmt: skip
        urls.append(reverse(name, args=[cycle.pk]))
    demand = f"/demand/cycles/{cycle.pk}"
    urls += [
        f"{demand}/?family={family}", f"{demand}/grid.json?family={family}",
        f"{demand}/chart.json?family={family}", f"{demand}/chart.json?product={oth.pk}",
        f"{demand}/export.xlsx?family={family}",
        reverse("inventory:override", args=[cycle.pk, oth.pk, world["site"].pk]),
    ]  # fmt: skip
    urls += [
        f"/api/v1/{t}/" for t in ("sales-history", "open-orders", "inventory-on-hand",
                                  "open-receipts", "products", "families", "supply-terms")
    ]  # fmt: skip
    urls += ["/api/v1/cycles/", "/api/v1/plans/", f"/api/v1/cycles/{cycle.month:%Y-%m}/plan/",
             f"/api/v1/cycles/{cycle.month:%Y-%m}/plan/?format=csv"]  # fmt: skip
    return urls


def _text(response) -> str:  # type: ignore[no-untyped-def]
    content = response.content if hasattr(response, "content") else b"".join(response)
    if content[:2] == b"PK":  # an XLSX export: read the sheets' XML
        book = zipfile.ZipFile(io.BytesIO(content))
        return " ".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return content.decode("utf-8", "replace")


def _approved_plan_with_every_family(monkeypatch, world) -> None:  # type: ignore[no-untyped-def]
    PlanningCycle.objects.filter(pk=world["cycle"].pk).update(state="approved")
    rows = [{"sku": p.sku, "month": "2026-12", "consensus_units": 5.0}
            for p in world["products"].values()]  # fmt: skip
    plan = {"cycle": "2026-11", "state": "approved", "approved_at": None,
            **{section: [dict(r) for r in rows] for section in exports.SECTIONS}}  # fmt: skip
    source = exports.PlanSource(sha256="0" * 64, approved=None, plan=None)
    monkeypatch.setattr(exports, "plan_source", lambda cycle: source)
    monkeypatch.setattr(exports, "plan_document", lambda cycle, source: plan)


def test_given_users_limited_to_two_families_when_they_read_everything_then_0_reads_leak(
    client, users, world, monkeypatch, capsys
) -> None:
    _approved_plan_with_every_family(monkeypatch, world)
    reads = _reads(world)
    leaks, errors, answered = [], [], 0
    for role in HUMAN_ROLES:
        client.force_login(users[role])
        for url in reads:
            response = client.get(url, HTTP_ACCEPT="text/html,application/json,text/csv")
            answered += 1
            if response.status_code >= 500:
                errors.append((role.value, url, response.status_code))
            elif MARKER in _text(response):
                leaks.append((role.value, url))
    with capsys.disabled():
        print(
            f"\nread-scope matrix: {len(HUMAN_ROLES)} roles x {len(reads)} reads = {answered}"
            f" checked, {len(leaks)} leaked outside the user's families, {len(errors)} 5xx"
        )
    assert errors == []
    assert sorted({url for _, url in leaks}) == []


def test_given_a_scoped_planner_then_their_own_families_are_still_readable(
    client, users, world, monkeypatch
) -> None:
    _approved_plan_with_every_family(monkeypatch, world)
    client.force_login(users[Role.DEMAND_PLANNER])
    for url in (reverse("datainputs:sales_history"), reverse("cycles:audit"),
                f"/api/v1/cycles/{world['cycle'].month:%Y-%m}/plan/"):  # fmt: skip
        text = _text(client.get(url))
        assert "BEV-1" in text and "SNK-1" in text, url
    override = reverse("inventory:override", args=[world["cycle"].pk, world["products"]["bev"].pk,
                                                   world["site"].pk])  # fmt: skip
    assert client.get(override).status_code == 200


def test_given_an_unrestricted_user_then_every_family_is_readable(client, users, world) -> None:
    client.login(username=users[Role.ADMINISTRATOR].username, password=PASSWORD)
    Profile.objects.get(user=users[Role.ADMINISTRATOR]).families.clear()
    assert MARKER in _text(client.get(reverse("datainputs:sales_history")))
    assert MARKER in _text(client.get(reverse("cycles:audit")))
