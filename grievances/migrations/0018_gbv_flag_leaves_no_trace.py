"""Flagging a grievance as a GBV/SEA/SH case leaves no trace outside (security issue 17, finding 1).

- The husk keeps keyed digests of the CNIE and phone (`tracking_*_digest`, never in history),
  so that its receipt opens it as before; a constraint keeps them on a husk only.
- The sensitive case takes over the identity of the grievance it came from
  (`complainant_*`, NULL for a direct intake, which a constraint keeps so).
- An attachment belongs to a grievance or, once moved, to a sensitive case: exactly one.

The columns added to history tables (`historicalsensitivecase.complainant_*`,
`historicalattachment.sensitive_case`) are nullable and NULL on existing rows, so the audit
chain's digests of those rows do not change and nothing needs re-sealing.
"""

import django.db.models.deletion
from django.db import migrations, models


def drop_sqlite_chain_triggers(apps, schema_editor):
    """Reverse, on SQLite: the chain trigger of a history table names each of its columns, so it
    goes before they are dropped; `migrate`'s post_migrate puts it back on the columns left
    (as in 0015)."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    from pmpp.audit import trigger_name

    for model in ("HistoricalSensitiveCase", "HistoricalAttachment"):
        table = apps.get_model("grievances", model)._meta.db_table
        name = connection.ops.quote_name(trigger_name(table, "audit_chain", using=connection.alias))
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('grievances', '0017_free_text_limits'),
    ]

    operations = [
        migrations.AddField(
            model_name='attachment',
            name='sensitive_case',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='grievances.sensitivecase', verbose_name='cas sensible'),
        ),
        migrations.AddField(
            model_name='grievance',
            name='tracking_cnie_digest',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='empreinte de la CNIE (suivi)'),
        ),
        migrations.AddField(
            model_name='grievance',
            name='tracking_phone_digest',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='empreinte du téléphone (suivi)'),
        ),
        migrations.AddField(
            model_name='historicalattachment',
            name='sensitive_case',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='grievances.sensitivecase', verbose_name='cas sensible'),
        ),
        migrations.AddField(
            model_name='historicalsensitivecase',
            name='complainant_cnie',
            field=models.CharField(blank=True, max_length=12, null=True, verbose_name='CNIE'),
        ),
        migrations.AddField(
            model_name='historicalsensitivecase',
            name='complainant_email',
            field=models.EmailField(blank=True, max_length=254, null=True, verbose_name='courrier électronique'),
        ),
        migrations.AddField(
            model_name='historicalsensitivecase',
            name='complainant_name',
            field=models.CharField(blank=True, max_length=150, null=True, verbose_name='nom et prénom'),
        ),
        migrations.AddField(
            model_name='historicalsensitivecase',
            name='complainant_phone',
            field=models.CharField(blank=True, max_length=20, null=True, verbose_name='téléphone'),
        ),
        migrations.AddField(
            model_name='sensitivecase',
            name='complainant_cnie',
            field=models.CharField(blank=True, max_length=12, null=True, verbose_name='CNIE'),
        ),
        migrations.AddField(
            model_name='sensitivecase',
            name='complainant_email',
            field=models.EmailField(blank=True, max_length=254, null=True, verbose_name='courrier électronique'),
        ),
        migrations.AddField(
            model_name='sensitivecase',
            name='complainant_name',
            field=models.CharField(blank=True, max_length=150, null=True, verbose_name='nom et prénom'),
        ),
        migrations.AddField(
            model_name='sensitivecase',
            name='complainant_phone',
            field=models.CharField(blank=True, max_length=20, null=True, verbose_name='téléphone'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='grievance',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='grievances.grievance', verbose_name='réclamation'),
        ),
        migrations.AddConstraint(
            model_name='attachment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('grievance__isnull', False), ('sensitive_case__isnull', True)), models.Q(('grievance__isnull', True), ('sensitive_case__isnull', False)), _connector='OR'), name='attachment_joined_to_one_file'),
        ),
        migrations.AddConstraint(
            model_name='grievance',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('tracking_cnie_digest', ''), ('tracking_phone_digest', '')), models.Q(('anonymised_at__isnull', True), ('status', 'sensitive')), _connector='OR'), name='grievance_tracking_digests_only_on_a_husk'),
        ),
        migrations.AddConstraint(
            model_name='sensitivecase',
            constraint=models.CheckConstraint(condition=models.Q(('source_grievance__isnull', False), models.Q(('complainant_cnie__isnull', True), ('complainant_email__isnull', True), ('complainant_name__isnull', True), ('complainant_phone__isnull', True)), _connector='OR'), name='sensitive_identity_only_from_a_flagged_grievance'),
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_sqlite_chain_triggers),
    ]
