"""The sites' data version: bumped by the database on every write of ``masterdata_site``.

Cached answers that show site codes (the supply plan grid and its export) name this version in
their keys, so renaming a site (form, admin, master-data import, raw SQL) is seen at once
instead of after the next plan build.
"""

from django.db import migrations

from datainputs.migrations import _data_version_sql as sql

SOURCES = {"sites": ("masterdata_site",)}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql.create(schema_editor, SOURCES)
    version = apps.get_model("datainputs", "DataVersion")
    version.objects.get_or_create(source="sites", defaults={"version": 1})


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql.drop(schema_editor, SOURCES)


class Migration(migrations.Migration):
    dependencies = [
        ("datainputs", "0005_data_versions"),
        ("masterdata", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
