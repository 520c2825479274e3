"""An answer template: a standard answer of one programme, category and outcome, in both languages."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grievances.models.workflow import Outcome
from pmpp import limits
from pmpp.limits import limited_text
from pmpp.models import ComplaintCategory, Programme


class Language(models.TextChoices):
    FRENCH = "fr", _("Français")
    ARABIC = "ar", _("Arabe")


class AnswerTemplate(models.Model):
    """A standard answer to a complainant (issue 18, item 2).

    Empty programme, category or outcome mean « any »: the most specific templates come
    first in the picker (answers.selectors.answer_templates_for_grievance). Templates are
    deactivated, never deleted, so the history tells which text was offered when.
    """

    name = models.CharField(_("nom"), max_length=120)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answer_templates",
        verbose_name=_("programme"),
        help_text=_("Vide : tous les programmes."),
    )
    category = models.ForeignKey(
        ComplaintCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answer_templates",
        verbose_name=_("catégorie"),
        help_text=_("Vide : toutes les catégories du programme."),
    )
    outcome = models.CharField(
        _("résultat de l'analyse"),
        max_length=10,
        choices=Outcome.choices,
        blank=True,
        help_text=_("Vide : quel que soit le résultat."),
    )
    text_fr = limited_text(_("texte en français"), max_length=limits.LONG_TEXT)
    text_ar = limited_text(_("texte en arabe"), max_length=limits.LONG_TEXT)
    is_active = models.BooleanField(_("actif"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("modèle de réponse")
        verbose_name_plural = _("modèles de réponse")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                condition=Q(programme__isnull=False),
                name="answertemplate_name_unique_per_programme",
                violation_error_message=_("Un modèle de ce nom existe déjà pour ce programme."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(programme__isnull=True),
                name="answertemplate_name_unique_for_all_programmes",
                violation_error_message=_("Un modèle de ce nom existe déjà pour tous les programmes."),
            ),
            # A category belongs to one programme: a template for « all programmes » names none.
            models.CheckConstraint(
                condition=Q(category__isnull=True) | Q(programme__isnull=False),
                name="answertemplate_category_needs_programme",
                violation_error_message=_("Une catégorie ne peut être choisie que pour un programme précis."),
            ),
            models.CheckConstraint(condition=Q(outcome__in=["", *Outcome.values]), name="answertemplate_outcome_valid"),
            models.CheckConstraint(
                condition=~Q(name="") & ~Q(text_fr="") & ~Q(text_ar=""), name="answertemplate_texts_not_empty"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text_fr"), limits.LONG_TEXT), name="answertemplate_text_fr_length"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text_ar"), limits.LONG_TEXT), name="answertemplate_text_ar_length"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def text(self, language: str) -> str:
        return self.text_ar if language == Language.ARABIC else self.text_fr

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from answers.placeholders import placeholder_errors

        errors: dict[str, list] = {}
        if self.category_id and self.programme_id and self.category.programme_id != self.programme_id:
            errors["category"] = [_("Cette catégorie n'appartient pas au programme choisi.")]
        for field in ("text_fr", "text_ar"):
            problems = placeholder_errors(getattr(self, field))
            if problems:
                errors[field] = problems
        if errors:
            raise ValidationError(errors)

    @property
    def scope_label(self) -> str:
        return self.programme.label if self.programme_id else str(_("Tous les programmes"))

    @staticmethod
    def default_language() -> str:
        return Language.ARABIC if (get_language() or "").startswith("ar") else Language.FRENCH
