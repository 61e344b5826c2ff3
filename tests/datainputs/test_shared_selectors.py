"""The shared-input rules of `datainputs.selectors`, each fallback on its own.

Given products with and without recent sales, when their demand is split to sites, then each
gets a split that sums to 1 by the first rule that applies; opening stock follows one as-of rule.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from datainputs.selectors import opening_stock, site_shares
from masterdata.models import Product, Site, Supplier, SupplyTerm
from tests.factories import (
    ChannelFactory,
    FamilyFactory,
    InventoryFactory,
    ProductFactory,
    SalesHistoryFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)


def _product(sku: str, **fields: object) -> Product:
    return ProductFactory(sku=sku, **fields)  # type: ignore[return-value]


def _site(code: str) -> Site:
    return SiteFactory(code=code)  # type: ignore[return-value]


def _sell(product: Product, site: Site, units: int, month: dt.date = dt.date(2026, 8, 1)) -> None:
    SalesHistoryFactory(product=product, site=site, channel=ChannelFactory(code="RETAIL"),
                        month=month, quantity=Decimal(units), revenue=Decimal("1"))  # fmt: skip


def _split(product_id: int) -> dict[tuple[str, str], float]:
    frame = site_shares([product_id], NOV)
    codes = dict(Site.objects.values_list("pk", "code"))
    return {
        (codes[row.site_id], row.share_basis): round(row.share, 4)
        for row in frame.itertuples(index=False)
    }


def test_every_product_gets_a_split_by_the_first_rule_that_applies() -> None:
    north, south, plant = (_site(code) for code in ("N", "S", "P"))
    bikes, parts = FamilyFactory(code="BIKES"), FamilyFactory(code="PARTS")
    seller = _product("SELLER", family=bikes)
    _sell(seller, north, 60)
    _sell(seller, south, 20)
    _sell(_product("OTHER-BIKE", family=bikes), south, 120)
    stale = _product("STALE", family=bikes)
    _sell(stale, plant, 500, month=dt.date(2025, 6, 1))  # older than 12 months: not used
    like = _product("LIKE", family=parts, like_product=seller)
    made = _product("MADE", family=parts)
    supplier = Supplier.objects.create(code="SUP", name="Supplier")
    SupplyTerm.objects.create(product=made, site=plant, source_type="buy", supplier=supplier,
                              lead_time_days=30)  # fmt: skip
    lonely = _product("LONELY", family=parts)

    assert _split(seller.pk) == {("N", "own_sales"): 0.75, ("S", "own_sales"): 0.25}
    assert _split(like.pk) == {("N", "like_item"): 0.75, ("S", "like_item"): 0.25}
    assert _split(stale.pk) == {("N", "family"): 0.3, ("S", "family"): 0.7}
    assert _split(made.pk) == {("P", "supply_term"): 1.0}
    assert _split(lonely.pk) == {("N", "company"): 0.3, ("S", "company"): 0.7}
    every = site_shares(Product.objects.values_list("pk", flat=True), NOV)
    assert every.groupby("product_id")["share"].sum().round(9).eq(1.0).all()
    assert every["product_id"].nunique() == Product.objects.count()


def test_without_any_sales_the_demand_is_split_over_every_site() -> None:
    SiteFactory(code="N")
    SiteFactory(code="S")
    product = _product("FIRST")
    assert _split(product.pk) == {("N", "all_sites"): 0.5, ("S", "all_sites"): 0.5}


def test_opening_stock_is_the_latest_count_by_the_end_of_the_opening_month() -> None:
    site = _site("N")
    counted, later, old = _product("A"), _product("B"), _product("C")
    InventoryFactory(product=counted, site=site, as_of_date=dt.date(2026, 10, 31), quantity=100)
    InventoryFactory(product=counted, site=site, as_of_date=dt.date(2026, 11, 5), quantity=420)
    InventoryFactory(product=counted, site=site, as_of_date=dt.date(2026, 12, 1), quantity=9)
    InventoryFactory(product=later, site=site, as_of_date=dt.date(2027, 1, 3), quantity=7)
    InventoryFactory(product=later, site=site, as_of_date=dt.date(2027, 2, 3), quantity=8)
    InventoryFactory(product=old, site=site, as_of_date=dt.date(2025, 1, 3), quantity=3)

    stock = opening_stock(NOV).set_index("product_id")["opening_stock_units"].to_dict()

    # 420 counted on 5 Nov opens November; a count after November belongs to a later cycle,
    # unless the product-site has no earlier count at all (then the nearest later one).
    assert stock == {counted.pk: 420.0, later.pk: 7.0, old.pk: 3.0}


def test_a_negative_count_opens_at_zero_for_every_stage(db) -> None:  # type: ignore[no-untyped-def]
    # Given an ERP snapshot with -12 on hand (accepted by the import with a warning)
    count = InventoryFactory.create(as_of_date=dt.date(2026, 10, 31), quantity=Decimal("-12"))
    # When the cycle's opening stock is read (the one rule supply and inventory both call)
    stock = opening_stock(dt.date(2026, 11, 1))
    # Then it opens at zero, so neither plan refuses the snapshot
    row = stock[(stock["product_id"] == count.product_id) & (stock["site_id"] == count.site_id)]
    assert row["opening_stock_units"].tolist() == [0.0]
