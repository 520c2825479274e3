"""Every page: French first, Arabic right-to-left, offline assets, no inline script."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_EXTERNAL_ASSET = re.compile(r"""<(?:script|link|img)[^>]+(?:src|href)=["'](?:https?:)?//""", re.IGNORECASE)


def _pages(client, user):
    client.force_login(user)
    return {
        "home": client.get(reverse("home")),
        "admin": client.get(reverse("admin:index")),
        "admin-programmes": client.get(reverse("admin:pmpp_programme_changelist")),
    }


def test_french_by_default_left_to_right(client, salma):
    client.force_login(salma)
    content = client.get(reverse("home")).content.decode()
    assert '<html lang="fr" dir="ltr">' in content
    assert "bootstrap.min.css" in content
    assert "Tableau de bord" in content


def test_switching_to_arabic_turns_the_page_right_to_left(client, salma):
    client.force_login(salma)
    response = client.post(reverse("set_language"), {"language": "ar", "next": reverse("home")})
    assert response.status_code == 302
    content = client.get(reverse("home")).content.decode()
    assert '<html lang="ar" dir="rtl">' in content
    assert "bootstrap.rtl.min.css" in content
    assert "لوحة القيادة" in content


def test_no_page_has_an_inline_script_or_an_external_asset(client, admin_user):
    client.get(reverse("login"))
    pages = {"login": client.get(reverse("login")), **_pages(client, admin_user)}
    for name, response in pages.items():
        assert response.status_code == 200, name
        content = response.content.decode()
        assert not _INLINE_SCRIPT.search(content), f"{name}: {_INLINE_SCRIPT.search(content).group(0)}"
        assert not _EXTERNAL_ASSET.search(content), name


def test_the_content_security_policy_forbids_inline_and_foreign_scripts(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_admin_speaks_french(client, admin_user):
    client.force_login(admin_user)
    content = client.get(reverse("admin:index")).content.decode()
    assert "Programmes" in content
    assert "Catégories de réclamation" in content
    assert "Ajouter" in content


def test_navigation_offers_the_admin_only_to_who_may_use_it(client, salma, amina):
    client.force_login(salma)
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()
    client.force_login(amina)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()


def test_the_dashboard_shows_each_role_its_own_workspaces(client, salma, omar, meryem):
    client.force_login(salma)
    agent_page = client.get(reverse("home")).content.decode()
    client.force_login(omar)
    ministry_page = client.get(reverse("home")).content.decode()
    client.force_login(meryem)
    referent_page = client.get(reverse("home")).content.decode()
    assert "Réclamations" in agent_page
    assert "Cas sensibles VBG/EAS/HS" not in agent_page
    assert "Rapports" in ministry_page
    assert "Réclamations</h2>" not in ministry_page
    assert "Cas sensibles VBG/EAS/HS" in referent_page


def test_the_dashboard_lists_the_users_memberships(client, salma):
    client.force_login(salma)
    content = client.get(reverse("home")).content.decode()
    assert "Tayssir" in content
    assert "DAAM" in content


def test_static_files_are_vendored_and_versioned_from_the_npm_lock_file():
    import json

    lock = json.loads((settings.BASE_DIR / "package-lock.json").read_text())
    vendored = json.loads((settings.BASE_DIR / "static/vendor/VERSIONS.json").read_text())
    for name, version in vendored.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    for path in [
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/css/bootstrap.rtl.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
    ]:
        assert (settings.BASE_DIR / "static" / path).stat().st_size > 10_000, path
