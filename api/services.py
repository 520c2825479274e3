"""Idempotent intake through the API: a replayed request returns the grievance it created.

Two things identify a replay: the `Idempotency-Key` header (per integration account) and the
channel's own reference of the file (unique per channel in the database). Both are enforced
by unique indexes, not by a lookup first: the grievance and then the key row are inserted in
one transaction, and a replay, concurrent or not, fails on one of the two indexes (a
concurrent one waits there until the first request commits). Its transaction is rolled back
whole — reference number, grievance, history, acknowledgement — and only then is the recorded
request read. So a new request costs no lookup: only a replay reads what the first one stored.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException

from api.authentication import load_permissions
from api.models import IntakeRequest, IntegrationAccount
from grievances.models import Grievance, SensitiveCase
from grievances.services.intake import grievance_register
from pmpp.compiled_sql import insert_instance


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


def _previous_by_key(*, account: IntegrationAccount, key: str, body_hash: str) -> ApiIntakeResult | None:
    """The request already recorded under this key, if any."""
    if not key:
        return None
    record = (
        IntakeRequest.objects.select_related("grievance", "sensitive_case").filter(account=account, key=key).first()
    )
    if record is None:
        return None
    return _replay(
        record,
        body_hash=body_hash,
        message=_(
            "Cette clé d'idempotence a déjà servi pour une requête différente : "
            "utilisez une nouvelle clé pour une nouvelle réclamation."
        ),
    )


def _previous_by_reference(
    *, account: IntegrationAccount, channel, external_reference: str, body_hash: str
) -> ApiIntakeResult | None:
    """The request already recorded under the channel's external reference, if any."""
    if not external_reference:
        return None
    existing = Grievance.objects.filter(channel=channel, external_reference=external_reference).first()
    if existing is None:
        return None
    record = IntakeRequest.objects.filter(grievance=existing).select_related("grievance").first()
    message = (
        _("La référence externe « %s » est déjà enregistrée pour ce canal avec un contenu différent.")
        % external_reference
    )
    if record is None or record.account_id != account.pk:
        raise IdempotencyConflict(message)
    return _replay(record, body_hash=body_hash, message=message)


def api_grievance_register(*, account: IntegrationAccount, key: str, body, data: dict) -> ApiIntakeResult:
    """Register through `grievance_register` once per key and per external reference.

    `body` is the request as received (hashed to recognise a replay), `data` the validated
    intake fields. The account's user is the actor, so its permissions apply.
    """
    body_hash = request_hash(body)
    by_reference = {"channel": data["channel"], "external_reference": (data.get("external_reference") or "").strip()}
    load_permissions(account.user)
    try:
        with transaction.atomic():
            result = grievance_register(actor=account.user, **data)
            insert_instance(
                IntakeRequest(
                    account=account,
                    key=key,
                    request_hash=body_hash,
                    grievance=result.grievance,
                    sensitive_case=result.sensitive_case,
                )
            )
    except (IntegrityError, ValidationError, PermissionDenied):
        # The key or the external reference was used before, or by a concurrent request that
        # committed first (IntegrityError). A replay answers what the first request got, even
        # when the intake checks would now refuse it (a call's reception date no longer "now",
        # a right withdrawn since); anything else is raised as it is.
        previous = _previous_by_key(account=account, key=key, body_hash=body_hash) or _previous_by_reference(
            account=account, **by_reference, body_hash=body_hash
        )
        if previous is None:
            raise
        return previous
    return ApiIntakeResult(
        grievance=result.grievance, sensitive_case=result.sensitive_case, pin=result.pin, replayed=False
    )
