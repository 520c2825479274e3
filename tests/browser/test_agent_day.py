"""Must-hold 2 of issue 18: the agent's day, clicked through in Chromium by the persona who owns
each step, on the pages as they are, with the outbox sent by the real task worker.

A phone complaint is registered (the category list follows the programme), its slip printed in
French and in Arabic, qualified (identity not asked again, no default « Nature »), analysed,
routed; the case handler's commitment is told by SMS (sent); the renewed commitment's SMS is
refused by the test gateway (failed, with the gateway's reason, in « Messages en échec »), the
agent resends it (sent); the answer is drafted from an Arabic template (preview, UCS-2 counter),
approved by the head with the answer, the analysis and the channel in view, sent by SMS as the
send page says, and closed by the closing officer with the facts the report will use.

Set up outside the pages, because no page does it: the answer template (its own screens are
tested in tests/answers/), and the gateway's refusal (a setting of the test gateway,
notifications.backends.FailOnPatternSmsBackend).

Search by name and bulk assignment, the rest of must-hold 2, have their own journeys (see the
end of this module): they are written with those features.
"""

import io
import re
import unicodedata
from datetime import timedelta

import pypdf
import pytest
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import Page, expect

from answers.services import answer_template_create
from answers.sms import sms_count
from grievances.models import Grievance
from notifications.backends import LocmemSmsBackend
from pmpp.models import ComplaintCategory, Programme
from tests.browser.test_grievance_paths import CALL_CENTRE, close_case, login_as, open_file, open_step, submit_step
from tests.notifications.conftest import run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYMENT = "Paiement non reçu"
DESCRIPTION = "La bourse du deuxième trimestre n'est pas arrivée ; appel au 1212."
ANALYSIS = "Virement rejeté par la banque : RIB clôturé. Nouveau virement à émettre."
ARABIC_ANSWER = (
    "السيد(ة) المحترم(ة)، تمت معالجة شكايتكم رقم {reference} وصرف المنحة المستحقة بعد تصحيح الحساب البنكي. مع تحياتنا."
)
GATEWAY_REFUSAL = "Numéro refusé par la passerelle"


@pytest.fixture
def gateway(settings):
    """The test gateway of the demonstrations: hands every SMS to the in-memory backend until
    the test sets PMPP_SMS_FAIL_PATTERN, then refuses the numbers it matches."""
    settings.PMPP_SMS_BACKEND = "notifications.backends.FailOnPatternSmsBackend"
    settings.PMPP_SMS_FAIL_PATTERN = ""
    settings.PMPP_SMS_PASS_BACKEND = "notifications.backends.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield settings
    LocmemSmsBackend.outbox.clear()


# --- what the page shows ------------------------------------------------------------------------------


def category_options(page: Page, programme: Programme):
    return page.locator(f'#id_category option[data-programme="{programme.pk}"]')


def download_slip(page: Page, *, language: str, size: str) -> tuple[dict, bytes]:
    """Click the receipt's slip button: the response's headers and the file the browser saved."""
    slip_form = page.locator("#slip-form")
    slip_form.get_by_label(language, exact=True).check()
    with page.expect_response(lambda r: r.url.endswith("/bordereau.pdf")) as answered, page.expect_download() as saved:
        slip_form.get_by_role("button", name=f"Bordereau {size} (PDF)").click()
    with open(saved.value.path(), "rb") as pdf:
        return answered.value.headers, pdf.read()


def pdf_text_and_size(content: bytes) -> tuple[str, tuple[float, float]]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = unicodedata.normalize("NFKC", "\n".join(page.extract_text() or "" for page in reader.pages))
    box = reader.pages[0].mediabox
    return " ".join(text.split()), (round(float(box.width)), round(float(box.height)))


def message_entry(page: Page, event: str, status: str):
    """One message of the « Échanges » panel, by its event and delivery status."""
    return page.locator(f'#exchanges li[data-status="{status}"]').filter(has_text=event)


def assert_in_value_column(page: Page, value_id: str, *, like: str) -> None:
    """`#value_id` (a <dd> whose text may run right to left) sits beside its label, in the same
    column as `#like` (a left-to-right one), not pushed under its label."""
    value = page.locator(f"#{value_id}").bounding_box()
    label = page.locator(f"#{value_id}").locator("xpath=preceding-sibling::dt[1]").bounding_box()
    column = page.locator(f"#{like}").bounding_box()
    assert abs(value["y"] - label["y"]) < 2, f"#{value_id} is not beside its label"
    assert (round(value["x"]), round(value["width"])) == (round(column["x"]), round(column["width"])), (
        f"#{value_id} is not in the value column"
    )


def send_outbox_and_reload(page: Page) -> None:
    """What `make run`'s worker does every second: one batch of the real db_worker."""
    run_worker()
    page.reload()


# --- the day ------------------------------------------------------------------------------------------


def test_an_agents_day_from_a_phone_call_to_the_closed_file(
    watched_page, live_server, gateway, salma, youssef, nadia, karim
):
    page = watched_page
    tayssir, daam = Programme.objects.get(code="tayssir"), Programme.objects.get(code="daam")
    answer_template_create(
        actor=nadia,
        name="Bourse versée après correction",
        programme=tayssir,
        category=ComplaintCategory.objects.get(programme=tayssir, code="paiement-non-recu"),
        outcome=Grievance.Outcome.FOUNDED,
        text_fr="Votre réclamation {reference} est traitée : la bourse a été versée.",
        text_ar=ARABIC_ANSWER,
    )

    # 1. A caller on the 1212: the agent registers the complaint.
    login_as(page, live_server, salma)
    page.get_by_role("link", name="Nouvelle réclamation").click()
    expect(category_options(page, daam).first).to_be_attached()  # her two programmes, grouped
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Programme").select_option(label="Tayssir")
    # The list follows the programme in place: DAAM's categories are no longer offered.
    expect(category_options(page, daam)).to_have_count(0)
    expect(category_options(page, tayssir).filter(has_text=PAYMENT)).to_have_count(1)
    assert page.evaluate("window.sameDocument === true"), "choosing the programme reloaded the page"
    page.get_by_label("Canal de réception").select_option(label=CALL_CENTRE)
    page.get_by_label("Catégorie (si connue)").select_option(label=PAYMENT)
    # A consequential choice has no default: were it a sensitive case, nothing is preselected.
    page.get_by_label("Allégation de VBG, d'exploitation, d'abus ou de harcèlement sexuels (cas sensible)").check()
    expect(page.get_by_label("Auteur présumé lié au projet")).to_have_value("")
    page.get_by_label("Allégation de VBG, d'exploitation, d'abus ou de harcèlement sexuels (cas sensible)").uncheck()
    page.get_by_label("Description de la réclamation").fill(DESCRIPTION)
    page.get_by_label("CNIE", exact=True).fill("AB123456")
    page.get_by_label("Téléphone", exact=True).fill("0612345678")
    page.get_by_label("Nom et prénom", exact=True).fill("Fatima Zahra El Amrani")
    page.get_by_label("Identité vérifiée (CNIE, téléphone)").check()
    page.locator("#intake-submit").click()

    # 2. The receipt tells the due date; the slip is printed, in French and in Arabic.
    expect(page.get_by_role("heading", name="Réclamation enregistrée")).to_be_visible()
    reference = page.locator("#receipt-reference").inner_text()
    grievance = Grievance.objects.get(reference=reference)
    due = f"{grievance.due_on:%d/%m/%Y}"
    expect(page.locator("#receipt-due-on")).to_have_text(due)

    headers, content = download_slip(page, language="Français", size="A5")
    assert headers["content-type"] == "application/pdf"
    assert content.startswith(b"%PDF-")
    text, size = pdf_text_and_size(content)
    assert size == (420, 595)  # A5, in points
    assert reference in text
    assert grievance.tracking_code in text
    assert f"Réponse au plus tard le {due}" in text
    assert "AB123456" not in text

    headers, content = download_slip(page, language="العربية", size="A4")
    assert headers["content-type"] == "application/pdf"
    text, size = pdf_text_and_size(content)
    assert size == (595, 842)  # A4
    assert reference in text
    assert due in text
    with override("ar"):
        arabic_labels = [gettext("Référence"), gettext("Réponse au plus tard le")]
    for label in arabic_labels:
        assert label in text
    assert "Référence" not in text

    page.get_by_role("link", name="Ouvrir le dossier").click()
    expect(page.locator("#grievance-reference")).to_have_text(reference)
    expect(message_entry(page, "Accusé de réception", "pending")).to_have_count(1)
    send_outbox_and_reload(page)
    expect(message_entry(page, "Accusé de réception", "sent")).to_have_count(1)

    # 3. Qualified — identity verified at intake is not asked again, « Nature » has no default —
    # then analysed (no outcome preselected) and routed to the payments unit.
    open_step(page, "qualify")
    expect(page.locator("#ctx-identity")).to_have_text("vérifiée lors de l'enregistrement")
    expect(page.get_by_label("Identité du réclamant vérifiée (CNIE, téléphone)")).to_have_count(0)
    expect(page.get_by_label("Nature")).to_have_value("")
    expect(page.get_by_label("Catégorie")).to_have_value(str(grievance.category_id))
    page.get_by_label("Objet").fill("Bourse du 2e trimestre non reçue")
    page.get_by_label("Nature").select_option(label="Individuelle")
    submit_step(page, "Qualifiée")

    open_step(page, "analyse")
    expect(page.locator('input[name="outcome"]:checked')).to_have_count(0)
    page.get_by_label("Conclusion de l'analyse").fill(ANALYSIS)
    page.get_by_role("group", name="Résultat").get_by_label("Fondée", exact=True).check()
    submit_step(page, "Analysée")
    open_step(page, "route_to_unit")
    page.get_by_label("Service métier").select_option(label="CNRA — Service des paiements")
    submit_step(page, "Transmise au service métier")

    # 4. The case handler's commitment goes to the complainant by SMS: sent, and so notified.
    login_as(page, live_server, youssef)
    open_file(page, live_server, grievance)
    open_step(page, "give_commitment")
    page.get_by_label("Date de traitement promise").fill(f"{timezone.localdate() + timedelta(days=3):%Y-%m-%d}")
    submit_step(page, "Engagement en cours")
    send_outbox_and_reload(page)
    expect(message_entry(page, "Date d'engagement de traitement", "sent")).to_have_count(1)
    expect(page.locator("#commitments tbody tr").nth(0).locator("td").nth(3)).not_to_have_text("—")
    assert LocmemSmsBackend.outbox[-1]["to"].endswith("612345678")

    # The bank rejects the transfer again: the commitment is broken and renewed, and the
    # gateway now refuses the number (a permanent refusal: no retries).
    open_step(page, "break_commitment")
    page.get_by_label("Pourquoi l'engagement n'a pas été tenu").fill("Second rejet bancaire.")
    submit_step(page, "Engagement non honoré")
    open_step(page, "renew_commitment")
    page.get_by_label("Nouvelle date promise").fill(f"{timezone.localdate() + timedelta(days=7):%Y-%m-%d}")
    page.get_by_label("Motif du nouvel engagement").fill("Virement sur le nouveau RIB.")
    submit_step(page, "Engagement en cours")
    gateway.PMPP_SMS_FAIL_PATTERN = r"612345678$"
    send_outbox_and_reload(page)
    failed = message_entry(page, "Date d'engagement de traitement", "failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text(GATEWAY_REFUSAL)

    # The agent finds it in « Messages en échec » and resends it once the gateway accepts again.
    gateway.PMPP_SMS_FAIL_PATTERN = ""
    login_as(page, live_server, salma)
    # Her home page counts it; the queue lists the file.
    expect(page.locator('a[data-queue="messages-en-echec"] .display-6')).to_have_text("1")
    page.locator('a[data-queue="messages-en-echec"]').click()
    expect(page.get_by_role("heading", name="Messages en échec")).to_be_visible()
    page.locator("#queue-table").get_by_role("link", name=reference).click()
    expect(page.locator("#grievance-reference")).to_have_text(reference)
    failed = message_entry(page, "Date d'engagement de traitement", "failed")
    expect(failed).to_contain_text(GATEWAY_REFUSAL)
    failed.get_by_label("Motif du renvoi").fill("Incident de la passerelle résolu")
    failed.get_by_role("button", name="Renvoyer").click()
    expect(page.get_by_role("alert").filter(has_text="Message renvoyé")).to_be_visible()
    send_outbox_and_reload(page)
    resent = message_entry(page, "Date d'engagement de traitement", "sent").filter(has_text="Renvoi par")
    expect(resent).to_contain_text("Incident de la passerelle résolu")
    expect(page.locator("#commitments tbody tr").nth(1).locator("td").nth(3)).not_to_have_text("—")
    page.locator("#queues-menu").click()
    page.locator("#main-nav .dropdown-menu").get_by_role("link", name="Messages en échec").click()
    expect(page.get_by_role("heading", name="Messages en échec")).to_be_visible()
    expect(page.locator("#queue-table").get_by_role("link", name=reference)).to_have_count(0)

    login_as(page, live_server, youssef)
    open_file(page, live_server, grievance)
    open_step(page, "honour_commitment")
    # To the second: a minute-cut time could precede the reception (see test_grievance_paths).
    page.get_by_label("Réalisé le").fill(f"{timezone.localtime():%Y-%m-%dT%H:%M:%S}")
    submit_step(page, "Traitement réalisé")

    # 5. The answer, from the Arabic template: previewed, then used; the counter counts UCS-2.
    login_as(page, live_server, salma)
    open_file(page, live_server, grievance)
    open_step(page, "draft_answer")
    page.get_by_label("Modèle", exact=True).select_option(label="Bourse versée après correction")
    page.get_by_role("main").get_by_label("Langue", exact=True).select_option("ar")
    page.get_by_role("button", name="Aperçu").click()
    answer = ARABIC_ANSWER.replace("{reference}", reference)
    expect(page.locator("[data-answer-preview-text]")).to_have_text(answer)
    expect(page.locator("[data-answer-preview-text]")).to_have_attribute("dir", "rtl")
    page.get_by_role("button", name="Utiliser ce modèle").click()
    expect(page.get_by_label("Réponse au réclamant")).to_have_value(answer)
    counter = page.locator('[data-sms-counter-for="id_answer_text"]')
    segments = sms_count(answer).segments
    assert segments >= 2  # past one UCS-2 SMS (70 characters)
    expect(counter).to_have_attribute("data-encoding", "UCS-2")
    expect(counter).to_have_attribute("data-segments", str(segments))
    expect(counter).to_contain_text(f"{segments} SMS (UCS-2)")
    submit_step(page, "Réponse à approuver")
    # Four eyes: the drafter is offered no approval.
    expect(page.locator('#steps [data-step="approve_answer"]')).to_have_count(0)

    login_as(page, live_server, nadia)
    open_file(page, live_server, grievance)
    open_step(page, "approve_answer")
    expect(page.locator("#ctx-answer")).to_have_text(answer)
    expect(page.locator("#ctx-analysis")).to_have_text(ANALYSIS)
    expect(page.locator("#ctx-outcome")).to_have_text("Fondée")
    expect(page.locator("#ctx-channel")).to_contain_text(CALL_CENTRE)
    assert_in_value_column(page, "ctx-answer", like="ctx-analysis")
    submit_step(page, "Réponse approuvée")

    # 6. Sent: the page says the answer leaves by SMS, and to which number; then closed.
    login_as(page, live_server, salma)
    open_file(page, live_server, grievance)
    open_step(page, "send_answer")
    expect(page.locator("#ctx-send")).to_contain_text("la réponse ci-dessus part par SMS vers le")
    expect(page.locator("#ctx-send")).to_contain_text(grievance.complainant_phone)
    expect(page.locator("#ctx-answer")).to_have_text(answer)
    submit_step(page, "Réponse envoyée")
    send_outbox_and_reload(page)
    expect(message_entry(page, "Résultat de la réclamation", "sent")).to_have_count(1)
    assert answer in LocmemSmsBackend.outbox[-1]["text"]

    login_as(page, live_server, karim)
    open_file(page, live_server, grievance)
    open_step(page, "close")
    expect(page.locator("#ctx-outcome")).to_have_text("Fondée")
    commitments = page.locator("#ctx-commitments li")
    expect(commitments).to_have_count(2)
    expect(commitments.nth(0)).to_contain_text("Non honoré")
    expect(commitments.nth(1)).to_contain_text("Honoré")
    expect(commitments.nth(1)).to_contain_text("notifié le")
    expect(page.locator("#ctx-answer")).to_have_text(answer)
    expect(page.locator("#step-context")).to_contain_text("Envoyée le")
    expect(page.locator("#ctx-delays")).to_contain_text("délai de traitement : 0 jours · dans le délai")
    page.get_by_label("Synthèse finale du traitement").fill("Bourse versée sur le nouveau RIB ; réclamant informé.")
    close_case(page, grievance)
    # The Arabic answer reads right to left on the file, as on the step pages.
    expect(page.locator("#answer-text")).to_have_text(answer)
    assert page.locator("#answer-text").evaluate("e => getComputedStyle(e).direction") == "rtl"

    # The timeline reads as the day went: each step, by whom.
    timeline = page.locator("#timeline > li")
    for what, who in (
        ("Qualifier (opération 1)", salma),
        ("Analyser (opération 2)", salma),
        ("Donner un engagement de traitement", youssef),
        ("Engagement non honoré", youssef),
        ("Rédiger la réponse", salma),
        ("Approuver la réponse", nadia),
        ("Envoyer la réponse", salma),
        ("Clôturer (opération 4)", karim),
    ):
        step = timeline.filter(has=page.get_by_text(what, exact=True)).first
        expect(step).to_contain_text(
            re.compile(rf"\d\d/\d\d/{timezone.localdate().year} \d\d:\d\d · {who.get_full_name()}")
        )
    assert page.console_errors == []
    assert page.foreign_requests == []


# --- the rest of must-hold 2, written with their features ---------------------------------------------
#
# Search (issue 18, item 3): a search by « nom prénom » finding the same files in both orders, and
# Back from a result with no resubmission prompt — its own journey, test_search_*, here or in
# tests/browser/test_search.py.
#
# Bulk work (issue 18, item 8): a bulk assignment from a queue with one case refused and reported
# — its own journey, test_bulk_*, here or in tests/browser/test_bulk_assignment.py.
