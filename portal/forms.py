"""Forms of the public pages. Field names are those of the services' validation errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.models import ContactPreference, Grievance
from pmpp import limits
from pmpp.category_select import ProgrammeCategorySelect, category_mismatch_error, use_grouped_categories
from pmpp.form_rendering import BootstrapMixin
from pmpp.limits import max_length_of
from pmpp.models import ComplaintCategory, Programme

RATINGS = [(n, str(n)) for n in range(1, 6)]


class FilingForm(BootstrapMixin, forms.Form):
    """File a complaint on the web (channel « web-portal »), named or anonymous (§6, §6.1)."""

    programme = forms.ModelChoiceField(
        label=_("Programme concerné"), queryset=Programme.objects.none(), empty_label=_("— Choisissez —")
    )
    category = forms.TypedChoiceField(label=_("Objet de la réclamation"), coerce=int, widget=ProgrammeCategorySelect)
    description = forms.CharField(
        label=_("Description"),
        max_length=max_length_of(Grievance, "description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Décrivez votre réclamation. N'indiquez pas de mot de passe ni de code bancaire."),
    )
    is_anonymous = forms.BooleanField(
        label=_("Je souhaite rester anonyme"),
        required=False,
        help_text=_(
            "Vous recevrez un code PIN qui, avec le code de suivi, sera votre seul moyen de suivre la réclamation."
        ),
    )
    complainant_name = forms.CharField(
        label=_("Nom et prénom"), max_length=max_length_of(Grievance, "complainant_name"), required=False
    )
    complainant_cnie = forms.CharField(
        label=_("Numéro de CNIE"),
        max_length=limits.TYPED_IDENTIFIER,
        required=False,
        help_text=_("Par exemple AB123456."),
    )
    complainant_phone = forms.CharField(
        label=_("Numéro de téléphone"),
        max_length=limits.TYPED_IDENTIFIER,
        required=False,
        help_text=_("Par exemple 0612345678."),
    )
    complainant_email = forms.EmailField(
        label=_("Courrier électronique"), max_length=max_length_of(Grievance, "complainant_email"), required=False
    )
    preferred_contact = forms.ChoiceField(
        label=_("Comment souhaitez-vous être informé·e ?"), choices=ContactPreference.choices, required=False
    )

    IDENTITY_FIELDS = ("complainant_name", "complainant_cnie", "complainant_phone", "complainant_email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(is_active=True).order_by("component", "name")
        # Grouped by programme, and only the chosen programme's with JavaScript (issue 18).
        use_grouped_categories(
            self.fields["category"],
            ComplaintCategory.objects.filter(is_active=True, programme__is_active=True),
            empty_label=_("— Choisissez —"),
        )
        self._style()

    def clean_category(self):
        pk = self.cleaned_data["category"]
        return ComplaintCategory.objects.select_related("programme").get(pk=pk)

    def clean(self):
        data = super().clean()
        category, programme = data.get("category"), data.get("programme")
        if category is not None and programme is not None and category.programme_id != programme.pk:
            self.add_error("category", category_mismatch_error(category=category, programme=programme))
        return data

    def identity_fields(self):
        return [self[name] for name in (*self.IDENTITY_FIELDS, "preferred_contact")]

    def main_fields(self):
        return [self[name] for name in ("programme", "category", "description")]


class TrackingForm(BootstrapMixin, forms.Form):
    tracking_code = forms.CharField(label=_("Code de suivi"), max_length=32)
    identity = forms.CharField(
        label=_("CNIE ou numéro de téléphone"),
        max_length=limits.TYPED_IDENTIFIER,
        required=False,
        help_text=_("Ceux indiqués lors du dépôt de la réclamation."),
    )
    pin = forms.CharField(
        label=_("Code PIN (réclamation anonyme)"),
        max_length=12,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tracking_code"].widget.attrs["autocomplete"] = "off"
        self.fields["identity"].widget.attrs["autocomplete"] = "off"
        self.fields["pin"].widget.attrs.update({"autocomplete": "off", "inputmode": "numeric"})
        self._style()

    def clean(self):
        data = super().clean()
        if not (data.get("identity") or "").strip() and not (data.get("pin") or "").strip():
            raise forms.ValidationError(
                _("Indiquez votre CNIE ou votre numéro de téléphone, ou le code PIN d'une réclamation anonyme.")
            )
        return data


class SatisfactionForm(BootstrapMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Votre satisfaction (1 : pas du tout satisfait·e, 5 : très satisfait·e)"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class AppealForm(BootstrapMixin, forms.Form):
    appeal_reason = forms.CharField(
        label=_("Motif du recours"),
        max_length=max_length_of(Grievance, "appeal_reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Expliquez pourquoi la réponse ne vous satisfait pas. Votre réclamation sera réexaminée."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
