"""Grievance references and public tracking codes.

A reference (`TAY-2023-004588`) is readable and sequential per programme and year: it
comes from a counter row locked for the length of the transaction, so two agents
registering at the same instant cannot get the same number (never `Max()+1`). The
tracking code is random, so that knowing one reference says nothing about another's
tracking code.
"""

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction

from grievances.models import ReferenceCounter

# No 0/O, 1/I/L: codes are read out over the phone and copied from SMS.
_TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TRACKING_CODE_LENGTH = 12
PIN_LENGTH = 6


def next_reference(*, prefix: str, year: int) -> str:
    """Issue the next reference for a prefix and year. Must run inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_reference() must run inside transaction.atomic()")
    counter = ReferenceCounter.objects.select_for_update().filter(prefix=prefix, year=year).first()
    if counter is None:
        try:
            # Two first registrations of the year may race to create the row: the loser
            # of the unique constraint reads (and locks) the winner's row instead.
            with transaction.atomic():
                counter = ReferenceCounter.objects.create(prefix=prefix, year=year, last_value=0)
        except IntegrityError:
            counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{prefix}-{year}-{counter.last_value:06d}"


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
