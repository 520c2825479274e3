"""What the grievance models share: history's extra column, the complainant's choices, reference counters."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TransitionHistory(models.Model):
    """Extra column on history rows: the workflow step that wrote the row, if any."""

    transition = models.CharField(_("étape"), max_length=40, blank=True)

    class Meta:
        abstract = True


class Sex(models.TextChoices):
    FEMALE = "female", _("Femme")
    MALE = "male", _("Homme")
    UNKNOWN = "unknown", _("Non précisé")


class AgeGroup(models.TextChoices):
    UNDER_18 = "under_18", _("Moins de 18 ans")
    FROM_18_TO_35 = "18_35", _("18 à 35 ans")
    FROM_36_TO_59 = "36_59", _("36 à 59 ans")
    FROM_60 = "60_plus", _("60 ans et plus")
    UNKNOWN = "unknown", _("Non précisé")


class ContactPreference(models.TextChoices):
    """How the complainant wishes to be told of the acknowledgement, commitments and the answer."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("Courrier électronique")
    PHONE = "phone", _("Appel téléphonique")
    POSTAL = "postal", _("Courrier postal")
    NONE = "none", _("Aucun : je suivrai ma réclamation en ligne")


class Residence(models.TextChoices):
    URBAN = "urban", _("Urbain")
    RURAL = "rural", _("Rural")


class ReferenceCounter(models.Model):
    """Last number issued per reference prefix and year. Locked row, never Max()+1."""

    prefix = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="reference_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"


# History rows are read per grievance (`id`) in order (`history_id`), never searched by
# their other columns: an index on each foreign key would only slow down every step
