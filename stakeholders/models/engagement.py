"""What was done with them: engagement activities, the concerns raised, minutes as evidence (PMPP §4–§5; SPEC §4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from pmpp import limits
from pmpp.limits import limited_text
from pmpp.models import Organisation, Programme
from stakeholders.models.registry import (
    Language,
    StakeholderGroup,
    _choices_validator,
)


class EngagementActivity(models.Model):
    """A consultation or communication activity, kept as evidence (§3.1, §4, §7)."""

    class Type(models.TextChoices):
        WORKSHOP = "workshop", _("Atelier")
        FOCUS_GROUP = "focus_group", _("Focus group")
        WORKING_MEETING = "working_meeting", _("Réunion de travail")
        VIDEOCONFERENCE = "videoconference", _("Visioconférence")
        PUBLIC_CONSULTATION = "public_consultation", _("Consultation publique")
        TRAINING = "training", _("Formation")
        INFORMATION_CAMPAIGN = "information_campaign", _("Campagne d'information")

    type = models.CharField(_("type"), max_length=24, choices=Type.choices)
    title = models.CharField(_("intitulé"), max_length=300)
    start_date = models.DateField(_("date de début"))
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    online = models.BooleanField(_("en ligne"), default=False)
    organiser = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="organised_activities", verbose_name=_("organisateur")
    )
    programmes = models.ManyToManyField(Programme, blank=True, related_name="activities", verbose_name=_("programmes"))
    groups = models.ManyToManyField(
        StakeholderGroup, blank=True, related_name="activities", verbose_name=_("groupes concernés")
    )
    invited_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="invitations", verbose_name=_("organisations invitées")
    )
    present_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="attendances", verbose_name=_("organisations présentes")
    )
    participants_women = models.PositiveIntegerField(_("participantes (femmes)"), default=0)
    participants_men = models.PositiveIntegerField(_("participants (hommes)"), default=0)
    participants_unspecified = models.PositiveIntegerField(_("participants (sexe non précisé)"), default=0)
    vulnerable_groups_reached = models.ManyToManyField(
        StakeholderGroup,
        blank=True,
        related_name="activities_reaching",
        verbose_name=_("groupes vulnérables atteints"),
        limit_choices_to={"category": StakeholderGroup.Category.VULNERABLE},
    )
    vulnerable_participants = models.PositiveIntegerField(_("participants issus de groupes vulnérables"), default=0)
    languages = models.JSONField(
        _("langues utilisées"), default=list, blank=True, validators=[_choices_validator(Language)]
    )
    topics = limited_text(_("thèmes / ordre du jour"), max_length=limits.LONG_TEXT, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[programmes, groups, invited_organisations, present_organisations])

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("activité de mobilisation")
        verbose_name_plural = _("activités de mobilisation")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="activity_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def participants_total(self) -> int:
        return self.participants_women + self.participants_men + self.participants_unspecified


class Concern(models.Model):
    """A concern or opinion raised during an activity, with the answer given (SPEC §4)."""

    activity = models.ForeignKey(
        EngagementActivity, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("activité")
    )
    theme = models.CharField(_("thème"), max_length=200)
    raised_by = models.ForeignKey(
        StakeholderGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("soulevée par"),
    )
    description = limited_text(_("préoccupation ou avis"), max_length=limits.LONG_TEXT)
    answer = limited_text(_("réponse apportée"), max_length=limits.LONG_TEXT, blank=True)
    follow_up_action = models.ForeignKey(
        "stakeholders.CorrectiveAction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("action de suivi"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["activity", "id"]
        verbose_name = _("préoccupation")
        verbose_name_plural = _("préoccupations")

    def __str__(self) -> str:
        return self.theme


class Minutes(FSMModelMixin, models.Model):
    """Minutes of an activity (compte rendu), the evidence §7 asks for.

    A validated version never changes: a correction is a new version, and every version
    stays readable with who validated it and when.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        VALIDATED = "validated", _("Validé")

    activity = models.ForeignKey(
        EngagementActivity, on_delete=models.PROTECT, related_name="minutes", verbose_name=_("activité")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by", verbose_name=_("corrige")
    )
    text = limited_text(_("compte rendu"), max_length=limits.MINUTES)
    correction_reason = limited_text(_("motif de la correction"), max_length=limits.NOTE, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("rédigé le"), default=timezone.now)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validé par"),
    )
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)
    status = FSMField(_("état"), max_length=10, choices=Status.choices, default=Status.DRAFT, protected=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["activity", "-version"]
        verbose_name = _("compte rendu")
        verbose_name_plural = _("comptes rendus")
        permissions = [("validate_minutes", _("Valider un compte rendu"))]
        constraints = [
            models.UniqueConstraint(fields=["activity", "version"], name="minutes_version_unique"),
            models.UniqueConstraint(
                fields=["activity"], condition=Q(status="draft"), name="one_draft_minutes_per_activity"
            ),
            models.CheckConstraint(
                condition=~Q(status="validated") | Q(validated_at__isnull=False, validated_by__isnull=False),
                name="validated_minutes_say_by_whom",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · v{self.version}"

    @transition(field=status, source=Status.DRAFT, target=Status.VALIDATED, permission="stakeholders.validate_minutes")
    def validate(self, *, actor, when) -> None:
        self.validated_by = actor
        self.validated_at = when


def minutes_attachment_path(instance: "MinutesAttachment", filename: str) -> str:
    import uuid

    return f"minutes/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class MinutesAttachment(models.Model):
    """A scan, photo or attendance sheet joined to one version of the minutes."""

    minutes = models.ForeignKey(
        Minutes, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("compte rendu")
    )
    file = models.FileField(_("fichier"), upload_to=minutes_attachment_path, max_length=200)
    original_name = models.CharField(_("nom d'origine"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["minutes", "uploaded_at"]
        verbose_name = _("pièce jointe du compte rendu")
        verbose_name_plural = _("pièces jointes des comptes rendus")

    def __str__(self) -> str:
        return self.original_name
