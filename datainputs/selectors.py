"""The one source of the inputs every stage shares: stock, receipts, backlog and the site split.

Each rule lives here once and every stage (demand plan, supply plan, inventory projection, API)
calls these functions, so two stages can never start from two different truths. They take
plain dates, never a cycle, so this app imports no stage. Months are first days of the month.

* Opening stock (`opening_stock`): per product-site, the latest `InventoryOnHand` snapshot
  dated on or before the last day of the cycle's opening month. A cycle is planned during its
  opening month from the newest count taken by then (a count of 420 dated 5 Nov opens the
  November cycle at 420); a snapshot dated after the opening month belongs to a later cycle.
  Only when a product-site has no such snapshot (a past cycle re-run after old counts were
  purged) does its earliest later snapshot stand in.
* Open receipts (`open_receipts`): open purchase and production order lines by due month;
  overdue lines land in the first month of the horizon, lines due after it are left out.
* Backlog (`past_due_orders`): open customer order lines whose requested date is before the
  cycle month (an open line is not yet shipped): demand the cycle's first month must serve.
* Site split (`site_shares`): each product's share of its last 12 closed months of sales per
  site; a product without such sales borrows, in this order, its like-item's shares, its
  family's shares, the sites of its supply terms (preferred ones first, split equally), the
  company's site mix, and finally an equal split over every site. Shares of a product always
  sum to 1, so demand is never dropped on the way to the sites.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from django.db.models import Sum

from datainputs.models import InventoryOnHand, OpenOrder, OpenReceipt, SalesHistory
from masterdata.models import Product, Site, SupplyTerm
from siop.lookups import any_of

SHARE_HISTORY_MONTHS = 12
SHARE_COLUMNS = ["product_id", "site_id", "share", "share_basis"]


def _month(day: dt.date, shift: int = 0) -> dt.date:
    return (pd.Period(day, freq="M") + shift).to_timestamp().date()


def _frame(rows: Iterable[tuple[object, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)


def opening_stock(cycle_month: dt.date) -> pd.DataFrame:
    """Opening stock per product-site for the cycle starting ``cycle_month`` (rule above).

    Returns [product_id, site_id, as_of_date, opening_stock_units (float, units)].
    A negative count (an ERP that booked issues before receipts; accepted by the import with a
    warning) opens at 0: no plan can start from stock below nothing, and the units it "owes"
    were already shipped and counted in sales history.
    """
    rows = InventoryOnHand.objects.values_list("product_id", "site_id", "as_of_date", "quantity")
    stock = _frame(rows, ["product_id", "site_id", "as_of_date", "opening_stock_units"])
    cutoff = pd.Timestamp(_month(cycle_month, 1))
    dates = pd.to_datetime(stock["as_of_date"])
    stock["later"] = dates >= cutoff
    # Usable counts first, each group's nearest to the cutoff (the latest usable) first.
    stock["order"] = (dates - cutoff).abs()
    stock = stock.sort_values(["later", "order"]).drop_duplicates(["product_id", "site_id"])
    stock["opening_stock_units"] = stock["opening_stock_units"].astype(float).clip(lower=0.0)
    columns = ["product_id", "site_id", "as_of_date", "opening_stock_units"]
    return stock[columns].sort_values(["product_id", "site_id"]).reset_index(drop=True)


def open_receipts(horizon: list[dt.date]) -> pd.DataFrame:
    """Open receipts per product-site-month of ``horizon`` (month first days, in order).

    Returns [product_id, site_id, month, receipt_units (float)]; overdue lines in the first month.
    """
    end = _month(horizon[-1], 1)
    rows = OpenReceipt.objects.filter(due_date__lt=end).values_list(
        "product_id", "site_id", "due_date", "quantity"
    )
    receipts = _frame(rows, ["product_id", "site_id", "due_date", "receipt_units"])
    due = pd.to_datetime(receipts["due_date"]).dt.to_period("M").dt.to_timestamp().dt.date
    receipts["month"] = due.where(due >= horizon[0], horizon[0])
    receipts["receipt_units"] = receipts["receipt_units"].astype(float)
    keys = ["product_id", "site_id", "month"]
    return receipts.groupby(keys, as_index=False)["receipt_units"].sum()[[*keys, "receipt_units"]]


def past_due_orders(cycle_month: dt.date, product_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Backlog per product-site: open order units requested before ``cycle_month`` (of
    ``product_ids`` only when given: a page of the grid reads its 200 products, not all).

    Returns [product_id, site_id, backlog_units (float)], only rows with units > 0.
    """
    orders = OpenOrder.objects.filter(requested_date__lt=cycle_month)
    if product_ids is not None:
        orders = orders.filter(any_of("product_id", product_ids))
    rows = (
        orders.values("product_id", "site_id")
        .annotate(units=Sum("quantity"))
        .values_list("product_id", "site_id", "units")
    )
    backlog = _frame(rows, ["product_id", "site_id", "backlog_units"])
    backlog["backlog_units"] = backlog["backlog_units"].astype(float)
    return backlog[backlog["backlog_units"] > 0].reset_index(drop=True)


def site_shares(product_ids: Iterable[int], cycle_month: dt.date) -> pd.DataFrame:
    """Each product's split over sites (``SHARE_COLUMNS``; shares of a product sum to 1).

    ``share_basis`` says which rule gave the split: "own_sales", "like_item", "family",
    "supply_term", "company" or "all_sites" (see the module docstring).
    """
    wanted = sorted(set(product_ids))
    products = _frame(
        Product.objects.filter(pk__in=wanted).values_list("pk", "family_id", "like_product_id"),
        ["product_id", "family_id", "like_product_id"],
    )
    sales = _recent_sales(cycle_month)
    family_of = dict(Product.objects.values_list("pk", "family_id"))
    by_family = sales.assign(key=sales["product_id"].map(family_of))
    bases = [
        ("own_sales", products["product_id"], _shares(sales.assign(key=sales["product_id"]))),
        ("like_item", products["like_product_id"], _shares(sales.assign(key=sales["product_id"]))),
        ("family", products["family_id"], _shares(by_family)),
        ("supply_term", products["product_id"], _term_shares(wanted)),
        ("company", pd.Series(0, index=products.index), _shares(sales.assign(key=0))),
        ("all_sites", pd.Series(0, index=products.index), _all_sites()),
    ]
    parts, left = [], products
    for basis, keys, shares in bases:
        left = left.assign(key=pd.to_numeric(keys.loc[left.index]).astype(float))
        found = left.reset_index().merge(shares, on="key", how="inner").set_index("index")
        parts.append(found.assign(share_basis=basis)[SHARE_COLUMNS])
        left = left.drop(index=found.index.unique())
    return pd.concat(parts, ignore_index=True).sort_values(["product_id", "site_id"])


def _recent_sales(cycle_month: dt.date) -> pd.DataFrame:
    first = _month(cycle_month, -SHARE_HISTORY_MONTHS)
    rows = (
        SalesHistory.objects.filter(month__gte=first, month__lt=cycle_month)
        .values("product_id", "site_id")
        .annotate(units=Sum("quantity"))
        .values_list("product_id", "site_id", "units")
    )
    sales = _frame(rows, ["product_id", "site_id", "units"])
    sales["units"] = sales["units"].astype(float).clip(lower=0)
    return sales[sales["units"] > 0]


def _shares(rows: pd.DataFrame) -> pd.DataFrame:
    """[key, site_id, share] from rows with key, site_id and units > 0."""
    grouped = rows.dropna(subset=["key"]).groupby(["key", "site_id"], as_index=False)["units"].sum()
    grouped["share"] = grouped["units"] / grouped.groupby("key")["units"].transform("sum")
    return grouped[["key", "site_id", "share"]].astype({"key": float})


def _term_shares(product_ids: list[int]) -> pd.DataFrame:
    rows = SupplyTerm.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "site_id", "is_preferred"
    )
    terms = _frame(rows, ["key", "site_id", "is_preferred"]).drop_duplicates(["key", "site_id"])
    best = terms.groupby("key")["is_preferred"].transform("max")
    terms = terms[terms["is_preferred"] == best].assign(units=1.0)
    return _shares(terms)


def _all_sites() -> pd.DataFrame:
    sites = list(Site.objects.values_list("pk", flat=True))
    return pd.DataFrame({"key": 0.0, "site_id": sites, "share": 1.0 / max(len(sites), 1)})
