"""Writes of the public pages: the tracking check and its rate limit, the portal's account.

Filing goes through `grievances.services.intake.grievance_register` (the one door for
every intake) and the appeal through `grievances.services.workflow.grievance_appeal`; this
module only adds what is public-facing: proving who may read a grievance without an account.
"""

import functools
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from grievances.models import Grievance
from grievances.services.intake import normalise_cnie, normalise_phone
from grievances.services.references import tracking_identity_matches
from grievances.services.workflow import grievance_appeal
from pmpp import roles
from pmpp.accounts import service_account_ensure
from pmpp.models import User
from portal.models import TrackingThrottle

PORTAL_USERNAME = "espace-public"
PORTAL_DISPLAY_NAME = "Espace public"
# The organisation that owns the plan (MEF, SPEC §1) holds the portal account's membership.
PORTAL_ORGANISATION_CODE = "mef-db"


def normalise_tracking_code(value: str) -> str:
    """Codes are copied from SMS and read over the phone: spaces and dashes do not count."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


# --- rate limit -------------------------------------------------------------------------------------


def _digest(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _window() -> timedelta:
    return timedelta(minutes=settings.PMPP_TRACKING_WINDOW_MINUTES)


def _keys(*, address: str, tracking_code: str) -> list[tuple[str, str]]:
    return [
        (TrackingThrottle.Scope.ADDRESS, _digest(f"address:{address}")),
        (TrackingThrottle.Scope.CODE, _digest(f"code:{tracking_code}")),
    ]


def tracking_is_limited(*, address: str, tracking_code: str, now: datetime) -> bool:
    """True when the address or the code has used up its failed attempts in the window."""
    limit = settings.PMPP_TRACKING_ATTEMPTS
    since = now - _window()
    for scope, key in _keys(address=address, tracking_code=tracking_code):
        if TrackingThrottle.objects.filter(
            scope=scope, key=key, window_started_at__gt=since, failures__gte=limit
        ).exists():
            return True
    return False


def tracking_record_failure(*, address: str, tracking_code: str, now: datetime) -> None:
    """Count one failed attempt against the address and against the code (fixed windows)."""
    since = now - _window()
    # Clean up as we go: a row whose window has passed counts for nothing.
    TrackingThrottle.objects.filter(window_started_at__lte=since).delete()
    for scope, key in _keys(address=address, tracking_code=tracking_code):
        # Concurrent failures from several workers add up: the increment is done by the
        # database, and the first row of a key is created under its unique constraint.
        updated = TrackingThrottle.objects.filter(scope=scope, key=key, window_started_at__gt=since).update(
            failures=F("failures") + 1
        )
        if updated:
            continue
        try:
            with transaction.atomic():
                TrackingThrottle.objects.create(scope=scope, key=key, window_started_at=now, failures=1)
        except IntegrityError:
            TrackingThrottle.objects.filter(scope=scope, key=key).update(failures=F("failures") + 1)


# --- the tracking check -----------------------------------------------------------------------------


@functools.cache
def _dummy_hash(algorithm: str) -> str:
    return make_password("pmpp-portal-dummy-pin", hasher=algorithm)


@dataclass(frozen=True)
class TrackingProof:
    """What the complainant typed to prove the grievance is theirs."""

    tracking_code: str
    identity: str = ""  # CNIE or phone number, for a named complaint
    pin: str = ""  # for an anonymous complaint


def _identity_matches(grievance: Grievance, identity: str) -> bool:
    if not identity:
        return False
    cnie, phone = normalise_cnie(identity), normalise_phone(identity)
    if grievance.tracking_cnie_digest or grievance.tracking_phone_digest:
        # A case moved to the GBV referent: its identity is gone, its receipt still opens it.
        return tracking_identity_matches(
            tracking_code=grievance.tracking_code,
            digests={"cnie": grievance.tracking_cnie_digest, "phone": grievance.tracking_phone_digest},
            values={"cnie": cnie, "phone": phone},
        )
    if grievance.is_anonymous:
        return False
    by_cnie = bool(grievance.complainant_cnie) and hmac.compare_digest(cnie, grievance.complainant_cnie)
    by_phone = bool(grievance.complainant_phone) and hmac.compare_digest(phone, grievance.complainant_phone)
    return by_cnie or by_phone


def grievance_track(*, proof: TrackingProof, address: str, now: datetime | None = None) -> Grievance | None:
    """The grievance the proof opens, or None — for every kind of failure alike (§6.1).

    A tracking code with the CNIE or the phone number given at filing opens a named
    complaint; with the PIN, an anonymous one. Unknown code, wrong identity, wrong PIN and
    too many attempts all return None, after the same work: one password-hash check is
    always run (the PIN's, or a fixed dummy hash's), so that the time taken does not tell
    an unknown code from a known one. Failures are counted per client address and per
    tracking code; past PMPP_TRACKING_ATTEMPTS within PMPP_TRACKING_WINDOW_MINUTES, even
    the right answer is refused until the window has passed.
    """
    now = now or timezone.now()
    code = normalise_tracking_code(proof.tracking_code)
    limited = tracking_is_limited(address=address, tracking_code=code, now=now)
    grievance = (
        Grievance.objects.select_related("programme").filter(tracking_code=code).first()
        if code and not limited
        else None
    )
    dummy = _dummy_hash(get_hasher().algorithm)
    if grievance is not None and grievance.is_anonymous and grievance.pin_hash:
        matched = bool(proof.pin) and check_password(proof.pin, grievance.pin_hash)
    else:
        check_password(proof.pin or proof.identity or "-", dummy)
        matched = grievance is not None and _identity_matches(grievance, proof.identity)
    if limited:
        return None
    if not matched:
        tracking_record_failure(address=address, tracking_code=code, now=now)
        return None
    return grievance


# --- the portal's service account, and what it does -------------------------------------------------


def portal_account() -> User:
    """The service account the public pages act as, created on first use.

    It holds the role « Espace public (compte de service) » (only `record_appeal`) and an
    all-programmes membership of the MEF; its password is unusable, so nobody signs in as
    it. History names it as the author of what complainants do from the tracking page.
    Created with its group and membership in one transaction: a concurrent first use waits
    on the unique username and then reads the complete account.
    """
    return service_account_ensure(
        username=PORTAL_USERNAME,
        first_name=PORTAL_DISPLAY_NAME,
        role_codes=(roles.PUBLIC_PORTAL,),
        organisation=PORTAL_ORGANISATION_CODE,
        reason="Compte de service de l'espace public",
    )[0]


def portal_appeal(*, grievance: Grievance, reason: str, when: datetime | None = None) -> Grievance:
    """The complainant appeals from the tracking page (§6.1): the case reopens for a second review.

    Before closure the refusal is the same for every case, whatever its internal state: the
    workflow's own message names that state, and would name a case moved to the GBV referent.
    """
    if grievance.status not in (Grievance.Status.CLOSED, Grievance.Status.APPEALED):
        raise ValidationError(gettext("Un recours peut être déposé une fois la réclamation clôturée, pas avant."))
    return grievance_appeal(grievance=grievance, actor=portal_account(), reason=reason, received_at=when)
