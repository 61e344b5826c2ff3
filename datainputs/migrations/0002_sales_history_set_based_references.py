"""Sales history: set-based reference checks instead of per-row foreign-key triggers.

A million-row ERP sync spent about 3/4 of its time in PostgreSQL's per-row foreign-key checks
(three ``SELECT ... FOR KEY SHARE`` per inserted row). These triggers give the same guarantee per
statement: after every INSERT or UPDATE of ``datainputs_saleshistory`` (ORM, fast-path upsert,
COPY, raw SQL) the distinct referenced ids are locked ``FOR KEY SHARE`` - exactly the lock a
foreign key takes, so a concurrent delete of a referenced row waits for this transaction - and
any id missing from its master table fails the statement with SQLSTATE 23503 (the foreign-key
error code, so Django raises ``IntegrityError`` as before). A BEFORE DELETE (or key UPDATE) row
trigger on product, site and channel refuses to remove a row sales history still references;
row triggers lock the row first, so they see what a concurrent writer committed meanwhile.
"""

import django.db.models.deletion
from django.db import migrations, models

REFERENCES = (
    ("product_id", "masterdata_product"),
    ("site_id", "masterdata_site"),
    ("channel_id", "masterdata_channel"),
)


def _check_function() -> str:
    steps = []
    for column, table in REFERENCES:
        steps.append(f"""
    PERFORM 1 FROM {table} m WHERE m.id IN (SELECT n.{column} FROM new_rows n) FOR KEY SHARE;
    SELECT n.{column} INTO missing FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM {table} m WHERE m.id = n.{column}) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('datainputs_saleshistory.{column}=%s is not in {table}', missing);
    END IF;""")
    return (
        "CREATE FUNCTION datainputs_sales_history_check_refs() RETURNS trigger "
        "LANGUAGE plpgsql AS $$\nDECLARE missing bigint;\nBEGIN"
        + "".join(steps)
        + "\n    RETURN NULL;\nEND $$;"
    )


PROTECT_FUNCTION = """
CREATE FUNCTION datainputs_sales_history_protect() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE used boolean;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM datainputs_saleshistory WHERE %I = $1)',
                   TG_ARGV[0]) INTO used USING OLD.id;
    IF used THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('%s id=%s is still referenced from datainputs_saleshistory',
                             TG_TABLE_NAME, OLD.id);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
"""

FORWARD = [
    _check_function(),
    "CREATE TRIGGER sales_history_refs_insert AFTER INSERT ON datainputs_saleshistory "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION datainputs_sales_history_check_refs()",
    "CREATE TRIGGER sales_history_refs_update AFTER UPDATE ON datainputs_saleshistory "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION datainputs_sales_history_check_refs()",
    PROTECT_FUNCTION,
    *(
        f"CREATE TRIGGER sales_history_protect BEFORE DELETE OR UPDATE OF id ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION datainputs_sales_history_protect('{column}')"
        for column, table in REFERENCES
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER sales_history_protect ON {table}" for _, table in REFERENCES),
    "DROP FUNCTION datainputs_sales_history_protect()",
    "DROP TRIGGER sales_history_refs_update ON datainputs_saleshistory",
    "DROP TRIGGER sales_history_refs_insert ON datainputs_saleshistory",
    "DROP FUNCTION datainputs_sales_history_check_refs()",
]


def _postgresql_only(sql: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for statement in sql:
                schema_editor.execute(statement, None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("datainputs", "0001_initial"),
        ("masterdata", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="saleshistory",
            name="channel",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="masterdata.channel",
            ),
        ),
        migrations.AlterField(
            model_name="saleshistory",
            name="product",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sales_history",
                to="masterdata.product",
            ),
        ),
        migrations.AlterField(
            model_name="saleshistory",
            name="site",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="masterdata.site",
            ),
        ),
        migrations.RunPython(_postgresql_only(FORWARD), _postgresql_only(BACKWARD)),
    ]
