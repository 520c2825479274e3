"""Public pages, no login: file a complaint, track it, rate it, appeal (PMPP §6, §6.1).

Personal data never goes in a URL: every form is a POST, the receipt is carried by the
session, and the grievance a complainant has proved to be theirs is remembered in the
session as a signed, short-lived marker of its id — never by code or reference in a URL.
"""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from grievances.models import ContactPreference, Grievance
from grievances.receipts import due_on, receipt_legal_delay
from grievances.services.satisfaction import grievance_rate_satisfaction
from pmpp.client import client_address
from portal.filing import is_submission_token, new_submission_token, portal_file_complaint
from portal.forms import AppealForm, FilingForm, SatisfactionForm, TrackingForm
from portal.selectors import grievance_public_view
from portal.services import TrackingProof, grievance_track, portal_appeal

RECEIPT_SESSION_KEY = "portal_receipt"
TRACKED_SESSION_KEY = "portal_tracked"
TRACKED_SALT = "portal.tracked"
# How long a proven tracking lets the complainant rate or appeal without proving it again.
TRACKED_MAX_AGE_SECONDS = 15 * 60


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@never_cache
@require_http_methods(["GET", "POST"])
def file_complaint(request: HttpRequest) -> HttpResponse:
    """File a complaint through the web portal, named or anonymous (§6.1: every request is recorded).

    The form carries a one-time token (`submission`): the same form sent again shows the first
    receipt instead of recording the complaint twice (portal/filing.py). A form sent back with
    errors keeps its token, so that correcting it and sending it is still the same submission.
    A form without one (a page shown before tokens existed) gets one here: the complaint is
    recorded all the same, with no earlier sending to recognise.
    """
    form = FilingForm(request.POST or None)
    submission = request.POST.get("submission", "")
    if not is_submission_token(submission):
        submission = new_submission_token()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        anonymous = data["is_anonymous"]
        try:
            receipt = portal_file_complaint(
                submission=submission,
                programme=data["programme"],
                description=data["description"],
                category=data["category"],
                is_anonymous=anonymous,
                name="" if anonymous else data["complainant_name"],
                cnie="" if anonymous else data["complainant_cnie"],
                phone="" if anonymous else data["complainant_phone"],
                email="" if anonymous else data["complainant_email"],
                preferred_contact=ContactPreference.NONE if anonymous else data["preferred_contact"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            # Shown once on the next page, then gone from the session; never in a URL.
            request.session[RECEIPT_SESSION_KEY] = {
                "reference": receipt.reference,
                "tracking_code": receipt.tracking_code,
                "pin": receipt.pin,
                "replayed": receipt.replayed,
                "due_on": receipt.due_on.isoformat() if receipt.due_on else "",
                "treatment_days": receipt.treatment_days,
                "working_days": receipt.working_days,
            }
            return redirect("portal:receipt")
    return render(request, "portal/file.html", {"form": form, "submission": submission})


@never_cache
def receipt(request: HttpRequest) -> HttpResponse:
    receipt = request.session.pop(RECEIPT_SESSION_KEY, None)
    if receipt is None:
        return redirect("portal:file")
    return render(
        request,
        "portal/receipt.html",
        {"receipt": receipt, "due_on": due_on(receipt), "legal_delay": receipt_legal_delay(receipt)},
    )


def _failure(request: HttpRequest) -> HttpResponse:
    """The one answer to every failed tracking attempt: same page, same words, same status."""
    return render(request, "portal/track.html", {"form": TrackingForm(), "failed": True})


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Track a complaint: code + CNIE or phone, or code + PIN; a POST, so nothing lands in a URL."""
    if request.method == "GET":
        return render(request, "portal/track.html", {"form": TrackingForm()})
    form = TrackingForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/track.html", {"form": form})
    data = form.cleaned_data
    grievance = grievance_track(
        proof=TrackingProof(tracking_code=data["tracking_code"], identity=data["identity"], pin=data["pin"]),
        address=client_address(request),
    )
    if grievance is None:
        return _failure(request)
    request.session.cycle_key()
    request.session[TRACKED_SESSION_KEY] = signing.TimestampSigner(salt=TRACKED_SALT).sign(str(grievance.pk))
    return redirect("portal:tracked")


def _tracked_grievance(request: HttpRequest) -> Grievance | None:
    marker = request.session.get(TRACKED_SESSION_KEY)
    if not marker:
        return None
    try:
        pk = signing.TimestampSigner(salt=TRACKED_SALT).unsign(marker, max_age=TRACKED_MAX_AGE_SECONDS)
    except signing.BadSignature:
        request.session.pop(TRACKED_SESSION_KEY, None)
        return None
    return Grievance.objects.select_related("programme").filter(pk=int(pk)).first()


def _expired(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Pour votre sécurité, saisissez à nouveau votre code de suivi."))
    return redirect("portal:track")


@never_cache
def tracked(request: HttpRequest) -> HttpResponse:
    grievance = _tracked_grievance(request)
    if grievance is None:
        return _expired(request)
    return _render_tracked(request, grievance)


def _render_tracked(request, grievance, *, satisfaction_form=None, appeal_form=None) -> HttpResponse:
    return render(
        request,
        "portal/tracked.html",
        {
            "tracked": grievance_public_view(grievance=grievance),
            "satisfaction_form": satisfaction_form or SatisfactionForm(),
            "appeal_form": appeal_form or AppealForm(),
        },
    )


@never_cache
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    grievance = _tracked_grievance(request)
    if grievance is None:
        return _expired(request)
    form = SatisfactionForm(request.POST)
    if form.is_valid():
        try:
            grievance_rate_satisfaction(grievance=grievance, rating=form.cleaned_data["rating"], when=timezone.now())
        except ValidationError as error:
            # Not closed yet, or already rated: the page no longer offers the form, so say why.
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Merci : votre appréciation a été enregistrée."))
        return redirect("portal:tracked")
    return _render_tracked(request, grievance, satisfaction_form=form)


@never_cache
@require_POST
def appeal(request: HttpRequest) -> HttpResponse:
    grievance = _tracked_grievance(request)
    if grievance is None:
        return _expired(request)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            portal_appeal(grievance=grievance, reason=form.cleaned_data["appeal_reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            messages.error(request, _("Le recours n'a pas pu être enregistré. Contactez le centre d'appel."))
        else:
            messages.success(request, _("Votre recours a été enregistré : votre réclamation sera réexaminée."))
        return redirect("portal:tracked")
    return _render_tracked(request, grievance, appeal_form=form)
