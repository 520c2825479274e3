"""Ministry staff read the grievance dashboard: a custom period, one programme, figures and charts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grievances.services.intake import grievance_register
from pmpp import roles
from pmpp.models import Channel, ComplaintCategory, Programme
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["chart-trend", "chart-category", "chart-channel", "chart-sla", "chart-overdue"]


def field(scope, label: str):
    """The field with exactly this label; a required field's label ends with « * »."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


@pytest.fixture
def requests_received(salma):
    """Three Tayssir requests (one on the web portal) and one AMO TADAMON request, received today."""
    rachid = UserFactory(username="rachid", role=roles.AGENT, scopes=[("cnss", "amo-tadamon")])
    tayssir = Programme.objects.get(code="tayssir")
    amo = Programme.objects.get(code="amo-tadamon")
    payment = ComplaintCategory.objects.get(programme=tayssir, code="paiement-non-recu")
    for index, channel in enumerate(["call-centre", "call-centre", "web-portal"]):
        grievance_register(
            actor=salma,
            programme=tayssir,
            channel=Channel.objects.get(code=channel),
            description="La bourse du deuxième trimestre n'est pas arrivée.",
            cnie=f"AB{200000 + index}",
            category=payment,
        )
    grievance_register(
        actor=rachid,
        programme=amo,
        channel=Channel.objects.get(code="walk-in"),
        description="Carte AMO non reçue.",
        cnie="CD123456",
        category=ComplaintCategory.objects.get(programme=amo, code="paiement"),
    )


def test_ministry_staff_read_the_dashboard_of_one_programme_over_a_custom_period(
    watched_page, live_server, omar, requests_received
):
    page = watched_page
    today = timezone.localdate()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill("omar")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("button", name="Rapports").click()
    navigation.get_by_role("link", name="Tableaux de bord").click()
    expect(page.get_by_role("heading", name="Tableaux de bord des réclamations")).to_be_visible()
    # The current quarter by default, every programme omar reads.
    expect(page.locator("#figure-received")).to_have_attribute("data-value", "4")

    # The filters wait in a folded panel, under the key figures' header.
    page.locator("#dashboard-filters-panel > summary").click()
    filters = page.get_by_role("form", name="Filtres")
    field(filters, "Période").select_option(label="Dates personnalisées")
    field(filters, "Du").fill((today - timedelta(days=30)).isoformat())
    field(filters, "Au").fill(today.isoformat())
    field(filters, "Programme").select_option(label="Tayssir")
    filters.get_by_role("button", name="Afficher").click()

    expect(page).to_have_url(re.compile(r"period=custom"))
    expect(page.locator("#dashboard-period")).to_contain_text(f"{today:%d/%m/%Y}")
    expect(page.locator(".active-filter")).to_have_text("Programme : Tayssir")
    expect(page.locator("#figure-received")).to_have_text("3")
    # Nobody has qualified them yet: three requests to qualify, no complaint open yet.
    expect(page.locator("#figure-to_qualify")).to_have_text("3")
    expect(page.locator("#figure-complaints")).to_have_text("0")
    expect(page.locator("#figure-open")).to_have_text("0")
    expect(page.locator("#figure-treated_rate")).to_have_text("—")
    expect(page.locator("#breakdown-channel_group tbody tr")).to_have_count(2)
    expect(page.locator("#breakdown-programme")).not_to_contain_text("AMO TADAMON")

    # Every chart is drawn, with its title, and its data table is one click away.
    for chart_id in CHARTS:
        svg = page.locator(f"svg#{chart_id}")
        expect(svg).to_be_visible()
        expect(svg.locator("title").first).not_to_be_empty()
    expect(page.locator("svg#chart-trend g.chart-bar").last).to_have_attribute("data-value", "3")
    expect(page.get_by_role("img", name="Demandes reçues par canal")).to_be_visible()
    page.locator("#chart-category-card summary").click()
    expect(page.locator("#chart-category-table")).to_contain_text("Paiement non reçu")

    assert page.console_errors == []
    assert page.foreign_requests == []
