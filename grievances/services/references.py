"""Grievance references and public tracking codes.

A reference (`TAY-2023-004588`) is readable and sequential per programme and year: it
comes from a counter row locked for the length of the transaction, so two agents
registering at the same instant cannot get the same number (never `Max()+1`). The
tracking code is random, so that knowing one reference says nothing about another's
tracking code.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction

from grievances.models import ReferenceCounter

# No 0/O, 1/I/L: codes are read out over the phone and copied from SMS.
_TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TRACKING_CODE_LENGTH = 12
PIN_LENGTH = 6


def format_reference(*, prefix: str, year: int, number: int) -> str:
    """`TAY-2023-004588`: six digits at least, never cut."""
    return f"{prefix}-{year}-{number:06d}"


def next_reference(*, prefix: str, year: int) -> str:
    """Issue the next reference for a prefix and year. Must run inside a transaction."""
    return format_reference(prefix=prefix, year=year, number=reserve_reference_numbers(prefix=prefix, year=year))


def reserve_reference_numbers(*, prefix: str, year: int, count: int = 1) -> int:
    """Reserve `count` consecutive numbers of a prefix and year; return the first.

    Must run inside a transaction: the counter row stays locked until it ends.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("reference numbers are only issued inside transaction.atomic()")
    last = _increment(connection, prefix=prefix, year=year, count=count)
    if last is None:
        try:
            # Two first registrations of the year may race to create the row: the loser
            # waits on the unique index until the winner commits, then increments its row.
            with transaction.atomic():
                ReferenceCounter.objects.create(prefix=prefix, year=year, last_value=count)
            last = count
        except IntegrityError:
            last = _increment(connection, prefix=prefix, year=year, count=count)
    return last - count + 1


def _increment(connection, *, prefix: str, year: int, count: int) -> int | None:
    """Add `count` to the counter and read it back in one statement; None when the row is missing.

    The UPDATE locks the row until the transaction ends: a concurrent registration waits
    for it, then increments the value this one committed (PostgreSQL re-reads an updated
    row under READ COMMITTED; SQLite serialises writers), so no number is issued twice.
    """
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + %s WHERE prefix = %s AND year = %s RETURNING last_value",  # noqa: S608 — the table name is the model's
            [count, prefix, year],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def new_tracking_code() -> str:
    # One read of 96 random bits, spelt in base 31 (31**12 is about 2**59.4, so every code
    # is as likely as any other to within 1e-11), instead of one system call per character.
    number = int.from_bytes(secrets.token_bytes(12))
    characters = []
    for _ in range(TRACKING_CODE_LENGTH):
        number, index = divmod(number, len(_TRACKING_ALPHABET))
        characters.append(_TRACKING_ALPHABET[index])
    return "".join(characters)


def new_pin() -> tuple[str, str]:
    """A PIN for an anonymous complainant: (clear PIN to show once, hash to store)."""
    pin = "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))
    return pin, make_password(pin)


def pin_matches(*, pin: str, pin_hash: str) -> bool:
    return bool(pin_hash) and check_password(pin, pin_hash)


# --- the receipt of a case moved to the GBV referent --------------------------------------------------


def tracking_identity_digest(*, tracking_code: str, kind: str, value: str, key: str | None = None) -> str:
    """A keyed digest (HMAC-SHA256 with SECRET_KEY) of a normalised CNIE or phone, for one tracking code.

    What the husk of a flagged grievance keeps instead of the identity, so that its receipt
    still opens it (SECURITY.md). Bound to the tracking code, so that two husks of the same
    person do not carry the same digest; keyed, so that a copy of the database alone cannot
    try every CNIE or phone number against it. Empty for an empty value.
    """
    if not value:
        return ""
    message = f"pmpp.tracking-identity|{tracking_code}|{kind}|{value}"
    return hmac.new((key or settings.SECRET_KEY).encode(), message.encode(), hashlib.sha256).hexdigest()


def tracking_identity_matches(*, tracking_code: str, digests: dict[str, str], values: dict[str, str]) -> bool:
    """Whether one of `values` (kind → normalised value) has its digest in `digests` (kind → digest).

    Every key is tried, the current SECRET_KEY and its fallbacks, so that rotating the key
    (SECRET_KEY_FALLBACKS) does not lock a survivor out of their receipt.
    """
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    matched = False
    for kind, stored in digests.items():
        value = values.get(kind, "")
        for key in keys:
            candidate = tracking_identity_digest(tracking_code=tracking_code, kind=kind, value=value, key=key)
            # No early return: the same work whichever digest matches.
            matched |= bool(stored) and bool(candidate) and hmac.compare_digest(candidate, stored)
    return matched
