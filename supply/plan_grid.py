"""The supply plan as a product x month grid, read from the cycle's consensus plan record.

One row per product and site, one column per month of the horizon, for one measure at a time
(planned receipts, production, purchases, consensus demand, served, lost sales, projected
inventory or safety stock, all in units). The rows come from ``cycles.PlanRow`` — the plan every
stage signs off — so the grid shows exactly what the next stage plans with. Family scoping uses
the one scoping rule of ``accounts.selectors``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet

from accounts.selectors import scope_to_families
from cycles.models import PlanningCycle, PlanRow
from siop.bulk import read_frame


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    columns: tuple[str, ...]  # PlanRow columns summed into the measure


MEASURES: tuple[Measure, ...] = (
    Measure("receipts", "Planned receipts (production + purchases)", ("production_units", "purchase_units")),
    Measure("production", "Planned production", ("production_units",)),
    Measure("purchases", "Planned purchases", ("purchase_units",)),
    Measure("demand", "Consensus demand", ("consensus_demand_units",)),
    Measure("served", "Served demand", ("served_units",)),
    Measure("lost", "Lost sales", ("lost_sales_units",)),
    Measure("inventory", "Projected inventory (closing)", ("projected_inventory_units",)),
    Measure("safety_stock", "Safety-stock target", ("safety_stock_units",)),
)  # fmt: skip
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
KEY_COLUMNS = ["sku", "name", "family", "site"]


@dataclass(frozen=True)
class PlanGrid:
    """Rows of ``KEY_COLUMNS`` + one ``YYYY-MM`` column per month (units), and the months."""

    measure: Measure
    months: list[dt.date]
    rows: list[dict[str, Any]]


def measure(key: str | None) -> Measure:
    """The measure named ``key``; planned receipts when it is missing or unknown."""
    return MEASURE_BY_KEY.get(key or "", MEASURES[0])


def _plan_rows(cycle: PlanningCycle, user: Any, search: str) -> QuerySet[PlanRow]:
    rows = PlanRow.objects.filter(plan__cycle=cycle)
    rows = scope_to_families(rows, user, "product__family_id")
    if search:
        rows = rows.filter(product__sku__icontains=search) | rows.filter(
            product__name__icontains=search
        )
    return rows


def plan_grid(
    cycle: PlanningCycle, user: Any, measure_key: str | None, search: str = ""
) -> PlanGrid:
    """The grid of ``cycle``'s consensus plan for ``user`` (see the module docstring).

    One query whatever the number of products: the rows are read as values and pivoted.
    """
    chosen = measure(measure_key)
    search = search.replace("\x00", "")  # PostgreSQL text cannot hold NUL; nobody types it
    value = sum((F(column) for column in chosen.columns[1:]), F(chosen.columns[0]))
    records = (
        _plan_rows(cycle, user, search.strip())
        .annotate(
            sku=F("product__sku"),
            name=F("product__name"),
            family=F("product__family__code"),
            site_code=F("site__code"),
            value_units=value,
        )
        .values_list("sku", "name", "family", "site_code", "month", "value_units")
    )
    frame = read_frame(  # streamed by COPY: a 10,000-SKU plan has 250,000 rows
        records, ["sku", "name", "family", "site", "month", "value_units"],
        dates=["month"], text=["sku", "name", "family", "site"],
    )  # fmt: skip
    if frame.empty:
        return PlanGrid(chosen, [], [])
    months = sorted(frame["month"].unique())
    frame["month"] = frame["month"].map({m: f"{m:%Y-%m}" for m in months})
    wide = frame.pivot_table(
        index=KEY_COLUMNS, columns="month", values="value_units", aggfunc="sum", fill_value=0.0
    ).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    return PlanGrid(chosen, list(months), wide.round(2).to_dict("records"))
