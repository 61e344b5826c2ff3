"""The cycle's price and cost snapshot: standard price and cost per product, taken once.

A product's first use in the cycle's reconciliation records its price: the consensus plan row's
``unit_price_eur`` / ``unit_cost_eur`` when the plan has the product (the plan's own snapshot),
else the master data. Later master-data edits do not change a recorded row, so reconciled
numbers stay put; a product new to the cycle is recorded at its price of that moment.
"""

from __future__ import annotations

import pandas as pd
from django.db.models import Max

from cycles.models import PlanningCycle
from cycles.plan_models import PlanRow
from masterdata.models import Product
from reconciliation.models import PriceSnapshot


def _record_missing(cycle: PlanningCycle) -> None:
    taken = set(PriceSnapshot.objects.filter(cycle=cycle).values_list("product_id", flat=True))
    master = {
        pk: (float(price), float(cost))
        for pk, price, cost in Product.objects.values_list("pk", "unit_price", "unit_cost")
        if pk not in taken
    }
    if not master:
        return
    plan = (
        PlanRow.objects.filter(plan__cycle=cycle, product_id__in=list(master))
        .values("product_id")
        .annotate(price=Max("unit_price_eur"), cost=Max("unit_cost_eur"))
    )
    for row in plan:
        if row["price"] or row["cost"]:
            master[row["product_id"]] = (float(row["price"]), float(row["cost"]))
    PriceSnapshot.objects.bulk_create(
        [PriceSnapshot(cycle=cycle, product_id=pk, unit_price_eur=price, unit_cost_eur=cost)
         for pk, (price, cost) in master.items()],
        batch_size=5000, ignore_conflicts=True,
    )  # fmt: skip


def price_frame(cycle: PlanningCycle) -> pd.DataFrame:
    """product (SKU), family (code), unit_price_eur, unit_cost_eur for every product."""
    _record_missing(cycle)
    rows = PriceSnapshot.objects.filter(cycle=cycle).values_list(
        "product__sku", "product__family__code", "unit_price_eur", "unit_cost_eur"
    )
    columns = ["product", "family", "unit_price_eur", "unit_cost_eur"]
    return pd.DataFrame.from_records(list(rows), columns=columns).astype(
        {"unit_price_eur": float, "unit_cost_eur": float}
    )
