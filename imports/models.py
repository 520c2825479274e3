"""File imports of complaints from chikaya.ma, the Médiateur and the call centre (issue 7).

An `ImportJob` is one uploaded file and what became of it: first a dry run that checks
every row without writing, then the real import, row by row through the one intake door
(`grievances.services.intake.grievance_register`). The job keeps its counters and the list
of bad rows so that the page, the progress bar and the downloadable report read from it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Where the uploaded files are stored, under MEDIA_ROOT.
IMPORT_DIRECTORY = "imports"


def _stored_name(instance: "ImportJob", filename: str) -> str:
    # File names may carry a complainant's name: the stored file gets a random one.
    extension = instance.file_format or "bin"
    return f"{IMPORT_DIRECTORY}/{uuid.uuid4().hex}.{extension}"


class ImportJob(models.Model):
    class Source(models.TextChoices):
        CHIKAYA = "chikaya", _("Portail chikaya.ma")
        MEDIATEUR = "mediateur", _("Médiateur du Royaume")
        CALL_CENTRE = "call-centre", _("Centre d'appel")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("XLSX")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Déposé")
        VALIDATING = "validating", _("Vérification en cours")
        VALIDATED = "validated", _("Vérifié (essai à blanc fait)")
        IMPORTING = "importing", _("Import en cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("déposé par")
    )
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    channel = models.ForeignKey(
        "pmpp.Channel", on_delete=models.PROTECT, related_name="+", verbose_name=_("canal de réception")
    )
    # Shown on the job's page to the person who uploaded it; never in a URL or a log line.
    original_name = models.CharField(_("nom du fichier d'origine"), max_length=255)
    file = models.FileField(_("fichier"), upload_to=_stored_name)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    rows = models.PositiveIntegerField(_("lignes"), default=0)
    processed = models.PositiveIntegerField(_("lignes traitées"), default=0)
    valid_rows = models.PositiveIntegerField(_("lignes valides"), default=0)
    invalid_rows = models.PositiveIntegerField(_("lignes en erreur"), default=0)
    created_count = models.PositiveIntegerField(_("réclamations créées"), default=0)
    already_imported = models.PositiveIntegerField(_("déjà importées"), default=0)
    # [[row number, column, message], ...]: the messages never quote personal data.
    errors = models.JSONField(_("lignes en erreur (détail)"), default=list, blank=True)
    failure = models.CharField(_("cause de l'échec"), max_length=300, blank=True)
    validated_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import de réclamations")
        verbose_name_plural = _("imports de réclamations")
        permissions = [("run_import", _("Importer des réclamations depuis un fichier"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(processed__lte=models.F("rows")), name="import_processed_le_rows"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(finished_at__isnull=False),
                name="import_done_has_finished_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_source_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.rows:
            return 100 if self.status in (self.Status.VALIDATED, self.Status.DONE) else 0
        return min(100, self.processed * 100 // self.rows)

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.IMPORTING)
