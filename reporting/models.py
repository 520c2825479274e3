"""The semester report to the World Bank (SPEC §6, PMPP §6.2.6 and §7).

A report is prepared as a draft, whose figures are recomputed every time it is shown, then
approved by the E&S focal point: approval freezes the figures of that moment in `snapshot`
and they are never recomputed afterwards, even if the underlying data is corrected. A
correction is a new version that supersedes the approved one, which stays as it was.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from pmpp import limits
from pmpp.limits import limited_text
from reporting.statistics import Period


class SemesterReport(FSMModelMixin, models.Model):
    class Semester(models.IntegerChoices):
        FIRST = 1, _("Premier semestre (janvier–juin)")
        SECOND = 2, _("Second semestre (juillet–décembre)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        APPROVED = "approved", _("Approuvé")

    year = models.PositiveSmallIntegerField(_("année"), validators=[MinValueValidator(2020), MaxValueValidator(2100)])
    semester = models.PositiveSmallIntegerField(_("semestre"), choices=Semester.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = FSMField(_("état"), max_length=10, choices=Status.choices, default=Status.DRAFT, protected=True)
    # Null while a draft: a draft has no figures of its own, it is assembled when shown.
    snapshot = models.JSONField(_("données figées"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approuvé par"),
    )
    approved_at = models.DateTimeField(_("approuvé le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("préparé par")
    )
    created_at = models.DateTimeField(_("préparé le"), default=timezone.now, editable=False)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("remplace"),
    )
    notes = limited_text(_("observations"), max_length=limits.NOTE, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-semester", "-version"]
        verbose_name = _("rapport semestriel")
        verbose_name_plural = _("rapports semestriels")
        # Nobody edits or deletes a report: a draft is approved, an approved one is superseded.
        default_permissions = ("add", "view")
        permissions = [
            ("approve_semesterreport", _("Approuver et figer un rapport semestriel")),
            # The dashboards and the statistics API: figures, never a grievance (SECURITY.md).
            ("view_statistics", _("Consulter les tableaux de bord et les statistiques")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["year", "semester", "version"], name="semester_report_version_unique"),
            models.UniqueConstraint(
                fields=["year", "semester"], condition=Q(status="draft"), name="one_draft_report_per_semester"
            ),
            models.CheckConstraint(condition=Q(semester__in=[1, 2]), name="semester_report_semester_1_or_2"),
            models.CheckConstraint(
                condition=Q(version=1, supersedes__isnull=True) | Q(version__gt=1, supersedes__isnull=False),
                name="semester_report_version_chain",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(snapshot__isnull=False, approved_by__isnull=False, approved_at__isnull=False),
                name="approved_report_is_frozen_and_signed",
            ),
            models.CheckConstraint(
                condition=~Q(status="draft")
                | Q(snapshot__isnull=True, approved_by__isnull=True, approved_at__isnull=True),
                name="draft_report_has_no_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} · v{self.version}"

    @property
    def period(self) -> Period:
        return Period.semester(self.year, self.semester)

    @property
    def label(self) -> str:
        """« S1 2026 », in the reader's language."""
        return semester_label(year=self.year, semester=self.semester)

    @transition(
        field=status, source=Status.DRAFT, target=Status.APPROVED, permission="reporting.approve_semesterreport"
    )
    def approve(self, *, actor, when, snapshot: dict) -> None:
        self.snapshot = snapshot
        self.approved_by = actor
        self.approved_at = when


def semester_label(*, year: int, semester: int) -> str:
    """A semester's short name in the active language: « S1 2026 » / « الأسدس 1 - 2026 »."""
    return gettext("S%(semester)s %(year)s") % {"semester": semester, "year": year}
