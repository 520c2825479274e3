"""Treatment commitments of a business unit (operation 3, §6.3.6), kept as a renewal chain."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from grievances.models.base import TransitionHistory
from grievances.models.grievance import Grievance
from pmpp import limits
from pmpp.limits import limited_text


class Commitment(FSMModelMixin, models.Model):
    """A treatment commitment given by a business unit (operation 3, §6.3.6).

    Never overwritten: a broken commitment stays as it was and a renewal is a new row
    that points at it, so the chain tells the whole story and drives the closure-date rule.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En cours")
        HONOURED = "honoured", _("Honoré")
        BROKEN = "broken", _("Non honoré")

    grievance = models.ForeignKey(
        Grievance, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("réclamation")
    )
    sequence = models.PositiveSmallIntegerField(_("numéro"))
    renews = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewed_by", verbose_name=_("renouvelle")
    )
    promised_on = models.DateField(_("date promise"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("donné par")
    )
    given_at = models.DateTimeField(_("donné le"))
    note = limited_text(_("observations"), max_length=limits.NOTE, blank=True)
    renewal_reason = limited_text(_("motif du renouvellement"), max_length=limits.NOTE, blank=True)
    notified_at = models.DateTimeField(_("notifié au réclamant le"), null=True, blank=True)
    realised_at = models.DateTimeField(_("réalisé le"), null=True, blank=True)
    broken_reason = limited_text(_("motif du non-respect"), max_length=limits.NOTE, blank=True)
    # Deadline guard: a date promised after the grievance's due date is kept only with the
    # reason the handler gave for it, and the due date it overruns. NULL, not blank, when the
    # promise is within the deadline, so that the history rows written before these columns
    # existed keep their digest in the audit chain (pmpp/audit_chain.py).
    beyond_due_on = models.DateField(_("échéance dépassée par la date promise"), null=True, blank=True)
    beyond_due_reason = limited_text(
        _("motif d'une date promise après l'échéance"), max_length=limits.NOTE, null=True, blank=True
    )
    status = FSMField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING, protected=True)
    # Its history is read per grievance (the timeline), so that column keeps its index.
    history = HistoricalRecords(bases=[TransitionHistory], no_db_index=["renews", "given_by"])

    class Meta:
        ordering = ["grievance", "sequence"]
        verbose_name = _("engagement de traitement")
        verbose_name_plural = _("engagements de traitement")
        constraints = [
            models.UniqueConstraint(fields=["grievance", "sequence"], name="commitment_sequence_unique"),
            models.UniqueConstraint(
                fields=["grievance"], condition=Q(status="pending"), name="one_pending_commitment_per_grievance"
            ),
            models.CheckConstraint(
                condition=~Q(status="honoured") | Q(realised_at__isnull=False), name="honoured_commitment_realised"
            ),
            models.CheckConstraint(
                condition=Q(sequence=1, renews__isnull=True) | Q(sequence__gt=1, renews__isnull=False),
                name="commitment_renewal_chain",
            ),
            models.CheckConstraint(
                condition=Q(beyond_due_on__isnull=True, beyond_due_reason__isnull=True)
                | Q(beyond_due_on__isnull=False, promised_on__gt=F("beyond_due_on"), beyond_due_reason__gt=""),
                name="commitment_beyond_due_has_reason",
            ),
        ]
        indexes = [
            # The « engagements échus » queue and its count, shown on every page: the pending
            # commitments whose date has come, read from the index alone instead of from
            # every pending commitment's row.
            models.Index(
                fields=["promised_on", "grievance"], condition=Q(status="pending"), name="commitment_pending_due_idx"
            ),
            # « Engagements à notifier » and its count on every page: the few pending
            # commitments nobody has told the complainant about, not every pending one.
            models.Index(
                fields=["grievance"],
                condition=Q(status="pending", notified_at__isnull=True),
                name="commitment_pending_untold_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grievance_id} #{self.sequence} · {self.promised_on:%d/%m/%Y}"

    @transition(field=status, source=Status.PENDING, target=Status.HONOURED)
    def honour(self, *, realised_at) -> None:
        self.realised_at = realised_at

    @transition(field=status, source=Status.PENDING, target=Status.BROKEN)
    def break_(self, *, reason: str) -> None:
        self.broken_reason = reason
