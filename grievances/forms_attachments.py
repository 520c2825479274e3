"""The form that joins a file to a grievance.

It only collects the file and its description: what makes a file acceptable (its real
type, its size) is decided by `grievances.services.attachments.attachment_add`, whatever
the browser was told to offer.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.models import Attachment

# A hint for the browser's file picker only; the service checks the content itself.
_ACCEPT = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,.webp,application/pdf,image/png,image/jpeg,image/tiff,image/webp"


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        widget=forms.ClearableFileInput(attrs={"accept": _ACCEPT, "class": "form-control"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=Attachment._meta.get_field("description").max_length,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
