"""The consensus snapshots' data version (the accuracy report's cached answers depend on it)."""

from django.db import migrations

from datainputs.migrations import _data_version_sql as sql

SOURCES = {"demand_snapshots": ("demand_consensussnapshot",)}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql.create(schema_editor, SOURCES)
    version = apps.get_model("datainputs", "DataVersion")
    version.objects.get_or_create(source="demand_snapshots", defaults={"version": 1})


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql.drop(schema_editor, SOURCES)


class Migration(migrations.Migration):
    dependencies = [("demand", "0005_demand_data_version")]

    operations = [migrations.RunPython(forward, backward)]
