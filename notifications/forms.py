"""Forms of the « Échanges » panel: record an exchange, resend a failed message, notify a commitment."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.models import Exchange
from pmpp.form_rendering import BootstrapMixin, DateTimeInput
from pmpp.limits import max_length_of


def _now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class ExchangeForm(BootstrapMixin, forms.Form):
    # No default: the agent says what kind of exchange it was.
    kind = forms.ChoiceField(
        label=_("Type d'échange"),
        choices=[("", _("— choisir —")), *Exchange.Kind.choices],
        error_messages={"required": _("Choisissez le type d'échange.")},
    )
    occurred_at = forms.DateTimeField(
        label=_("Date de l'échange"),
        widget=DateTimeInput(),
        error_messages={"required": _("Indiquez la date de l'échange.")},
    )
    summary = forms.CharField(
        label=_("Résumé"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        max_length=max_length_of(Exchange, "summary"),
        error_messages={"required": _("Résumez l'échange.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = _now_to_the_minute()
        self._style()


class ResendForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Motif du renvoi"),
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        error_messages={"required": _("Indiquez pourquoi le message est renvoyé.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class CommitmentNotifyForm(BootstrapMixin, forms.Form):
    """Two explicit buttons, no default: send the date now, or record that it was said by phone."""

    SEND, PHONE = "send", "phone"
    action = forms.ChoiceField(
        choices=[(SEND, SEND), (PHONE, PHONE)], error_messages={"required": _("Choisissez comment informer.")}
    )
    occurred_at = forms.DateTimeField(label=_("Appel du"), widget=DateTimeInput(), required=False)
    summary = forms.CharField(
        label=_("Ce qui a été dit (facultatif)"),
        required=False,
        max_length=max_length_of(Exchange, "summary"),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = _now_to_the_minute()
        self._style()

    def clean(self):
        data = super().clean()
        if data.get("action") == self.PHONE and not data.get("occurred_at"):
            self.add_error("occurred_at", _("Indiquez quand le réclamant a été informé."))
        return data
