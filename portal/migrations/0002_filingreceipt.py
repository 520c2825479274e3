import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0016_statistics_indexes_for_the_metric_dictionary"),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="FilingReceipt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=64, unique=True, verbose_name="empreinte de l'envoi")),
                ("sealed_pin", models.CharField(blank=True, max_length=64, verbose_name="code PIN scellé")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="déposée le")),
                (
                    "grievance",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="portal_receipt",
                        to="grievances.grievance",
                        verbose_name="réclamation",
                    ),
                ),
            ],
            options={
                "verbose_name": "reçu de dépôt en ligne",
                "verbose_name_plural": "reçus de dépôt en ligne",
                "indexes": [models.Index(fields=["created_at"], name="filing_receipt_created_idx")],
            },
        ),
    ]
