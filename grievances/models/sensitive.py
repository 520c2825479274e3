"""Sensitive GBV/SEA/SH cases (SPEC §5.5): the minimum, seen by the GBV referent only."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from grievances.access import may_handle_sensitive
from grievances.models.base import AgeGroup, Sex, TransitionHistory
from grievances.models.grievance import Grievance
from pmpp import limits
from pmpp.limits import limited_text
from pmpp.models import Channel, Programme


class SensitiveCaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SensitiveCaseQuerySet":
        from grievances.access import sensitive_scope_q

        return self.filter(sensitive_scope_q(user))

    def referral_overdue(self, *, now=None) -> "SensitiveCaseQuerySet":
        """Open cases not referred within the deadline (24 hours by default, SPEC §5.5)."""
        return self.filter(status=SensitiveCase.Status.OPEN, referral_due_at__lt=now or timezone.now())


class SensitiveCase(FSMModelMixin, models.Model):
    """A GBV/SEA/SH allegation (SPEC §5.5, PMPP §2.2 risk 4): the minimum, for the referent only.

    A case registered directly records no identity: the intake service discards what was
    typed, and a constraint keeps the identity fields NULL. A case flagged from an ordinary
    grievance takes over the identity that grievance held (`IDENTITY_FIELDS`), so that it
    lives here only, under the referent's control, and the referent alone decides whether
    and how to reach the survivor; the grievance keeps none of it (`grievance_flag_sensitive`).
    Only the GBV referent role can read these rows.
    """

    IDENTITY_FIELDS = ("complainant_cnie", "complainant_phone", "complainant_name", "complainant_email")

    class Linked(models.TextChoices):
        YES = "yes", _("Oui")
        NO = "no", _("Non")
        UNKNOWN = "unknown", _("Ne sait pas")

    class Status(models.TextChoices):
        OPEN = "open", _("À orienter")
        REFERRED = "referred", _("Orientée")
        CLOSED = "closed", _("Clôturée")

    reference = models.CharField(_("référence"), max_length=20, unique=True)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="sensitive_cases", verbose_name=_("programme")
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+", verbose_name=_("canal"))
    received_at = models.DateTimeField(_("date de réception"))
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now, editable=False)
    source_grievance = models.OneToOneField(
        Grievance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sensitive_case",
        verbose_name=_("réclamation d'origine"),
    )
    # Taken over from the source grievance when it was flagged; NULL for a direct intake, which
    # never held one. Nullable against the house rule, for the audit chain too: a column added
    # to a history table leaves the digest of older rows alone only when they hold NULL there.
    complainant_cnie = models.CharField(_("CNIE"), max_length=12, null=True, blank=True)
    complainant_phone = models.CharField(_("téléphone"), max_length=20, null=True, blank=True)
    complainant_name = models.CharField(_("nom et prénom"), max_length=150, null=True, blank=True)
    complainant_email = models.EmailField(_("courrier électronique"), max_length=254, null=True, blank=True)
    nature = limited_text(_("nature de l'allégation (termes du plaignant)"), max_length=limits.LONG_TEXT)
    perpetrator_linked = models.CharField(
        _("auteur présumé lié au projet"), max_length=8, choices=Linked.choices, default=Linked.UNKNOWN
    )
    survivor_age_group = models.CharField(
        _("tranche d'âge de la survivante / du survivant"),
        max_length=10,
        choices=AgeGroup.choices,
        default=AgeGroup.UNKNOWN,
    )
    survivor_sex = models.CharField(_("sexe"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    referral_offered = models.BooleanField(_("orientation proposée"), default=False)
    referral_accepted = models.BooleanField(_("orientation acceptée"), default=False)
    referred_at = models.DateTimeField(_("orientée le"), null=True, blank=True)
    service_provider = models.CharField(_("prestataire de services"), max_length=200, blank=True)
    referral_due_at = models.DateTimeField(_("orientation attendue avant"))
    consent_to_refer = models.BooleanField(_("consent à l'orientation"), default=False)
    consent_to_share_with_focal_point = models.BooleanField(
        _("consent au partage avec le point focal E&S"), default=False
    )
    consent_to_notify_bank = models.BooleanField(_("consent à l'information de la Banque mondiale"), default=False)
    closing_note = limited_text(_("observations de clôture"), max_length=limits.NOTE, blank=True)
    status = FSMField(_("état"), max_length=10, choices=Status.choices, default=Status.OPEN, protected=True)
    history = HistoricalRecords(bases=[TransitionHistory])
    objects = SensitiveCaseQuerySet.as_manager()

    class Meta:
        ordering = ["referral_due_at", "id"]
        verbose_name = _("cas sensible VBG/EAS/HS")
        verbose_name_plural = _("cas sensibles VBG/EAS/HS")
        default_permissions = ("view",)
        permissions = [("refer_sensitivecase", _("Orienter et clôturer un cas sensible"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="referred") | Q(referred_at__isnull=False, referral_accepted=True),
                name="sensitive_referred_has_date",
            ),
            models.CheckConstraint(
                condition=Q(referral_accepted=False) | Q(consent_to_refer=True),
                name="sensitive_referral_needs_consent",
            ),
            models.CheckConstraint(
                condition=Q(source_grievance__isnull=False)
                | Q(
                    complainant_cnie__isnull=True,
                    complainant_phone__isnull=True,
                    complainant_name__isnull=True,
                    complainant_email__isnull=True,
                ),
                name="sensitive_identity_only_from_a_flagged_grievance",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("nature"), limits.LONG_TEXT), name="sensitive_nature_length"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def forget_identity(self) -> None:
        """Blank the identity taken over from the source grievance (`IDENTITY_FIELDS`)."""
        for name in self.IDENTITY_FIELDS:
            setattr(self, name, None)

    def is_referral_overdue(self, *, now=None) -> bool:
        if self.referred_at is None:
            return (now or timezone.now()) > self.referral_due_at
        return self.referred_at > self.referral_due_at

    @transition(field=status, source=Status.OPEN, target=Status.REFERRED, permission=may_handle_sensitive)
    def refer(self, *, when, service_provider: str) -> None:
        # The consent is the one recorded when the case was flagged, never asked again here.
        self.referral_offered = True
        self.referral_accepted = True
        self.referred_at = when
        self.service_provider = service_provider

    @transition(
        field=status, source=[Status.OPEN, Status.REFERRED], target=Status.CLOSED, permission=may_handle_sensitive
    )
    def close(self, *, note: str) -> None:
        self.closing_note = note
