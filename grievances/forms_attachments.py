"""The form that joins a file to a grievance.

It only collects the file and its description: what makes a file acceptable (its real
type, its size) is decided by `grievances.services.attachments.attachment_add`, whatever
the browser was told to offer. The size is also checked here, with the same validator,
so that the refusal lands on the file field.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.models import Attachment
from grievances.services.attachments import validate_upload_size
from pmpp.limits import max_length_of

# A hint for the browser's file picker only; the service checks the content itself.
_ACCEPT = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,.webp,application/pdf,image/png,image/jpeg,image/tiff,image/webp"


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        validators=[validate_upload_size],
        widget=forms.ClearableFileInput(attrs={"accept": _ACCEPT, "class": "form-control"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=max_length_of(Attachment, "description"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
