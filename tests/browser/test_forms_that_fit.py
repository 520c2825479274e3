"""Issue 20, forms that fit, at 1366 × 768 in French and Arabic: the consultation form in sections on
about two screens, its organisations picked by typing and the keyboard in a searchable box."""

import re
import unicodedata

import pytest
from django.conf import settings
from django.utils.translation import override
from playwright.sync_api import expect

from pmpp.models import Organisation
from stakeholders.forms import ActivityForm
from stakeholders.models import EngagementActivity
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
# Two screens of the laptop, less the browser's own bars.
TWO_SCREENS = 1600


def sign_in(page, live_server, user, language: str) -> None:
    page.set_viewport_size(LAPTOP)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/connexion/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("#current-user")).to_be_visible()


def _plain(text: str) -> str:
    """As the box compares: case and accents aside."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def fragment(label: str, others: list[str]) -> str:
    """A few letters of `label`, without a space, found in no other label: what a user types."""
    taken = [_plain(other) for other in others]
    for size in range(4, len(label) + 1):
        for start in range(len(label) - size + 1):
            piece = label[start : start + size]
            if " " not in piece and not any(_plain(piece) in other for other in taken):
                return piece
    raise AssertionError(f"no fragment of {label!r} is its own")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_consultation_form_fits_two_screens_and_organisations_are_picked_with_the_keyboard(
    watched_page, live_server, leila, language
):
    page = watched_page
    organisations = list(Organisation.objects.filter(is_active=True))
    with override(language):
        labels = {org.pk: org.label for org in organisations}
        invited_label = str(ActivityForm().fields["invited_organisations"].label)
        present_label = str(ActivityForm().fields["present_organisations"].label)
    mef, menps = Organisation.objects.get(code="mef-db"), Organisation.objects.get(code="menps")
    sign_in(page, live_server, leila, language)
    page.goto(f"{live_server.url}/parties-prenantes/activites/nouveau/")
    expect(page.locator("html")).to_have_attribute("lang", language)

    # The whole form on about two screens: sections with legends, one line per multi-select.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= TWO_SCREENS, f"the consultation form is {height} px tall"
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    expect(page.locator("#registry-form fieldset.form-section > legend")).to_have_count(3)

    page.locator("#id_type").select_option("focus_group")
    page.locator("#id_title").fill("Focus group Tayssir — mères d'élèves, Taroudant")
    page.locator("#id_start_date").fill("2024-06-12")
    page.locator("#id_organiser").select_option(str(mef.pk))

    # The label still names the box: reached by it, as a screen reader announces it.
    invited = page.get_by_role("combobox", name=invited_label)
    expect(invited).to_have_count(1)
    if language == "ar":
        # Right to left: the box lays its chips and their remove buttons out from the right.
        expect(page.locator("#field-invited_organisations .ts-wrapper")).to_have_class(re.compile(r"\brtl\b"))
    invited.focus()
    for org in (mef, menps):
        invited.fill("")  # what was typed for the previous pick
        page.keyboard.type(fragment(labels[org.pk], [labels[pk] for pk in labels if pk != org.pk]))
        option = page.get_by_role("listbox", name=invited_label).get_by_role("option", name=labels[org.pk], exact=True)
        expect(option).to_be_visible()
        page.keyboard.press("ArrowDown")
        expect(option).to_have_class(re.compile(r"\bactive\b"))
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.locator("#field-invited_organisations .ts-control .item")).to_have_count(2)

    present = page.get_by_role("combobox", name=present_label)
    present.fill("")
    page.keyboard.type(fragment(labels[menps.pk], [labels[pk] for pk in labels if pk != menps.pk]))
    option = page.get_by_role("listbox", name=present_label).get_by_role("option", name=labels[menps.pk], exact=True)
    expect(option).to_have_class(re.compile(r"\bactive\b"))
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.locator("#field-present_organisations .ts-control .item")).to_have_count(1)

    page.locator("#registry-form button[type=submit]").click()
    expect(page.locator("#participants-total")).to_be_visible()
    activity = EngagementActivity.objects.get(title="Focus group Tayssir — mères d'élèves, Taroudant")
    assert set(activity.invited_organisations.all()) == {mef, menps}
    assert list(activity.present_organisations.all()) == [menps]
    assert page.console_errors == []
    assert page.foreign_requests == []
