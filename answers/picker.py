"""The template picker of the « Rédiger la réponse » step (grievances.forms.DraftAnswerForm).

Without JavaScript the picker is a GET form on the step page itself: `?modele=…&langue=…`
with `action=apercu` shows the rendered text, with `action=utiliser` also puts it in the
answer box. With JavaScript (static/js/answer-templates.js) the same buttons ask the preview
endpoint (answers:preview) and fill the box in place, keeping what else was typed.
"""

from dataclasses import dataclass

from django.urls import reverse

from answers.forms import PickerForm
from answers.models import AnswerTemplate
from answers.placeholders import Rendered, render_template_for_grievance
from answers.selectors import answer_templates_for_grievance
from answers.sms import SmsCount, sms_count


@dataclass
class Picker:
    form: PickerForm
    preview_url: str  # answers:preview with template number 0, replaced by the script
    template: AnswerTemplate | None = None
    language: str = ""
    rendered: Rendered | None = None
    sms: SmsCount | None = None
    use: bool = False

    @property
    def templates(self) -> list[AnswerTemplate]:
        return list(self.form.templates.values())


def answer_picker(*, grievance, query) -> Picker:
    """The picker for one grievance, and the preview the query string asks for (if valid)."""
    templates = list(answer_templates_for_grievance(grievance=grievance).select_related(None))
    asked = any(key in query for key in ("modele", "langue"))
    form = PickerForm(query if asked else None, templates=templates)
    picker = Picker(form=form, preview_url=reverse("answers:preview", kwargs={"pk": grievance.pk, "template_pk": 0}))
    if asked and form.is_valid():
        picker.template = form.templates[form.cleaned_data["modele"]]
        picker.language = form.cleaned_data["langue"]
        picker.rendered = render_template_for_grievance(picker.template, grievance=grievance, language=picker.language)
        picker.sms = sms_count(picker.rendered.text)
        picker.use = form.cleaned_data["action"] == "utiliser"
    return picker
