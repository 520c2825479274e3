"""Who the stakeholders are: groups, organisations and persons, representatives and the
verification of their mandates (PMPP §3; SPEC §3)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
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


@deconstructible(path="stakeholders.models.ChoicesListValidator")
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
    # Named by the package every model is imported from, as the migrations name it.
    return ChoicesListValidator(f"stakeholders.models.{choices.__qualname__}")


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
