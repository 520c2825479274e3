"""A piece of bulk work on a queue: what was selected, what was asked, what each case gave.

Each case of a run goes through the same service as one by one (grievances.services.bulk_work),
which writes the case's history; this row only keeps the run together across its pages —
choose, confirm, read the result — for the user who started it, and nobody else. It holds
references and reasons, never personal data.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmpp import limits
from pmpp.models import Unit


class BulkRun(models.Model):
    class Stage(models.TextChoices):
        CHOOSING = "choosing", _("À préciser")
        CONFIRMING = "confirming", _("À confirmer")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Effectuée")

    # Addresses the run in its URLs: not guessable, and no personal data.
    token = models.UUIDField(_("jeton"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("lancée par")
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    queue_slug = models.CharField(_("file"), max_length=40)
    action = models.CharField(_("action"), max_length=40)
    # The ids selected, in the queue's order; `matching` is how many the queue held when
    # « toutes » was asked (more than the ids when capped).
    grievance_ids = models.JSONField(_("réclamations"), default=list)
    matching = models.PositiveIntegerField(_("réclamations correspondantes"), default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("agent"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("service"),
    )
    comment = models.CharField(_("commentaire"), max_length=limits.NOTE, blank=True)
    stage = models.CharField(_("étape"), max_length=12, choices=Stage.choices, default=Stage.CHOOSING)
    ran_at = models.DateTimeField(_("effectuée le"), null=True, blank=True)
    # One entry per case: {"id", "reference", "done": bool, "message"}.
    results = models.JSONField(_("résultat"), default=list, blank=True)

    class Meta:
        verbose_name = _("traitement par lot")
        verbose_name_plural = _("traitements par lot")

    def __str__(self) -> str:
        return f"{self.action} × {len(self.grievance_ids)}"

    @property
    def count(self) -> int:
        return len(self.grievance_ids)

    @property
    def capped(self) -> bool:
        return self.matching > len(self.grievance_ids)
