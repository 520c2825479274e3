"""The internal note form of the file: the text, and the colleagues to mention by name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.forms_assign import PeopleChoiceMixin
from grievances.models import InternalNote
from grievances.people import person_label
from pmpp.form_rendering import BootstrapMixin
from pmpp.limits import max_length_of


class MentionChoiceField(PeopleChoiceMixin, forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class NoteForm(BootstrapMixin, forms.Form):
    body = forms.CharField(
        label=_("Note interne"),
        max_length=max_length_of(InternalNote, "body"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_(
            "Visible des seuls collègues qui voient ce dossier ; jamais envoyée au réclamant. "
            "Mentionnez un collègue en écrivant « @identifiant » ou en le choisissant dans la liste."
        ),
    )
    mentions = MentionChoiceField(
        queryset=None,
        label=_("Mentionner"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Seuls les collègues qui peuvent voir ce dossier sont proposés."),
    )

    def __init__(self, *args, mentionable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentions"].offer(mentionable)
        self._style()
