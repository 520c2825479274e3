"""Writes to the stakeholder registry and the engagement evidence (PMPP §3, §4, §7).

Every write takes an explicit actor, checks the permission, records who and why in
history, and runs in a transaction. Validated minutes are immutable: a correction is a
new version that points at the one it corrects.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from stakeholders.models import (
    Concern,
    CorrectiveAction,
    MandateVerification,
    Minutes,
    MinutesAttachment,
    ProgressNote,
    Representative,
    Risk,
)


def _require(actor, permission: str, message: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(message)


def _audited_save(obj, *, actor, reason: str, transition: str = "") -> None:
    obj._change_reason = reason
    obj._history_user = actor
    obj.save()


@transaction.atomic
def registry_save(*, actor, form, reason: str = ""):
    """Save a registry ModelForm (groups, stakeholders, activities, campaigns…) with history.

    The view has validated the form; this checks the add/change permission of its model
    and records who and why.
    """
    instance = form.instance
    meta = instance._meta
    action = "change" if instance.pk else "add"
    _require(
        actor,
        f"{meta.app_label}.{action}_{meta.model_name}",
        f"Vous n'êtes pas autorisé·e à modifier « {meta.verbose_name} ».",
    )
    obj = form.save(commit=False)
    default = f"{'Modification' if action == 'change' else 'Création'} : {meta.verbose_name}"
    _audited_save(obj, actor=actor, reason=reason.strip() or default)
    form.save_m2m()
    return obj


# --- representatives and their mandate (§3.2) --------------------------------------------------------


@transaction.atomic
def mandate_verification_record(
    *,
    representative: Representative,
    actor,
    method: str,
    verified_on: date,
    outcome: str,
    expires_on: date | None = None,
    notes: str = "",
) -> MandateVerification:
    """Record how, when and by whom a representative's mandate was verified, and until when."""
    _require(actor, "stakeholders.add_mandateverification", "Vous n'êtes pas autorisé·e à vérifier un mandat.")
    errors = {}
    if method not in MandateVerification.Method.values:
        errors["method"] = "Choisissez la méthode de vérification."
    if outcome not in MandateVerification.Outcome.values:
        errors["outcome"] = "Choisissez le résultat de la vérification."
    if verified_on is None or verified_on > timezone.localdate():
        errors["verified_on"] = "La date de vérification est obligatoire et ne peut pas être dans le futur."
    elif expires_on is not None and expires_on < verified_on:
        errors["expires_on"] = "La validité ne peut pas s'arrêter avant la vérification."
    if errors:
        raise ValidationError(errors)
    verification = MandateVerification(
        representative=representative,
        method=method,
        verified_on=verified_on,
        verified_by=actor,
        outcome=outcome,
        expires_on=expires_on,
        notes=notes.strip(),
    )
    _audited_save(verification, actor=actor, reason=f"Vérification du mandat : {verification.get_outcome_display()}")
    return verification


# --- concerns raised during activities ---------------------------------------------------------------------


@transaction.atomic
def concern_add(
    *, activity, actor, theme: str, description: str, raised_by=None, answer: str = "", follow_up_action=None
) -> Concern:
    _require(actor, "stakeholders.add_concern", "Vous n'êtes pas autorisé·e à enregistrer une préoccupation.")
    errors = {}
    if not (theme or "").strip():
        errors["theme"] = "Indiquez le thème de la préoccupation."
    if not (description or "").strip():
        errors["description"] = "Décrivez la préoccupation ou l'avis exprimé."
    if errors:
        raise ValidationError(errors)
    concern = Concern(
        activity=activity,
        theme=theme.strip(),
        description=description.strip(),
        raised_by=raised_by,
        answer=(answer or "").strip(),
        follow_up_action=follow_up_action,
    )
    _audited_save(concern, actor=actor, reason="Préoccupation enregistrée")
    return concern


# --- minutes (§7: evidence) --------------------------------------------------------------------------------


def _locked_minutes(minutes: Minutes) -> Minutes:
    return Minutes.objects.select_for_update(of=("self",)).get(pk=minutes.pk)


@transaction.atomic
def minutes_write(*, activity, actor, text: str) -> Minutes:
    """Write the minutes of an activity: the current draft, or a first version.

    A validated version is never rewritten: once the latest version is validated, the
    only way to change the text is `minutes_correct`, which creates a new version.
    """
    _require(actor, "stakeholders.add_minutes", "Vous n'êtes pas autorisé·e à rédiger un compte rendu.")
    if not (text or "").strip():
        raise ValidationError({"text": "Rédigez le compte rendu."})
    draft = Minutes.objects.select_for_update(of=("self",)).filter(activity=activity, status="draft").first()
    if draft is not None:
        draft.text = text.strip()
        _audited_save(draft, actor=actor, reason="Compte rendu modifié (brouillon)")
        return draft
    if Minutes.objects.filter(activity=activity).exists():
        raise ValidationError(
            {
                "text": "Le compte rendu est validé et ne peut plus être modifié : "
                "créez une nouvelle version (correction)."
            }
        )
    minutes = Minutes(activity=activity, version=1, text=text.strip(), written_by=actor)
    _audited_save(minutes, actor=actor, reason="Compte rendu rédigé (version 1)")
    return minutes


@transaction.atomic
def minutes_validate(*, minutes: Minutes, actor, confirmed: bool = False) -> Minutes:
    """Validate a draft: from now on it is evidence and never changes.

    Irreversible, so only once the user has confirmed it on a screen that says what will be
    frozen (issue 20): without `confirmed`, nothing is validated.
    """
    locked = _locked_minutes(minutes)
    if locked.status != Minutes.Status.DRAFT:
        raise ValidationError("Ce compte rendu est déjà validé.")
    if not actor.has_perm("stakeholders.validate_minutes"):
        raise PermissionDenied("Vous n'êtes pas autorisé·e à valider un compte rendu.")
    if not confirmed:
        raise ValidationError(
            gettext(
                "Confirmez la validation : une fois validé, le compte rendu et ses pièces jointes ne pourront "
                "plus être modifiés."
            ),
            code="confirmation_required",
        )
    locked.validate(actor=actor, when=timezone.now())
    locked._history_transition = "validate"
    _audited_save(locked, actor=actor, reason=f"Compte rendu validé (version {locked.version})")
    return locked


@transaction.atomic
def minutes_correct(*, minutes: Minutes, actor, text: str, reason: str) -> Minutes:
    """A correction of validated minutes is a new version; the old one stays readable."""
    _require(actor, "stakeholders.add_minutes", "Vous n'êtes pas autorisé·e à corriger un compte rendu.")
    locked = _locked_minutes(minutes)
    errors = {}
    if locked.status != Minutes.Status.VALIDATED:
        errors["text"] = "Seul un compte rendu validé se corrige par une nouvelle version ; modifiez le brouillon."
    if Minutes.objects.filter(corrects=locked).exists():
        errors["text"] = "Cette version a déjà été corrigée : corrigez la dernière version."
    if not (text or "").strip():
        errors["text"] = "Rédigez le texte corrigé."
    if not (reason or "").strip():
        errors["correction_reason"] = "Indiquez le motif de la correction."
    if errors:
        raise ValidationError(errors)
    latest = Minutes.objects.filter(activity_id=locked.activity_id).aggregate(last=Max("version"))["last"]
    correction = Minutes(
        activity_id=locked.activity_id,
        version=latest + 1,
        corrects=locked,
        text=text.strip(),
        correction_reason=reason.strip(),
        written_by=actor,
    )
    _audited_save(
        correction, actor=actor, reason=f"Correction du compte rendu (version {latest + 1}) — {reason.strip()}"
    )
    return correction


@transaction.atomic
def minutes_attachment_add(*, minutes: Minutes, actor, uploaded_file, description: str = "") -> MinutesAttachment:
    """Join a scan, photo or attendance sheet to a draft; validated minutes are sealed."""
    from grievances.services.attachments import read_checked_upload

    _require(actor, "stakeholders.add_minutesattachment", "Vous n'êtes pas autorisé·e à joindre un fichier.")
    if minutes.status != Minutes.Status.DRAFT:
        raise ValidationError({"file": "Un compte rendu validé ne reçoit plus de pièce : créez une nouvelle version."})
    checked = read_checked_upload(uploaded_file)
    attachment = MinutesAttachment(
        minutes=minutes,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        description=(description or "").strip()[:200],
        uploaded_by=actor,
    )
    attachment.file.save(checked.original_name, checked.content, save=False)
    _audited_save(attachment, actor=actor, reason="Pièce jointe au compte rendu")
    return attachment


# --- corrective actions (§7) -------------------------------------------------------------------------------


def _run(obj, *, name: str, actor, reason: str, **data):
    meta = getattr(obj, name)._django_fsm
    if not meta.has_transition(obj.status):
        raise ValidationError(f"Étape impossible depuis l'état « {obj.get_status_display()} ».")
    if not meta.has_transition_perm(obj, obj.status, actor):
        raise PermissionDenied("Vous n'êtes pas autorisé·e à effectuer cette étape.")
    getattr(obj, name)(**data)
    obj._history_transition = name
    _audited_save(obj, actor=actor, reason=reason)
    return obj


@transaction.atomic
def corrective_action_start(*, action: CorrectiveAction, actor) -> CorrectiveAction:
    locked = CorrectiveAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
    return _run(locked, name="start", actor=actor, reason="Action lancée")


@transaction.atomic
def corrective_action_complete(*, action: CorrectiveAction, actor, on: date | None = None) -> CorrectiveAction:
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"completed_on": "La date de réalisation ne peut pas être dans le futur."})
    locked = CorrectiveAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
    return _run(locked, name="complete", actor=actor, reason="Action réalisée", on=on)


@transaction.atomic
def corrective_action_cancel(*, action: CorrectiveAction, actor, reason: str) -> CorrectiveAction:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Indiquez pourquoi l'action est abandonnée."})
    locked = CorrectiveAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
    return _run(locked, name="cancel", actor=actor, reason=f"Action abandonnée — {reason.strip()}")


@transaction.atomic
def progress_note_add(*, action: CorrectiveAction, actor, text: str, percent_done: int | None = None) -> ProgressNote:
    _require(actor, "stakeholders.add_progressnote", "Vous n'êtes pas autorisé·e à noter l'avancement.")
    errors = {}
    if not (text or "").strip():
        errors["text"] = "Décrivez l'avancement."
    if percent_done is not None and not 0 <= percent_done <= 100:
        errors["percent_done"] = "L'avancement est un pourcentage entre 0 et 100."
    if errors:
        raise ValidationError(errors)
    note = ProgressNote(action=action, text=text.strip(), percent_done=percent_done, author=actor)
    _audited_save(note, actor=actor, reason="Note d'avancement")
    return note


# --- risk register (§2.2) ----------------------------------------------------------------------------------


@transaction.atomic
def risk_change_status(*, risk: Risk, actor, step: str, note: str) -> Risk:
    if step not in ("mark_mitigated", "close", "reactivate"):
        raise ValidationError({"step": "Étape inconnue."})
    if not (note or "").strip():
        raise ValidationError({"status_note": "Expliquez ce changement d'état."})
    locked = Risk.objects.select_for_update(of=("self",)).get(pk=risk.pk)
    return _run(locked, name=step, actor=actor, reason=f"Risque : {note.strip()}", note=note.strip())
