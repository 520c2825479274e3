"""Failed sign-ins are limited per account and per address (issue 17, item 6).

Guessing one account's password locks that account from that address; password spraying
(a few guesses on each of many accounts, under the per-account limit) locks the address.
An office behind one NAT address is not locked by its staff's ordinary typing errors.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse
from django.utils.html import escape

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

OFFICE = "192.0.2.10"  # one address, shared by a CNRA office behind NAT, or by an attacker
ELSEWHERE = "198.51.100.20"
GUESS = "Printemps2026!"


@pytest.fixture(autouse=True)
def _limits(settings):
    """The limits as configured by default: 5 per account and address, 20 per address, 30 minutes."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    settings.AXES_COOLOFF_TIME = 30 / 60


def _login(client, username, password, *, address=OFFICE, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def _spray(client, *, failures: int, settings, address=OFFICE, **headers) -> list[int]:
    """`failures` wrong passwords from one address, one fewer on each account than locks it."""
    per_account = settings.AXES_FAILURE_LIMIT - 1
    return [
        _login(client, f"compte{n // per_account}", GUESS, address=address, **headers).status_code
        for n in range(failures)
    ]


def _assert_lockout_page(response, minutes: int = 30) -> None:
    assert response.status_code == 429
    page = response.content.decode()
    assert "Compte temporairement bloqué" in page
    assert f"Réessayez dans {minutes} minutes." in page
    assert escape("même avec le bon mot de passe") in page
    assert response["Retry-After"] == str(minutes * 60)


def _after_the_cool_off() -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=31))


def test_wrong_passwords_on_one_account_lock_it_from_that_address(client, salma, settings):
    statuses = [_login(client, "salma", GUESS).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]

    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    right = _login(client, "salma", PASSWORD)
    _assert_lockout_page(right)
    assert "_auth_user_id" not in client.session
    # Salma at her desk, elsewhere, is not locked out by someone guessing her password.
    assert _login(client, "salma", PASSWORD, address=ELSEWHERE).status_code == 302


def test_the_lockout_page_gives_the_configured_cool_off(client, salma, settings):
    settings.AXES_COOLOFF_TIME = 15 / 60
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, "salma", GUESS)

    _assert_lockout_page(response, minutes=15)


def test_password_spraying_from_one_address_locks_the_address(client, salma, karim, settings):
    statuses = _spray(client, failures=settings.AXES_ADDRESS_FAILURE_LIMIT, settings=settings)

    # No account reached its own limit; the address reached its own at the last guess.
    assert statuses == [200] * (settings.AXES_ADDRESS_FAILURE_LIMIT - 1) + [429]
    _assert_lockout_page(_login(client, "salma", PASSWORD))
    assert "_auth_user_id" not in client.session
    # The refused attempts during the lockout did not count against Salma herself.
    assert not AccessAttempt.objects.filter(username="salma").exists()
    # Another address is not affected.
    assert _login(client, "karim", PASSWORD, address=ELSEWHERE).status_code == 302


def test_the_address_signs_in_again_after_the_cool_off(client, salma, settings):
    _spray(client, failures=settings.AXES_ADDRESS_FAILURE_LIMIT, settings=settings)
    assert _login(client, "salma", PASSWORD).status_code == 429

    _after_the_cool_off()

    assert _login(client, "salma", PASSWORD).status_code == 302


def test_an_office_behind_one_address_is_not_locked_by_ordinary_typing_errors(client, salma, settings):
    statuses = _spray(client, failures=settings.AXES_ADDRESS_FAILURE_LIMIT - 1, settings=settings)

    assert set(statuses) == {200}
    assert _login(client, "salma", PASSWORD).status_code == 302


def test_a_successful_sign_in_forgives_its_own_failures_not_the_others(client, salma, settings):
    own = settings.AXES_FAILURE_LIMIT - 1
    others = settings.AXES_ADDRESS_FAILURE_LIMIT - own - 1
    _spray(client, failures=others, settings=settings)
    for _ in range(own):
        _login(client, "salma", GUESS)
    assert _login(client, "salma", PASSWORD).status_code == 302  # one failure short of the limit
    client.logout()

    # Salma's own failures are forgiven, the others' still count: `own` more fit, then it locks.
    assert [_login(client, "intrus", GUESS).status_code for _ in range(own)] == [200] * own
    assert _login(client, "inconnu", GUESS).status_code == 429


def test_behind_a_proxy_each_client_address_has_its_own_limit(client, salma, settings):
    settings.PMPP_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    proxy = "10.0.0.1"

    statuses = _spray(
        client,
        failures=settings.AXES_ADDRESS_FAILURE_LIMIT,
        settings=settings,
        address=proxy,
        HTTP_X_FORWARDED_FOR=OFFICE,
    )

    assert statuses[-1] == 429
    # Every request reaches the application from the proxy; the office next door is not locked.
    assert _login(client, "salma", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE).status_code == 302
