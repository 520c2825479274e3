"""A complainant, with no account, files a complaint on the public page and then tracks it."""

import re

import pytest
from playwright.sync_api import expect

from grievances.models import Grievance
from pmpp.models import Programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_complainant_files_a_complaint_then_tracks_it(watched_page, live_server):
    page = watched_page
    page.goto(f"{live_server.url}/deposer-une-reclamation/")
    expect(page.get_by_role("heading", name="Déposer une réclamation")).to_be_visible()

    # The category list follows the programme in place (issue 18): every programme's « Autre »
    # before the choice, Tayssir's only after it, with no reload of the page.
    tayssir, daam = Programme.objects.get(code="tayssir"), Programme.objects.get(code="daam")
    categories = page.get_by_label("Objet de la réclamation")
    expect(categories.locator(f'option[data-programme="{daam.pk}"]').first).to_be_attached()
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Programme concerné").select_option(label="Tayssir")
    expect(categories.locator(f'option[data-programme="{daam.pk}"]')).to_have_count(0)
    expect(categories.get_by_role("option", name="Autre", exact=True)).to_have_count(1)
    assert set(categories.locator("option[data-programme]").evaluate_all("os => os.map(o => o.dataset.programme)")) == {
        str(tayssir.pk)
    }
    assert page.evaluate("window.sameDocument === true"), "choosing the programme reloaded the page"
    page.get_by_label("Objet de la réclamation").select_option(label="Paiement non reçu")
    page.get_by_label("Description").fill("La bourse du deuxième trimestre n'est pas arrivée.")
    # Ticking « anonymous » hides the identity block (script under the CSP); untick to give it.
    anonymous = page.get_by_label("Je souhaite rester anonyme")
    anonymous.check()
    expect(page.locator("#identity-block")).to_be_hidden()
    anonymous.uncheck()
    page.get_by_label("Nom et prénom").fill("Fatima Zahra El Amrani")
    page.get_by_label("Numéro de CNIE").fill("AB123456")
    page.get_by_label("Numéro de téléphone").fill("0612345678")
    page.get_by_label("Comment souhaitez-vous être informé·e ?").select_option(label="SMS")
    page.get_by_role("button", name="Envoyer la réclamation").click()

    expect(page.get_by_role("heading", name="Votre réclamation est enregistrée")).to_be_visible()
    reference = page.locator("#receipt-reference").inner_text()
    tracking_code = page.locator("#receipt-tracking").inner_text()
    assert re.fullmatch(r"TAY-\d{4}-\d{6}", reference)
    assert tracking_code not in page.url
    assert "AB123456" not in page.url

    page.get_by_role("link", name="Suivre ma réclamation").first.click()
    page.get_by_label("Code de suivi").fill(tracking_code)
    page.get_by_label("CNIE ou numéro de téléphone").fill("0612345678")
    page.get_by_role("button", name="Afficher ma réclamation").click()

    expect(page.locator("#tracked-reference")).to_have_text(reference)
    expect(page.locator("#tracked-status")).to_have_text("Reçue")
    assert tracking_code not in page.url
    grievance = Grievance.objects.get(reference=reference)
    assert grievance.channel.code == "web-portal"
    assert grievance.preferred_contact == "sms"

    # The same page, right to left, for an Arabic reader, without signing in.
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#tracked-reference")).to_have_text(reference)

    assert page.console_errors == []
    assert page.foreign_requests == []
