"""Signing in: French pages, Django's password rules, lockout, and a 30-minute idle timeout."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmpp.middleware import SessionRefreshMiddleware
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_login_page_speaks_french(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Connexion" in content
    assert "Mot de passe" in content
    assert '<html lang="fr" dir="ltr">' in content


def test_pages_require_a_signed_in_user(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_wrong_password_shows_a_french_error(client, salma):
    response = _login(client, "salma", "not-the-password")
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()


def test_the_right_password_opens_the_dashboard(client, salma):
    response = _login(client, "salma", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, salma):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "salma", "wrong-password")
    response = _login(client, "salma", PASSWORD)
    assert response.status_code == 429
    assert "Compte temporairement bloqué" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_limit_do_not_lock(client, salma):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "salma", "wrong-password")
    assert _login(client, "salma", PASSWORD).status_code == 302


def test_passwords_follow_djangos_validators(salma):
    for weak in ["12345678901", "motdepasse", "salma"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user=salma)
    validate_password("Tayssir-2023-cloture!", user=salma)


def test_each_request_pushes_the_idle_timeout_thirty_minutes_ahead(client, salma):
    client.force_login(salma)
    client.get(reverse("home"))
    key = client.session.session_key
    # Five minutes later: the last refresh is old, the session has 25 minutes left.
    store = SessionStore(session_key=key)
    store[SessionRefreshMiddleware.KEY] = int(time.time()) - 300
    store.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=25))

    client.get(reverse("home"))

    remaining = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_a_session_refreshed_less_than_a_minute_ago_is_not_written_again(client, salma):
    # The idle timeout moves at most once a minute: a page does not pay an UPDATE and a commit.
    client.force_login(salma)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert not [sql for sql in writes if "django_session" in sql]


def test_a_visitor_without_a_session_is_not_given_one(client):
    client.get(reverse("login"))
    client.get(reverse("portal:file"))
    assert Session.objects.count() == 0


def test_an_idle_session_has_expired(client, salma):
    client.force_login(salma)
    client.get(reverse("home"))
    session = Session.objects.get(session_key=client.session.session_key)
    session.expire_date = timezone.now() - timedelta(seconds=1)
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logging_out_ends_the_session(client, salma):
    client.force_login(salma)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
