"""An agent searches from the header in a real browser (issue 18, « Search that behaves »).

« nom prénom » in both orders finds the same files, with the name on each row; a result
opens its file, and Back comes to the results again without the browser asking to send a
form again; the file leads to the complainant's page; a reference opens its file directly.
No URL on the way carries the name or the CNIE.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from grievances.models import Grievance
from pmpp.models import ComplaintCategory
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

CNIE = "AB445566"
RESULTS_URL = re.compile(r"/reclamations/recherche/[\w-]{16,}/$")


def search_from_header(page: Page, term: str) -> None:
    header = page.locator("#header-search")
    header.get_by_role("searchbox").fill(term)
    header.get_by_role("button", name="Rechercher").click()


def result_references(page: Page) -> list[str]:
    return page.locator("#search-table tbody tr td:first-child").all_inner_texts()


def test_an_agent_searches_a_name_in_both_orders_goes_back_and_opens_the_complainant_page(
    watched_page: Page,
    live_server,
    walk,  # noqa: F811 — the fixture imported above
    salma,
):
    page = watched_page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    older = walk.closed(name="Fatima Zérouali", cnie=CNIE)
    other_subject = ComplaintCategory.objects.get(programme=walk.programme, code="inscription-rejetee")
    newer = walk.register(name="Fatima Zerouali", cnie=CNIE, category=other_subject)
    walk.register(name="Khadija Alaoui", cnie="CD112233")
    login_as(page, live_server, salma)

    # Surname first, as on the CNIE: both files, each row naming its complainant.
    search_from_header(page, "zerouali fatima")
    expect(page).to_have_url(RESULTS_URL)
    expect(page.locator("#search-table thead")).to_contain_text("Nom et prénom")
    assert sorted(result_references(page)) == sorted([older.reference, newer.reference])
    expect(page.locator("#search-table tbody")).to_contain_text("Fatima Zérouali")
    expect(page.locator("#search-table tbody")).not_to_contain_text("Khadija")
    surname_first = page.url

    # First name first, from the header of the results page: the same files.
    search_from_header(page, "Fatima Zerouali")
    expect(page).to_have_url(RESULTS_URL)
    assert sorted(result_references(page)) == sorted([older.reference, newer.reference])
    results = page.url
    assert results != surname_first

    # Open a result, then Back: the results again, from a GET, with no resubmission.
    page.locator("#search-table").get_by_role("link", name=newer.reference).click()
    expect(page.locator("#grievance-reference")).to_have_text(newer.reference)
    page.go_back()
    expect(page).to_have_url(results)
    assert sorted(result_references(page)) == sorted([older.reference, newer.reference])
    page.go_forward()
    expect(page.locator("#grievance-reference")).to_have_text(newer.reference)
    page.go_back()
    page.go_back()
    expect(page).to_have_url(surname_first)
    assert sorted(result_references(page)) == sorted([older.reference, newer.reference])
    assert dialogs == []

    # From the file, the complainant's page: every file of the CNIE, with status and due date.
    page.go_forward()
    page.locator("#search-table").get_by_role("link", name=newer.reference).click()
    page.get_by_role("link", name="Toutes les réclamations de ce réclamant").click()
    expect(page).to_have_url(re.compile(rf"/reclamations/{newer.pk}/reclamant/$"))
    listed = page.locator("#complainant-grievances")
    expect(listed).to_contain_text(older.reference)
    expect(listed).to_contain_text(newer.reference)
    expect(listed).to_contain_text("Clôturée")
    expect(listed).to_contain_text(Grievance.objects.get(pk=newer.pk).current_due_on.strftime("%d/%m/%Y"))
    expect(listed).not_to_contain_text("Khadija")

    # A reference typed in the header opens its file directly.
    search_from_header(page, older.reference.lower())
    expect(page).to_have_url(re.compile(rf"/reclamations/{older.pk}/$"))
    expect(page.locator("#grievance-reference")).to_have_text(older.reference)

    for url in (surname_first, results, page.url):
        for personal in ("zerouali", "Zerouali", "fatima", "Fatima", CNIE):
            assert personal not in url
    assert dialogs == []
    assert page.console_errors == []
    assert page.foreign_requests == []
