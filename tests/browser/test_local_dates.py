"""Issue 20, item 3: on an American Chromium (which shows `<input type="date">` as mm/dd/yyyy),
a mail's reception date is shown and picked as dd/mm/yyyy hh:mm, on a French page and on an
Arabic one; the calendar speaks the page's language, runs in its direction, is driven by the
keyboard, and the complaint is saved with the date picked. A reader who chose Arabic-Indic
digits gets them in the field and the calendar of Arabic pages."""

from datetime import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grievances.models import Grievance
from pmpp.dates import ARABIC_INDIC
from pmpp.models import Channel, Programme
from tests.browser.test_grievance_paths import login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    # The browser's own locale would show mm/dd/yyyy in a native date input.
    return {**browser_context_args, "locale": "en-US", "timezone_id": "Africa/Casablanca"}


TO_ARABIC_INDIC = str.maketrans("0123456789", ARABIC_INDIC)

# What each page's calendar shows for March 2026 (Moroccan Arabic names, as the catalogue's).
CALENDAR = {
    "fr": {"dir": "ltr", "month": "mars 2026", "monday": "lundi", "sunday": "dimanche"},
    "ar": {"dir": "rtl", "month": "مارس 2026", "monday": "الاثنين", "sunday": "الأحد"},
}


def shown(text: str, digits: str) -> str:
    return text.translate(TO_ARABIC_INDIC) if digits == "arab" else text


@pytest.mark.parametrize(
    ("language", "digits"), [("fr", "latn"), ("ar", "latn"), ("ar", "arab")], ids=["fr", "ar", "ar-arabic-digits"]
)
def test_a_mail_is_dated_day_first_with_the_calendar_of_the_page(watched_page, live_server, salma, language, digits):
    page = watched_page
    login_as(page, live_server, salma)
    cookies = {"django_language": language, "pmpp_digits": digits}
    page.context.add_cookies(
        [{"name": name, "value": value, "url": live_server.url} for name, value in cookies.items()]
    )
    page.goto(f"{live_server.url}/reclamations/nouvelle/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expected = CALENDAR[language]

    received = page.locator("#id_received_at")
    # A text field in the page's format, not the browser's date control.
    expect(received).to_have_attribute("type", "text")
    if language == "fr":  # the Arabic placeholder is the translators' choice
        expect(received).to_have_attribute("placeholder", "jj/mm/aaaa hh:mm")
    received.fill("16/03/2026 10:30")  # a Monday
    received.blur()
    # Shown back in the reader's digits (the preference applies to Arabic pages).
    expect(received).to_have_value(shown("16/03/2026 10:30", digits))

    toggle = page.locator("#field-received_at .date-field-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(dialog).to_have_attribute("dir", expected["dir"])
    expect(dialog.locator("h2")).to_have_text(shown(expected["month"], digits))
    headers = dialog.locator("thead th")
    expect(headers.first).to_have_attribute("abbr", expected["monday"])
    expect(headers.last).to_have_attribute("abbr", expected["sunday"])
    # Monday is on the reading side: left on a French page, right on an Arabic one.
    monday, sunday = headers.first.bounding_box(), headers.last.bounding_box()
    assert (monday["x"] < sunday["x"]) == (language == "fr")
    # The calendar opens on the typed day, focused.
    expect(dialog.locator('[aria-selected="true"] button')).to_be_focused()
    expect(dialog.locator('[aria-selected="true"] button')).to_have_text(shown("16", digits))

    # Down a week, then one day to the right: forward in French, backward in Arabic.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    picked_day = 24 if language == "fr" else 22
    expect(dialog.locator("button:focus")).to_have_text(shown(str(picked_day), digits))
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(received).to_have_value(shown(f"{picked_day}/03/2026 10:30", digits))  # the typed time is kept

    page.locator("#id_programme").select_option(str(Programme.objects.get(code="tayssir").pk))
    page.locator("#id_channel").select_option(str(Channel.objects.get(code="postal").pk))
    page.locator("#id_description").fill("Courrier : la bourse du deuxième trimestre n'est pas arrivée.")
    page.locator("#id_cnie").fill("AB123456")
    page.locator("#id_name").fill("Fatima Zahra El Amrani")
    page.locator("#intake-submit").click()

    reference = page.locator("#receipt-reference")
    expect(reference).to_be_visible()
    grievance = Grievance.objects.get(reference=reference.inner_text())
    assert timezone.localtime(grievance.received_at).replace(tzinfo=None) == datetime(2026, 3, picked_day, 10, 30)
    assert page.console_errors == []
    assert page.foreign_requests == []
