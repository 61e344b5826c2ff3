"""Read model of the demand review grid: one family, its products x measures x months.

Each product has six rows (actual sales in the history columns; statistical, events, override,
consensus and backlog in the horizon columns); the family has the same rows, totalled, first.
Only the consensus rows are editable: the planner types the number they want and it is stored
as typed (the override row shows how far it is from statistical + events). Each consensus cell
carries its lock version (a family cell: the sum of its products' versions), which the save
sends back for optimistic locking. A product's consensus row lists its overridden cells, the
cells whose statistical forecast changed since the override was typed (with the new value)
and the cells carried over from the previous cycle. Backlog (past-due open orders) is demand
on top of the consensus in the first month; supply and inventory plan for both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import QuerySet

from accounts.selectors import scope_to_families, user_may
from cycles.models import PlanningCycle
from demand.selectors import (
    actuals_frame,
    backlog_frame,
    consensus_frame,
    history_months,
    horizon_months,
)
from masterdata.models import Product, ProductFamily

HISTORY_COLUMNS = 6
MEASURES = [
    ("actual", "Actual sales"),
    ("statistical", "Statistical"),
    ("events", "Events"),
    ("override", "Override"),
    ("consensus", "Consensus"),
    ("backlog", "Backlog (past due)"),
]
MEASURE_FIELD = {
    "statistical": "statistical_units",
    "events": "event_units",
    "override": "adjustment_units",
    "consensus": "consensus_units",
}


def month_key(month: dt.date) -> str:
    return f"m{month:%Y_%m}"


def version_key(month: dt.date) -> str:
    return f"v{month:%Y_%m}"


def visible_families(user: Any) -> QuerySet[ProductFamily]:
    return scope_to_families(ProductFamily.objects.order_by("code"), user, "id")


def may_edit(cycle: PlanningCycle, user: Any) -> bool:
    return cycle.state == "demand_review" and user_may(user, "edit_demand")


@dataclass
class GridData:
    history: list[dt.date]
    horizon: list[dt.date]
    rows: list[dict[str, Any]]

    def columns(self) -> list[dict[str, Any]]:
        return [
            {"field": month_key(m), "title": f"{m:%b %y}", "history": m in self.history}
            for m in self.history + self.horizon
        ]


def grid_data(cycle: PlanningCycle, family: ProductFamily, user: Any) -> GridData:
    products = list(Product.objects.filter(family=family).order_by("sku"))
    ids = [p.pk for p in products]
    history, horizon = history_months(cycle, HISTORY_COLUMNS), horizon_months(cycle)
    consensus = consensus_frame(cycle, ids)
    actuals = actuals_frame(ids, history[0], cycle.month)
    backlog = backlog_frame(cycle, ids)
    editable = may_edit(cycle, user) and not consensus.empty
    label = f"{family.code} {family.name}"
    rows = _rows(family, label, None, f"All {family.code}", (consensus, actuals, backlog), editable)
    by_product = dict(tuple(consensus.groupby("product_id")))
    sold_by_product = dict(tuple(actuals.groupby("product_id")))
    owed_by_product = dict(tuple(backlog.groupby("product_id")))
    for product in products:
        frames = (
            by_product.get(product.pk, consensus.iloc[0:0]),
            sold_by_product.get(product.pk, actuals.iloc[0:0]),
            owed_by_product.get(product.pk, backlog.iloc[0:0]),
        )
        rows += _rows(family, label, product, f"{product.sku} {product.name}", frames, editable)
    for row in rows:  # a product without forecast rows still takes typed numbers (version 0)
        if row["editable"] and not row["is_family"]:
            row.update({version_key(m): row.get(version_key(m), 0) for m in horizon})
    return GridData(history, horizon, rows)


def _rows(
    family: ProductFamily,
    family_label: str,
    product: Product | None,
    label: str,
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
    editable: bool,
) -> list[dict[str, Any]]:
    consensus, actuals, backlog = frames
    key = f"p{product.pk}" if product else f"f{family.pk}"
    totals = consensus.groupby("month")[[*MEASURE_FIELD.values(), "version"]].sum()
    by_month = {
        "actual": actuals.groupby("month")["actual_units"].sum(),
        "backlog": backlog.groupby("month")["backlog_units"].sum(),
    }
    rows = []
    for measure, measure_label in MEASURES:
        row: dict[str, Any] = {
            "id": f"{key}-{measure}",
            "family": family_label,
            "family_id": family.pk,
            "product_id": product.pk if product else None,
            "product": label,
            "is_family": product is None,
            "measure": measure,
            "measure_label": measure_label,
            "editable": editable and measure == "consensus",
        }
        if measure == "statistical" and product is not None and not consensus.empty:
            row["measure_label"] = f"Statistical · {consensus['model'].iloc[0]}"
        values = by_month.get(measure)
        if values is None:
            values = totals[MEASURE_FIELD[measure]]
        row.update({month_key(m): round(float(v), 2) for m, v in values.items()})
        if measure == "consensus":
            row.update({version_key(m): int(v) for m, v in totals["version"].items()})
            if product is not None:
                row.update(_flags(consensus))
        rows.append(row)
    return rows


def _flags(consensus: pd.DataFrame) -> dict[str, Any]:
    """Overridden, carried-over and statistical-changed cells of one product's consensus row."""
    overridden = consensus[consensus["overridden"].astype(bool)]
    changed = overridden[overridden["statistical_changed"].astype(bool)]
    return {
        "overridden": [month_key(m) for m in overridden["month"]],
        "carried": [month_key(m) for m in overridden.loc[overridden["carried"], "month"]],
        "statistical_changed": {
            month_key(m): round(float(v), 2)
            for m, v in zip(changed["month"], changed["statistical_units"], strict=True)
        },
    }
