"""Deadline guard (issue 18): a commitment promised after the grievance's due date.

- The commitment keeps the due date it overruns and the reason given for it, both NULL when
  it is within the deadline; a constraint keeps the two together, with a reason.
- The grievance says whether its pending commitment overruns (`commitment_beyond_due`), for
  the queues, which read the grievance's row only. Not in its history: the commitment's
  history records it.

The history columns are nullable and NULL on existing rows, so the audit chain's digests of
those rows do not change and nothing needs re-sealing (as in 0018).
"""

import django.core.validators
from django.conf import settings
from django.db import migrations, models


def drop_sqlite_chain_triggers(apps, schema_editor):
    """Reverse, on SQLite: the history table's chain trigger goes before its columns do."""
    from pmpp.audit_chain import drop_sqlite_chain_trigger

    drop_sqlite_chain_trigger(schema_editor, apps.get_model("grievances", "HistoricalCommitment"))


class Migration(migrations.Migration):

    dependencies = [
        ('grievances', '0018_gbv_flag_leaves_no_trace'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='commitment',
            name='beyond_due_on',
            field=models.DateField(blank=True, null=True, verbose_name='échéance dépassée par la date promise'),
        ),
        migrations.AddField(
            model_name='commitment',
            name='beyond_due_reason',
            field=models.TextField(blank=True, max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name="motif d'une date promise après l'échéance"),
        ),
        migrations.AddField(
            model_name='grievance',
            name='commitment_beyond_due',
            field=models.BooleanField(default=False, verbose_name="engagement au-delà de l'échéance"),
        ),
        migrations.AddField(
            model_name='historicalcommitment',
            name='beyond_due_on',
            field=models.DateField(blank=True, null=True, verbose_name='échéance dépassée par la date promise'),
        ),
        migrations.AddField(
            model_name='historicalcommitment',
            name='beyond_due_reason',
            field=models.TextField(blank=True, max_length=2000, null=True, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name="motif d'une date promise après l'échéance"),
        ),
        migrations.AddConstraint(
            model_name='commitment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('beyond_due_on__isnull', True), ('beyond_due_reason__isnull', True)), models.Q(('beyond_due_on__isnull', False), ('beyond_due_reason__gt', ''), ('promised_on__gt', models.F('beyond_due_on'))), _connector='OR'), name='commitment_beyond_due_has_reason'),
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_sqlite_chain_triggers),
    ]
