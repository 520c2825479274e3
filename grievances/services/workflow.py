"""Workflow services: every state change of a grievance goes through `_run_step` (§6.3.6).

Each service is a verb with keyword-only arguments and an explicit `actor`. It locks the
grievance row, checks that the step is possible from the current state, that the actor
holds its permission (including the four-eyes rules), validates the data the step needs
(a ValidationError naming the field), applies the model's transition and saves it with
the reason in history — all in one transaction, so a failed step saves nothing.
"""

from collections.abc import Callable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grievances import deadlines
from grievances.models import Commitment, Grievance, SensitiveCase
from grievances.services.intake import SensitiveDetails, _register_sensitive, due_dates
from grievances.workflow import TRANSITION_LABELS
from notifications import services as notifications
from pmpp.models import Channel

Outcome = Grievance.Outcome


class StaleGrievance(Exception):
    """Someone moved the grievance since the user loaded the page: nothing was changed."""

    def __init__(self, grievance: Grievance):
        self.grievance = grievance
        last = grievance.history.select_related("history_user").order_by("-history_id").first()
        who = (last.history_user.get_full_name() or last.history_user.username) if last and last.history_user else ""
        when = timezone.localtime(last.history_date).strftime("%d/%m/%Y %H:%M") if last else ""
        super().__init__(
            f"La réclamation {grievance.reference} a changé entre-temps : elle est maintenant "
            f"« {grievance.get_status_display()} »"
            + (f" (modifiée par {who} le {when})" if who else "")
            + ". Rien n'a été enregistré : vérifiez le dossier avant de recommencer."
        )


def _locked(grievance: Grievance) -> Grievance:
    return (
        Grievance.objects.select_for_update(of=("self",))
        .select_related("category", "channel", "programme")
        .get(pk=grievance.pk)
    )


def _check_step(grievance: Grievance, *, name: str, actor) -> None:
    """Raise the error a user can act on when `name` cannot run now."""
    label = TRANSITION_LABELS[name]
    meta = getattr(grievance, name)._django_fsm
    state = grievance.status
    if not meta.has_transition(state):
        raise ValidationError(
            f"L'étape « {label} » n'est pas possible pour une réclamation "
            f"à l'état « {grievance.get_status_display()} »."
        )
    if not meta.has_transition_perm(grievance, state, actor):
        permission = meta.get_transition(state).permission
        four_eyes = getattr(permission, "four_eyes_field", None)
        if four_eyes and getattr(grievance, four_eyes) == actor.pk and actor.has_perm(permission.permission):
            raise PermissionDenied(
                f"Règle des quatre yeux : vous ne pouvez pas effectuer l'étape « {label} » "
                "sur une réclamation que vous avez vous-même traitée à l'étape précédente."
            )
        raise PermissionDenied(f"Vous n'êtes pas autorisé·e à effectuer l'étape « {label} » sur cette réclamation.")
    if not meta.conditions_met(grievance, state):
        raise ValidationError(
            _CONDITION_MESSAGES.get(name, f"Les conditions de l'étape « {label} » ne sont pas réunies.")
        )


_CONDITION_MESSAGES = {
    "transmit_to_partner": "La catégorie de cette réclamation ne nécessite pas d'organisme partenaire.",
    "regularise": "La régularisation suppose que le partenaire a confirmé la réclamation et corrigé la donnée.",
    "appeal": "Un seul recours est possible, et seulement pour une réclamation (pas pour une requête).",
}


def _run_step(
    grievance: Grievance,
    *,
    name: str,
    actor,
    comment: str = "",
    data: dict | Callable[[Grievance], dict] | None = None,
    validate: Callable[[Grievance], dict[str, str]] | None = None,
    after: Callable[[Grievance], None] | None = None,
    expected_status: str | None = None,
) -> Grievance:
    """Lock, check, validate, transition, save with history: the one way to change a state.

    `data` (or `data(locked_row)`) is passed to the model's transition method; `validate`
    returns field errors given the locked row; `after` runs in the same transaction once the row is saved.
    """
    with transaction.atomic():
        # Concurrent steps on one grievance queue here, on its row lock, until the first
        # commits; each then reads the state the one before it left (READ COMMITTED re-reads
        # the row), so no step is applied to a state it did not see, and none is lost.
        locked = _locked(grievance)
        # The screen showed the grievance in some state; if another user moved it since,
        # refuse rather than apply this step to a case the user has not seen.
        if expected_status is not None and locked.status != expected_status:
            raise StaleGrievance(locked)
        # A caller without `expected_status` loaded the grievance itself: when the step was
        # possible from the state it loaded and is no longer, someone else won the race.
        if (
            expected_status is None
            and grievance.status != locked.status
            and getattr(locked, name)._django_fsm.has_transition(grievance.status)
            and not getattr(locked, name)._django_fsm.has_transition(locked.status)
        ):
            raise StaleGrievance(locked)
        _check_step(locked, name=name, actor=actor)
        if validate is not None:
            errors = validate(locked)
            if errors:
                raise ValidationError(errors)
        arguments = data(locked) if callable(data) else (data or {})
        getattr(locked, name)(**arguments)
        reason = str(TRANSITION_LABELS[name])
        comment = (comment or "").strip()
        locked._change_reason = f"{reason} — {comment}" if comment else reason
        locked._history_transition = name
        locked._history_user = actor
        locked.save()
        if after is not None:
            after(locked)
    return locked


def _require_text(value: str, field: str, message: str) -> dict[str, str]:
    return {} if (value or "").strip() else {field: message}


def _not_future(moment: datetime | None, field: str) -> dict[str, str]:
    if moment is not None and moment > timezone.now():
        return {field: "Cette date ne peut pas être dans le futur."}
    return {}


def _to_minute(moment: datetime) -> datetime:
    """Dates typed in a form carry minutes, not seconds: an event recorded in the same
    minute as the one it follows is in order."""
    return moment.replace(second=0, microsecond=0)


def _outcome_errors(outcome: str, unfounded_reason) -> dict[str, str]:
    if outcome not in Outcome.values:
        return {"outcome": "Indiquez si la réclamation est fondée ou non fondée."}
    if outcome == Outcome.UNFOUNDED and unfounded_reason is None:
        return {"unfounded_reason": "Une réclamation non fondée doit indiquer son motif (§6.2.3)."}
    return {}


# --- operation 1: initiate and qualify -----------------------------------------------------------


def grievance_qualify(
    *,
    grievance: Grievance,
    actor,
    category,
    subject: str,
    nature: str,
    identity_verified: bool,
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """Operation 1: category, object, nature; the identity is verified unless anonymous (§6.3.6)."""

    def validate(g: Grievance) -> dict[str, str]:
        errors = _require_text(subject, "subject", "Indiquez l'objet de la réclamation.")
        if category is None:
            errors["category"] = "Choisissez la catégorie de la réclamation."
        elif category.programme_id != g.programme_id:
            errors["category"] = f"La catégorie « {category.name} » n'appartient pas au programme {g.programme.name}."
        if nature not in Grievance.Nature.values:
            errors["nature"] = "Choisissez la nature : individuelle, collective ou par un représentant."
        if not g.is_anonymous and not identity_verified:
            errors["identity_verified"] = "Vérifiez l'identité du réclamant (CNIE, téléphone) avant de qualifier."
        if g.is_anonymous and identity_verified:
            errors["identity_verified"] = "L'identité d'un réclamant anonyme ne peut pas être vérifiée."
        return errors

    return _run_step(
        grievance,
        name="qualify",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data={
            "actor": actor,
            "category": category,
            "subject": (subject or "").strip(),
            "nature": nature,
            "identity_verified": identity_verified,
            "when": timezone.now(),
        },
    )


def grievance_reclassify_as_request(
    *,
    grievance: Grievance,
    actor,
    not_complaint_kind,
    answer_text: str,
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """Not a complaint (§6.2.3): recorded as a requête, answered and closed at once."""

    def validate(g: Grievance) -> dict[str, str]:
        errors = _require_text(answer_text, "answer_text", "Indiquez la réponse apportée à la requête.")
        if not_complaint_kind is None:
            errors["not_complaint_kind"] = "Choisissez le type de requête."
        return errors

    return _run_step(
        grievance,
        name="reclassify_as_request",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data={
            "actor": actor,
            "not_complaint_kind": not_complaint_kind,
            "answer_text": (answer_text or "").strip(),
            "when": timezone.now(),
        },
    )


def grievance_flag_sensitive(
    *, grievance: Grievance, actor, details: SensitiveDetails, comment: str = "", expected_status: str | None = None
) -> SensitiveCase:
    """A GBV/SEA/SH allegation leaves the ordinary flow at once (SPEC §5.5)."""
    created: list[SensitiveCase] = []

    def move_to_sensitive_case(g: Grievance) -> None:
        case = _register_sensitive(
            actor=actor, programme=g.programme, channel=g.channel, received_at=g.received_at, details=details
        )
        case.source_grievance = g
        case._change_reason = f"Cas sensible issu de la réclamation {g.reference}"
        case._history_user = actor
        case.save(update_fields=["source_grievance"])
        # Nothing more goes to the complainant, and no address stays on the outbox (SPEC §5.5).
        notifications.notification_forget(grievance_ids=[g.pk], why="Retiré : cas sensible transféré au référent VBG.")
        created.append(case)

    _run_step(
        grievance,
        name="flag_sensitive",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        after=move_to_sensitive_case,
    )
    return created[0]


# --- operation 2: analyse ---------------------------------------------------------------------------


def grievance_analyse(
    *,
    grievance: Grievance,
    actor,
    conclusion: str,
    outcome: str,
    unfounded_reason=None,
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """Operation 2: conclusion of the analysis, founded or unfounded with its reason (§6.2.3)."""

    def validate(g: Grievance) -> dict[str, str]:
        errors = _require_text(conclusion, "analysis_conclusion", "Renseignez la conclusion de l'analyse.")
        return errors | _outcome_errors(outcome, unfounded_reason)

    return _run_step(
        grievance,
        name="analyse",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data={"conclusion": (conclusion or "").strip(), "outcome": outcome, "unfounded_reason": unfounded_reason},
    )


# --- operation 3: routing and commitments ----------------------------------------------------------


def grievance_route_to_unit(
    *, grievance: Grievance, actor, unit, assignee=None, comment: str = "", expected_status: str | None = None
) -> Grievance:
    """Answer not available: the complaint goes to a business unit for a commitment (§6.3.6 op. 3)."""

    def validate(g: Grievance) -> dict[str, str]:
        if unit is None:
            return {"assigned_unit": "Choisissez le service métier destinataire."}
        if not unit.is_active:
            return {"assigned_unit": f"Le service « {unit.name} » n'est plus actif."}
        return {}

    return _run_step(
        grievance,
        name="route_to_unit",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data={"unit": unit, "assignee": assignee},
    )


def _save_commitment(commitment: Commitment, *, actor, reason: str, transition: str = "") -> None:
    commitment._change_reason = reason
    commitment._history_user = actor
    commitment._history_transition = transition
    commitment.save()


def _latest_commitment(grievance: Grievance) -> Commitment | None:
    return grievance.commitments.select_for_update(of=("self",)).order_by("-sequence").first()


def _promised_on_errors(promised_on: date | None) -> dict[str, str]:
    if promised_on is None:
        return {"promised_on": "Indiquez la date de traitement promise."}
    if promised_on < timezone.localdate():
        return {"promised_on": "La date promise ne peut pas être passée."}
    return {}


def commitment_give(
    *, grievance: Grievance, actor, promised_on: date, note: str = "", expected_status: str | None = None
) -> Commitment:
    """The business handler commits to a treatment date (§6.3.6 op. 3, step a)."""
    created: list[Commitment] = []

    def create(g: Grievance) -> None:
        commitment = Commitment(
            grievance=g, sequence=1, promised_on=promised_on, given_by=actor, given_at=timezone.now(), note=note.strip()
        )
        _save_commitment(commitment, actor=actor, reason="Engagement de traitement", transition="give")
        notifications.notification_queue_commitment(commitment=commitment)
        created.append(commitment)

    _run_step(
        grievance,
        name="give_commitment",
        actor=actor,
        expected_status=expected_status,
        comment=f"date promise : {promised_on:%d/%m/%Y}" if promised_on else "",
        validate=lambda g: _promised_on_errors(promised_on),
        after=create,
    )
    return created[0]


def commitment_honour(
    *,
    grievance: Grievance,
    actor,
    realised_at: datetime | None = None,
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """The unit kept its commitment: the treatment is done (§6.3.6 op. 3, step c)."""
    realised_at = realised_at or timezone.now()

    def validate(g: Grievance) -> dict[str, str]:
        commitment = _latest_commitment(g)
        errors = _not_future(realised_at, "realised_at")
        if commitment and realised_at < _to_minute(commitment.given_at):
            errors["realised_at"] = "La date de réalisation précède la date de l'engagement."
        return errors

    def honour(g: Grievance) -> None:
        commitment = _latest_commitment(g)
        commitment.honour(realised_at=realised_at)
        _save_commitment(commitment, actor=actor, reason="Engagement honoré", transition="honour")

    return _run_step(
        grievance,
        name="honour_commitment",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        after=honour,
    )


def commitment_break(*, grievance: Grievance, actor, reason: str, expected_status: str | None = None) -> Grievance:
    """The commitment was not kept; it stays on record as broken (penalty principle, §6.3.2)."""

    def break_(g: Grievance) -> None:
        commitment = _latest_commitment(g)
        commitment.break_(reason=reason.strip())
        _save_commitment(
            commitment, actor=actor, reason=f"Engagement non honoré — {reason.strip()}", transition="break"
        )

    return _run_step(
        grievance,
        name="break_commitment",
        actor=actor,
        expected_status=expected_status,
        comment=reason,
        validate=lambda g: _require_text(reason, "broken_reason", "Indiquez pourquoi l'engagement n'a pas été tenu."),
        after=break_,
    )


def commitment_renew(
    *, grievance: Grievance, actor, promised_on: date, reason: str, expected_status: str | None = None
) -> Commitment:
    """A new commitment after a broken one; the complainant is told the new date (§6.3.6 op. 3, step d)."""
    created: list[Commitment] = []

    def renew(g: Grievance) -> None:
        previous = _latest_commitment(g)
        commitment = Commitment(
            grievance=g,
            sequence=previous.sequence + 1,
            renews=previous,
            promised_on=promised_on,
            given_by=actor,
            given_at=timezone.now(),
            renewal_reason=reason.strip(),
        )
        _save_commitment(commitment, actor=actor, reason=f"Engagement renouvelé — {reason.strip()}", transition="renew")
        notifications.notification_queue_commitment(commitment=commitment)
        created.append(commitment)

    def validate(g: Grievance) -> dict[str, str]:
        errors = _require_text(reason, "renewal_reason", "Indiquez le motif du nouvel engagement.")
        return errors | _promised_on_errors(promised_on)

    _run_step(
        grievance,
        name="renew_commitment",
        actor=actor,
        expected_status=expected_status,
        comment=reason,
        validate=validate,
        after=renew,
    )
    return created[0]


@transaction.atomic
def commitment_record_notification(*, commitment: Commitment, actor, notified_at: datetime | None = None) -> Commitment:
    """The agent told the complainant the committed date. Recorded once, never overwritten.

    For a commitment honoured at the first attempt this date is the closure date used to
    measure treatment time (§6.3.2).
    """
    notified_at = notified_at or timezone.now()
    locked = Commitment.objects.select_for_update(of=("self",)).select_related("grievance").get(pk=commitment.pk)
    if not actor.has_perm("grievances.notify_commitment"):
        raise PermissionDenied("Vous n'êtes pas autorisé·e à enregistrer la notification d'un engagement.")
    from grievances.access import user_can_see_grievance

    if not user_can_see_grievance(actor, locked.grievance):
        raise PermissionDenied("Vous n'êtes pas autorisé·e à enregistrer la notification d'un engagement.")
    errors = _not_future(notified_at, "notified_at")
    if locked.notified_at is not None:
        errors["notified_at"] = f"Le réclamant a déjà été informé de cet engagement le {locked.notified_at:%d/%m/%Y}."
    if notified_at < _to_minute(locked.given_at):
        errors["notified_at"] = "La notification ne peut pas précéder l'engagement."
    if errors:
        raise ValidationError(errors)
    locked.notified_at = notified_at
    _save_commitment(locked, actor=actor, reason="Engagement notifié au réclamant", transition="notify")
    return locked


# --- operation 3: partner path (Tayssir MASSAR errors, §6.2.5) -----------------------------------------


def grievance_transmit_to_partner(
    *, grievance: Grievance, actor, comment: str = "", expected_status: str | None = None
) -> Grievance:
    """MASSAR data errors need MENPS: the complaint is transmitted to the partner organisation."""
    return _run_step(
        grievance, name="transmit_to_partner", actor=actor, expected_status=expected_status, comment=comment
    )


def grievance_record_partner_outcome(
    *,
    grievance: Grievance,
    actor,
    founded: bool,
    data_corrected: bool,
    note: str,
    unfounded_reason=None,
    expected_status: str | None = None,
) -> Grievance:
    """The partner notifies its outcome: founded yes/no, data corrected yes/no (§6.2.5)."""

    def validate(g: Grievance) -> dict[str, str]:
        errors = _require_text(note, "partner_note", "Résumez le retour de l'organisme partenaire.")
        if founded not in (True, False):
            errors["partner_founded"] = "Indiquez si le partenaire juge la réclamation fondée."
        elif not founded and unfounded_reason is None:
            errors["unfounded_reason"] = "Une réclamation non fondée doit indiquer son motif (§6.2.3)."
        return errors

    return _run_step(
        grievance,
        name="record_partner_outcome",
        actor=actor,
        expected_status=expected_status,
        comment=note,
        validate=validate,
        data={
            "founded": founded,
            "data_corrected": bool(data_corrected),
            "note": (note or "").strip(),
            "unfounded_reason": unfounded_reason,
        },
    )


def grievance_regularise(*, grievance: Grievance, actor, note: str, expected_status: str | None = None) -> Grievance:
    """CNRA regularises the data and the right after the partner's correction (§6.2.5)."""
    return _run_step(
        grievance,
        name="regularise",
        actor=actor,
        expected_status=expected_status,
        comment=note,
        validate=lambda g: _require_text(note, "regularisation_note", "Décrivez la régularisation effectuée."),
        data={"note": (note or "").strip()},
    )


# --- operation 3: the answer (§6.2.4, §6.3.5) ------------------------------------------------------------


def grievance_draft_answer(
    *,
    grievance: Grievance,
    actor,
    text: str,
    explanation: str = "",
    answer_channel: Channel | None = None,
    exception: str = "",
    exception_reason: str = "",
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """Draft the answer. It goes out on the intake channel unless an exception is recorded.

    Exceptions (§6.2.4): the complaint needs no answer, or it was already answered (then a
    telephone call-back). An unfounded complaint needs the explanation the complainant
    will receive, also shown when they track it (§6.1).
    """
    Exception_ = Grievance.AnswerChannelException

    def validate(g: Grievance) -> dict[str, str]:
        errors: dict[str, str] = {}
        if exception not in Exception_.values:
            errors["answer_channel_exception"] = "Exception au canal de réponse inconnue."
            return errors
        channel = answer_channel or (None if exception == Exception_.NO_ANSWER_NEEDED else g.channel)
        if exception != Exception_.NO_ANSWER_NEEDED and not (text or "").strip():
            errors["answer_text"] = "Rédigez la réponse au réclamant."
        if g.outcome == Outcome.UNFOUNDED and not (explanation or "").strip():
            errors["outcome_explanation"] = (
                "Une réclamation non fondée exige l'explication qui sera donnée au réclamant."
            )
        if exception == Exception_.NONE and channel is not None and channel.pk != g.channel_id:
            errors["answer_channel"] = (
                f"La réponse se fait par le canal de réception (« {g.channel.name} ») sauf exception motivée."
            )
        if exception and not (exception_reason or "").strip():
            errors["answer_channel_exception_reason"] = "Motivez l'exception au canal de réponse."
        if exception == Exception_.ALREADY_ANSWERED and (channel is None or channel.kind != Channel.Kind.PHONE):
            errors["answer_channel"] = "Une réclamation déjà répondue fait l'objet d'un rappel téléphonique."
        return errors

    return _run_step(
        grievance,
        name="draft_answer",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data=lambda g: {
            "actor": actor,
            "text": (text or "").strip(),
            "explanation": (explanation or "").strip(),
            "answer_channel": answer_channel or _default_answer_channel(g, exception),
            "exception": exception,
            "exception_reason": (exception_reason or "").strip(),
        },
    )


def _default_answer_channel(grievance: Grievance, exception: str) -> Channel | None:
    if exception == Grievance.AnswerChannelException.NO_ANSWER_NEEDED:
        return None
    return grievance.channel


def grievance_approve_answer(
    *, grievance: Grievance, actor, note: str = "", expected_status: str | None = None
) -> Grievance:
    """The head of beneficiary services approves the answer; never its own author (four eyes)."""
    return _run_step(
        grievance,
        name="approve_answer",
        actor=actor,
        expected_status=expected_status,
        comment=note,
        data={"actor": actor, "note": (note or "").strip(), "when": timezone.now()},
    )


def grievance_reject_answer(*, grievance: Grievance, actor, note: str, expected_status: str | None = None) -> Grievance:
    """The head sends the answer back with what to change."""
    return _run_step(
        grievance,
        name="reject_answer",
        actor=actor,
        expected_status=expected_status,
        comment=note,
        validate=lambda g: _require_text(
            note, "answer_review_note", "Indiquez ce qu'il faut reprendre dans la réponse."
        ),
        data={"note": (note or "").strip()},
    )


def grievance_send_answer(
    *,
    grievance: Grievance,
    actor,
    sent_at: datetime | None = None,
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """The approved answer went out to the complainant."""
    sent_at = sent_at or timezone.now()

    def validate(g: Grievance) -> dict[str, str]:
        errors = _not_future(sent_at, "answer_sent_at")
        if g.answer_approved_at and sent_at < _to_minute(g.answer_approved_at):
            errors["answer_sent_at"] = "La réponse ne peut pas partir avant son approbation."
        return errors

    return _run_step(
        grievance,
        name="send_answer",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data={"when": sent_at},
        # The outcome, with the explanation when unfounded (§6.1), on the answer's channel.
        after=lambda g: notifications.notification_queue_outcome(grievance=g),
    )


# --- operation 4: close, and the appeal --------------------------------------------------------------------


def _commitment_facts(grievance: Grievance) -> list[deadlines.CommitmentFacts]:
    return [
        deadlines.CommitmentFacts(status=c.status, notified_at=c.notified_at, realised_at=c.realised_at)
        for c in grievance.commitments.order_by("sequence")
    ]


def grievance_close(
    *,
    grievance: Grievance,
    actor,
    synthesis: str,
    external_recourse_informed: bool = False,
    expected_status: str | None = None,
) -> Grievance:
    """Operation 4: the closing officer checks the treatment and the answer, writes the synthesis.

    The effective closure date follows the closure-date rule (§6.3.2). A second closure,
    after an appeal, is the appeal's own and leaves the first instance's dates alone. After
    an appeal still refused, the complainant must have been told of the Médiateur and the courts.
    """
    now = timezone.now()
    effective: list[datetime | None] = [None]

    def validate(g: Grievance) -> dict[str, str]:
        errors = _require_text(synthesis, "final_synthesis", "Rédigez la synthèse finale du traitement.")
        if g.appeal_count:
            effective[0] = g.effective_closed_at
        else:
            try:
                effective[0] = deadlines.effective_closure_at(
                    commitments=_commitment_facts(g), closure_validated_at=now
                )
            except ValueError:
                errors["commitments"] = (
                    "L'engagement honoré n'a pas été notifié au réclamant : "
                    "enregistrez la date de notification avant de clôturer."
                )
        if g.appeal_count and g.outcome == Outcome.UNFOUNDED and not external_recourse_informed:
            errors["external_recourse_informed"] = (
                "Après un recours rejeté, le réclamant doit être informé de son droit de saisir "
                "le Médiateur du Royaume ou la justice : confirmez-le."
            )
        return errors

    return _run_step(
        grievance,
        name="close",
        actor=actor,
        expected_status=expected_status,
        comment=synthesis,
        validate=validate,
        data=lambda g: {
            "actor": actor,
            "synthesis": synthesis.strip(),
            "when": now,
            # A date typed to the minute can fall a few seconds before the reception time;
            # the treatment time is never negative.
            "effective_closed_at": max(effective[0], g.received_at) if effective[0] else None,
            "external_recourse_informed": bool(external_recourse_informed),
        },
    )


def grievance_appeal(
    *, grievance: Grievance, actor, reason: str, received_at: datetime | None = None, expected_status: str | None = None
) -> Grievance:
    """Appeal (recours, §6.1): the case reopens for a second review, on a clock of its own.

    The appeal's deadline is counted from the appeal with the programme's policy; the first
    instance's due date, closure and delay are kept as they were (docs/metrics.md).
    """
    received_at = received_at or timezone.now()

    def validate(g: Grievance) -> dict[str, str]:
        errors = _require_text(reason, "appeal_reason", "Indiquez le motif du recours.")
        errors |= _not_future(received_at, "appealed_at")
        if g.closure_validated_at and received_at < _to_minute(g.closure_validated_at):
            errors["appealed_at"] = "Le recours ne peut pas précéder la clôture."
        return errors

    def data(g: Grievance) -> dict:
        due_on, _acknowledgement = due_dates(programme=g.programme, channel=g.channel, received_at=received_at)
        return {"reason": reason.strip(), "when": received_at, "due_on": due_on}

    return _run_step(
        grievance,
        name="appeal",
        actor=actor,
        expected_status=expected_status,
        comment=reason,
        validate=validate,
        data=data,
    )


def grievance_review_appeal(
    *,
    grievance: Grievance,
    actor,
    conclusion: str,
    outcome: str,
    unfounded_reason=None,
    expected_status: str | None = None,
) -> Grievance:
    """Second review at a higher level (the head of beneficiary services): upholds or reverses
    the first outcome, and stops the appeal's clock (its delay runs from the appeal to this decision)."""
    now = timezone.now()

    def validate(g: Grievance) -> dict[str, str]:
        errors = _require_text(conclusion, "analysis_conclusion", "Renseignez la conclusion du réexamen.")
        return errors | _outcome_errors(outcome, unfounded_reason)

    return _run_step(
        grievance,
        name="review_appeal",
        actor=actor,
        expected_status=expected_status,
        comment=conclusion,
        validate=validate,
        data={
            "actor": actor,
            "when": now,
            "conclusion": (conclusion or "").strip(),
            "outcome": outcome,
            "unfounded_reason": unfounded_reason,
        },
    )


# --- assignment (not a state change, audited all the same) ---------------------------------------


def grievance_assign(*, grievance: Grievance, actor, assignee=None, unit=None, comment: str = "") -> Grievance:
    """Give a grievance to an agent and/or a business unit. The assignee must be able to see it."""
    from grievances.access import user_can_see_grievance

    with transaction.atomic():
        locked = _locked(grievance)
        if not actor.has_perm("grievances.assign_grievance") or not user_can_see_grievance(actor, locked):
            raise PermissionDenied("Vous n'êtes pas autorisé·e à attribuer cette réclamation.")
        if locked.status in Grievance.TERMINAL_STATES:
            raise ValidationError(f"La réclamation {locked.reference} est close : elle ne peut plus être attribuée.")
        if assignee is None and unit is None:
            raise ValidationError({"assigned_to": "Choisissez un agent ou un service métier."})
        if assignee is not None and not user_can_see_grievance(assignee, locked):
            raise ValidationError(
                {"assigned_to": f"{assignee.get_full_name() or assignee.username} n'a pas accès à ce programme."}
            )
        changes = []
        if assignee is not None and assignee.pk != locked.assigned_to_id:
            locked.assigned_to = assignee
            changes.append(f"agent : {assignee.get_full_name() or assignee.username}")
        if unit is not None and unit.pk != locked.assigned_unit_id:
            locked.assigned_unit = unit
            changes.append(f"service : {unit.name}")
        if not changes:
            return locked
        reason = "Attribution — " + ", ".join(changes)
        locked._change_reason = f"{reason} — {comment.strip()}" if comment.strip() else reason
        locked._history_transition = "assign"
        locked._history_user = actor
        locked.save(update_fields=["assigned_to", "assigned_unit"])
    return locked
