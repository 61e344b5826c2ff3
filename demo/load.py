"""Write the generated demo company into the database (master data, data inputs, users).

Positions that depend on the history (stock, open orders, receipts, capacities) are derived from
the last months of demand so the plan has realistic shortages and excesses, not random noise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Profile
from accounts.roles import Role
from datainputs.models import InventoryOnHand, OpenOrder, OpenReceipt, SalesHistory
from demo import catalog
from demo.generate import DemoPlan
from masterdata.models import (
    Channel,
    Product,
    ProductFamily,
    Resource,
    ResourceLoad,
    Site,
    Supplier,
    SupplyTerm,
    SupplyTermMode,
)
from siop.bulk import load_frame

BATCH = 5000
DEMO_PASSWORD = "siop-demo"
DEMO_USERS = (
    ("admin", "Ada", "Admin", Role.ADMINISTRATOR),
    ("demand", "Dana", "Demand", Role.DEMAND_PLANNER),
    ("supply", "Sam", "Supply", Role.SUPPLY_PLANNER),
    ("inventory", "Ivy", "Inventory", Role.INVENTORY_PLANNER),
    ("sales", "Sol", "Sales", Role.SALES),
    ("finance", "Fin", "Finance", Role.FINANCE),
    ("exec", "Eve", "Executive", Role.EXECUTIVE),
    ("erp", "ERP", "Integration", Role.ERP),
    ("demand.bev", "Ben", "Beverages", Role.DEMAND_PLANNER),
)


@dataclass(frozen=True)
class Refs:
    """The reference rows by code, created first so products and positions can point at them."""

    families: dict[str, ProductFamily]
    sites: dict[str, Site]
    channels: dict[str, Channel]
    suppliers: dict[str, Supplier]


def _dec(value: float, places: str = "0.01") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


@transaction.atomic
def load_plan(plan: DemoPlan, rng: np.random.Generator) -> None:
    refs = _load_reference()
    products = _load_products(plan, refs.families)
    _load_supply(plan, rng, products, refs)
    _load_sales(plan, products, refs)
    _load_positions(plan, rng, products, refs)
    _load_users(refs.families)


def _load_reference() -> Refs:
    families = {
        code: ProductFamily.objects.create(code=code, name=name)
        for code, name, _ in catalog.FAMILIES
    }
    sites = {
        code: Site.objects.create(code=code, name=name, kind=kind)
        for code, name, kind in catalog.SITES
    }
    channels = {
        code: Channel.objects.create(code=code, name=name, service_priority=priority)
        for code, name, priority in catalog.CHANNELS
    }
    suppliers = {
        row[0]: Supplier.objects.create(code=row[0], name=row[1], country=row[2])
        for row in catalog.SUPPLIERS
    }
    return Refs(families=families, sites=sites, channels=channels, suppliers=suppliers)


def _load_products(plan: DemoPlan, families: dict[str, ProductFamily]) -> dict[str, Product]:
    objects = []
    for row in plan.products.itertuples():
        objects.append(
            Product(
                sku=row.sku,
                name=row.name,
                family=families[row.family],
                category="Made" if row.made else "Bought",
                unit_cost=_dec(row.unit_cost, "0.0001"),
                unit_price=_dec(row.unit_price, "0.0001"),
                lifecycle=row.lifecycle,
                launch_date=row.launch_month.to_timestamp().date()
                if row.kind == "launch"
                else None,
                end_date=(
                    row.end_month.to_timestamp(how="end").date()
                    if row.kind == "phase_out"
                    else None
                ),
            )
        )
    Product.objects.bulk_create(objects, batch_size=BATCH)
    by_sku = {p.sku: p for p in Product.objects.all()}
    _link_like_items(plan, by_sku)
    return by_sku


def _link_like_items(plan: DemoPlan, by_sku: dict[str, Product]) -> None:
    regular = plan.products[plan.products["kind"] == "regular"]
    updates = []
    for row in plan.products[plan.products["kind"] == "launch"].itertuples():
        same_family = regular[regular["family"] == row.family]
        if same_family.empty:
            continue
        product = by_sku[row.sku]
        product.like_product = by_sku[same_family.iloc[0]["sku"]]
        product.like_scale = Decimal("0.8")
        updates.append(product)
    Product.objects.bulk_update(updates, ["like_product", "like_scale"])


def _load_supply(
    plan: DemoPlan, rng: np.random.Generator, products: dict[str, Product], refs: Refs
) -> None:
    resources = _load_resources(plan, refs.sites["F1"])
    sold_at = plan.sales.groupby("sku")["site"].unique()
    terms, modes, loads = [], [], []
    for row in plan.products.itertuples():
        product = products[row.sku]
        for site_code in sold_at.get(row.sku, ["DC1"]):
            site = refs.sites[site_code]
            if row.made:
                line = resources[_primary_line(row.family)]
                terms.append(
                    SupplyTerm(
                        product=product,
                        site=site,
                        source_type="make",
                        resource=line,
                        lead_time_days=14 if site_code == "DC1" else 7,
                        min_order_qty=_dec(50 * int(rng.integers(1, 5))),
                        order_multiple=_dec(10),
                    )
                )
            else:
                supplier_row = catalog.SUPPLIERS[int(rng.integers(0, len(catalog.SUPPLIERS)))]
                term = SupplyTerm(
                    product=product,
                    site=site,
                    source_type="buy",
                    supplier=refs.suppliers[supplier_row[0]],
                    lead_time_days=max(supplier_row[3], supplier_row[5]) or supplier_row[4],
                    lead_time_sd_days=_dec(rng.uniform(1, 6)),
                    min_order_qty=_dec(100 * int(rng.integers(1, 6))),
                    order_multiple=_dec(12),
                )
                terms.append(term)
                modes.extend(_modes_for(term, supplier_row, row.unit_cost))
        if row.made:
            line = resources[_primary_line(row.family)]
            loads.append(
                ResourceLoad(
                    resource=line,
                    product=product,
                    hours_per_unit=_dec(rng.uniform(0.004, 0.02), "0.00001"),
                )
            )
            loads.append(
                ResourceLoad(
                    resource=resources["F1-PACK"],
                    product=product,
                    hours_per_unit=_dec(rng.uniform(0.002, 0.008), "0.00001"),
                )
            )
    SupplyTerm.objects.bulk_create(terms, batch_size=BATCH)
    SupplyTermMode.objects.bulk_create(modes, batch_size=BATCH)
    ResourceLoad.objects.bulk_create(loads, batch_size=BATCH)
    _size_capacities(plan, resources)


def _primary_line(family_code: str) -> str:
    codes = [code for code, _, _ in catalog.FAMILIES]
    return catalog.PRIMARY_LINES[codes.index(family_code) % len(catalog.PRIMARY_LINES)]


def _modes_for(
    term: SupplyTerm, supplier_row: tuple[str, str, str, int, int, int], unit_cost: float
) -> list[SupplyTermMode]:
    _, _, _, ocean, air, road = supplier_row
    options = [("ocean", ocean, 0.04), ("air", air, 0.22), ("road", road, 0.06)]
    return [
        SupplyTermMode(
            supply_term=term,
            mode=mode,
            lead_time_days=days,
            cost_per_unit=_dec(unit_cost * share, "0.0001"),
        )
        for mode, days, share in options
        if days
    ]


def _load_resources(plan: DemoPlan, factory: Site) -> dict[str, Resource]:
    resources = {}
    for code, name, kind, overtime, overtime_cost in catalog.RESOURCES:
        resources[code] = Resource.objects.create(
            code=code,
            name=name,
            site=factory,
            kind=kind,
            capacity_hours_per_month=Decimal("1"),
            overtime_hours_per_month=Decimal(overtime),
            overtime_cost_per_hour=Decimal(overtime_cost),
        )
    return resources


def _size_capacities(plan: DemoPlan, resources: dict[str, Resource]) -> None:
    """Capacity ~ average load of the last year x 1.08: peaks overload, troughs leave slack."""
    last_year = plan.sales[
        plan.sales["month"] >= plan.sales["month"].max() - dt.timedelta(days=340)
    ]
    monthly_units = last_year.groupby("sku")["quantity"].sum() / 12
    for resource in resources.values():
        pairs = ResourceLoad.objects.filter(resource=resource).values_list(
            "product__sku", "hours_per_unit"
        )
        hours = sum(float(h) * float(monthly_units.get(sku, 0.0)) for sku, h in pairs)
        resource.capacity_hours_per_month = _dec(max(hours * 1.08, 40.0), "1")
        resource.save(update_fields=["capacity_hours_per_month"])


def _load_sales(plan: DemoPlan, products: dict[str, Product], refs: Refs) -> None:
    sales = plan.sales
    frame = pd.DataFrame(
        {
            "product_id": sales["sku"].map({sku: p.pk for sku, p in products.items()}),
            "site_id": sales["site"].map({code: s.pk for code, s in refs.sites.items()}),
            "channel_id": sales["channel"].map({code: c.pk for code, c in refs.channels.items()}),
            "month": sales["month"],
            "quantity": sales["quantity"].astype(float).round(2),
            "revenue": sales["revenue"].astype(float).round(2),
        }
    )
    # COPY on PostgreSQL: 1.2 million rows at `--skus 10000` in seconds, in flat memory.
    load_frame(SalesHistory, frame)


def _load_positions(
    plan: DemoPlan, rng: np.random.Generator, products: dict[str, Product], refs: Refs
) -> None:
    by_site = plan.sales.groupby(["sku", "site"])
    recent = by_site["quantity"].apply(lambda q: float(q.tail(3).mean()))
    inventory, orders, receipts = [], [], []
    terms = {
        (t.product_id, t.site_id): t
        for t in SupplyTerm.objects.select_related("supplier", "resource").order_by("id")
    }
    for n, ((sku, site_code), monthly) in enumerate(recent.items()):
        product, site = products[sku], refs.sites[site_code]
        cover = rng.choice([0.0, 0.6, 1.2, 2.0, 4.5], p=[0.05, 0.25, 0.4, 0.22, 0.08])
        inventory.append(
            InventoryOnHand(
                product=product,
                site=site,
                as_of_date=plan.as_of,
                quantity=_dec(round(monthly * cover)),
            )
        )
        orders.extend(_orders_for(rng, n, product, site, refs, monthly, plan.as_of))
        receipts.extend(
            _receipts_for(rng, n, terms.get((product.pk, site.pk)), monthly, plan.as_of)
        )
    InventoryOnHand.objects.bulk_create(inventory, batch_size=BATCH)
    OpenOrder.objects.bulk_create(orders, batch_size=BATCH)
    OpenReceipt.objects.bulk_create(receipts, batch_size=BATCH)


def _orders_for(
    rng: np.random.Generator,
    n: int,
    product: Product,
    site: Site,
    refs: Refs,
    monthly: float,
    as_of: dt.date,
) -> list[OpenOrder]:
    lines = []
    channels = list(refs.channels.values())
    for k in range(int(rng.integers(0, 4))):
        requested = as_of + dt.timedelta(days=int(rng.integers(-10, 60)))  # negative -> backlog
        lines.append(
            OpenOrder(
                order_number=f"SO-{n:05d}-{k}",
                line=1,
                product=product,
                site=site,
                channel=channels[int(rng.integers(0, len(channels)))],
                order_date=as_of - dt.timedelta(days=int(rng.integers(5, 40))),
                requested_date=requested,
                quantity=_dec(max(1, round(monthly * rng.uniform(0.05, 0.3)))),
            )
        )
    return lines


def _receipts_for(
    rng: np.random.Generator, n: int, term: SupplyTerm | None, monthly: float, as_of: dt.date
) -> list[OpenReceipt]:
    if rng.random() > 0.55 or monthly <= 0 or term is None:
        return []
    product, site, supplier = term.product, term.site, term.supplier
    is_buy = supplier is not None  # a "buy" term always names its supplier (check constraint)
    by_sea = supplier is not None and supplier.code in {"SUP-CN1", "SUP-VN", "SUP-IN"}
    return [
        OpenReceipt(
            order_number=f"{'PO' if is_buy else 'MO'}-{n:05d}",
            line=1,
            receipt_type="purchase" if is_buy else "production",
            product=product,
            site=site,
            supplier=supplier,
            resource=term.resource,
            transport_mode="ocean" if by_sea else "",
            due_date=as_of + dt.timedelta(days=int(rng.integers(3, 75))),
            quantity=_dec(round(monthly * rng.uniform(0.5, 1.5))),
        )
    ]


def _load_users(families: dict[str, ProductFamily]) -> None:
    user_model = get_user_model()
    for username, first, last, role in DEMO_USERS:
        user = user_model.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.siop.example",
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        profile = Profile.objects.create(user=user, role=role)
        if username == "demand.bev":
            profile.families.set([families["BEV"], families["SNK"]])


def frame_digest(frame: pd.DataFrame) -> str:
    import hashlib

    return hashlib.sha256(
        pd.util.hash_pandas_object(frame, index=False).values.tobytes()
    ).hexdigest()
