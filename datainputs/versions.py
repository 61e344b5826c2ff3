"""Data versions: which tables make up each data source a plan step reads, and their counters.

A source's version is a counter the database bumps (one UPDATE per writing statement on
PostgreSQL, per written row on SQLite) whenever one of its tables is written, by any writer;
reading every version is one primary-key scan of a five-row table, whatever the data size.
The counter is transactional: a reader sees the version of the data it can see, so a step
that read version 7 before an import committed finds 8 afterwards and is reported stale.
Writers of one source serialise on its counter row until they commit (imports of one table
already do; two transactions writing two sources in opposite orders would deadlock, and
PostgreSQL then aborts one of them).
"""

from __future__ import annotations

from datainputs.models import DataVersion

# source -> the tables whose writes change it (the triggers of migrations datainputs.0005/0006
# and demand.0005/0006 are created from frozen copies of this mapping; tests/datainputs/
# test_data_versions.py checks that every table bumps its source).
SOURCES: dict[str, tuple[str, ...]] = {
    "sales_history": ("datainputs_saleshistory",),
    "stock": ("datainputs_inventoryonhand", "datainputs_openreceipt"),
    "products": ("masterdata_product",),
    "supply_terms": ("masterdata_supplyterm", "masterdata_supplytermmode"),
    "capacity": ("masterdata_resourcecapacity",),
    "open_orders": ("datainputs_openorder",),
    "families": ("masterdata_productfamily",),
    "sites": ("masterdata_site",),  # site codes shown by cached answers (datainputs.0006)
    # demand statistical forecasts, current-forecast pointer, overrides, events (demand.0005)
    "demand_plan": (
        "demand_statisticalforecast",
        "demand_currentforecast",
        "demand_demandoverride",
        "demand_demandevent",
    ),
    "demand_snapshots": ("demand_consensussnapshot",),  # frozen at sign-off (demand.0006)
}


def current() -> dict[str, int]:
    """``source -> version`` for every source (one query; 0 for a source never written)."""
    stored = dict(DataVersion.objects.values_list("source", "version"))
    return {name: stored.get(name, 0) for name in SOURCES}
