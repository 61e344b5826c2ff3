"""Every master-data table can be pushed (JSON or CSV) and read back with the same columns."""

from __future__ import annotations

import pytest

from masterdata.models import Product, SupplyTerm, SupplyTermMode
from tests.api.conftest import post_csv

pytestmark = pytest.mark.django_db

PUSHES: list[tuple[str, list[dict[str, str]]]] = [
    ("families", [{"code": "BEV", "name": "Beverages"}]),
    (
        "sites",
        [
            {"code": "DC1", "name": "DC", "kind": "warehouse"},
            {"code": "F1", "name": "Plant", "kind": "factory"},
        ],
    ),
    ("channels", [{"code": "RETAIL", "name": "Retail", "service_priority": "1"}]),
    (
        "suppliers",
        [{"code": "SUP-ASIA", "name": "Asia", "country": "VN", "capacity_units_per_month": ""}],
    ),
    (
        "products",
        [
            {
                "sku": "BEV-001",
                "name": "Water",
                "family": "BEV",
                "unit_cost": "0.42",
                "unit_price": "0.99",
            },
        ],
    ),
    (  # a like-product must exist before the product that points at it
        "products",
        [
            {
                "sku": "BEV-002",
                "name": "Juice",
                "family": "BEV",
                "unit_cost": "0.5",
                "unit_price": "1.2",
                "lifecycle": "new",
                "launch_date": "2026-12-01",
                "like_sku": "BEV-001",
                "like_scale": "0.8",
            },
        ],
    ),
    (
        "resources",
        [{"code": "LINE-1", "name": "Line", "site": "F1", "capacity_hours_per_month": "400"}],
    ),
    ("resource_capacities", [{"resource": "LINE-1", "month": "2026-12", "capacity_hours": "320"}]),
    ("resource_loads", [{"resource": "LINE-1", "sku": "BEV-001", "hours_per_unit": "0.005"}]),
    (
        "supply_terms",
        [
            {
                "sku": "BEV-001",
                "site": "F1",
                "source_type": "make",
                "resource": "LINE-1",
                "lead_time_days": "7",
            },
            {
                "sku": "BEV-002",
                "site": "DC1",
                "source_type": "buy",
                "supplier": "SUP-ASIA",
                "lead_time_days": "45",
                "is_preferred": "false",
            },
        ],
    ),
    (
        "supply_term_modes",
        [
            {
                "sku": "BEV-002",
                "site": "DC1",
                "supplier": "SUP-ASIA",
                "mode": "ocean",
                "lead_time_days": "42",
                "cost_per_unit": "0.03",
            },
            {
                "sku": "BEV-002",
                "site": "DC1",
                "supplier": "SUP-ASIA",
                "mode": "air",
                "lead_time_days": "5",
                "cost_per_unit": "0.4",
            },
        ],
    ),
]


def test_an_erp_loads_the_whole_master_in_dependency_order_and_reads_it_back(erp) -> None:
    for table, rows in PUSHES:
        response = erp.post(f"/api/v1/{table.replace('_', '-')}/", rows, format="json")
        assert response.status_code == 200, (table, response.content)
        assert response.json()["created"] == len(rows), table
        again = erp.post(f"/api/v1/{table.replace('_', '-')}/", rows, format="json").json()
        assert again["unchanged"] == len(rows), table
        listed = erp.get(f"/api/v1/{table.replace('_', '-')}/").json()
        assert listed["count"] >= len(rows), table
    juice = Product.objects.get(sku="BEV-002")
    assert juice.like_product is not None and juice.like_product.sku == "BEV-001"
    assert SupplyTerm.objects.get(source_type="buy").is_preferred is False
    assert SupplyTermMode.objects.count() == 2
    modes = erp.get("/api/v1/supply-term-modes/?mode=air").json()["results"]
    assert modes[0] | {"id": 0, "updated_at": ""} == {
        "id": 0,
        "sku": "BEV-002",
        "site": "DC1",
        "supplier": "SUP-ASIA",
        "mode": "air",
        "lead_time_days": 5,
        "cost_per_unit": "0.4000",
        "updated_at": "",
    }


def test_master_rules_are_row_errors(erp) -> None:
    for table, rows in PUSHES[:4]:
        erp.post(f"/api/v1/{table}/", rows, format="json")
    bad = (
        b"sku,name,family,unit_cost,unit_price,launch_date,end_date\n"
        b"X-1,Thing,NOPE,1,2,,\n"
        b"X-2,Thing,BEV,1,2,2026-05-01,2026-01-01\n"
    )
    response = post_csv(erp, "products", bad)
    assert response.status_code == 422
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (2, "family"),
        (3, "end_date"),
    ]
    term = [{"sku": "BEV-001", "site": "DC1", "source_type": "buy", "lead_time_days": "3"}]
    errors = erp.post("/api/v1/supply-terms/", term, format="json").json()["errors"]
    assert errors == [{"row": 1, "field": "sku", "message": "Unknown product 'BEV-001'."}]
