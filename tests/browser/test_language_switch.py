"""An agent signs in, reads the dashboard in Arabic right-to-left, and switches back."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_signs_in_switches_to_arabic_and_back(watched_page, live_server, salma):
    page = watched_page
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/connexion/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.get_by_label("Identifiant").fill("salma")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    # The language switch is in the user menu, under the user's name.
    page.get_by_role("button", name=salma.get_full_name()).click()
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", name="لوحة القيادة")).to_be_visible()
    # The RTL build of Bootstrap is what lays the page out right to left.
    assert page.locator('link[href*="bootstrap.rtl"]').count() == 1
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    page.get_by_role("button", name=salma.get_full_name()).click()
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()

    assert page.console_errors == []
    assert page.foreign_requests == []


def test_the_navbar_collapses_into_a_working_menu_on_a_phone(watched_page, live_server, salma):
    """Bootstrap's script runs under the Content-Security-Policy (no inline script needed)."""
    page = watched_page
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill("salma")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    logout = page.get_by_role("button", name="Se déconnecter")
    expect(logout).to_be_hidden()
    page.get_by_role("button", name="Afficher le menu").click()
    # Wait for the end of the opening animation: while "collapsing", the button still moves.
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bcollapse\b.*\bshow\b"))
    page.get_by_role("button", name=salma.get_full_name()).click()
    expect(logout).to_be_visible()
    logout.click()
    expect(page).to_have_url(re.compile(r"/connexion/"))
    assert page.console_errors == []
