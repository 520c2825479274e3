"""Sensitive GBV/SEA/SH cases: referral to a specialised service provider (SPEC §5.5)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grievances.models import SensitiveCase

_LABELS = {"refer": "Orientation vers un prestataire spécialisé", "close": "Clôture du cas sensible"}


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
    *, case: SensitiveCase, actor, service_provider: str, consent_to_refer: bool, referred_at: datetime | None = None
) -> SensitiveCase:
    """The survivor accepted a referral: to whom and when. Consent is required."""
    referred_at = referred_at or timezone.now()

    def validate(c: SensitiveCase) -> dict[str, str]:
        errors = {}
        if not (service_provider or "").strip():
            errors["service_provider"] = "Indiquez le prestataire de services vers lequel le cas est orienté."
        if not consent_to_refer:
            errors["consent_to_refer"] = "L'orientation exige le consentement de la survivante ou du survivant."
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
