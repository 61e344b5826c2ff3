"""The demand plan's data version: bumped by the database on every write of its numbers.

Statistical forecasts, the current-forecast pointer, overrides and events are what the demand
grid shows (with sales history, open orders, products and families, versioned by
``datainputs.0005``). Any write to them, by any service, bumps ``demand_plan``, so the grid's
cached answers (``demand.grid_cache``) can never outlive a change of a plan number.
"""

from django.db import migrations

from datainputs.migrations import _data_version_sql as sql

SOURCES = {
    "demand_plan": (
        "demand_statisticalforecast",
        "demand_currentforecast",
        "demand_demandoverride",
        "demand_demandevent",
    ),
}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql.create(schema_editor, SOURCES)
    version = apps.get_model("datainputs", "DataVersion")
    version.objects.get_or_create(source="demand_plan", defaults={"version": 1})


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql.drop(schema_editor, SOURCES)


class Migration(migrations.Migration):
    dependencies = [
        ("demand", "0004_merge_20261130_1249"),
        ("datainputs", "0005_data_versions"),
    ]

    operations = [migrations.RunPython(forward, backward)]
