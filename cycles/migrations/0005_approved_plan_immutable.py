"""PostgreSQL refuses any UPDATE or DELETE of an approved plan and its rows (whatever the path:
ORM, admin, raw SQL). TRUNCATE (a test database flush) is not a row operation and still works."""

from django.db import migrations

TABLES = ("cycles_approvedplan", "cycles_approvedplanrow", "cycles_approvedresourcerow")

CREATE = """
CREATE OR REPLACE FUNCTION cycles_approved_plan_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The approved plan is immutable: % of % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION cycles_approved_plan_immutable();
"""
    for table in TABLES
)

DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS cycles_approved_plan_immutable();"
)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cycles", "0004_plan_demand_rows")]

    operations = [migrations.RunPython(forwards, backwards)]
