"""The access log screen: who read a grievance's personal data (Law 09-08), for the E&S focal point."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grievances.models import Grievance
from grievances.selectors import grievance_list_for_user
from privacy.selectors import accesses_to_grievance

# Enough for any one grievance's story; past that the page says so.
LOG_LIMIT = 200


class ReferenceForm(forms.Form):
    # A reference is not personal data: it may travel in the URL.
    reference = forms.CharField(label=gettext_lazy("Référence de la réclamation"), max_length=30)

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].replace(" ", "").upper()


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """The reads of one grievance the user may see, newest first.

    Only a grievance inside the reader's own scope can be looked up, through the same
    visibility as everywhere else: a sensitive case, or another programme's grievance, is
    « introuvable » here too.
    """
    if not request.user.has_perm("privacy.view_personaldataaccess"):
        raise PermissionDenied
    form = ReferenceForm(request.GET or None)
    grievance, reads, more = None, [], False
    if form.is_valid():
        try:
            grievance = grievance_list_for_user(user=request.user).get(reference=form.cleaned_data["reference"])
        except Grievance.DoesNotExist:
            form.add_error("reference", _("Réclamation introuvable."))
        else:
            reads = list(accesses_to_grievance(grievance_id=grievance.pk)[: LOG_LIMIT + 1])
            more = len(reads) > LOG_LIMIT
            reads = reads[:LOG_LIMIT]
    return render(
        request,
        "privacy/access_log.html",
        {"form": form, "grievance": grievance, "reads": reads, "more": more, "limit": LOG_LIMIT},
    )
