"""The « Échanges » panel of the file (issue 18): what was said to the complainant and how.

Every view: POST → fetch the grievance through the visibility scope → one service → back
to the file. Messages and exchanges are addressed by database ids, never by an address.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grievances.models import Commitment, Grievance
from grievances.selectors import grievance_get_for_user
from grievances.services import workflow as wf
from notifications.exchanges import commitment_record_phone_notification, exchange_record
from notifications.forms import CommitmentNotifyForm, ExchangeForm, ResendForm
from notifications.models import OutboxMessage
from notifications.selectors import grievance_exchanges
from notifications.services import complainant_route, notification_resend


def _say_errors(request: HttpRequest, error: Exception) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def exchanges_context(*, user, grievance: Grievance, commitments: list[Commitment]) -> dict:
    """What the file page needs for its « Échanges » panel and its commitment notification:
    two queries (see notifications.selectors), none for a sensitive case's husk."""
    panel = grievance_exchanges(grievance=grievance)
    husk = grievance.status == Grievance.Status.SENSITIVE
    latest = commitments[-1] if commitments else None
    notify = None
    if (
        latest is not None
        and not husk
        and latest.notified_at is None
        and latest.status == Commitment.Status.PENDING
        and user.has_perm("grievances.notify_commitment")
    ):
        route = complainant_route(grievance)
        notify = {
            "commitment": latest,
            "in_flight": panel.commitment_message_in_flight(latest),
            # Why « Envoyer maintenant » cannot be offered (anonymous, no number, postal…).
            "no_route": (
                _("Réclamant anonyme : aucun message ne peut lui être envoyé.")
                if route is None
                else (route.reason if not route.channel else "")
            ),
            "form": CommitmentNotifyForm(auto_id="notify_%s"),
        }
    return {
        "exchange_panel": panel if not husk else None,
        "exchange_form": (
            ExchangeForm(auto_id="exchange_%s") if not husk and user.has_perm("notifications.add_exchange") else None
        ),
        "can_resend": not husk and user.has_perm("notifications.resend_outboxmessage"),
        "commitment_notify": notify,
    }


@login_required
@require_POST
def exchange_add(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = grievance_get_for_user(user=request.user, pk=pk)
    form = ExchangeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("grievances:detail", pk=pk)
    try:
        exchange_record(grievance=grievance, actor=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        _say_errors(request, error)
    else:
        messages.success(request, _("Échange enregistré."))
    return redirect("grievances:detail", pk=pk)


@login_required
@require_POST
def message_resend(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    grievance = grievance_get_for_user(user=request.user, pk=pk)
    message = OutboxMessage.objects.filter(
        pk=message_pk, grievance=grievance, recipient_kind=OutboxMessage.RecipientKind.COMPLAINANT
    ).first()
    if message is None:
        raise Http404
    form = ResendForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("grievances:detail", pk=pk)
    try:
        notification_resend(message=message, actor=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        _say_errors(request, error)
    else:
        messages.success(request, _("Message renvoyé : il part dans quelques secondes."))
    return redirect("grievances:detail", pk=pk)


@login_required
@require_POST
def notify_commitment(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    """« Envoyer maintenant par SMS/e-mail » or « informé par téléphone »: the agent's choice."""
    grievance = grievance_get_for_user(user=request.user, pk=pk)
    commitment = Commitment.objects.filter(pk=commitment_pk, grievance=grievance).select_related("grievance").first()
    if commitment is None:
        raise Http404
    form = CommitmentNotifyForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("grievances:detail", pk=pk)
    data = form.cleaned_data
    try:
        if data["action"] == CommitmentNotifyForm.SEND:
            wf.commitment_send_notification(commitment=commitment, actor=request.user)
            messages.success(request, _("Message mis en file : l'engagement sera noté comme notifié dès son envoi."))
        else:
            commitment_record_phone_notification(
                commitment=commitment, actor=request.user, occurred_at=data["occurred_at"], summary=data["summary"]
            )
            messages.success(request, _("Appel enregistré : le réclamant est informé de l'engagement."))
    except (ValidationError, PermissionDenied) as error:
        _say_errors(request, error)
    return redirect("grievances:detail", pk=pk)
