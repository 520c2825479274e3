"""Filing from the public form, once per form: the same form sent again shows the first receipt.

A complainant who gets no answer sends the form again: after a double click, a connection
lost on the way back, or the database gone between the commit and the receipt page (the 503
then says the complaint may have been saved). Each form shown carries a one-time token. The
grievance and a `FilingReceipt` keyed by the token and the form's content are inserted in
one transaction; a second sending of the same form, concurrent or not, fails on the receipt's
unique key, is rolled back whole, and gets the first receipt. The same form sent with other
content (edited after a browser's « back ») is another complaint.
"""

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from grievances.services.intake import deadline_policy_for, grievance_register
from pmpp.models import Channel, ComplaintCategory, DeadlinePolicy, Programme
from portal.models import FilingReceipt

WEB_CHANNEL_CODE = "web-portal"
# Long enough for a retry after an outage or a lost connection, short enough that the sealed
# PINs do not pile up.
RESUBMISSION_WINDOW = timedelta(hours=24)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class PortalReceipt:
    reference: str
    tracking_code: str
    pin: str  # "" for a named complaint
    replayed: bool = False
    # The first instance's due date and the legal delay it comes from (issue 18).
    due_on: date | None = None
    treatment_days: int = 0
    working_days: bool = False

    @classmethod
    def of(cls, grievance, *, pin: str, replayed: bool = False) -> "PortalReceipt":
        policy = deadline_policy_for(programme=grievance.programme, channel=grievance.channel)
        return cls(
            grievance.reference,
            grievance.tracking_code,
            pin,
            replayed=replayed,
            due_on=grievance.due_on,
            treatment_days=policy.treatment_days,
            working_days=policy.day_kind == DeadlinePolicy.DayKind.WORKING,
        )


def new_submission_token() -> str:
    """A token for one form shown: 256 random bits, in the form's hidden field."""
    return secrets.token_urlsafe(32)


def is_submission_token(value: str) -> bool:
    return bool(_TOKEN.match(value or ""))


def _keyed(token: str, purpose: bytes, content: bytes) -> bytes:
    return hmac.new(token.encode(), purpose + b"\0" + content, hashlib.sha256).digest()


def _seal(pin: str, *, token: str, content: bytes) -> str:
    """The PIN encrypted with a one-time pad drawn from the token (HMAC-SHA-256, 32 bytes for a
    6-digit PIN): without the form's token, which is never stored, the database cannot give it back."""
    pad = _keyed(token, b"pin", content)
    return bytes(a ^ b for a, b in zip(pin.encode(), pad, strict=False)).hex()


def _unseal(sealed: str, *, token: str, content: bytes) -> str:
    pad = _keyed(token, b"pin", content)
    return bytes(a ^ b for a, b in zip(bytes.fromhex(sealed), pad, strict=False)).decode()


def portal_file_complaint(
    *,
    submission: str,
    programme: Programme,
    category: ComplaintCategory,
    description: str,
    is_anonymous: bool,
    name: str = "",
    cnie: str = "",
    phone: str = "",
    email: str = "",
    preferred_contact: str = "",
) -> PortalReceipt:
    """Record a complaint from the public form (§6.1), once per form `submission` token."""
    if not is_submission_token(submission):
        raise ValueError("a submission token comes from new_submission_token()")
    intake = {
        "programme": programme,
        "category": category,
        "description": description,
        "is_anonymous": is_anonymous,
        "name": name,
        "cnie": cnie,
        "phone": phone,
        "email": email,
        "preferred_contact": preferred_contact,
    }
    channel = Channel.objects.get(code=WEB_CHANNEL_CODE)
    content = json.dumps(
        intake | {"programme": programme.pk, "category": category.pk}, sort_keys=True, ensure_ascii=False
    ).encode()
    key = _keyed(submission, b"filing", content).hex()
    try:
        with transaction.atomic():
            FilingReceipt.objects.filter(created_at__lt=timezone.now() - RESUBMISSION_WINDOW).delete()
            result = grievance_register(actor=None, channel=channel, **intake)
            FilingReceipt.objects.create(
                key=key,
                grievance=result.grievance,
                sealed_pin=_seal(result.pin, token=submission, content=content) if result.pin else "",
            )
    except (IntegrityError, ValidationError):
        # Sent before, or by a concurrent sending of the same form that committed first (it
        # waited on the unique key). A repeat gets the first receipt even if the intake checks
        # would now refuse it; anything else is raised as it is.
        previous = FilingReceipt.objects.select_related("grievance").filter(key=key).first()
        if previous is None:
            raise
        pin = _unseal(previous.sealed_pin, token=submission, content=content) if previous.sealed_pin else ""
        return PortalReceipt.of(previous.grievance, pin=pin, replayed=True)
    return PortalReceipt.of(result.grievance, pin=result.pin or "")
