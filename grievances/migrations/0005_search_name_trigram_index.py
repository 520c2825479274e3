"""Searching a name is a substring search (« zahra » finds « Fatima Zahra El Amrani »): on
PostgreSQL a trigram index answers it without reading every grievance. SQLite, the
development default, has no such index and reads the table, which is fine at its size.
"""

from django.db import migrations

INDEX = "grievance_search_name_trgm_idx"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON grievances_grievance USING gin (search_name gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("grievances", "0004_complainant_contact_and_satisfaction")]

    operations = [migrations.RunPython(forwards, backwards)]
