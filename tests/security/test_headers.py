"""Every kind of page goes out with the browser protections of production (issue 9, item 1).

The settings are read from pmpp/settings.py as production loads it (HTTPS=1, DEBUG off, in a
child process), then applied to the test run: the headers asserted here are production's, not
a copy of them written into the test.
"""

# ruff: noqa: F811 (pytest fixtures imported from other test packages are used as arguments)

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from api.models import IntegrationAccount
from pmpp import roles
from tests.api.conftest import make_account
from tests.portal.conftest import file_online, track, web  # noqa: F401
from tests.security.test_deploy_check import PRODUCTION
from tests.stakeholders.builders import make_stakeholder

ROOT = Path(__file__).resolve().parents[2]
SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CSP",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "MIDDLEWARE",
]


@pytest.fixture(scope="module")
def production_settings() -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "STATIC_MANIFEST"}
    names = json.dumps(SECURITY_SETTINGS)
    code = f"import json, pmpp.settings as s; print(json.dumps({{n: getattr(s, n, None) for n in {names}}}))"
    result = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **PRODUCTION}, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@pytest.fixture
def production(settings, production_settings):
    for name, value in production_settings.items():
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)
    return settings


def https_client(user=None) -> Client:
    """A browser on HTTPS, as the application sees it behind the TLS-terminating proxy."""
    client = Client(headers={"X-Forwarded-Proto": "https"})
    if user is not None:
        client.force_login(user)
    return client


def assert_browser_protections(response, *, private: bool = True):
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if private:
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_production_serves_https_only_and_moves_plain_http_there(production, db):
    response = Client(headers={"X-Forwarded-Proto": "http"}).get(reverse("login"))

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_the_sign_in_page_and_its_cookies(production, db, salma):
    client = https_client()
    page = client.get(reverse("login"))
    assert_browser_protections(page)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["httponly"]

    salma.set_password("un mot de passe solide")
    salma.save(update_fields=["password"])
    signed_in = client.post(reverse("login"), {"username": "salma", "password": "un mot de passe solide"})
    assert signed_in.status_code == 302
    session = signed_in.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert signed_in.cookies["csrftoken"]["secure"]
    assert signed_in.cookies["csrftoken"]["httponly"]


def test_a_queue_a_grievance_file_search_and_their_exports(production, walk):
    grievance = walk.qualified()
    client = https_client(walk.agent)
    searched = client.post(reverse("grievances:search"), {"q": "el amrani fatima"})
    assert searched.status_code == 303
    assert_browser_protections(searched)
    pages = [
        reverse("grievances:queue", args=["toutes"]),
        reverse("grievances:detail", args=[grievance.pk]),
        reverse("grievances:search"),
        searched["Location"],
        reverse("grievances:complainant", args=[grievance.pk]),
        reverse("grievances:queue_export", args=["toutes", "csv"]),
        reverse("grievances:queue_export", args=["toutes", "xlsx"]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_browser_protections(response)


def test_the_stakeholder_contacts(production, leila):
    stakeholder = make_stakeholder(contact_name="Fatima Zahra", phone="0612345678")
    response = https_client(leila).get(reverse("stakeholders:stakeholder_detail", args=[stakeholder.pk]))

    assert response.status_code == 200
    assert_browser_protections(response)


def test_an_api_answer_to_an_integration_token(production, walk):
    grievance = walk.qualified()
    _account, api = make_account(name="entetes", channel="call-centre", extra_roles=[roles.AGENT])
    client = https_client()
    for url in (reverse("api:grievances"), reverse("api:grievance", args=[grievance.reference])):
        response = client.get(url, headers=api.headers)
        assert response.status_code == 200, url
        assert_browser_protections(response)
    assert IntegrationAccount.objects.exists()


def test_the_complainants_own_case_on_the_portal(production, file_online):
    grievance = file_online().grievance
    client = https_client()
    form = client.get(reverse("portal:track"))
    assert_browser_protections(form)

    proved = track(client, code=grievance.tracking_code, identity="AB123456")
    assert proved.status_code == 302
    case = client.get(reverse("portal:tracked"))
    assert case.status_code == 200
    assert grievance.reference in case.content.decode()
    assert_browser_protections(case)


def test_error_pages_carry_the_protections_too(production, salma):
    response = https_client(salma).get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    assert_browser_protections(response)


def test_public_statistics_stay_cacheable_for_visitors_but_not_for_a_signed_in_user(production, salma):
    url = reverse("reporting:public_statistics")
    visitor = https_client().get(url)
    staff = https_client(salma).get(url)

    assert visitor.status_code == staff.status_code == 200
    assert_browser_protections(visitor, private=False)
    assert "public" in visitor["Cache-Control"]
    assert "no-store" not in visitor["Cache-Control"]
    assert_browser_protections(staff)
    assert "public" not in staff["Cache-Control"]


def test_static_files_are_cacheable_and_protected_from_sniffing(production, settings):
    """Static files (our own CSS, JS, icons) are the same for everyone and meant to be cached;
    they are never documents a browser renders with our origin's data, so they carry no CSP."""
    settings.WHITENOISE_USE_FINDERS = True
    response = https_client().get("/static/js/pmpp.js")

    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.get("Cache-Control", "")
