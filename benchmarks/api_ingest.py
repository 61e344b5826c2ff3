"""Benchmark: upsert 1,000,000 sales-history rows through the HTTP API into PostgreSQL.

What it does (on a dedicated database, default ``siop_bench_api``, created and migrated here):
1. Seeds master data: 2,000 products x 5 sites x 2 channels; 50 months -> 1,000,000 keys.
2. ``COPY`` of the same rows (ids already resolved) into the empty ``sales_history`` table, the
   very table (indexes, set-based reference triggers) the API writes into: the ceiling the API is
   compared with. For context, also a COPY into the previous table shape, whose 3 per-row
   foreign-key checks took about 3/4 of the time.
3. Empties the table, starts a real HTTP server (gunicorn, 2 sync workers, DEBUG off) and pushes
   the rows as CSV bodies of ``--batch`` rows through ``POST /api/v1/sales-history/`` with an
   ERP bearer token and an Idempotency-Key, ``--clients`` requests in flight.
4. Pushes the same rows again (all unchanged): must not be slower than the first pass.

Prints rows/s for each pass, COPY rows/s, and the ratio. Usage:

    .venv/bin/python benchmarks/api_ingest.py [--rows 1000000] [--batch 50000] [--clients 2]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.forecast_cycle import ROOT, ensure_database

SITES, CHANNELS, MONTHS = 5, 2, 50


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siop.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed_master(products: int) -> tuple[list[str], list[str], list[str], list[dt.date]]:
    from masterdata.models import Channel, Product, ProductFamily, Site

    family, _ = ProductFamily.objects.get_or_create(code="BENCH", defaults={"name": "Bench"})
    skus = [f"B-{i:05d}" for i in range(products)]
    Product.objects.bulk_create(
        [Product(sku=s, name=s, family=family, unit_cost=1, unit_price=2) for s in skus],
        ignore_conflicts=True,
        batch_size=5000,
    )
    sites = [f"S{i}" for i in range(SITES)]
    Site.objects.bulk_create(
        [Site(code=c, name=c, kind="warehouse") for c in sites], ignore_conflicts=True
    )
    channels = [f"C{i}" for i in range(CHANNELS)]
    Channel.objects.bulk_create([Channel(code=c, name=c) for c in channels], ignore_conflicts=True)
    months = [dt.date(2020 + m // 12, m % 12 + 1, 1) for m in range(MONTHS)]
    return skus, sites, channels, months


def make_rows(
    skus: list[str], sites: list[str], channels: list[str], months: list[dt.date], n: int
):  # type: ignore[no-untyped-def]
    count = 0
    for sku_index, sku in enumerate(skus):
        for site in sites:
            for channel in channels:
                for month_index, month in enumerate(months):
                    quantity = (sku_index * 7 + month_index * 3) % 500 + 1
                    yield sku, site, channel, month, quantity, f"{quantity * 2.5:.2f}"
                    count += 1
                    if count == n:
                        return


def api_batches(rows: list[tuple], batch: int) -> list[bytes]:  # type: ignore[type-arg]
    header = "sku,site,channel,month,quantity,revenue\n"
    bodies = []
    for start in range(0, len(rows), batch):
        lines = [
            f"{s},{si},{c},{m:%Y-%m},{q},{r}\n" for s, si, c, m, q, r in rows[start : start + batch]
        ]
        bodies.append((header + "".join(lines)).encode())
    return bodies


def copy_body(rows: list[tuple]) -> bytes:  # type: ignore[type-arg]
    from masterdata.models import Channel, Product, Site

    product = dict(Product.objects.values_list("sku", "id"))
    site = dict(Site.objects.values_list("code", "id"))
    channel = dict(Channel.objects.values_list("code", "id"))
    now = dt.datetime.now(dt.UTC).isoformat()
    lines = [
        f"{product[s]},{site[si]},{channel[c]},{m.isoformat()},{q},{r},{now},{now}\n"
        for s, si, c, m, q, r in rows
    ]
    return "".join(lines).encode()


def truncate(url: str) -> None:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("TRUNCATE datainputs_saleshistory")
    conn.close()


def timed_copy(url: str, body: bytes) -> float:
    conn = psycopg2.connect(url)
    start = time.perf_counter()
    with conn.cursor() as cursor:
        cursor.copy_expert(
            "COPY datainputs_saleshistory (product_id, site_id, channel_id, month, quantity, "
            "revenue, created_at, updated_at) FROM STDIN WITH (FORMAT csv)",
            io.BytesIO(body),
        )
    conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def timed_copy_with_row_foreign_keys(url: str, body: bytes) -> float:
    """Context: the previous table shape, with 3 per-row foreign keys (Django's deferred FKs).

    Sales history now checks its references once per statement (set-based triggers, migration
    datainputs 0002); this COPY shows what PostgreSQL's per-row foreign-key checks cost.
    """
    references = [("product_id", "masterdata_product"), ("site_id", "masterdata_site")]
    references.append(("channel_id", "masterdata_channel"))
    foreign_keys = "; ".join(
        f"ALTER TABLE bench_row_fk ADD FOREIGN KEY ({column}) REFERENCES {table} (id) "
        "DEFERRABLE INITIALLY DEFERRED"
        for column, table in references
    )
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_row_fk; CREATE TABLE bench_row_fk "
            "(LIKE datainputs_saleshistory INCLUDING INDEXES INCLUDING CONSTRAINTS); "
            "ALTER TABLE bench_row_fk ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY; "
            "CREATE INDEX ON bench_row_fk (product_id); CREATE INDEX ON bench_row_fk (site_id); "
            "CREATE INDEX ON bench_row_fk (channel_id); " + foreign_keys
        )
    conn.close()
    conn = psycopg2.connect(url)
    start = time.perf_counter()
    with conn.cursor() as cursor:
        cursor.copy_expert(
            "COPY bench_row_fk (product_id, site_id, channel_id, month, quantity, revenue, "
            "created_at, updated_at) FROM STDIN WITH (FORMAT csv)",
            io.BytesIO(body),
        )
    conn.commit()
    elapsed = time.perf_counter() - start
    with conn.cursor() as cursor:
        cursor.execute("DROP TABLE bench_row_fk")
    conn.commit()
    conn.close()
    return elapsed


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_RATE_LIMIT_PER_MINUTE": "1000000",
        "API_REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "siop.wsgi:application",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--timeout=600",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/sites/", timeout=30)
            return server
        except requests.RequestException:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def warm_up(port: int, token: str, workers: int) -> None:
    """Let every worker load the app (imports, URL conf, first DB connection) before timing."""
    url = f"http://127.0.0.1:{port}/api/v1/sales-history/?page_size=1"
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(
            pool.map(
                lambda _: requests.get(
                    url, headers={"Authorization": f"Bearer {token}"}, timeout=60
                ),
                range(workers * 4),
            )
        )


def push_all(
    port: int, token: str, bodies: list[bytes], clients: int
) -> tuple[float, dict[str, int]]:
    url = f"http://127.0.0.1:{port}/api/v1/sales-history/"
    totals = {"created": 0, "updated": 0, "unchanged": 0}

    def push(body: bytes) -> dict[str, int]:
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "text/csv",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        response = requests.post(url, data=body, headers=headers, timeout=600)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.text[:500]}")
        return response.json()

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for result in pool.map(push, bodies):
            for key in totals:
                totals[key] += result[key]
    return time.perf_counter() - start, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="siop_bench_api")
    args = parser.parse_args()

    url = ensure_database(args.database)
    setup_django(url)
    from api.models import ApiClient
    from api.tokens import client_create

    products = -(-args.rows // (SITES * CHANNELS * MONTHS))
    skus, sites, channels, months = seed_master(products)
    rows = list(make_rows(skus, sites, channels, months, args.rows))
    bodies = api_batches(rows, args.batch)
    raw = copy_body(rows)
    ApiClient.objects.filter(name="bench").delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="api-bench").delete()
    _client, token = client_create("bench")
    print(
        f"rows={len(rows):,} batches={len(bodies)} x {args.batch:,} rows, "
        f"CSV {sum(map(len, bodies)) / 1e6:.1f} MB, load avg {os.getloadavg()[0]:.2f}"
    )

    row_fk_s = timed_copy_with_row_foreign_keys(url, raw)
    print(
        f"COPY, per-row FKs    : {row_fk_s:7.2f} s  {len(rows) / row_fk_s:>10,.0f} rows/s  "
        "(context only: previous table shape, 3 per-row foreign keys + their 3 indexes)"
    )
    truncate(url)
    copy_s = timed_copy(url, raw)
    copy_rate = len(rows) / copy_s
    print(
        f"COPY                 : {copy_s:7.2f} s  {copy_rate:>10,.0f} rows/s  "
        "(into the table the API writes: set-based reference triggers)"
    )
    truncate(url)

    server = start_server(url, args.port, args.workers)
    try:
        warm_up(args.port, token, args.workers)
        first_s, first = push_all(args.port, token, bodies, args.clients)
        print(
            f"API pass 1 (insert)  : {first_s:7.2f} s  {len(rows) / first_s:>10,.0f} rows/s  {first}"
        )
        second_s, second = push_all(args.port, token, bodies, args.clients)
        print(
            f"API pass 2 (same)    : {second_s:7.2f} s  {len(rows) / second_s:>10,.0f} rows/s  {second}"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert first["created"] == len(rows) and second["unchanged"] == len(rows)
    rate = len(rows) / first_s
    print(
        f"ratio API/COPY       : {rate / copy_rate:.2f} (goal >= 0.25); "
        f"API rows/s {rate:,.0f} (goal >= 50,000); "
        f"pass 2 / pass 1 time: {second_s / first_s:.2f} (goal <= 1.0)"
    )


if __name__ == "__main__":
    main()
