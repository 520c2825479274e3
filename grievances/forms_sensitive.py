"""Forms of the GBV referent's screen: refer a sensitive case, close it (SPEC §5.5)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grievances.models import SensitiveCase
from pmpp.form_rendering import BootstrapMixin, DateTimeInput
from pmpp.limits import max_length_of


class ReferForm(BootstrapMixin, forms.Form):
    service_provider = forms.CharField(
        label=_("Prestataire de services spécialisé"), max_length=max_length_of(SensitiveCase, "service_provider")
    )
    # No consent here: it was recorded once, when the case was flagged, and is shown read-only.
    referred_at = forms.DateTimeField(label=_("Orientée le"), widget=DateTimeInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self._style()


class CloseSensitiveForm(BootstrapMixin, forms.Form):
    closing_note = forms.CharField(
        label=_("Suite donnée au cas"),
        max_length=max_length_of(SensitiveCase, "closing_note"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
