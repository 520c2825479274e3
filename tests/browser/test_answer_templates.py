"""« Rédiger la réponse » from a template, in a real browser: the preview, the answer filled
in Arabic, and the SMS counter's figures — those the complainant's telephone will count —
equal to the server's (answers/sms.py), in UCS-2 for Arabic and GSM-7 for French."""

import pytest
from playwright.sync_api import Page, expect

from answers.sms import sms_count
from tests.answers.conftest import make_template
from tests.browser.test_grievance_paths import login_as
from tests.grievances.conftest import (  # noqa: F401 — the walk and what it is made of
    payment_category,
    payments_unit,
    phone,
    tayssir,
    unfounded_reason,
    walk,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARABIC = "السيد(ة) المحترم(ة)، تمت معالجة شكايتكم رقم {reference} وصرف المبلغ المستحق. مع تحياتنا."


def counter(page: Page):
    return page.locator('[data-sms-counter-for="id_answer_text"]')


def expect_counter_equals_server(page: Page) -> None:
    text = page.locator("#id_answer_text").input_value()
    expected = sms_count(text)
    expect(counter(page)).to_have_attribute("data-encoding", expected.encoding)
    expect(counter(page)).to_have_attribute("data-characters", str(expected.characters))
    expect(counter(page)).to_have_attribute("data-segments", str(expected.segments))


def test_an_agent_drafts_the_answer_from_an_arabic_template_after_a_preview(
    watched_page: Page,
    live_server,
    walk,  # noqa: F811 — the fixture imported above
    salma,
    leila,
):
    page = watched_page
    grievance = walk.analysed()
    make_template(leila, name="Paiement effectué", text_ar=ARABIC)
    login_as(page, live_server, salma)
    page.goto(f"{live_server.url}/reclamations/{grievance.pk}/etapes/draft_answer/")

    page.get_by_label("Modèle", exact=True).select_option(label="Paiement effectué")
    page.get_by_role("main").get_by_label("Langue", exact=True).select_option("ar")
    page.get_by_role("button", name="Aperçu").click()
    rendered = ARABIC.replace("{reference}", grievance.reference)
    preview = page.locator("[data-answer-preview-text]")
    expect(preview).to_have_text(rendered)
    expect(preview).to_have_attribute("dir", "rtl")
    # A preview leaves the answer box alone.
    expect(page.locator("#id_answer_text")).to_have_value("")

    page.get_by_role("button", name="Utiliser ce modèle").click()
    expect(page.locator("#id_answer_text")).to_have_value(rendered)
    expect(counter(page)).to_have_attribute("data-encoding", "UCS-2")
    expect_counter_equals_server(page)
    assert sms_count(rendered).segments == 2  # longer than one UCS-2 SMS (70 characters)

    # Edited by hand into French: the counter follows, in GSM-7, still as the server counts.
    french = f"Votre réclamation {grievance.reference} est traitée : paiement effectué [€]."
    page.locator("#id_answer_text").fill(french)
    expect(counter(page)).to_have_attribute("data-encoding", "GSM-7")
    expect_counter_equals_server(page)
    assert page.console_errors == []
    assert page.foreign_requests == []
