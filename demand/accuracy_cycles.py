"""The company-wide accuracy report from sums kept per signed-off cycle.

Scoring every snapshot cell of every cycle in one query reads all of them (2.2 million rows at
10,000 SKUs after 12 cycles: seconds), and the report is keyed by the snapshot version, so each
demand sign-off used to start that scan again. But one cycle's scored sums change only when its
own snapshot is frozen again, the sales history changes or a product is removed (its cells go with
it), so they are computed per cycle and cached under exactly those: the cycle's freeze time, the
sales-history version and a fingerprint of the product ids. After a sign-off only the new cycle is
scored (its months are all still ahead of the sales, so that is an index probe), and the report is
the sum of the kept sums: one query scores every cycle not yet scored, whatever their number.

Per cycle two frames are kept (float sums, ``sum_sql`` names, the scoped report's too): per
product id and per lag. Products are named (SKU, family code) only when the report is assembled,
so renaming a SKU or moving it to another family costs no rescoring.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pandas as pd
from django.core.cache import caches
from django.db import connection, transaction

from demand.accuracy import METHODS
from masterdata.models import Product

Sums = dict[str, pd.DataFrame]  # {"product": sums by product_id, "lag": sums by lag}


def sum_sql(actual: str, forecast: str) -> tuple[list[str], list[str]]:
    """(SQL expressions, column names) of the sums ``accuracy.table_rows`` expects, over cells
    whose actual units are the SQL ``actual`` and whose forecast by a method is
    ``forecast.format(method=...)``: the one definition of the per-cycle and the scoped sums."""
    exprs = ["COUNT(*)", f"SUM({actual})", f"SUM(CASE WHEN {actual} > 0 THEN 1 ELSE 0 END)"]
    names = ["cells", "actual_units", "positive_cells"]
    for method in METHODS:
        error = f"({forecast.format(method=method)} - {actual})"
        exprs += [
            f"SUM({error})",
            f"SUM(ABS({error}))",
            f"SUM(CASE WHEN {actual} > 0 THEN ABS({error}) * 1.0 / {actual} ELSE 0 END)",
        ]
        names += [f"{method}_error", f"{method}_abs_error", f"{method}_ape"]
    return exprs, names


def snapshot_cycles() -> list[tuple[int, dt.date, Any]]:
    """(cycle id, cycle month, freeze time) of every cycle with a snapshot: one query, one index
    probe per cycle (a snapshot is frozen in one statement, so one row's time dates it). The
    ORDER BY is the unique index's: with a bare LIMIT 1 the planner may scan the table for the
    first row of the newest cycle, which it finds last (4 s at 10,000 SKUs after 12 cycles)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT id, month, frozen_at FROM (
                SELECT c.id, c.month, (SELECT s.frozen_at FROM demand_consensussnapshot s
                                       WHERE s.cycle_id = c.id
                                       ORDER BY s.cycle_id, s.product_id, s.month
                                       LIMIT 1) AS frozen_at
                FROM cycles_planningcycle c) f
            WHERE frozen_at IS NOT NULL ORDER BY month
        """)
        return [(int(i), m, f) for i, m, f in cursor.fetchall()]


def product_fingerprint() -> list[int]:
    """[count, max id, sum of ids] of the products: a removed product (whose snapshot cells are
    deleted with it) changes it, since new ids only grow."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(id), 0) "
                       "FROM masterdata_product")  # fmt: skip
        return [int(v) for v in cursor.fetchone()]


def cycle_sums(cycles: list[tuple[int, dt.date]], last: dt.date) -> dict[int, Sums]:
    """The scored sums of each cycle's (id, month) snapshot against the actuals up to ``last``:
    cycle id -> ``{"product": frame by product_id, "lag": frame by lag}`` (two queries)."""
    ids = [c for c, _ in cycles]
    frames = {
        by: _grouped(by, ids, min(m for _, m in cycles), last) for by in ("product_id", "lag")
    }
    return {
        cycle_id: {
            "product": _of_cycle(frames["product_id"], cycle_id, "product_id"),
            "lag": _of_cycle(frames["lag"], cycle_id, "lag"),
        }
        for cycle_id in ids
    }


def _grouped(by: str, ids: list[int], first: dt.date, last: dt.date) -> pd.DataFrame:
    """Sums per cycle and ``by`` (product_id | lag) over the scored cells of cycles ``ids``."""
    exprs, names = sum_sql("u", "{method}")  # c's columns: u, naive, statistical, consensus
    double = "AS DOUBLE PRECISION)"  # float sums: numeric arithmetic is several times slower
    sql = f"""
        WITH a AS (
            SELECT product_id, month, CAST(SUM(quantity) {double} AS units
            FROM datainputs_saleshistory WHERE month >= %s AND month <= %s
            GROUP BY product_id, month),
        c AS (
            SELECT s.cycle_id, s.product_id, s.lag_months AS lag, COALESCE(a.units, 0) AS u,
                   CAST(s.naive_units {double} AS naive,
                   CAST(s.statistical_units {double} AS statistical,
                   CAST(s.consensus_units {double} AS consensus
            FROM demand_consensussnapshot s
            LEFT JOIN a ON a.product_id = s.product_id AND a.month = s.month
            WHERE s.cycle_id IN ({", ".join(["%s"] * len(ids))}) AND s.month <= %s)
        SELECT cycle_id, {by}, {", ".join(exprs)} FROM c GROUP BY cycle_id, {by}
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Right after a sign-off's COPY the planner still believes the new cycle has no
            # rows and loops over the actuals once per snapshot cell (minutes at 10,000 SKUs);
            # a hash join is right for any size here.
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, [first, last, *ids, last])
        records = cursor.fetchall()
    frame = pd.DataFrame.from_records(records, columns=["cycle_id", by, *names])
    frame[names] = frame[names].astype(float)
    return frame


def _of_cycle(frame: pd.DataFrame, cycle_id: int, by: str) -> pd.DataFrame:
    rows = frame.loc[frame["cycle_id"] == cycle_id].drop(columns="cycle_id")
    return rows.astype({by: int}).set_index(by)


def kept_cycle_sums(
    cycles: list[tuple[int, dt.date, Any]], last: dt.date, sales_version: int
) -> list[Sums]:
    """``cycle_sums`` of each (id, month, freeze time), taken from the versioned cache for a
    freeze already scored against these sales and products; the others in one query."""
    products = product_fingerprint()
    keys = {
        c[0]: "accuracy-cycle:" + hashlib.sha256(json.dumps(
            [c[0], str(c[2]), str(last), sales_version, products]).encode()).hexdigest()
        for c in cycles
    }  # fmt: skip
    cache = caches["versioned"]
    cycle_of = {key: cycle_id for cycle_id, key in keys.items()}
    kept = {cycle_of[key]: sums for key, sums in cache.get_many(list(cycle_of)).items()}
    missing = [(c, m) for c, m, _ in cycles if c not in kept]
    if missing:
        fresh = cycle_sums(missing, last)
        cache.set_many({keys[c]: sums for c, sums in fresh.items()})
        kept.update(fresh)
    return [kept[c] for c, _, _ in cycles]


def company_sums(last: dt.date, sales_version: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sums by family and SKU, sums by lag) over every cycle, the company-wide report's input."""
    parts = kept_cycle_sums(snapshot_cycles(), last, sales_version)
    by_id = _total([p["product"] for p in parts], "product_id")
    by_lag = _total([p["lag"] for p in parts], "lag")
    names = pd.DataFrame.from_records(
        list(Product.objects.values_list("pk", "family__code", "sku")),
        columns=["product_id", "family", "sku"],
    ).set_index("product_id")
    by_product = names.join(by_id, how="inner").set_index(["family", "sku"]).sort_index()
    return by_product, by_lag


def _total(frames: list[pd.DataFrame], index: str) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames).groupby(level=index).sum()
