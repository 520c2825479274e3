"""« Who read the file of grievance X » looks for X in the id arrays of the access log. On
PostgreSQL a GIN index (jsonb_path_ops, which serves @>) answers it without reading the
whole log; SQLite, the development default, reads the table, which is fine at its size.
"""

from django.db import migrations

INDEXES = {
    "privacy_access_grievance_ids_gin": "grievance_ids",
    "privacy_access_sensitive_ids_gin": "sensitive_case_ids",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON privacy_personaldataaccess USING gin ({column} jsonb_path_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
