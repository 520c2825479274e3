"""Issue 20: French text typed by users keeps its order on Arabic pages, and long downloads say
they are being prepared and never start twice."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from reporting.services import semester_report_start
from tests.browser.test_grievance_paths import login_as
from tests.grievances.conftest import (  # noqa: F401 (fixtures the closing walk needs)
    payment_category,
    payments_unit,
    phone,
    tayssir,
    unfounded_reason,
    walk,
)
from tests.portal.conftest import CNIE, close, file_online, web  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "Appel au 1212."

# Where, on screen, each part of a text node lies: the bidirectional algorithm decides it, so
# only the rendered boxes can say whether the full stop stayed after « 1212 ».
_BOXES = """(element, parts) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode()) && !node.data.includes(parts[0])) {}
  const box = (part) => {
    const range = document.createRange();
    const start = node.data.indexOf(part);
    range.setStart(node, start);
    range.setEnd(node, start + part.length);
    const rect = range.getBoundingClientRect();
    return {left: rect.left, right: rect.right};
  };
  const isolated = Boolean(node.parentElement.closest("bdi, [dir=auto]"))
    && element.contains(node.parentElement.closest("bdi, [dir=auto]"));
  return {isolated, boxes: Object.fromEntries(parts.map((part) => [part, box(part)]))};
}"""


def test_a_french_answer_keeps_its_full_stop_on_the_arabic_tracking_page(page: Page, live_server, file_online, close):  # noqa: F811
    grievance = close(file_online().grievance, answer=ANSWER)
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto(f"{live_server.url}/suivre-ma-reclamation/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#id_tracking_code").fill(grievance.tracking_code)
    page.locator("#id_identity").fill(CNIE)
    page.locator("#tracking-form button[type=submit]").click()

    answer = page.locator("#tracked-answer")
    expect(answer).to_contain_text(ANSWER)
    found = answer.evaluate(_BOXES, ["Appel", "1212", "."])
    assert found["isolated"], "the answer is not isolated from the page's direction (bdi or dir=auto)"
    boxes = found["boxes"]
    # Read left to right as written: « Appel », then « 1212 », then the full stop.
    assert boxes["Appel"]["right"] <= boxes["1212"]["left"] <= boxes["."]["left"], boxes


def test_the_pdf_download_is_busy_until_the_file_arrives_and_never_starts_twice(watched_page, live_server, leila):
    page = watched_page
    today = timezone.localdate()
    report = semester_report_start(actor=leila, year=today.year, semester=1 if today.month <= 6 else 2)
    login_as(page, live_server, leila)
    page.goto(f"{live_server.url}/rapports/semestriels/{report.pk}/")

    # The server's answer is held back, as a slow PDF would be, until the test lets it through.
    held, asked = [], []
    page.on("request", lambda request: "telecharger.pdf" in request.url and asked.append(request.url))
    page.route("**/telecharger.pdf*", lambda route: held.append(route))
    link = page.locator("#download-pdf-fr")
    label = link.inner_text()

    with page.expect_download() as download_info:
        link.click()
        expect(link).to_have_attribute("aria-busy", "true")
        expect(link).to_contain_text("Préparation du fichier…")
        expect(link.locator(".spinner-border")).to_have_count(1)
        # Impatient: clicked again. The busy link says it is disabled (aria-disabled), which
        # Playwright respects, so the click is forced as a user's would land anyway.
        link.click(force=True)
        page.wait_for_timeout(300)
        assert len(held) == 1, "a second click started a second download"
        held[0].continue_()
    download = download_info.value

    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"
    expect(link).not_to_have_attribute("aria-busy", "true")
    expect(link).to_have_text(label)
    assert len(asked) == 1
    assert page.console_errors == []
    assert page.foreign_requests == []
