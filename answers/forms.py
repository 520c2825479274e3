"""Forms of the answer templates: the manager's editor, the deactivation, the agent's picker."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from answers.models import AnswerTemplate, Language
from answers.placeholders import PLACEHOLDERS
from pmpp import limits
from pmpp.category_select import ProgrammeCategorySelect, use_grouped_categories
from pmpp.form_rendering import BootstrapMixin
from pmpp.models import ComplaintCategory, Programme


def sms_counter_attrs() -> dict:
    """Attributes that attach static/js/sms-counter.js to a textarea (texts translated here)."""
    return {
        "data-sms-counter": "",
        "data-sms-max-segments": str(settings.PMPP_SMS_MAX_SEGMENTS),
        "data-sms-format": _("%(characters)s caractères · %(segments)s SMS (%(encoding)s)"),
        "data-sms-warning": _("Au-delà de %(max)s SMS : raccourcissez le texte ou envoyez-le par un autre canal."),
        "dir": "auto",
    }


def placeholders_help() -> str:
    return _("Variables possibles : %(names)s.") % {"names": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)}


class AnswerTemplateForm(BootstrapMixin, forms.ModelForm):
    """Create or change a template; programmes offered are those the manager manages."""

    reason = forms.CharField(label=_("Motif de la modification (facultatif)"), required=False, max_length=limits.NOTE)

    class Meta:
        model = AnswerTemplate
        fields = ["name", "programme", "category", "outcome", "text_fr", "text_ar"]
        widgets = {
            "text_fr": forms.Textarea(attrs={"rows": 6}),
            "text_ar": forms.Textarea(attrs={"rows": 6, "lang": "ar", "dir": "rtl"}),
            # The category list follows the chosen programme, as on intake (issue 18).
            "category": ProgrammeCategorySelect,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = user.programme_scope()
        every = user.is_superuser or scope.all_programmes
        programmes = Programme.objects.filter(is_active=True)
        categories = ComplaintCategory.objects.filter(is_active=True).select_related("programme")
        if not every:
            programmes = programmes.filter(pk__in=scope.programme_ids)
            categories = categories.filter(programme_id__in=scope.programme_ids)
        self.fields["programme"].queryset = programmes
        self.fields["programme"].required = not every
        self.fields["programme"].empty_label = _("Tous les programmes") if every else _("— choisir —")
        self.fields["category"].queryset = categories
        use_grouped_categories(self.fields["category"], categories, empty_label=_("Toutes les catégories"))
        self.fields["outcome"].choices = [("", _("Quel que soit le résultat")), *self.fields["outcome"].choices[1:]]
        for name in ("text_fr", "text_ar"):
            self.fields[name].widget.attrs.update({k: v for k, v in sms_counter_attrs().items() if k != "dir"})
            self.fields[name].help_text = placeholders_help()
        if self.instance.pk is None:
            del self.fields["reason"]
        self._style()


class DeactivateForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Motif de la désactivation"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(
        label=_("Je confirme : ce modèle ne sera plus proposé aux agents."),
        error_messages={"required": _("Cochez la case pour confirmer la désactivation.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class PickerForm(forms.Form):
    """The template picker of « Rédiger la réponse », read from the step page's query string
    (no personal data: a template's number and a language)."""

    modele = forms.TypedChoiceField(label=_("Modèle de réponse"), coerce=int, choices=())
    langue = forms.ChoiceField(label=_("Langue"), choices=Language.choices)
    action = forms.ChoiceField(choices=[("apercu", "apercu"), ("utiliser", "utiliser")], required=False)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {t.pk: t for t in templates}
        self.fields["modele"].choices = [("", _("— choisir un modèle —"))] + [
            (t.pk, t.name) for t in self.templates.values()
        ]
        self.fields["langue"].choices = [("", _("— choisir la langue —")), *Language.choices]
