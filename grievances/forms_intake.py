"""What the intake form checks beyond its fields: the duplicate warning's two buttons, and a
category of the chosen programme (issue 18)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.models import Grievance
from pmpp.category_select import category_mismatch_error
from pmpp.limits import max_length_of

DUPLICATE_LINK, DUPLICATE_SEPARATE = "link", "separate"
DUPLICATE_ACTIONS = [
    (DUPLICATE_LINK, _("Rattacher comme doublon")),
    (DUPLICATE_SEPARATE, _("Ouvrir un nouveau dossier")),
]


class DuplicateAndCategoryMixin(forms.Form):
    duplicate_override_reason = forms.CharField(
        label=_("Motif d'ouverture d'un nouveau dossier malgré le doublon"),
        required=False,
        max_length=max_length_of(Grievance, "duplicate_override_reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The button the agent clicks on the duplicate warning; nothing is chosen by default.
    duplicate_action = forms.ChoiceField(choices=DUPLICATE_ACTIONS, required=False)

    def check_duplicate_and_category(self, data: dict) -> None:
        category, programme = data.get("category"), data.get("programme")
        if category is not None and programme is not None and category.programme_id != programme.pk:
            self.add_error("category", category_mismatch_error(category=category, programme=programme))
        # A reason refused already (too long) is not also missing.
        missing = not (data.get("duplicate_override_reason") or "").strip()
        if (
            data.get("duplicate_action") == DUPLICATE_SEPARATE
            and missing
            and not self.has_error("duplicate_override_reason")
        ):
            self.add_error(
                "duplicate_override_reason",
                _(
                    "Indiquez pourquoi ouvrir un nouveau dossier plutôt que de rattacher la réclamation "
                    "au dossier ouvert."
                ),
            )
