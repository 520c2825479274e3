"""A case kept separate is « similaire à » an open case, not « doublon de » it (issue 18).

Until now a case the agent opened despite an open one of the same person and subject (with
a reason) stored that case in `duplicate_of`, as a real duplicate does, and its file read
« Doublon de … ». Such cases now name it in `similar_to`; `duplicate_of` is left to cases
linked as duplicates, which a constraint keeps so. Statistics count duplicates by status
and are not changed by this.

The column added to the history table is nullable and NULL on existing rows, so the audit
chain's digests of those rows do not change. Each grievance moved gets a history row saying
so, as a service would write it (as in 0015).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

REASON = "Dossier gardé séparé : « similaire à » au lieu de « doublon de » (migration 0021)"


def kept_separate_cases_are_similar(apps, schema_editor):
    Grievance = apps.get_model("grievances", "Grievance")
    History = apps.get_model("grievances", "HistoricalGrievance")
    changed = []
    for grievance in Grievance.objects.filter(duplicate_of__isnull=False).exclude(status="duplicate").order_by("pk"):
        grievance.similar_to_id, grievance.duplicate_of_id = grievance.duplicate_of_id, None
        changed.append(grievance)
    if not changed:
        return
    Grievance.objects.bulk_update(changed, ["similar_to", "duplicate_of"], batch_size=1000)
    # The audit chain's SQLite triggers name the history table's columns: put them back first,
    # so that they digest the column just added (as in 0015).
    from pmpp.audit_chain import install_audit_chain

    install_audit_chain(using=schema_editor.connection.alias)
    own = {f.attname for f in Grievance._meta.concrete_fields if not f.generated}
    now = timezone.now()
    History.objects.bulk_create(
        [
            History(
                **{f.attname: getattr(g, f.attname) for f in History._meta.concrete_fields if f.attname in own},
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
                transition="",
            )
            for g in changed
        ],
        batch_size=1000,
    )


def similar_cases_back_to_duplicate_of(apps, schema_editor):
    """Reverse: the shape the code before this migration expects (no history row: the column
    the trail would digest is about to be dropped)."""
    Grievance = apps.get_model("grievances", "Grievance")
    changed = []
    for grievance in Grievance.objects.filter(similar_to__isnull=False).order_by("pk"):
        grievance.duplicate_of_id, grievance.similar_to_id = grievance.similar_to_id, None
        changed.append(grievance)
    Grievance.objects.bulk_update(changed, ["similar_to", "duplicate_of"], batch_size=1000)


def drop_sqlite_chain_triggers(apps, schema_editor):
    """Reverse, on SQLite: the history table's chain trigger goes before its columns do."""
    from pmpp.audit_chain import drop_sqlite_chain_trigger

    drop_sqlite_chain_trigger(schema_editor, apps.get_model("grievances", "HistoricalGrievance"))


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0020_commitment_deadline_guard"),
    ]

    operations = [
        migrations.AddField(
            model_name="grievance",
            name="similar_to",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="grievances.grievance",
                verbose_name="similaire à",
            ),
        ),
        migrations.AddField(
            model_name="historicalgrievance",
            name="similar_to",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="grievances.grievance",
                verbose_name="similaire à",
            ),
        ),
        # Reversed before the history column is dropped (operations reverse in reverse order).
        migrations.RunPython(migrations.RunPython.noop, drop_sqlite_chain_triggers),
        migrations.RunPython(kept_separate_cases_are_similar, similar_cases_back_to_duplicate_of),
        migrations.AddConstraint(
            model_name="grievance",
            constraint=models.CheckConstraint(
                condition=models.Q(("duplicate_of__isnull", True), ("status", "duplicate"), _connector="OR"),
                name="grievance_only_a_duplicate_names_its_original",
            ),
        ),
    ]
