"""The access log names the stakeholders and representatives whose contacts a read showed (issue 17).

Both columns are nullable and NULL on the rows already there: the log is chained
(pmpp.audit_chain), and a column added to a chained table leaves the digest of older rows
alone only when they hold NULL in it, so nothing needs re-sealing. On PostgreSQL a GIN index
serves « who read this person's contact », as for the grievance ids (migration 0002).
"""

from django.db import migrations

import privacy.models

TABLE = "privacy_personaldataaccess"
INDEXES = {
    "privacy_access_stakeholder_ids_gin": "stakeholder_ids",
    "privacy_access_representative_ids_gin": "representative_ids",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} USING gin ({column} jsonb_path_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    else:
        # SQLite's chain trigger names every column: it must go before a column is dropped.
        # The next migrate's post_migrate puts it back with the columns the table then has.
        from pmpp.audit import trigger_name

        name = trigger_name(TABLE, "audit_chain", using=schema_editor.connection.alias)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_access_log_id_indexes")]

    operations = [
        migrations.AddField(
            model_name="personaldataaccess",
            name="stakeholder_ids",
            field=privacy.models.IdListField(
                blank=True, null=True, verbose_name="contacts de parties prenantes consultés"
            ),
        ),
        migrations.AddField(
            model_name="personaldataaccess",
            name="representative_ids",
            field=privacy.models.IdListField(blank=True, null=True, verbose_name="contacts de représentants consultés"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
