"""Idempotent intake through the API: a replayed request returns the grievance it created.

Two things identify a replay: the `Idempotency-Key` header (per integration account) and the
channel's own reference of the file (unique per channel in the database). The key row is
inserted in the same transaction as the grievance, before it: a concurrent duplicate waits
on the unique index, then fails, and reads what the first request stored.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException

from api.models import IntakeRequest, IntegrationAccount
from grievances.models import Grievance, SensitiveCase
from grievances.services.intake import grievance_register


class IdempotencyConflict(APIException):
    """The key, or the channel's reference, was already used for a different request."""

    status_code = 422
    default_code = "idempotency_conflict"


@dataclass(frozen=True)
class ApiIntakeResult:
    grievance: Grievance | None
    sensitive_case: SensitiveCase | None
    pin: str | None
    replayed: bool


def request_hash(body) -> str:
    """SHA-256 of the body as canonical JSON (sorted keys, no spaces), so key order does not matter."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _replay(record: IntakeRequest, *, body_hash: str, message: str) -> ApiIntakeResult:
    if record.request_hash != body_hash:
        raise IdempotencyConflict(message)
    return ApiIntakeResult(grievance=record.grievance, sensitive_case=record.sensitive_case, pin=None, replayed=True)


def _previous(*, account: IntegrationAccount, key: str, channel, external_reference: str, body_hash: str):
    """The request already recorded under this key or this external reference, if any."""
    if key:
        record = (
            IntakeRequest.objects.select_related("grievance", "sensitive_case").filter(account=account, key=key).first()
        )
        if record is not None:
            return _replay(
                record,
                body_hash=body_hash,
                message=_(
                    "Cette clé d'idempotence a déjà servi pour une requête différente : "
                    "utilisez une nouvelle clé pour une nouvelle réclamation."
                ),
            )
    if external_reference:
        existing = Grievance.objects.filter(channel=channel, external_reference=external_reference).first()
        if existing is not None:
            record = IntakeRequest.objects.filter(grievance=existing).select_related("grievance").first()
            message = (
                _("La référence externe « %s » est déjà enregistrée pour ce canal avec un contenu différent.")
                % external_reference
            )
            if record is None or record.account_id != account.pk:
                raise IdempotencyConflict(message)
            return _replay(record, body_hash=body_hash, message=message)
    return None


def api_grievance_register(*, account: IntegrationAccount, key: str, body, data: dict) -> ApiIntakeResult:
    """Register through `grievance_register` once per key and per external reference.

    `body` is the request as received (hashed to recognise a replay), `data` the validated
    intake fields. The account's user is the actor, so its permissions apply.
    """
    body_hash = request_hash(body)
    external_reference = (data.get("external_reference") or "").strip()
    lookup = {"account": account, "key": key, "channel": data["channel"], "external_reference": external_reference}
    previous = _previous(**lookup, body_hash=body_hash)
    if previous is not None:
        return previous
    try:
        with transaction.atomic():
            record = IntakeRequest.objects.create(account=account, key=key, request_hash=body_hash)
            result = grievance_register(actor=account.user, **data)
            record.grievance, record.sensitive_case = result.grievance, result.sensitive_case
            record.save(update_fields=["grievance", "sensitive_case"])
    except IntegrityError:
        # A concurrent request with the same key or external reference committed first.
        previous = _previous(**lookup, body_hash=body_hash)
        if previous is None:
            raise
        return previous
    return ApiIntakeResult(
        grievance=result.grievance, sensitive_case=result.sensitive_case, pin=result.pin, replayed=False
    )
