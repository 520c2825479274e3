"""The reference administrator corrects a category in the admin and finds it in the history."""

import pytest
from playwright.sync_api import expect

from pmpp.models import ComplaintCategory
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reference_admin_renames_a_category_and_reads_its_history(watched_page, live_server, amina):
    page = watched_page
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill("amina")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Catégories de réclamation").first.click()
    page.get_by_role("link", name="Inscription rejetée").click()
    page.get_by_label("Nom (français)").fill("Inscription rejetée (type 1)")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("a été modifié avec succès")

    page.get_by_role("link", name="Inscription rejetée (type 1)", exact=True).click()
    page.get_by_role("link", name="Historique").click()
    expect(page.locator("#change-history")).to_contain_text("amina")

    category = ComplaintCategory.objects.get(programme__code="tayssir", code="inscription-rejetee")
    assert category.name == "Inscription rejetée (type 1)"
    assert category.history.latest("history_date").history_user.username == "amina"
    assert page.console_errors == [], "\n".join(page.console_errors)
    assert page.foreign_requests == []
