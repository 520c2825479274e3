"""What follows: corrective actions and their progress, communication campaigns and their
budget, disclosed documents, the risk register (PMPP §5, §7)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from pmpp import limits
from pmpp.limits import limited_text
from pmpp.models import Organisation, Programme
from stakeholders.models.engagement import (
    EngagementActivity,
)
from stakeholders.models.registry import (
    Language,
    StakeholderGroup,
    _choices_validator,
)


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
