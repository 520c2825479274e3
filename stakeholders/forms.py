"""Forms of the registry screens.

Registry objects are edited through ModelForms saved by `registry_save` (which checks the
permission and writes who and why into history). Evidence and workflow steps — mandate
checks, concerns, minutes, corrective-action and risk steps — are plain forms whose data
goes to their own service; their field names are those of the services' validation
errors, so that an error lands on the field it names.
"""

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grievances.forms_attachments import AttachmentForm
from pmpp import limits
from pmpp.form_rendering import BootstrapMixin, DateInput, SearchableSelectMultiple
from pmpp.limits import max_length_of
from pmpp.models import Organisation
from stakeholders.models import (
    BudgetLine,
    Campaign,
    Concern,
    CorrectiveAction,
    DisclosedDocument,
    EngagementActivity,
    Language,
    MandateVerification,
    Minutes,
    NotificationMeans,
    ProgressNote,
    Representative,
    Risk,
    Stakeholder,
    StakeholderGroup,
)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _choices_list(choices, label) -> forms.MultipleChoiceField:
    """A JSON list of TextChoices values, offered as checkboxes."""
    return forms.MultipleChoiceField(
        choices=choices.choices, label=label, required=False, widget=forms.CheckboxSelectMultiple
    )


class RegistryForm(BootstrapMixin, forms.ModelForm):
    """Base of the registry ModelForms: Bootstrap styling, searchable many-to-many, a reason.

    A form with `sections` is shown in fieldsets: each section is (legend, {field: column
    classes}, note); fields no section names (the reason of a change) follow in their own.
    """

    reason = forms.CharField(
        label=_("Motif de la modification (facultatif, gardé dans l'historique)"),
        required=False,
        max_length=200,
    )
    sections: tuple = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelMultipleChoiceField):
                # Organisations, groups, programmes: a searchable box, a plain multiple
                # <select> without JavaScript (issue 20: two grids of 27 checkboxes before).
                widget = SearchableSelectMultiple()
                widget.choices = field.choices
                field.widget = widget
        if self.instance.pk is None:
            del self.fields["reason"]
        self._style()

    @property
    def change_reason(self) -> str:
        return self.cleaned_data.get("reason", "")

    def fieldsets(self) -> list[dict]:
        """The sections with their bound fields, for the template; [] for a form without."""
        if not self.sections:
            return []
        placed, fieldsets = set(), []
        for legend, columns, note in self.sections:
            fields = [(self[name], css) for name, css in columns.items() if name in self.fields]
            placed.update(columns)
            fieldsets.append({"legend": legend, "note": note, "fields": fields})
        rest = [(self[name], "col-12") for name in self.fields if name not in placed]
        if rest:
            fieldsets.append({"legend": _("Motif de la modification"), "note": "", "fields": rest})
        return fieldsets


def _active(queryset):
    return queryset.filter(is_active=True)


class StakeholderGroupForm(RegistryForm):
    language_needs = _choices_list(Language, _("Besoins linguistiques"))
    notification_means = _choices_list(NotificationMeans, _("Moyens de notification préférés"))

    class Meta:
        model = StakeholderGroup
        fields = [
            "code",
            "name",
            "name_ar",
            "category",
            "characteristics",
            "language_needs",
            "notification_means",
            "needs",
            "programmes",
        ]
        widgets = {"characteristics": _textarea(), "needs": _textarea()}


class StakeholderForm(RegistryForm):
    class Meta:
        model = Stakeholder
        fields = [
            "kind",
            "name",
            "organisation",
            "groups",
            "programmes",
            "region",
            "contact_name",
            "email",
            "phone",
            "address",
            "influence",
            "interest",
            "notes",
            "is_active",
        ]
        widgets = {"notes": _textarea()}


class RepresentativeForm(RegistryForm):
    class Meta:
        model = Representative
        fields = ["group", "stakeholder", "name", "role", "contact", "is_active"]


class ActivityForm(RegistryForm):
    languages = _choices_list(Language, _("Langues utilisées"))

    class Meta:
        model = EngagementActivity
        fields = [
            "type",
            "title",
            "start_date",
            "end_date",
            "place",
            "online",
            "organiser",
            "programmes",
            "groups",
            "invited_organisations",
            "present_organisations",
            "participants_women",
            "participants_men",
            "participants_unspecified",
            "vulnerable_groups_reached",
            "vulnerable_participants",
            "languages",
            "topics",
        ]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "topics": _textarea(4)}

    # About two screens at 1366 × 768 (issue 20), in the order the minutes are written.
    sections = (
        (
            _("L'activité : quoi, quand, où"),
            {
                "type": "col-md-4",
                "title": "col-md-8",
                "start_date": "col-sm-6 col-md-3",
                "end_date": "col-sm-6 col-md-3",
                "place": "col-md-4",
                "online": "col-md-2 align-self-md-end",
                "organiser": "col-md-6",
                "programmes": "col-md-6",
            },
            "",
        ),
        (
            _("Qui était invité, qui était présent"),
            {
                "groups": "col-md-6",
                "vulnerable_groups_reached": "col-md-6",
                "invited_organisations": "col-md-6",
                "present_organisations": "col-md-6",
                "participants_women": "col-sm-6 col-md-3",
                "participants_men": "col-sm-6 col-md-3",
                "participants_unspecified": "col-sm-6 col-md-3",
                "vulnerable_participants": "col-sm-6 col-md-3",
            },
            "",
        ),
        (
            _("Langues, thèmes et suites"),
            {"languages": "col-12", "topics": "col-12"},
            _(
                "Les préoccupations exprimées, le compte rendu et les actions correctives se saisissent ensuite "
                "sur la page de l'activité."
            ),
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = _active(Organisation.objects.all())

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La date de fin ne peut pas précéder la date de début."))
        return data


class CampaignForm(RegistryForm):
    languages = _choices_list(Language, _("Langues"))

    class Meta:
        model = Campaign
        fields = [
            "programme",
            "title",
            "description",
            "channels",
            "languages",
            "target_groups",
            "responsible",
            "start_date",
            "end_date",
        ]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "description": _textarea()}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La date de fin ne peut pas précéder la date de début."))
        return data


class BudgetLineForm(RegistryForm):
    class Meta:
        model = BudgetLine
        fields = ["position", "label", "channel", "planned_amount", "actual_amount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("planned_amount", "actual_amount"):
            self.fields[name].validators.append(MinValueValidator(0))
            self.fields[name].widget.attrs["min"] = "0"


class CorrectiveActionForm(RegistryForm):
    class Meta:
        model = CorrectiveAction
        fields = [
            "title",
            "description",
            "source",
            "source_activity",
            "programme",
            "owner_organisation",
            "owner_name",
            "due_on",
        ]
        widgets = {"due_on": DateInput(), "description": _textarea()}


class RiskForm(RegistryForm):
    class Meta:
        model = Risk
        fields = ["number", "title", "components", "mitigation"]
        widgets = {"mitigation": _textarea(4)}


class DocumentForm(RegistryForm):
    languages = _choices_list(Language, _("Langues"))

    class Meta:
        model = DisclosedDocument
        fields = ["title", "version", "published_on", "programme", "where", "languages"]
        widgets = {"published_on": DateInput()}


class ConcernEditForm(RegistryForm):
    """Edit a concern already recorded: complete the answer, link the follow-up action."""

    class Meta:
        model = Concern
        fields = ["theme", "raised_by", "description", "answer", "follow_up_action"]
        widgets = {"description": _textarea(), "answer": _textarea()}


# --- evidence and steps, each saved by its own service ----------------------------------------------------


class MandateVerificationForm(BootstrapMixin, forms.Form):
    method = forms.ChoiceField(choices=MandateVerification.Method.choices, label=_("Méthode de vérification"))
    verified_on = forms.DateField(label=_("Vérifié le"), widget=DateInput())
    outcome = forms.ChoiceField(choices=MandateVerification.Outcome.choices, label=_("Résultat"))
    expires_on = forms.DateField(label=_("Mandat valable jusqu'au (facultatif)"), required=False, widget=DateInput())
    notes = forms.CharField(
        label=_("Observations"),
        required=False,
        max_length=max_length_of(MandateVerification, "notes"),
        widget=_textarea(2),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("verified_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self._style()


class ConcernForm(BootstrapMixin, forms.Form):
    theme = forms.CharField(label=_("Thème"), max_length=max_length_of(Concern, "theme"))
    raised_by = forms.ModelChoiceField(
        queryset=StakeholderGroup.objects.all(), label=_("Soulevée par (groupe)"), required=False
    )
    description = forms.CharField(
        label=_("Préoccupation ou avis exprimé"), max_length=max_length_of(Concern, "description"), widget=_textarea()
    )
    answer = forms.CharField(
        label=_("Réponse apportée"), required=False, max_length=max_length_of(Concern, "answer"), widget=_textarea()
    )
    follow_up_action = forms.ModelChoiceField(
        queryset=CorrectiveAction.objects.all(), label=_("Action corrective de suivi"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class MinutesForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("Texte du compte rendu"), max_length=max_length_of(Minutes, "text"), widget=_textarea(10)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class MinutesCorrectionForm(MinutesForm):
    text = forms.CharField(label=_("Texte corrigé"), max_length=max_length_of(Minutes, "text"), widget=_textarea(10))
    correction_reason = forms.CharField(
        label=_("Motif de la correction"), max_length=max_length_of(Minutes, "correction_reason"), widget=_textarea(2)
    )


class MinutesAttachmentForm(AttachmentForm):
    """The same file form as grievance attachments: the service checks the content."""


class ActionStartForm(forms.Form):
    """Starting an action asks for nothing: the form only carries the confirmation."""


class ActionCompleteForm(BootstrapMixin, forms.Form):
    completed_on = forms.DateField(label=_("Réalisée le"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("completed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self._style()


class ActionCancelForm(BootstrapMixin, forms.Form):
    # Kept in the history's change reason, which has no column of its own to declare it.
    reason = forms.CharField(label=_("Motif de l'abandon"), max_length=limits.NOTE, widget=_textarea(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class ProgressNoteForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("Avancement"), max_length=max_length_of(ProgressNote, "text"), widget=_textarea(2))
    percent_done = forms.IntegerField(label=_("Avancement (%)"), required=False, min_value=0, max_value=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class RiskStatusForm(BootstrapMixin, forms.Form):
    status_note = forms.CharField(
        label=_("Observation sur le changement d'état"),
        max_length=max_length_of(Risk, "status_note"),
        widget=_textarea(2),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
