"""Guards of the step forms: what a step asks only when its data makes it needed."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from grievances.models import Commitment
from pmpp.limits import max_length_of


class DeadlineGuardMixin(forms.Form):
    """A date promised after the grievance's due date needs a confirmation and its reason.

    The two fields appear only when the date typed is after the due date: the first
    submission of such a date comes back with them, and says why (it works without
    JavaScript). The service checks the same rule again (`commitment_give`, `commitment_renew`).
    """

    confirm_beyond_due = forms.BooleanField(
        label=_("Je confirme cette date, postérieure à l'échéance de la réclamation"), required=False
    )
    beyond_due_reason = forms.CharField(
        label=_("Pourquoi l'échéance ne peut pas être tenue"),
        required=False,
        max_length=max_length_of(Commitment, "beyond_due_reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["promised_on", "confirm_beyond_due", "beyond_due_reason"]

    def setup(self) -> None:
        super().setup()
        due_on = self.grievance.running_due_on
        self.fields["promised_on"].help_text = _("Échéance de la réclamation : %(date)s.") % {
            "date": date_format(due_on, "d/m/Y")
        }
        if not self.promised_beyond_due():
            del self.fields["confirm_beyond_due"]
            del self.fields["beyond_due_reason"]

    def promised_beyond_due(self) -> bool:
        """The date submitted (none before a submission) is after the running due date."""
        if not self.is_bound:
            return False
        try:
            promised_on = self.fields["promised_on"].clean(self.data.get(self.add_prefix("promised_on")))
        except ValidationError:
            return False
        return promised_on > self.grievance.running_due_on

    def clean(self):
        data = super().clean()
        if "beyond_due_reason" not in self.fields:
            return data
        due_on = date_format(self.grievance.running_due_on, "d/m/Y")
        if not data.get("confirm_beyond_due"):
            self.add_error(
                "confirm_beyond_due",
                _(
                    "La date promise est postérieure à l'échéance de la réclamation (%(date)s) : "
                    "confirmez-la, ou choisissez une date dans le délai."
                )
                % {"date": due_on},
            )
        if not (data.get("beyond_due_reason") or "").strip() and not self.has_error("beyond_due_reason"):
            self.add_error("beyond_due_reason", _("Indiquez pourquoi l'échéance ne peut pas être tenue."))
        return data

    def guard_reason(self) -> str:
        """The reason to give the service: empty when the date is within the deadline."""
        return (self.cleaned_data.get("beyond_due_reason") or "").strip()
