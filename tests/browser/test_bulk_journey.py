"""Bulk assignment in a real browser (issue 18, must-hold 2): the head of service opens a queue,
ticks « tout sélectionner », picks the assignee by full name, confirms, and reads which cases
were assigned and which one was refused, with its reason."""

import re

import pytest
from playwright.sync_api import Page, expect

from grievances.models import Grievance
from tests.browser.test_grievance_paths import login_as
from tests.grievances.conftest import (  # noqa: F401 — the walk and what it is made of
    payment_category,
    payments_unit,
    phone,
    rachid,
    tayssir,
    unfounded_reason,
    walk,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_assigns_a_queue_page_by_name_and_sees_the_closed_case_refused_with_its_reason(
    watched_page: Page,
    live_server,
    walk,  # noqa: F811 — the fixture imported above
    nadia,
    salma,
    rachid,  # noqa: F811 — the fixture imported above
):
    page = watched_page
    open_cases = [walk.register(), walk.qualified(), walk.routed()]
    # Closed yesterday by the closing officer: still in « Toutes les réclamations », no longer assignable.
    closed = walk.closed()
    login_as(page, live_server, nadia)

    page.goto(f"{live_server.url}/reclamations/files/toutes/")
    select_all = page.get_by_label("Tout sélectionner sur la page")
    expect(select_all).to_be_visible()  # shown by queue-select.js; without it, one box per row
    select_all.check()
    for grievance in (*open_cases, closed):
        expect(page.get_by_label(grievance.reference, exact=True)).to_be_checked()
    expect(page.locator("[data-selected-count]")).to_have_text("4")
    page.get_by_label("Action", exact=True).select_option(label="Attribuer à un agent ou un service")
    page.get_by_role("button", name=re.compile("Continuer avec les dossiers cochés")).click()

    expect(page.locator("#bulk-count")).to_contain_text("4 dossiers sélectionnés")
    picker = page.get_by_label("Agent", exact=True)
    # By full name, and only people who can take these Tayssir cases: not rachid (AMO TADAMON).
    labels = picker.locator("option").all_inner_texts()
    assert salma.get_full_name() in labels
    assert rachid.get_full_name() not in labels
    assert "salma" not in labels
    picker.select_option(label=salma.get_full_name())
    page.get_by_role("button", name="Continuer").click()

    expect(page.locator("#bulk-sentence")).to_have_text(
        re.compile(rf"4 dossiers seront attribués à {re.escape(salma.get_full_name())}\.")
    )
    page.get_by_role("button", name="Confirmer").click()

    expect(page.locator("#bulk-summary")).to_contain_text("3 effectués")
    expect(page.locator("#bulk-summary")).to_contain_text("1 refusé")
    refused = page.locator(f'#bulk-refused tr[data-reference="{closed.reference}"]')
    expect(refused).to_contain_text(f"La réclamation {closed.reference} est close : elle ne peut plus être attribuée.")
    for grievance in open_cases:
        expect(page.locator(f'#bulk-done tr[data-reference="{grievance.reference}"]')).to_contain_text(
            f"Attribuée — agent : {salma.get_full_name()}"
        )
    assert set(Grievance.objects.filter(assigned_to=salma)) == set(open_cases)
    assert Grievance.objects.get(pk=closed.pk).assigned_to is None
    # Back to the queue: the assignee column now reads salma's name on the three cases.
    page.get_by_role("link", name="Retour à la file").click()
    for grievance in open_cases:
        row = page.locator("#queue-table tr", has=page.get_by_role("link", name=grievance.reference, exact=True))
        expect(row).to_contain_text(salma.get_full_name())
    assert page.console_errors == []
    assert page.foreign_requests == []
