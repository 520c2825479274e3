from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.services.attachments import validate_upload_size
from imports.models import ImportJob


class UploadForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Source du fichier"),
        choices=ImportJob.Source.choices,
        widget=forms.RadioSelect,
        help_text=_("Les colonnes attendues dépendent de la source (voir le guide des imports)."),
    )
    file = forms.FileField(
        label=_("Fichier (CSV ou XLSX)"),
        validators=[validate_upload_size],
        help_text=_("CSV en UTF-8, séparé par « ; » ou « , », ou classeur XLSX (première feuille)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
