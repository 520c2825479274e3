"""Ministry staff without identities (issue 17, finding 3; Law 09-08: only what the purpose needs).

Ministry staff read dashboards, reports, statistics and public figures. They open no
grievance (no name, CNIE, phone, tracking code, attachment), search no person, and export
no queue; their figures still count every grievance of their programmes.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from grievances.services.attachments import attachment_add
from grievances.services.intake import grievance_register
from pmpp.models import Channel, Programme

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
CNIE, PHONE, NAME = "JK778899", "0655443322", "Rkia Bouchaib"


@pytest.fixture
def filed(salma, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    result = grievance_register(
        actor=salma,
        programme=Programme.objects.get(code="tayssir"),
        channel=Channel.objects.get(code="call-centre"),
        description="La bourse n'est pas arrivée.",
        cnie=CNIE,
        phone=PHONE,
        name=NAME,
    )
    attachment = attachment_add(
        grievance=result.grievance,
        actor=salma,
        uploaded_file=SimpleUploadedFile("cnie.png", PNG, content_type="image/png"),
    )
    return result.grievance, attachment


@pytest.fixture
def ministry(omar):
    client = Client()
    client.force_login(omar)
    return client


def test_ministry_staff_open_no_grievance_attachment_queue_or_export(ministry, filed):
    grievance, attachment = filed
    assert ministry.get(reverse("grievances:detail", args=[grievance.pk])).status_code == 404
    assert ministry.get(reverse("grievances:attachment_download", args=[attachment.pk])).status_code == 404
    for slug in ("toutes", "en-retard"):
        assert ministry.get(reverse("grievances:queue", args=[slug])).status_code in (403, 404)
        assert ministry.get(reverse("grievances:queue_export", args=[slug, "csv"])).status_code in (403, 404)


def test_ministry_staff_cannot_search_a_person(ministry, filed):
    for term in (CNIE, PHONE, NAME, filed[0].reference):
        response = ministry.post(reverse("grievances:search"), {"q": term})
        assert response.status_code == 403
        assert CNIE not in response.content.decode()
    assert ministry.get(reverse("grievances:search")).status_code == 403


def test_ministry_staff_see_the_figures_with_no_identity(ministry, filed):
    """The dashboard counts the grievance; no page they read names the complainant."""
    grievance, _attachment = filed
    home = ministry.get("/")
    dashboard = ministry.get(reverse("reporting:dashboard"))
    export = ministry.get(reverse("reporting:dashboard_export", args=["csv"]))
    assert dashboard.status_code == 200
    assert export.status_code == 200
    assert dashboard.context["dashboard"].overall.received == 1
    exported = b"".join(export.streaming_content) if export.streaming else export.content
    pages = [home.content.decode(), dashboard.content.decode(), exported.decode("utf-8-sig")]
    for page in pages:
        for secret in (CNIE, PHONE, NAME, grievance.reference, grievance.tracking_code):
            assert secret not in page
    # No menu entry leads to a search or a queue.
    assert reverse("grievances:search") not in pages[0]
    assert reverse("grievances:queue", args=["toutes"]) not in pages[0]


def test_the_statistics_api_counts_for_ministry_staff_and_the_grievance_api_shows_nothing(omar, filed):
    from api.models import IntegrationAccount
    from tests.api.conftest import ApiClient

    token, token_hash = IntegrationAccount.new_token()
    IntegrationAccount.objects.create(
        name="ministere", user=omar, channel=Channel.objects.get(code="chikaya"), token_hash=token_hash
    )
    api = ApiClient(token)
    grievance, _attachment = filed
    assert api.get(f"/api/v1/grievances/{grievance.reference}/").status_code == 404
    listing = api.get("/api/v1/grievances/")
    assert (listing.status_code, listing.json().get("results")) == (200, []), listing.json()
    year = grievance.received_at.year
    semester = 1 if grievance.received_at.month <= 6 else 2
    answer = api.get("/api/v1/statistics/", {"period": "semester", "year": year, "number": semester})
    assert answer.status_code == 200, answer.json()
    figures = answer.json()["results"]
    assert figures[0]["received"] == 1
