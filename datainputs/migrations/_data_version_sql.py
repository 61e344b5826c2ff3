"""Shared SQL of the data-version triggers (migrations ``datainputs.0005`` and ``demand.0005``).

A leading underscore keeps Django's migration loader from reading this module as a migration.
``create`` bumps ``datainputs_dataversion[source]`` after every INSERT, UPDATE, DELETE (and
TRUNCATE on PostgreSQL) of each table: once per statement on PostgreSQL, once per row on SQLite.
The bump is an upsert, so a flushed (test) database starts counting again.
"""

from __future__ import annotations

from typing import Any

BUMP = (
    "INSERT INTO datainputs_dataversion (source, version) VALUES ({source}, 1) "
    "ON CONFLICT (source) DO UPDATE SET version = datainputs_dataversion.version + 1"
)
PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION datainputs_bump_data_version() RETURNS trigger "
    "LANGUAGE plpgsql AS $$\nBEGIN\n    "
    + BUMP.format(source="TG_ARGV[0]")
    + ";\n    RETURN NULL;\nEND $$;"
)
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")


def _pairs(sources: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    return [(source, table) for source, tables in sources.items() for table in tables]


def create(schema_editor: Any, sources: dict[str, tuple[str, ...]]) -> None:
    """Create the bump triggers for ``source -> tables`` (PostgreSQL or SQLite)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, None)
    for source, table in _pairs(sources):
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER data_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION datainputs_bump_data_version('{source}')",
                None,
            )
        elif vendor == "sqlite":
            for event in SQLITE_EVENTS:
                schema_editor.execute(
                    f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN {BUMP.format(source=repr(source))}; END",
                    None,
                )


def drop(schema_editor: Any, sources: dict[str, tuple[str, ...]]) -> None:
    """Drop what ``create`` made for these sources (the shared function stays)."""
    vendor = schema_editor.connection.vendor
    for _source, table in _pairs(sources):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER data_version_bump ON {table}", None)
        elif vendor == "sqlite":
            for event in SQLITE_EVENTS:
                schema_editor.execute(f"DROP TRIGGER data_version_{table}_{event.lower()}", None)
