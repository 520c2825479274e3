"""Sensitive GBV/SEA/SH cases: what a flagged grievance leaves to them, and the referral (SPEC §5.5)."""

import mimetypes
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from grievances.models import Attachment, Grievance, SensitiveCase
from grievances.services.notes import notes_erase_on_flag
from privacy.anonymisation import GRIEVANCE_TEXT_FIELDS, exchange_texts_erase, history_rows_erase

# Written in the audit chain in the clear: no personal data, no reference.
TAKE_OVER_REASON = gettext_noop("Cas transféré au référent VBG : identité et pièces jointes retirées de la réclamation")
FILE_MOVED_REASON = gettext_noop("Pièce jointe transférée au cas sensible")

_LABELS = {"refer": "Orientation vers un prestataire spécialisé", "close": "Clôture du cas sensible"}


def neutral_attachment_name(*, number: int, content_type: str) -> str:
    """« piece-jointe-2.pdf »: the name a file keeps once it has moved to a sensitive case.

    The name it came with is often the survivor's CNIE number or name (« CNIE_AB123456.pdf »).
    """
    return f"piece-jointe-{number}{mimetypes.guess_extension(content_type) or ''}"


def sensitive_case_take_over(*, case: SensitiveCase, grievance: Grievance, actor) -> None:
    """The husk keeps nothing of the person: its files and its history go to the case (SPEC §5.5).

    Called by `grievance_flag_sensitive`, in its transaction, once the husk is saved with
    its identity blanked. The files move to the case (same stored file, whose name is random:
    `attachment_path`) under a neutral name and without their description; the history rows
    of the grievance written before the flag lose the identity and the free texts, and those
    of its files now name the case and the neutral name; its internal notes lose their text.
    Every row rewritten is re-sealed in the audit chain, as the anonymisation does
    (privacy.anonymisation).
    """
    attachment_history = Attachment.history.model.objects
    files = Attachment.objects.select_for_update().filter(grievance=grievance).order_by("uploaded_at", "pk")
    for number, attachment in enumerate(files, start=case.attachments.count() + 1):
        name = neutral_attachment_name(number=number, content_type=attachment.content_type)
        attachment.grievance = None
        attachment.sensitive_case = case
        attachment.original_name = name
        attachment.description = ""
        attachment._change_reason = FILE_MOVED_REASON
        attachment._history_user = actor
        attachment.save(update_fields=["grievance", "sensitive_case", "original_name", "description"])
        history_rows_erase(
            attachment_history.filter(id=attachment.pk, grievance_id=grievance.pk),
            reason=TAKE_OVER_REASON,
            values={"grievance": None, "sensitive_case": case, "original_name": name, "description": ""},
        )
    exchange_texts_erase(grievance_id=grievance.pk, reason=TAKE_OVER_REASON)
    # The notes colleagues wrote on it may quote the allegation: their text goes too (issue 18).
    notes_erase_on_flag(grievance=grievance, actor=actor)
    flagged = grievance.history.latest("history_id")
    history_rows_erase(
        Grievance.history.model.objects.filter(id=grievance.pk, history_id__lt=flagged.history_id),
        reason=TAKE_OVER_REASON,
        blank=Grievance.IDENTITY_FIELDS,
        texts=GRIEVANCE_TEXT_FIELDS,
    )


def _run(case: SensitiveCase, *, name: str, actor, validate, data: dict, comment: str) -> SensitiveCase:
    with transaction.atomic():
        locked = SensitiveCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
        meta = getattr(locked, name)._django_fsm
        if not meta.has_transition(locked.status):
            raise ValidationError(f"Étape impossible pour un cas à l'état « {locked.get_status_display()} ».")
        if not meta.has_transition_perm(locked, locked.status, actor):
            raise PermissionDenied("Seul le référent VBG du programme peut traiter ce cas.")
        errors = validate(locked)
        if errors:
            raise ValidationError(errors)
        getattr(locked, name)(**data)
        locked._change_reason = f"{_LABELS[name]} — {comment}" if comment else _LABELS[name]
        locked._history_transition = name
        locked._history_user = actor
        locked.save()
    return locked


def sensitive_case_refer(
    *, case: SensitiveCase, actor, service_provider: str, referred_at: datetime | None = None
) -> SensitiveCase:
    """The survivor accepted a referral: to whom and when.

    The consent is the one recorded when the case was flagged or registered, asked once:
    the referral does not ask it again, and refuses a case recorded without it.
    """
    referred_at = referred_at or timezone.now()

    def validate(c: SensitiveCase) -> dict[str, str]:
        errors = {}
        if not (service_provider or "").strip():
            errors["service_provider"] = "Indiquez le prestataire de services vers lequel le cas est orienté."
        if not c.consent_to_refer:
            errors["consent_to_refer"] = (
                "Le consentement à l'orientation n'a pas été recueilli lors du signalement : "
                "le cas ne peut pas être orienté."
            )
        if referred_at > timezone.now():
            errors["referred_at"] = "Cette date ne peut pas être dans le futur."
        elif referred_at < c.received_at.replace(second=0, microsecond=0):
            errors["referred_at"] = "L'orientation ne peut pas précéder la réception."
        return errors

    return _run(
        case,
        name="refer",
        actor=actor,
        validate=validate,
        data={"when": referred_at, "service_provider": (service_provider or "").strip()},
        comment=(service_provider or "").strip(),
    )


def sensitive_case_close(*, case: SensitiveCase, actor, note: str) -> SensitiveCase:
    def validate(c: SensitiveCase) -> dict[str, str]:
        return {} if (note or "").strip() else {"closing_note": "Indiquez la suite donnée au cas."}

    return _run(case, name="close", actor=actor, validate=validate, data={"note": (note or "").strip()}, comment="")
