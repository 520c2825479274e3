"""Internal notes with @mentions, and bulk work on queues (issue 18, items 5 and 8).

- `InternalNote`: a note by staff for staff on a grievance file, with its history table
  (new, so nothing to re-seal in the audit chain); `NoteMention`: a colleague it names,
  until they open the file (the « Mentions » queue reads its partial index).
- `BulkRun`: one piece of bulk work on a queue (selection, choice, per-case result), for the
  user who started it.
"""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('grievances', '0022_search_name_words_in_order'),
        ('pmpp', '0006_programme_less_memberships_named'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BulkRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='jeton')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='créée le')),
                ('queue_slug', models.CharField(max_length=40, verbose_name='file')),
                ('action', models.CharField(max_length=40, verbose_name='action')),
                ('grievance_ids', models.JSONField(default=list, verbose_name='réclamations')),
                ('matching', models.PositiveIntegerField(default=0, verbose_name='réclamations correspondantes')),
                ('comment', models.CharField(blank=True, max_length=2000, verbose_name='commentaire')),
                ('stage', models.CharField(choices=[('choosing', 'À préciser'), ('confirming', 'À confirmer'), ('running', 'En cours'), ('done', 'Effectuée')], default='choosing', max_length=12, verbose_name='étape')),
                ('ran_at', models.DateTimeField(blank=True, null=True, verbose_name='effectuée le')),
                ('results', models.JSONField(blank=True, default=list, verbose_name='résultat')),
                ('assignee', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='lancée par')),
                ('unit', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='pmpp.unit', verbose_name='service')),
            ],
            options={
                'verbose_name': 'traitement par lot',
                'verbose_name_plural': 'traitements par lot',
            },
        ),
        migrations.CreateModel(
            name='HistoricalInternalNote',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('transition', models.CharField(blank=True, max_length=40, verbose_name='étape')),
                ('body', models.TextField(max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='note')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='écrite le')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('author', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='auteur')),
                ('grievance', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='grievances.grievance', verbose_name='réclamation')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical note interne',
                'verbose_name_plural': 'historical notes internes',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='InternalNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('body', models.TextField(max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='note')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='écrite le')),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='auteur')),
                ('grievance', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='internal_notes', to='grievances.grievance', verbose_name='réclamation')),
            ],
            options={
                'verbose_name': 'note interne',
                'verbose_name_plural': 'notes internes',
                'ordering': ['grievance', 'created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='NoteMention',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seen_at', models.DateTimeField(blank=True, null=True, verbose_name='vue le')),
                ('grievance', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grievances.grievance', verbose_name='réclamation')),
                ('note', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='mentions', to='grievances.internalnote', verbose_name='note')),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='note_mentions', to=settings.AUTH_USER_MODEL, verbose_name='collègue mentionné')),
            ],
            options={
                'verbose_name': 'mention',
                'verbose_name_plural': 'mentions',
            },
        ),
        migrations.AddConstraint(
            model_name='internalnote',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('body'), 2000), name='internal_note_body_length'),
        ),
        migrations.AddIndex(
            model_name='notemention',
            index=models.Index(condition=models.Q(('seen_at__isnull', True)), fields=['user', 'grievance'], name='note_mention_unseen_idx'),
        ),
        migrations.AddConstraint(
            model_name='notemention',
            constraint=models.UniqueConstraint(fields=('note', 'user'), name='note_mention_unique'),
        ),
    ]
