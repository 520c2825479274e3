"""The public statistics page: aggregate counts only, small cells masked, no login."""

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _quarter_label() -> str:
    today = timezone.localdate()
    return f"T{(today.month - 1) // 3 + 1} {today.year}"


def test_anyone_reads_the_counts_per_programme_and_quarter_without_signing_in(client, walk):
    for _ in range(6):
        walk.register()
    page = client.get(reverse("reporting:public_statistics"))
    assert page.status_code == 200
    content = page.content.decode()
    assert _quarter_label() in content
    # Received, of which to qualify, complaints, treated: six requests nobody has qualified yet.
    assert "<td>6</td><td>6</td><td>0</td><td>0</td>" in content


def test_small_counts_are_masked(client, walk):
    walk.register()
    walk.register()
    content = client.get(reverse("reporting:public_statistics")).content.decode()
    assert "<td>&lt;5</td><td>&lt;5</td><td>0</td><td>0</td>" in content


def test_no_free_text_and_no_sensitive_case_reaches_the_public_page(client, walk):
    for _ in range(5):
        walk.register(description="Texte libre confidentiel du réclamant")
    walk.sensitive()
    walk.duplicate()
    content = client.get(reverse("reporting:public_statistics")).content.decode()
    assert "confidentiel" not in content
    assert "<td>6</td>" in content  # 5 + the duplicate's original; neither the duplicate nor the sensitive case


def test_the_page_can_be_switched_off(client, settings):
    settings.PMPP_PUBLIC_STATISTICS = False
    assert client.get(reverse("reporting:public_statistics")).status_code == 404


def test_the_public_page_reads_right_to_left_in_arabic(client):
    client.cookies["django_language"] = "ar"
    assert '<html lang="ar" dir="rtl">' in client.get(reverse("reporting:public_statistics")).content.decode()
