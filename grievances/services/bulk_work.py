"""Bulk work on a queue (issue 18, item 8): one action on many cases, each checked as one by one.

A run is started from a queue (a selection, or every case the queue and its filters hold, up
to `BULK_CAP`), given its choice (the assignee, or a comment), confirmed, then executed. Each
case goes through the very service a single case uses, with the actor's own permissions —
`grievance_assign`, or the workflow step through `run_step` — in its own transaction, so a
refused case changes nothing and does not stop the others; the run keeps, per case, what was
done or why it was refused, by reference, with the service's own message (no personal data:
the services' messages name the case by its reference and staff by their names).

Only the steps that need no data of their own case are offered here: « Transmettre à
l'organisme partenaire » and « Envoyer la réponse » (the approved answer, sent now). Approving
an answer is a judgement on its text (the approve page shows it, issue 18 item 6), and every
other step asks for a date, a text or a choice proper to each case.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grievances.models import BulkRun, Grievance
from grievances.people import full_name
from grievances.services import workflow as wf
from grievances.workflow import TRANSITION_LABELS
from pmpp import roles

# At most this many cases in one run: executed in the request, about 5 ms each, and a list
# a person can still read through on the result page.
BULK_CAP = 500


@dataclass(frozen=True)
class BulkAction:
    code: str
    label: str
    permission: str
    # What each case goes through: (grievance, actor, run) → the line of the result page.
    perform: Callable[[Grievance, object, BulkRun], str]
    needs_assignee: bool = False


def _assign(grievance: Grievance, actor, run: BulkRun) -> str:
    unchanged = (run.assignee is None or grievance.assigned_to_id == run.assignee_id) and (
        run.unit is None or grievance.assigned_unit_id == run.unit_id
    )
    wf.grievance_assign(grievance=grievance, actor=actor, assignee=run.assignee, unit=run.unit, comment=run.comment)
    if unchanged:
        return "Déjà attribuée ainsi : rien à changer."
    return "Attribuée — " + assignment_label(run)


def _step(name: str, service: Callable) -> Callable[[Grievance, object, BulkRun], str]:
    def perform(grievance: Grievance, actor, run: BulkRun) -> str:
        service(grievance=grievance, actor=actor, comment=run.comment)
        return f"Étape enregistrée : {TRANSITION_LABELS[name]}."

    return perform


BULK_ACTIONS = {
    action.code: action
    for action in (
        BulkAction(
            "assign",
            _("Attribuer à un agent ou un service"),
            "grievances.assign_grievance",
            _assign,
            needs_assignee=True,
        ),
        BulkAction(
            "transmit_to_partner",
            TRANSITION_LABELS["transmit_to_partner"],
            "grievances.route_grievance",
            _step("transmit_to_partner", wf.grievance_transmit_to_partner),
        ),
        BulkAction(
            "send_answer",
            TRANSITION_LABELS["send_answer"],
            "grievances.send_answer",
            _step("send_answer", wf.grievance_send_answer),
        ),
    )
}


def bulk_actions_for(user) -> list[BulkAction]:
    """The bulk actions this user's roles allow (each case is still checked on its own)."""
    return [action for action in BULK_ACTIONS.values() if roles.role_grants(user, action.permission)]


def assignment_label(run: BulkRun) -> str:
    parts = []
    if run.assignee is not None:
        parts.append(f"agent : {full_name(run.assignee)}")
    if run.unit is not None:
        parts.append(f"service : {run.unit.label}")
    return ", ".join(parts)


def bulk_run_start(*, actor, queue_slug: str, action: str, rows: QuerySet, selection: list[int] | None) -> BulkRun:
    """A run over `selection` (ids ticked on the page) or, None, over every case of `rows`.

    `rows` is the queue as the user sees it, filters included, already within their
    visibility: a ticked id outside it is dropped, as if it had not been sent. « All » takes
    the first `BULK_CAP` cases in the queue's order and says how many more there were.
    """
    if action not in {a.code for a in bulk_actions_for(actor)}:
        raise PermissionDenied("Vous n'êtes pas autorisé·e à effectuer cette action sur des réclamations.")
    ordered = rows.order_by("current_due_on", "pk").values_list("pk", flat=True)
    if selection is None:
        ids = list(ordered[:BULK_CAP])
        matching = rows.order_by()[: BULK_CAP + 1].count()
    else:
        # A page holds at most 100 rows: a selection is within the cap.
        ids = list(ordered.filter(pk__in=selection[:BULK_CAP])[:BULK_CAP])
        matching = len(ids)
    if not ids:
        raise ValidationError("Sélectionnez au moins une réclamation de la file.")
    return BulkRun.objects.create(
        owner=actor, queue_slug=queue_slug, action=action, grievance_ids=ids, matching=max(matching, len(ids))
    )


def bulk_run_choose(*, run: BulkRun, actor, assignee=None, unit=None, comment: str = "") -> BulkRun:
    """What the action does to each case: the assignee and/or unit, or the comment of the step."""
    _check_owner(run, actor)
    if run.stage not in (BulkRun.Stage.CHOOSING, BulkRun.Stage.CONFIRMING):
        raise ValidationError("Ce traitement par lot a déjà été lancé.")
    if BULK_ACTIONS[run.action].needs_assignee and assignee is None and unit is None:
        raise ValidationError({"assignee": "Choisissez un agent ou un service métier."})
    run.assignee, run.unit, run.comment = assignee, unit, (comment or "").strip()
    run.stage = BulkRun.Stage.CONFIRMING
    run.save(update_fields=["assignee", "unit", "comment", "stage"])
    return run


def bulk_run_execute(*, run: BulkRun, actor) -> BulkRun:
    """Run the action on each case with the actor's permissions; keep what each gave.

    The run is taken first (stage « en cours », under its row lock), so a second click or a
    second tab cannot run it twice. Each case then goes through its service in its own
    transaction: row locks are held one case at a time, never across the whole run.
    """
    _check_owner(run, actor)
    with transaction.atomic():
        locked = BulkRun.objects.select_for_update().get(pk=run.pk)
        if locked.stage != BulkRun.Stage.CONFIRMING:
            raise ValidationError("Ce traitement par lot a déjà été lancé.")
        locked.stage = BulkRun.Stage.RUNNING
        locked.save(update_fields=["stage"])
    action = BULK_ACTIONS[locked.action]
    visible = {
        g.pk: g
        for g in Grievance.objects.visible_to(actor)
        .filter(pk__in=locked.grievance_ids)
        .select_related("programme", "channel", "category")
    }
    results = []
    try:
        for pk in locked.grievance_ids:
            grievance = visible.get(pk)
            if grievance is None:
                # No longer visible to the user (moved to the GBV referent, scope changed): its
                # reference is not repeated.
                results.append({"id": None, "reference": "", "done": False, "message": OUT_OF_SCOPE})
                continue
            try:
                message = action.perform(grievance, actor, locked)
            except (ValidationError, PermissionDenied, wf.StaleGrievance) as refusal:
                results.append({"id": pk, "reference": grievance.reference, "done": False, "message": _reason(refusal)})
            else:
                results.append({"id": pk, "reference": grievance.reference, "done": True, "message": message})
    finally:
        # Even when an unexpected error stops the run, what was done is kept and said, and
        # the cases not reached are listed as such: the run never stays « en cours ».
        for pk in locked.grievance_ids[len(results) :]:
            reference = visible[pk].reference if pk in visible else ""
            results.append(
                {"id": pk if reference else None, "reference": reference, "done": False, "message": NOT_REACHED}
            )
        locked.results = results
        locked.stage = BulkRun.Stage.DONE
        locked.ran_at = timezone.now()
        locked.save(update_fields=["results", "stage", "ran_at"])
    return locked


OUT_OF_SCOPE = "Dossier hors de votre périmètre."
NOT_REACHED = "Non traité : le traitement par lot a été interrompu par une erreur. Relancez-le pour ce dossier."


def _reason(error: Exception) -> str:
    return " ".join(str(m) for m in getattr(error, "messages", None) or [str(error)])


def _check_owner(run: BulkRun, actor) -> None:
    if run.owner_id != actor.pk:
        raise PermissionDenied("Ce traitement par lot est celui d'un autre utilisateur.")
