"""Stakeholder registry and engagement evidence (PMPP §3–§5, §7; SPEC §3, §4).

What the E&S focal point keeps: who the stakeholders are (groups, organisations, persons,
representatives and the verification of their mandate), what was done with them
(engagement activities, concerns raised and the answers given, minutes as evidence),
communication campaigns and their budget, corrective actions and the risk register.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from pmpp import limits
from pmpp.limits import limited_text
from pmpp.models import Organisation, Programme, Region


class Language(models.TextChoices):
    DARIJA = "darija", _("Darija")
    AMAZIGH = "amazigh", _("Amazighe")
    ARABIC = "arabic", _("Arabe")
    FRENCH = "french", _("Français")


class NotificationMeans(models.TextChoices):
    TELEPHONE = "telephone", _("Téléphone")
    RADIO = "radio", _("Radio")
    TELEVISION = "television", _("Télévision")
    FOCUS_GROUP = "focus_group", _("Focus group")
    WEBSITE = "website", _("Site web")
    EMAIL = "email", _("Courrier électronique")
    SMS = "sms", _("SMS")
    SOCIAL_MEDIA = "social_media", _("Réseaux sociaux")
    MEETING = "meeting", _("Réunions et ateliers")
    OFFICIAL_LETTER = "official_letter", _("Courriers officiels")
    PROXIMITY = "proximity", _("Agents de proximité")


@deconstructible
class ChoicesListValidator:
    """A JSON list whose every item is one of a TextChoices' values."""

    def __init__(self, choices_path: str):
        self.choices_path = choices_path

    def __call__(self, value) -> None:
        from django.core.exceptions import ValidationError
        from django.utils.module_loading import import_string

        allowed = set(import_string(self.choices_path).values)
        if not isinstance(value, list):
            raise ValidationError(_("Une liste est attendue."))
        unknown = [item for item in value if item not in allowed]
        if unknown:
            raise ValidationError(_("Valeurs inconnues : %(values)s") % {"values": ", ".join(map(str, unknown))})

    def __eq__(self, other) -> bool:
        return isinstance(other, ChoicesListValidator) and other.choices_path == self.choices_path


def _choices_validator(choices) -> ChoicesListValidator:
    return ChoicesListValidator(f"{choices.__module__}.{choices.__qualname__}")


class StakeholderGroup(models.Model):
    """A group of stakeholders (§3.2, table §3.3)."""

    class Category(models.TextChoices):
        AFFECTED = "affected", _("Partie touchée")
        INTERESTED = "interested", _("Autre partie concernée")
        VULNERABLE = "vulnerable", _("Groupe vulnérable")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    name_ar = models.CharField(_("nom (arabe)"), max_length=200, blank=True)
    category = models.CharField(_("catégorie"), max_length=12, choices=Category.choices)
    characteristics = limited_text(_("principales caractéristiques"), max_length=limits.LONG_TEXT, blank=True)
    language_needs = models.JSONField(
        _("besoins linguistiques"), default=list, blank=True, validators=[_choices_validator(Language)]
    )
    notification_means = models.JSONField(
        _("moyens de notification préférés"),
        default=list,
        blank=True,
        validators=[_choices_validator(NotificationMeans)],
    )
    needs = limited_text(_("besoins et attentes"), max_length=limits.LONG_TEXT, blank=True)
    programmes = models.ManyToManyField(
        Programme, blank=True, related_name="stakeholder_groups", verbose_name=_("programmes")
    )
    history = HistoricalRecords(m2m_fields=[programmes])

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("groupe de parties prenantes")
        verbose_name_plural = _("groupes de parties prenantes")

    def __str__(self) -> str:
        return self.name

    def language_labels(self) -> list[str]:
        return [str(Language(value).label) for value in self.language_needs]

    def notification_labels(self) -> list[str]:
        return [str(NotificationMeans(value).label) for value in self.notification_means]


class Level(models.IntegerChoices):
    VERY_LOW = 1, _("Très faible")
    LOW = 2, _("Faible")
    MEDIUM = 3, _("Moyen")
    HIGH = 4, _("Élevé")
    VERY_HIGH = 5, _("Très élevé")


class Stakeholder(models.Model):
    """An organisation or a person, with its influence and interest for the map (SPEC §3)."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        PERSON = "person", _("Personne")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("nom"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stakeholders",
        verbose_name=_("organisation de référence"),
    )
    groups = models.ManyToManyField(
        StakeholderGroup, blank=True, related_name="stakeholders", verbose_name=_("groupes")
    )
    programmes = models.ManyToManyField(
        Programme, blank=True, related_name="stakeholders", verbose_name=_("programmes")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="stakeholders", verbose_name=_("région")
    )
    contact_name = models.CharField(_("personne de contact"), max_length=150, blank=True)
    email = models.EmailField(_("courrier électronique"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    influence = models.PositiveSmallIntegerField(_("influence"), choices=Level.choices, default=Level.MEDIUM)
    interest = models.PositiveSmallIntegerField(_("intérêt"), choices=Level.choices, default=Level.MEDIUM)
    notes = limited_text(_("observations"), max_length=limits.NOTE, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    history = HistoricalRecords(m2m_fields=[groups, programmes])

    class Meta:
        ordering = ["name"]
        verbose_name = _("partie prenante")
        verbose_name_plural = _("parties prenantes")
        constraints = [
            models.CheckConstraint(condition=Q(influence__gte=1, influence__lte=5), name="stakeholder_influence_1_5"),
            models.CheckConstraint(condition=Q(interest__gte=1, interest__lte=5), name="stakeholder_interest_1_5"),
        ]

    def __str__(self) -> str:
        return self.name


class Representative(models.Model):
    """Someone who speaks for a group; §3.2 stresses that their legitimacy must be verified."""

    group = models.ForeignKey(
        StakeholderGroup, on_delete=models.PROTECT, related_name="representatives", verbose_name=_("groupe représenté")
    )
    stakeholder = models.ForeignKey(
        Stakeholder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="representations",
        verbose_name=_("partie prenante"),
    )
    name = models.CharField(_("nom"), max_length=150)
    role = models.CharField(_("qualité"), max_length=150, blank=True)
    contact = models.CharField(_("contact"), max_length=150, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "name"]
        verbose_name = _("représentant")
        verbose_name_plural = _("représentants")

    def __str__(self) -> str:
        return f"{self.name} ({self.group})"


class MandateVerification(models.Model):
    """One check of a representative's mandate: how, when, by whom, outcome, until when."""

    class Method(models.TextChoices):
        DOCUMENT = "document", _("Document de mandat")
        ASSEMBLY = "assembly", _("Décision d'assemblée ou de bureau")
        AUTHORITY = "authority", _("Attestation d'une autorité locale")
        INTERVIEW = "interview", _("Entretien avec les membres du groupe")
        OTHER = "other", _("Autre")

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Mandat confirmé")
        REJECTED = "rejected", _("Mandat non confirmé")
        INCONCLUSIVE = "inconclusive", _("Non concluant")

    representative = models.ForeignKey(
        Representative, on_delete=models.PROTECT, related_name="verifications", verbose_name=_("représentant")
    )
    method = models.CharField(_("méthode"), max_length=12, choices=Method.choices)
    verified_on = models.DateField(_("vérifié le"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("vérifié par")
    )
    outcome = models.CharField(_("résultat"), max_length=12, choices=Outcome.choices)
    expires_on = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    notes = limited_text(_("observations"), max_length=limits.NOTE, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["representative", "-verified_on", "-id"]
        verbose_name = _("vérification de mandat")
        verbose_name_plural = _("vérifications de mandat")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("verified_on")),
                name="mandate_expires_after_verification",
            )
        ]

    def __str__(self) -> str:
        return f"{self.representative} · {self.verified_on:%d/%m/%Y}"


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


class CorrectiveAction(FSMModelMixin, models.Model):
    """An action decided from complaints, surveys or consultations (§7)."""

    class Source(models.TextChoices):
        GRIEVANCES = "grievances", _("Réclamations")
        CONSULTATION = "consultation", _("Consultation")
        SURVEY = "survey", _("Enquête")
        OTHER = "other", _("Autre")

    class Status(models.TextChoices):
        OPEN = "open", _("À lancer")
        IN_PROGRESS = "in_progress", _("En cours")
        DONE = "done", _("Réalisée")
        CANCELLED = "cancelled", _("Abandonnée")

    title = models.CharField(_("intitulé"), max_length=300)
    description = limited_text(_("description"), max_length=limits.LONG_TEXT, blank=True)
    source = models.CharField(_("origine"), max_length=12, choices=Source.choices)
    source_activity = models.ForeignKey(
        EngagementActivity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrective_actions",
        verbose_name=_("activité d'origine"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("programme")
    )
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="corrective_actions", verbose_name=_("responsable")
    )
    owner_name = models.CharField(_("personne responsable"), max_length=150, blank=True)
    due_on = models.DateField(_("échéance"))
    completed_on = models.DateField(_("réalisée le"), null=True, blank=True)
    status = FSMField(_("état"), max_length=12, choices=Status.choices, default=Status.OPEN, protected=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action corrective")
        verbose_name_plural = _("actions correctives")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_on__isnull=False), name="done_action_has_completion_date"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, *, today=None) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS) and self.due_on < (
            today or timezone.localdate()
        )

    @transition(
        field=status, source=Status.OPEN, target=Status.IN_PROGRESS, permission="stakeholders.change_correctiveaction"
    )
    def start(self) -> None:
        pass

    @transition(
        field=status,
        source=[Status.OPEN, Status.IN_PROGRESS],
        target=Status.DONE,
        permission="stakeholders.change_correctiveaction",
    )
    def complete(self, *, on) -> None:
        self.completed_on = on

    @transition(
        field=status,
        source=[Status.OPEN, Status.IN_PROGRESS],
        target=Status.CANCELLED,
        permission="stakeholders.change_correctiveaction",
    )
    def cancel(self) -> None:
        pass


class ProgressNote(models.Model):
    action = models.ForeignKey(
        CorrectiveAction, on_delete=models.PROTECT, related_name="notes", verbose_name=_("action")
    )
    text = limited_text(_("avancement"), max_length=limits.NOTE)
    percent_done = models.PositiveSmallIntegerField(
        _("avancement (%)"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("écrit le"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "-created_at"]
        verbose_name = _("note d'avancement")
        verbose_name_plural = _("notes d'avancement")

    def __str__(self) -> str:
        return f"{self.action} · {self.created_at:%d/%m/%Y}"


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
        CorrectiveAction,
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


class Campaign(models.Model):
    """A communication or disclosure campaign of a programme (§4.1–§4.4, §5.1)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("programme")
    )
    title = models.CharField(_("intitulé"), max_length=300)
    description = limited_text(_("description"), max_length=limits.LONG_TEXT, blank=True)
    channels = models.CharField(_("canaux"), max_length=300, blank=True)
    languages = models.JSONField(_("langues"), default=list, blank=True, validators=[_choices_validator(Language)])
    target_groups = models.ManyToManyField(
        StakeholderGroup, blank=True, related_name="campaigns", verbose_name=_("groupes cibles")
    )
    responsible = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("organisme responsable")
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[target_groups])

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("campagne de communication")
        verbose_name_plural = _("campagnes de communication")

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    """One line of a campaign's budget, planned and spent, in MAD TTC."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="lines", verbose_name=_("campagne"))
    position = models.PositiveSmallIntegerField(_("n°"), default=1)
    label = models.CharField(_("action"), max_length=300)
    channel = models.CharField(_("support / canal"), max_length=200, blank=True)
    planned_amount = models.DecimalField(_("budget prévu (MAD TTC)"), max_digits=14, decimal_places=2)
    actual_amount = models.DecimalField(
        _("dépense réelle (MAD TTC)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "position", "id"]
        verbose_name = _("ligne budgétaire")
        verbose_name_plural = _("lignes budgétaires")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0, actual_amount__gte=0), name="budget_amounts_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.label


class DisclosedDocument(models.Model):
    """A document disclosed to the public (PMPP versions, notices…)."""

    title = models.CharField(_("titre"), max_length=300)
    version = models.CharField(_("version"), max_length=100, blank=True)
    published_on = models.DateField(_("publié le"))
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("programme")
    )
    where = models.CharField(_("lieu de publication"), max_length=300, blank=True)
    languages = models.JSONField(_("langues"), default=list, blank=True, validators=[_choices_validator(Language)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on"]
        verbose_name = _("document divulgué")
        verbose_name_plural = _("documents divulgués")

    def __str__(self) -> str:
        return f"{self.title} ({self.version})" if self.version else self.title


class Risk(FSMModelMixin, models.Model):
    """An environmental and social risk of the project and its mitigation (§2.2)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Actif")
        MITIGATED = "mitigated", _("Atténué")
        CLOSED = "closed", _("Clos")

    number = models.PositiveSmallIntegerField(_("n°"), unique=True)
    title = models.CharField(_("risque"), max_length=300)
    components = models.CharField(_("composantes / activités concernées"), max_length=300)
    mitigation = limited_text(_("mesures d'atténuation"), max_length=limits.LONG_TEXT)
    status = FSMField(_("état"), max_length=10, choices=Status.choices, default=Status.ACTIVE, protected=True)
    status_note = limited_text(_("observations sur l'état"), max_length=limits.NOTE, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("risque")
        verbose_name_plural = _("registre des risques")

    def __str__(self) -> str:
        return f"{self.number}) {self.title}"

    @transition(field=status, source=Status.ACTIVE, target=Status.MITIGATED, permission="stakeholders.change_risk")
    def mark_mitigated(self, *, note: str) -> None:
        self.status_note = note

    @transition(
        field=status,
        source=[Status.ACTIVE, Status.MITIGATED],
        target=Status.CLOSED,
        permission="stakeholders.change_risk",
    )
    def close(self, *, note: str) -> None:
        self.status_note = note

    @transition(
        field=status,
        source=[Status.MITIGATED, Status.CLOSED],
        target=Status.ACTIVE,
        permission="stakeholders.change_risk",
    )
    def reactivate(self, *, note: str) -> None:
        self.status_note = note
