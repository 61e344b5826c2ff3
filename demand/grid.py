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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import Q, QuerySet

from accounts.selectors import scope_to_families, user_may
from cycles.models import PlanningCycle
from demand.grid_rows import (
    MEASURES,
    Frames,
    consensus_flags,
    month_key,
    product_rows,
    total_rows,
    version_key,
)
from demand.models import DemandOverride, StatisticalForecast
from demand.selectors import (
    actuals_frame,
    backlog_frame,
    consensus_frame,
    current_run,
    history_months,
    horizon_months,
)
from masterdata.models import Product, ProductFamily

__all__ = ["MEASURES", "Frames", "month_key", "version_key"]  # also the grid's names

HISTORY_COLUMNS = 6


def visible_families(user: Any) -> QuerySet[ProductFamily]:
    return scope_to_families(ProductFamily.objects.order_by("code"), user, "id")


def may_edit(cycle: PlanningCycle, user: Any) -> bool:
    return cycle.state == "demand_review" and user_may(user, "edit_demand")


@dataclass(frozen=True)
class GridPage:
    """What one grid request asks for: the family rows only, or one page of product rows.

    ``value`` turns units into money at standard price (read-only); ``search`` matches SKU or name (case-insensitive); ``offset``/``limit`` page the products
    in SKU order; ``family`` asks for the family (total) rows and the count only.
    """

    family: bool = False
    company: bool = False  # the company total rows: every family the user sees, summed
    value: bool = False  # every figure in money (units x the product's standard price)
    search: str = ""
    offset: int = 0
    limit: int = 200


@dataclass
class GridData:
    history: list[dt.date]
    horizon: list[dt.date]
    rows: list[dict[str, Any]]
    product_count: int = 0

    def columns(self) -> list[dict[str, Any]]:
        return [
            {
                "field": month_key(m),
                "title": f"{m:%b %y}",
                "history": m in self.history,
                "quarter": f"{m.year} Q{(m.month - 1) // 3 + 1}",
                "year": str(m.year),
            }
            for m in self.history + self.horizon
        ]


def grid_data(
    cycle: PlanningCycle, family: ProductFamily, user: Any, page: GridPage | None = None,
    *, editor: bool | None = None, read: Reader | None = None,
) -> GridData:  # fmt: skip
    """The family's grid rows: family totals first, then six rows per product in SKU order.

    Set-based: every product is pivoted at once, so the queries and pandas calls do not grow
    with the number of products. Without ``page`` every row comes back (the XLSX export);
    with it, the family rows (totals over the whole family, summed on the server) or one page
    of product rows. ``product_count`` is how many products match the search.
    """
    history, horizon = history_months(cycle, HISTORY_COLUMNS), horizon_months(cycle)
    label = f"{family.code} {family.name}"
    editor = may_edit(cycle, user) if editor is None else editor  # ``editor``: for that reader
    read = read or read_frames  # frames one caller already holds (the warmer's, per family)
    if page is not None and page.family:
        consensus, actuals, backlog = read(cycle, family_ids(family), history[0], page.value)
        editable = editor and not consensus.empty and not page.value
        rows = total_rows(
            family, label, None, f"All {family.code}", (consensus, actuals, backlog), editable
        )
        return GridData(history, horizon, rows, _matching(family, "").count())
    products = _matching(family, page.search if page else "")
    count = products.count() if page is not None else 0
    if page is not None:
        products = products[page.offset : page.offset + page.limit]
    listed = list(products.values_list("pk", "sku", "name"))
    ids = [pk for pk, _, _ in listed]
    in_value = page is not None and page.value
    frames = read(cycle, ids, history[0], in_value)
    editable = editor and not in_value and _has_consensus(cycle, family, frames[0])
    rows = []
    if page is None:
        rows = total_rows(family, label, None, f"All {family.code}", frames, editable)
        count = len(listed)
    rows += product_rows(family, label, listed, frames, editable)
    versions = [version_key(m) for m in horizon]  # formatted once, not once per row
    for row in rows:  # a product without forecast rows still takes typed numbers (version 0)
        if row["editable"] and not row["is_family"]:
            for key in versions:
                row.setdefault(key, 0)
    return GridData(history, horizon, rows, count)


def company_rows(
    cycle: PlanningCycle, user: Any, value: bool = False, read: Reader | None = None
) -> list[dict[str, Any]]:
    """Read-only total rows (one per measure) over every family the user may see.

    The same six measures as a family, summed over all those products by month (units, or
    money at standard price with ``value``); the ids are ``company-<measure>``. ``read``: the
    frames' reader (default ``read_frames``).
    """
    history = history_months(cycle, HISTORY_COLUMNS)
    ids = list(
        Product.objects.filter(family__in=visible_families(user)).values_list("pk", flat=True)
    )
    frames = (read or read_frames)(cycle, ids, history[0], value)
    label = "Company total (every family you plan)"
    rows = total_rows(
        ProductFamily(pk=0, code="ALL", name=label), label, None, label, frames, False
    )
    for row in rows:
        row.update(id=f"company-{row['measure']}", family_id=None, company=True)
        for version in [k for k in row if k.startswith("v")]:  # nothing to lock: read-only
            del row[version]
    return rows


def _matching(family: ProductFamily, search: str) -> QuerySet[Product]:
    """The family's products in SKU order, narrowed to a SKU or name search."""
    products = Product.objects.filter(family=family).order_by("sku")
    if search:
        products = products.filter(Q(sku__icontains=search) | Q(name__icontains=search))
    return products


def family_ids(family: ProductFamily) -> list[int]:
    return list(Product.objects.filter(family=family).values_list("pk", flat=True))


# (cycle, product ids, first history month, in money) -> the frames of those products
Reader = Callable[[PlanningCycle, list[int], dt.date, bool], Frames]


def read_frames(
    cycle: PlanningCycle, ids: list[int], first: dt.date, value: bool = False
) -> Frames:
    """Consensus, actual sales and backlog of these products (one query set, any count);
    with ``value``, every unit column times the product's standard price (``unit_price``)."""
    frames = tuple(read() for read in frame_readers(cycle, ids, first).values())
    return in_money(frames, ids) if value else frames  # type: ignore[arg-type]


def frame_readers(
    cycle: PlanningCycle, ids: list[int], first: dt.date
) -> dict[str, Callable[[], pd.DataFrame]]:
    """The grid's three frames of these products, by name, each read when called: consensus
    (``consensus_frame``), actual sales from ``first`` (``actuals_frame``) and backlog."""
    return {
        "consensus": lambda: consensus_frame(cycle, ids),
        "actuals": lambda: actuals_frame(ids, first, cycle.month),
        "backlog": lambda: backlog_frame(cycle, ids),
    }


def in_money(frames: Frames, ids: list[int]) -> Frames:
    """``frames`` of these products with every unit column times its standard price."""
    prices = dict(Product.objects.filter(pk__in=ids).values_list("pk", "unit_price"))
    return tuple(_in_money(frame, prices) for frame in frames)  # type: ignore[return-value]


def _in_money(frame: pd.DataFrame, prices: dict[int, Any]) -> pd.DataFrame:
    price = frame["product_id"].map(prices).astype(float).fillna(0.0)
    units = [c for c in frame.columns if c.endswith("_units")]
    return frame.assign(**{c: frame[c].astype(float) * price for c in units})


def _has_consensus(cycle: PlanningCycle, family: ProductFamily, consensus: pd.DataFrame) -> bool:
    """The family has a forecast or typed cells: its consensus is there to be edited (a page
    of new products without any forecast row still takes typed numbers)."""
    if not consensus.empty:
        return True
    run = current_run(cycle)
    family_rows = StatisticalForecast.objects.filter(run=run, product__family=family)
    typed = DemandOverride.objects.filter(cycle=cycle, product__family=family)
    return (run is not None and family_rows.exists()) or typed.exists()


SAVED_MEASURES = ("override", "consensus")  # what a consensus save can change
_FLAG_FIELDS = ("overridden", "carried", "statistical_changed")


def saved_cells(
    cycle: PlanningCycle, user: Any, cells: list[tuple[int | None, int | None, dt.date]],
    reader_of: Callable[[ProductFamily], Reader] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The grid cells a saved batch changed, to patch a loaded grid without reloading it.

    ``cells`` are the saved edits as (product id, family id, month); a family edit is spread
    over its products. Returns one partial row per changed row (family and product override
    and consensus rows), by grid row ``id``: the saved months' values and lock versions, and a
    product consensus row's flags. Computed by the grid's own functions, so a patched grid
    equals a reloaded one. Family totals are over the whole family, as in the grid.
    ``reader_of(family)``: the reader of a family's frames (default ``read_frames``).
    """
    months: dict[int, set[dt.date]] = {}  # family id -> saved months
    touched: dict[int, set[int] | None] = {}  # family id -> products (None: all of them)
    product_family = dict(
        Product.objects.filter(pk__in={p for p, _, _ in cells if p}).values_list("pk", "family_id")
    )
    for product_id, family_id, month in cells:
        family = family_id if family_id is not None else product_family[product_id or 0]
        months.setdefault(family, set()).add(month)
        current = touched.setdefault(family, set())
        touched[family] = None if product_id is None or current is None else current | {product_id}
    patches: list[dict[str, Any]] = []
    for chosen in ProductFamily.objects.filter(pk__in=list(months)):
        read = reader_of(chosen) if reader_of else read_frames
        patches += _family_patches(
            cycle, user, chosen, (touched[chosen.pk], months[chosen.pk]), read
        )
    return patches


def _family_patches(
    cycle: PlanningCycle, user: Any, family: ProductFamily,
    saved: tuple[set[int] | None, set[dt.date]], read: Reader,
) -> list[dict[str, Any]]:  # fmt: skip
    products, months = saved  # the saved products (None: all of them) and months
    listed = list(_matching(family, "").values_list("pk", "sku", "name"))
    first = history_months(cycle, HISTORY_COLUMNS)[0]
    consensus = read(cycle, [pk for pk, _, _ in listed], first, False)[0]
    none = pd.DataFrame(columns=["product_id", "month", "actual_units", "backlog_units"])
    # Values of the saved months only (a family save spans 1,000 products x 1 month, not 18);
    # the flags list every month's overridden cells, so they come from the whole frame.
    frames = (consensus[consensus["month"].isin(months)], none, none)
    editable = may_edit(cycle, user)
    label = f"{family.code} {family.name}"
    rows = total_rows(family, label, None, f"All {family.code}", frames, editable)
    mine = [item for item in listed if products is None or item[0] in products]
    mine_consensus = consensus[consensus["product_id"].isin([pk for pk, _, _ in mine])]
    rows += product_rows(family, label, mine, frames, editable, consensus_flags(mine_consensus))
    keys = {f(m) for m in months for f in (month_key, version_key)}
    return [
        {"id": row["id"]}
        | {k: v for k, v in row.items() if k in keys or k in _FLAG_FIELDS}
        | {version_key(m): row.get(version_key(m), 0) for m in months if row["editable"]}
        for row in rows
        if row["measure"] in SAVED_MEASURES
    ]
