"""Notifications to complainants and staff (issue 7): the outbox and deadline alerts.

A message is written to the outbox in the same transaction as the change that causes it
(an intake, a commitment, an answer sent, a deadline alert), so a rolled-back change leaves
no message; the task worker sends it after commit. The event key is unique: the same event
is never queued twice, whatever retries or re-runs happen upstream.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pmpp import limits
from pmpp.limits import limited_text


class DeadlineAlert(models.Model):
    """A deadline the sweep has already reported (SPEC §5.3: nothing waits silently).

    Not a state change of the grievance: the row only remembers that the alert of this kind
    was raised for this due date, so that running `sweep_deadlines` again raises nothing and
    sends nothing. A new due date (after an appeal) is a new deadline, hence a new alert.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Échéance proche")
        OVERDUE = "overdue", _("En retard")
        ESCALATED = "escalated", _("Escaladée")
        REFERRAL_OVERDUE = "referral_overdue", _("Orientation VBG en retard")

    grievance = models.ForeignKey(
        "grievances.Grievance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadline_alerts",
        verbose_name=_("réclamation"),
    )
    # Sensitive cases have their own referral clock (24 hours, SPEC §5.5) and no grievance.
    sensitive_case = models.ForeignKey(
        "grievances.SensitiveCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadline_alerts",
        verbose_name=_("cas sensible"),
    )
    kind = models.CharField(_("type d'alerte"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("échéance concernée"))
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("alerte d'échéance")
        verbose_name_plural = _("alertes d'échéance")
        constraints = [
            models.UniqueConstraint(
                fields=["grievance", "kind", "due_on"],
                condition=Q(grievance__isnull=False),
                name="deadline_alert_once_per_grievance_due_date",
            ),
            models.UniqueConstraint(
                fields=["sensitive_case", "kind", "due_on"],
                condition=Q(sensitive_case__isnull=False),
                name="deadline_alert_once_per_sensitive_case_due_date",
            ),
            models.CheckConstraint(
                condition=Q(
                    grievance__isnull=False, sensitive_case__isnull=True, kind__in=["due_soon", "overdue", "escalated"]
                )
                | Q(grievance__isnull=True, sensitive_case__isnull=False, kind="referral_overdue"),
                name="deadline_alert_grievance_xor_sensitive_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.due_on:%d/%m/%Y}"


class OutboxMessage(models.Model):
    """One message to one recipient, written with the change that causes it, sent after commit.

    The address is stored (it is the address in force when the event happened) and is
    personal data: it never appears in logs, in `last_error` or unmasked in the admin.
    """

    class Event(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Accusé de réception")
        COMMITMENT = "commitment", _("Date d'engagement de traitement")
        OUTCOME = "outcome", _("Résultat de la réclamation")
        DUE_SOON = "due_soon", _("Échéance proche")
        OVERDUE = "overdue", _("Échéance dépassée")
        ESCALATED = "escalated", _("Escalade")
        REFERRAL_OVERDUE = "referral_overdue", _("Orientation VBG en retard")

    class RecipientKind(models.TextChoices):
        COMPLAINANT = "complainant", _("Réclamant")
        STAFF = "staff", _("Utilisateur")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Courrier électronique")

    class Language(models.TextChoices):
        FRENCH = "fr", _("Français")
        ARABIC = "ar", _("Arabe")
        BILINGUAL = "fr+ar", _("Français et arabe")

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENT = "sent", _("Envoyé")
        # The gateway reported that the message reached the handset or mailbox
        # (`notification_mark_delivered`); most gateways never say, so "sent" is the usual end.
        DELIVERED = "delivered", _("Remis")
        FAILED = "failed", _("Échec définitif")
        # No electronic address (postal or walk-in intake without phone or e-mail, a user
        # without e-mail): recorded so that the agent knows to write or call; not an error.
        NOT_SENDABLE = "not_sendable", _("Non envoyable")
        # Withdrawn before it left: the grievance became a sensitive GBV/SEA/SH case.
        CANCELLED = "cancelled", _("Annulé")

    event_key = models.CharField(_("clé de l'événement"), max_length=100, unique=True)
    event = models.CharField(_("événement"), max_length=20, choices=Event.choices)
    grievance = models.ForeignKey(
        "grievances.Grievance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("réclamation"),
    )
    alert = models.ForeignKey(
        DeadlineAlert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("alerte"),
    )
    recipient_kind = models.CharField(_("destinataire"), max_length=12, choices=RecipientKind.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utilisateur destinataire"),
    )
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices, blank=True)
    address = models.CharField(_("adresse"), max_length=254, blank=True)
    language = models.CharField(_("langue"), max_length=5, choices=Language.choices, default=Language.FRENCH)
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    text = models.TextField(_("texte"), blank=True)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    last_error = models.CharField(_("dernière erreur"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("remis le"), null=True, blank=True)
    # The commitment whose date this message announces: sending it tells the complainant, so
    # the commitment is marked notified when it is sent (`notification_send`). Read through
    # the grievance only, hence no index of its own.
    commitment = models.ForeignKey(
        "grievances.Commitment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="outbox_messages",
        verbose_name=_("engagement"),
    )
    # Queued by hand (« Envoyer maintenant », a resend): who did it. Empty when the system
    # queued it with the change that caused it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        verbose_name=_("mis en file par"),
    )
    # A failed message is resent as a new row pointing at it: the failed row keeps what the
    # gateway answered, the new one its own attempts; one resend per failed message.
    resend_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resent_as",
        verbose_name=_("renvoi du message"),
    )
    resend_reason = models.CharField(_("motif du renvoi"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message à envoyer")
        verbose_name_plural = _("messages à envoyer")
        permissions = [("resend_outboxmessage", _("Renvoyer un message en échec"))]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="outbox_pending_by_next_attempt"
            ),
            # The « Messages en échec » queue: EXISTS a failed complainant message, per grievance.
            models.Index(
                fields=["grievance"],
                condition=Q(status="failed", recipient_kind="complainant"),
                name="outbox_failed_complainant",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["sent", "delivered"]) | Q(sent_at__isnull=False), name="outbox_sent_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False), name="outbox_delivered_has_date"
            ),
            models.CheckConstraint(
                condition=Q(resend_of__isnull=True) | (Q(created_by__isnull=False) & ~Q(resend_reason="")),
                name="outbox_resend_has_author_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | (~Q(channel="") & ~Q(address="")),
                name="outbox_pending_has_address",
            ),
            models.CheckConstraint(
                condition=Q(recipient_kind="complainant", grievance__isnull=False)
                | Q(recipient_kind="staff", recipient_user__isnull=False),
                name="outbox_recipient_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} · {self.get_status_display()}"

    @property
    def masked_address(self) -> str:
        return mask_address(self.address)


def mask_address(address: str) -> str:
    """« +2126•••••678 », « f•••@example.ma »: enough to check, not enough to reuse."""
    if not address:
        return ""
    if "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:1]}•••@{domain}"
    return f"{address[:5]}•••••{address[-3:]}" if len(address) > 8 else "•••"


class Exchange(models.Model):
    """A communication with the complainant that an agent records: a call received, a visit,
    a letter, a telephone call-back or a postal letter sent (issue 18).

    Messages the system sends are in the outbox; these are the rest, so that the file shows
    every exchange. Never edited or deleted: a correction is a new exchange.
    """

    class Kind(models.TextChoices):
        INBOUND_CALL = "inbound_call", _("Appel reçu")
        VISIT = "visit", _("Visite au guichet")
        INBOUND_LETTER = "inbound_letter", _("Courrier reçu")
        CALLBACK = "callback", _("Appel au réclamant")
        OUTBOUND_LETTER = "outbound_letter", _("Courrier postal envoyé")

    INBOUND = frozenset({Kind.INBOUND_CALL, Kind.VISIT, Kind.INBOUND_LETTER})

    grievance = models.ForeignKey(
        "grievances.Grievance", on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("réclamation")
    )
    kind = models.CharField(_("type d'échange"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("date de l'échange"))
    summary = limited_text(_("résumé"), max_length=limits.NOTE)
    # The exchange told the complainant this commitment's date (« informé par téléphone »).
    commitment = models.ForeignKey(
        "grievances.Commitment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="exchanges",
        verbose_name=_("engagement annoncé"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)
    history = HistoricalRecords(no_db_index=["commitment", "recorded_by"])

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("échange avec le réclamant")
        verbose_name_plural = _("échanges avec le réclamant")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_at:%d/%m/%Y %H:%M}"

    @property
    def inbound(self) -> bool:
        return self.kind in self.INBOUND
