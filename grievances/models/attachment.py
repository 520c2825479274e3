"""Files joined to a grievance, stored under random names."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grievances.models.base import TransitionHistory
from grievances.models.grievance import Grievance


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name: the original one (often "CNIE_<number>.pdf") never reaches the disk or a URL.
    import uuid

    return f"grievances/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file joined to a grievance (scanned mail, photo, supporting document).

    Its type is checked from its content, not its name, and it is served only through a
    view that checks the grievance is visible to the user, as a download. When the grievance
    is flagged as a GBV/SEA/SH case, its files move to the sensitive case (`sensitive_case`,
    `grievance` emptied), under a neutral name: the husk left behind lists none of them.
    """

    grievance = models.ForeignKey(
        Grievance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("réclamation"),
    )
    sensitive_case = models.ForeignKey(
        "grievances.SensitiveCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("cas sensible"),
    )
    file = models.FileField(_("fichier"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("nom d'origine"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("déposé par")
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    history = HistoricalRecords(bases=[TransitionHistory])

    class Meta:
        ordering = ["grievance", "uploaded_at"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        constraints = [
            models.CheckConstraint(
                condition=Q(grievance__isnull=False, sensitive_case__isnull=True)
                | Q(grievance__isnull=True, sensitive_case__isnull=False),
                name="attachment_joined_to_one_file",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
