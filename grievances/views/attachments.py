"""Upload and download of the files joined to a grievance.

Files are never served from MEDIA_URL: the only way out is `attachment_download`, which
checks that the user may see the grievance and serves the file as a download, with
headers that stop a browser from rendering or sniffing it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grievances.access import user_can_see_grievance, user_can_see_sensitive_case
from grievances.forms_attachments import AttachmentForm
from grievances.models import Attachment
from grievances.selectors import grievance_get_for_user
from grievances.services.attachments import attachment_add
from pmpp.downloads import sealed_file_response
from privacy.access import AccessChannel, record_views


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Join a file to a grievance the user can see (404 otherwise), then back to the grievance."""
    grievance = grievance_get_for_user(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    else:
        try:
            attachment = attachment_add(
                grievance=grievance,
                actor=request.user,
                uploaded_file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Pièce jointe ajoutée : %(name)s.") % {"name": attachment.original_name})
    return redirect(reverse("grievances:detail", args=[pk]))


@login_required
@require_safe
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file, as a download, to a user who may read the attachments of its grievance.

    The same 404 answers an attachment that does not exist and one the user may not see,
    so that its existence is not revealed.
    """
    attachment = Attachment.objects.select_related("grievance", "sensitive_case").filter(pk=pk).first()
    if attachment is None or not _may_download(request.user, attachment):
        raise Http404("Pièce jointe introuvable.")
    # A file moved to a sensitive case is a read of that case (logged as sensitive), not of a grievance.
    record_views(
        request.user,
        channel=AccessChannel.DOWNLOAD,
        grievances=[attachment.grievance_id] if attachment.grievance_id else [],
        sensitive_cases=[attachment.sensitive_case_id] if attachment.sensitive_case_id else [],
        where="grievances:attachment_download",
    )
    return sealed_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


def _may_download(user, attachment: Attachment) -> bool:
    if attachment.sensitive_case_id is not None:
        # Moved there when its grievance was flagged GBV/SEA/SH: the referent's only.
        return user.has_perm("grievances.view_sensitivecase") and user_can_see_sensitive_case(
            user, attachment.sensitive_case
        )
    return user.has_perm("grievances.view_attachment") and user_can_see_grievance(user, attachment.grievance)
