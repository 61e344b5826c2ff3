"""The accuracy page's grouped sums, computed by the database (``demand.accuracy`` metrics).

Every signed-off cycle adds products x 18 snapshot cells (180,000 at 10k SKUs), so after 12
cycles the page would load over a million cells into Python. Instead one query per grouping
joins the snapshots to the monthly actuals (sales summed over sites and channels, months up to
the last month with sales) and returns the sums ``demand.accuracy.table_rows`` turns into
MAPE, WAPE, bias and FVA: one row per product (the family rows are their sums) or lag. The number
of queries is fixed; the rows sent to Python do not grow with the cycles or the products.
The report is cached by the data versions it reads (snapshots, sales history, products,
families), the family scope and the lag: it is computed once per sign-off or import. The
company-wide report (no family scope, every lag: the one warmed after each sign-off) is summed
from sums kept per cycle (``demand.accuracy_cycles``), so a sign-off scores only its own cycle.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd
from django.core.cache import caches
from django.db import connection

from datainputs import versions as data_version
from datainputs.models import SalesHistory
from demand.accuracy import table_rows
from demand.accuracy_cycles import company_sums, sum_sql

GROUPS = {"family": "f.code", "sku": "p.sku", "lag": "s.lag_months"}


def grouped_sums(by: list[str], family_ids: set[int] | None, lag: int | None) -> pd.DataFrame:
    """Sums per group ``by`` (``GROUPS`` keys) over the scored snapshot cells."""
    last = SalesHistory.objects.order_by("-month").values_list("month", flat=True).first()
    exprs, names = sum_sql("COALESCE(a.units, 0)", "s.{method}_units")
    if last is None:
        return pd.DataFrame(columns=[*by, *names]).set_index(by)
    where: list[str] = ["s.month <= %s"]
    params: list[Any] = [last]
    if family_ids is not None:
        ids: list[int | None] = [*sorted(family_ids)] or [None]  # no family: nothing matches
        where.append(f"p.family_id IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    if lag is not None:
        where.append("s.lag_months = %s")
        params.append(lag)
    keys = ", ".join(f"{GROUPS[g]} AS {g}" for g in by)
    group = ", ".join(GROUPS[g] for g in by)
    sql = f"""
        WITH a AS (
            SELECT product_id, month, SUM(quantity) AS units FROM datainputs_saleshistory
            WHERE month <= %s AND month >= (SELECT MIN(month) FROM cycles_planningcycle)
            GROUP BY product_id, month)
        SELECT {keys}, {", ".join(exprs)}
        FROM demand_consensussnapshot s
        JOIN masterdata_product p ON p.id = s.product_id
        JOIN masterdata_productfamily f ON f.id = p.family_id
        LEFT JOIN a ON a.product_id = s.product_id AND a.month = s.month
        WHERE {" AND ".join(where)}
        GROUP BY {group}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [last, *params])
        records = cursor.fetchall()
    frame = pd.DataFrame.from_records(records, columns=[*by, *names])
    for name in names:
        frame[name] = frame[name].astype(float)
    return frame.set_index(by)


WORST_PRODUCTS = 50  # rows of the page's worst-products table

REPORT_SOURCES = ("demand_snapshots", "sales_history", "products", "families")


def accuracy_report(family_ids: set[int] | None, lag: int | None) -> dict[str, Any]:
    """The page's tables: by family, by lag, the 50 worst products, and the scored cell count
    (cached per data versions, family scope and lag)."""
    current = data_version.current()
    key = "accuracy:" + hashlib.sha256(json.dumps(
        [[current.get(s, 0) for s in REPORT_SOURCES], sorted(family_ids or []),
         family_ids is None, lag]).encode()).hexdigest()  # fmt: skip
    cache = caches["versioned"]
    report = cache.get(key)
    if report is None:
        report = _report(family_ids, lag)
        cache.set(key, report)
    return report


def _report(family_ids: set[int] | None, lag: int | None) -> dict[str, Any]:
    if family_ids is None and lag is None:  # the company-wide page: from the per-cycle sums
        last = SalesHistory.objects.order_by("-month").values_list("month", flat=True).first()
        if last is None:
            return _tables(pd.DataFrame(), pd.DataFrame())
        version = data_version.current().get("sales_history", 0)
        return _tables(*company_sums(last, version))
    return _tables(grouped_sums(["family", "sku"], family_ids, lag),
                   grouped_sums(["lag"], family_ids, lag))  # fmt: skip


def _tables(by_product: pd.DataFrame, by_lag: pd.DataFrame) -> dict[str, Any]:
    by_family = by_product.groupby(level="family").sum() if len(by_product) else by_product
    return {
        "cell_count": int(by_product["cells"].sum()) if len(by_product) else 0,
        "by_family": _rows(by_family),
        "by_lag": _rows(by_lag),
        "by_product": _rows(by_product, WORST_PRODUCTS),
    }


def _rows(sums: pd.DataFrame, limit: int | None = None) -> list[dict[str, Any]]:
    return table_rows(sums, limit) if len(sums) else []
