"""Data versions: a counter per data source, bumped by the database on every write.

``cycles.plan`` used to take a step's data versions as ``COUNT(*)`` and ``MAX(updated_at)`` over
each source table (1.2 M sales rows at 10k SKUs) on every read of a stage ribbon. The database
now keeps one counter per source (``datainputs_dataversion``): a trigger on each table bumps it
after every write, whoever writes (import, API ingest, admin, COPY, raw SQL); see
``_data_version_sql``. Open orders and product families are versioned too (the demand grid's
cached answers depend on them).
"""

from django.db import migrations, models

from datainputs.migrations import _data_version_sql as sql

# A frozen copy of datainputs.versions.SOURCES at this migration.
SOURCES = {
    "sales_history": ("datainputs_saleshistory",),
    "stock": ("datainputs_inventoryonhand", "datainputs_openreceipt"),
    "products": ("masterdata_product",),
    "supply_terms": ("masterdata_supplyterm", "masterdata_supplytermmode"),
    "capacity": ("masterdata_resourcecapacity",),
    "open_orders": ("datainputs_openorder",),
    "families": ("masterdata_productfamily",),
}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql.create(schema_editor, SOURCES)
    version = apps.get_model("datainputs", "DataVersion")
    version.objects.bulk_create([version(source=s, version=1) for s in SOURCES])


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql.drop(schema_editor, SOURCES)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION datainputs_bump_data_version()", None)


class Migration(migrations.Migration):
    dependencies = [
        ("datainputs", "0004_negative_stock_and_import_warnings"),
        ("masterdata", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("source", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
