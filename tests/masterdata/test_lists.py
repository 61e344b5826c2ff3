"""Master-data pages: search, filters, pagination, family scoping; Django admin for every model."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from accounts.roles import Role
from masterdata.models import Resource, ResourceCapacity, ResourceLoad
from tests.factories import (
    PASSWORD,
    FamilyFactory,
    ProductFactory,
    SiteFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def login(client, user) -> None:  # type: ignore[no-untyped-def]
    assert client.login(username=user.username, password=PASSWORD)


def test_products_search_filter_and_paginate(client, users) -> None:
    # Given 60 products in two families
    drinks, snacks = FamilyFactory.create(code="BEV"), FamilyFactory.create(code="SNK")
    for n in range(60):
        ProductFactory.create(
            sku=f"P-{n:03d}",
            name=f"Cola {n}" if n < 5 else f"Item {n}",
            family=drinks if n % 2 else snacks,
        )
    login(client, users[Role.SALES])
    url = reverse("masterdata:products")
    # Then the first page has 50 rows and links to the next page, which has the rest
    first = client.get(url).content.decode()
    assert "60 rows" in first and "Next" in first and "P-055" not in first
    next_link = re.search(r'href="\?([^"]*page=next[^"]*)"', first)
    assert next_link is not None
    second = client.get(url + "?" + html.unescape(next_link.group(1))).content.decode()
    assert "P-055" in second and "P-000" not in second and "Next" not in second
    # And search and the family filter narrow the list, keeping the filter across pages
    found = client.get(url, {"q": "cola"}).content.decode()
    assert "5 rows" in found and "P-004" in found and "P-010" not in found
    family = client.get(url, {"family": drinks.pk}).content.decode()
    assert "30 rows" in family and "P-001" in family and "P-000" not in family


def test_resource_loads_and_capacity_lists_filter_by_resource(client, users) -> None:
    site = SiteFactory.create(code="F1", kind="factory")
    lines = [
        Resource.objects.create(code=code, name=code, site=site, capacity_hours_per_month=100)
        for code in ("LINE-A", "LINE-B")
    ]
    product = ProductFactory.create(sku="MADE-1")
    for line in lines:
        ResourceLoad.objects.create(resource=line, product=product, hours_per_unit=Decimal("0.5"))
    ResourceCapacity.objects.create(resource=lines[1], month="2026-12-01", capacity_hours=40)
    login(client, users[Role.SUPPLY_PLANNER])
    loads = client.get(reverse("masterdata:resource_loads"), {"resource": lines[0].pk})
    assert "1 rows" in loads.content.decode() and "LINE-A" in loads.content.decode()
    capacity = client.get(reverse("masterdata:resource_capacities")).content.decode()
    assert "LINE-B" in capacity and "40.00" in capacity


def test_family_scoped_planner_sees_only_their_resource_loads(client) -> None:
    site = SiteFactory.create(code="F1", kind="factory")
    line = Resource.objects.create(code="L1", name="L1", site=site, capacity_hours_per_month=9)
    mine, other = FamilyFactory.create(code="BEV"), FamilyFactory.create(code="SNK")
    for sku, family in (("BEV-1", mine), ("SNK-1", other)):
        ResourceLoad.objects.create(
            resource=line, product=ProductFactory.create(sku=sku, family=family), hours_per_unit=1
        )
    login(client, user_with_role(Role.SUPPLY_PLANNER, "bev.supply", families=[mine]))
    page = client.get(reverse("masterdata:resource_loads")).content.decode()
    assert "BEV-1" in page and "SNK-1" not in page


PROJECT_APPS = (
    "accounts",
    "masterdata",
    "datainputs",
    "cycles",
    "demand",
    "supply",
    "inventory",
    "api",
)


@pytest.mark.parametrize(
    "model",
    [m for app in PROJECT_APPS for m in apps.get_app_config(app).get_models()],
    ids=lambda m: m._meta.label,
)
def test_every_model_has_a_django_admin_page(client, admin_user, model) -> None:
    assert admin.site.is_registered(model)
    client.force_login(admin_user)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
