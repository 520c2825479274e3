"""The focal point records a consultation, its concerns and its minutes, validates them, then corrects them."""

import re

import pytest
from playwright.sync_api import expect

from pmpp.models import Organisation
from stakeholders.models import EngagementActivity, Minutes
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(scope, label: str):
    """The field with exactly this label; a required field's label ends with « * »."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def test_focal_point_records_a_consultation_validates_its_minutes_then_corrects_them(watched_page, live_server, leila):
    page = watched_page
    organiser = Organisation.objects.get(code="mef-db")
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill("leila")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    # The consultation, through the form.
    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("button", name="Parties prenantes").click()
    navigation.get_by_role("link", name="Consultations").click()
    expect(page.get_by_role("heading", name="Activités et consultations")).to_be_visible()
    page.get_by_role("link", name="Ajouter").click()
    field(page, "Type").select_option(label="Focus group")
    field(page, "Intitulé").fill("Focus group Tayssir — mères d'élèves, Taroudant")
    field(page, "Date de début").fill("2024-06-12")
    field(page, "Organisateur").select_option(label=organiser.name)
    field(page, "Participantes (femmes)").fill("14")
    field(page, "Participants (hommes)").fill("3")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", name="Focus group Tayssir — mères d'élèves, Taroudant")).to_be_visible()
    expect(page.locator("#participants-total")).to_have_text("17")
    activity = EngagementActivity.objects.get(title="Focus group Tayssir — mères d'élèves, Taroudant")
    assert activity.created_by == leila

    # A concern raised during the session, on the activity's page.
    concerns = page.locator("#concerns")
    field(concerns, "Thème").fill("Montant de la bourse")
    field(concerns, "Préoccupation ou avis exprimé").fill("Les mères ne savent pas pourquoi le montant a baissé.")
    field(concerns, "Réponse apportée").fill("Explication du barème par niveau scolaire.")
    concerns.get_by_role("button", name="Enregistrer la préoccupation").click()
    expect(page.locator("#concerns-table")).to_contain_text("Montant de la bourse")

    # The minutes: written, then validated.
    minutes = page.locator("#minutes")
    field(minutes, "Texte du compte rendu").fill("Dix-sept participants. Le barème a été expliqué.")
    minutes.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator('#minutes-versions li[data-version="1"]')).to_have_attribute("data-status", "draft")
    # Validating asks first, saying what becomes unchangeable (issue 20); cancelled, nothing changes.
    validate = page.get_by_role("button", name="Valider le compte rendu (version 1)")
    validate.click()
    dialog = page.get_by_role("dialog", name="Valider le compte rendu (version 1) ?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Ce qui ne pourra plus être modifié")
    expect(dialog).to_contain_text("ses pièces jointes : aucune ne pourra plus être ajoutée")
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    expect(validate).to_be_focused()
    assert Minutes.objects.get(activity=activity).status == Minutes.Status.DRAFT
    validate.click()
    dialog.get_by_role("button", name="Valider et figer le compte rendu").click()
    expect(page.get_by_role("alert").filter(has_text="Compte rendu validé (version 1).")).to_be_visible()

    # Trying to edit them: the edit form is gone, a correction is offered instead.
    expect(page.locator("#minutes-form")).to_have_count(0)
    expect(minutes.get_by_role("button", name="Enregistrer le brouillon")).to_have_count(0)
    correction = page.locator("#minutes-correction")
    expect(correction.get_by_role("heading", name="Corriger (nouvelle version)")).to_be_visible()
    expect(field(correction, "Texte corrigé")).to_have_value("Dix-sept participants. Le barème a été expliqué.")
    field(correction, "Texte corrigé").fill("Dix-sept participants, dont quatorze mères. Le barème a été expliqué.")
    field(correction, "Motif de la correction").fill("Répartition par sexe oubliée")
    correction.get_by_role("button", name="Enregistrer la nouvelle version").click()

    # Both versions are listed; version 1 stays validated, with her name.
    versions = page.locator("#minutes-versions > li")
    expect(versions).to_have_count(2)
    first = page.locator('#minutes-versions li[data-version="1"]')
    expect(first).to_have_attribute("data-status", "validated")
    expect(first).to_contain_text(re.compile(f"Validée par {re.escape(leila.get_full_name())} le"))
    expect(first).to_contain_text("Dix-sept participants. Le barème a été expliqué.")
    second = page.locator('#minutes-versions li[data-version="2"]')
    expect(second).to_have_attribute("data-status", "draft")
    expect(second).to_contain_text("Corrige la version 1")
    expect(second).to_contain_text("Répartition par sexe oubliée")

    assert list(Minutes.objects.filter(activity=activity).values_list("version", "status")) == [
        (2, "draft"),
        (1, "validated"),
    ]
    assert page.console_errors == []
    assert page.foreign_requests == []
