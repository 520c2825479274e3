"""The semester report as a PDF (SPEC §6): French or Arabic, frozen once approved, nothing fetched."""

import io
import re
import unicodedata
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from reporting import selectors
from reporting.pdf import DataOnlyURLFetcher, semester_report_pdf
from reporting.services import semester_report_approve, semester_report_start
from stakeholders.models import BudgetLine, Concern
from tests.reporting.conftest import _saved

pytestmark = pytest.mark.django_db

ARABIC_TITLE = "التقرير نصف السنوي"  # « Rapport semestriel » in locale/ar


def _text(content: bytes) -> tuple[str, int]:
    """The text of every page (NFKC: Arabic presentation forms back to letters) and the page count."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return unicodedata.normalize("NFKC", text), len(reader.pages)


def _download(client, report, lang: str | None = None):
    url = reverse("reporting:report_download", args=[report.pk, "pdf"])
    return client.get(url, {"lang": lang} if lang else {})


def test_the_french_pdf_has_the_period_the_methodology_the_figures_and_page_numbers(
    client, walk, leila, semester, workshop, campaign
):
    walk.register()
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    client.force_login(leila)
    response = _download(client, report, "fr")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="rapport-semestriel-S{semester[1]}-{semester[0]}-v1-apercu-fr.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    text, pages = _text(response.content)
    assert pages >= 2  # the title page, then the sections
    assert f"S{semester[1]} {semester[0]}" in text
    assert "Méthodologie" in text
    assert "Aperçu — non figé" in text
    assert "Demandes reçues par mois" in text
    assert "Demandes reçues par catégorie" in text
    assert "Atelier Tayssir" in text  # the workshop's row
    assert "250,50" in text  # the campaign's actual spending
    assert f"1 / {pages}" in text
    assert f"{pages} / {pages}" in text


def test_the_arabic_pdf_is_written_in_arabic(client, leila, semester):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    client.force_login(leila)
    response = _download(client, report, "ar")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-apercu-ar.pdf"')
    text, pages = _text(response.content)
    assert pages >= 1
    assert ARABIC_TITLE in text
    assert "المنهجية" in text  # « Méthodologie »


def test_the_arabic_template_reads_right_to_left_with_the_amiri_font(leila, semester, monkeypatch):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    data = selectors.semester_report_data(report=report, user=leila)
    rendered = {}

    class Capture:
        def __init__(self, *, string, base_url, url_fetcher):
            rendered.update(html=string, fetcher=url_fetcher)

        def write_pdf(self):
            return b"%PDF-"

    monkeypatch.setattr("reporting.pdf.HTML", Capture)
    semester_report_pdf(report=report, data=data, tables=selectors.semester_report_tables(data), language="ar")
    assert '<html lang="ar" dir="rtl">' in rendered["html"]
    assert re.search(r'font-family: "Amiri"', rendered["html"])
    assert isinstance(rendered["fetcher"], DataOnlyURLFetcher)


def test_the_pdf_defaults_to_the_users_language_and_refuses_other_languages(client, leila, semester):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    client.force_login(leila)
    assert _download(client, report)["Content-Disposition"].endswith('-fr.pdf"')
    assert _download(client, report, "en").status_code == 404


def test_an_approved_report_pdf_keeps_the_frozen_figures_and_ministry_staff_download_it(
    client, walk, leila, omar, semester, workshop, campaign, monkeypatch
):
    walk.register()
    report = semester_report_approve(
        report=semester_report_start(actor=leila, year=semester[0], semester=semester[1]),
        actor=leila,
        confirmed=True,
        unfinished_semester_acknowledged=True,
    )
    # The data moves on after approval.
    workshop.title = "Atelier renommé après approbation"
    _saved(workshop, actor=leila, reason="Intitulé corrigé")
    line = BudgetLine.objects.get(campaign=campaign)
    line.actual_amount = Decimal("999.99")
    _saved(line, actor=leila, reason="Dépense corrigée")
    walk.register()

    def recompute(**kwargs):
        raise AssertionError("an approved report must never be recomputed")

    monkeypatch.setattr(selectors, "assemble_semester_report", recompute)
    client.force_login(omar)
    response = _download(client, report, "fr")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        f'filename="rapport-semestriel-S{semester[1]}-{semester[0]}-v1-fr.pdf"'
    )
    text, _pages = _text(response.content)
    assert "Approuvé le " in text
    assert "Aperçu — non figé" not in text
    assert timezone.localtime(report.approved_at).strftime("%d/%m/%Y") in text
    assert "Atelier Tayssir" in text
    assert "Atelier renommé" not in text
    assert "250,50" in text
    assert "999,99" not in text
    assert _download(client, report, "ar").status_code == 200


def test_roles_without_the_reports_cannot_download_the_pdf(client, salma, leila, semester):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    client.force_login(salma)
    assert _download(client, report, "fr").status_code == 403


def test_the_report_page_offers_both_pdfs(client, leila, semester):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    client.force_login(leila)
    page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    url = reverse("reporting:report_download", args=[report.pk, "pdf"])
    assert f'href="{url}?lang=fr"' in page
    assert f'href="{url}?lang=ar"' in page


@pytest.mark.parametrize("url", ["http://example.org/logo.png", "https://example.org/a.css", "file:///etc/passwd"])
def test_the_url_fetcher_refuses_anything_but_data_urls(url):
    fetcher = DataOnlyURLFetcher()
    with pytest.raises(ValueError, match="refusée"):
        fetcher(url)
    response = fetcher("data:text/plain;base64,UE1QUA==")
    assert response.read() == b"PMPP"


# --- hostile text stays text ----------------------------------------------------------------------
# An unescaped `<img src=…>` would make WeasyPrint fetch a URL, a `<script>` or `<style>` would
# vanish from the page or restyle it; escaped, each payload typed into the registry is printed as is.

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=http://evil.example/x onerror=alert(1)>',
    "<style>*{display:none}</style>",
    "{{ secret }} {% now 'Y' %}",
)


def _without_spaces(text: str) -> str:
    """Table cells wrap long text anywhere: compare without the spaces and line breaks."""
    return "".join(text.split())


def test_markup_in_an_activity_title_and_a_concern_is_printed_literally_in_the_pdf(
    client, walk, leila, semester, workshop
):
    walk.register()
    workshop.title = "Atelier " + PAYLOADS[0] + " " + PAYLOADS[1]
    _saved(workshop, actor=leila, reason="Titre modifié")
    _saved(
        Concern(activity=workshop, theme=PAYLOADS[2], description=PAYLOADS[3], answer="Réponse."),
        actor=leila,
        reason="Création",
    )
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])

    client.force_login(leila)
    response = client.get(reverse("reporting:report_download", args=[report.pk, "pdf"]), {"lang": "fr"})

    assert response.status_code == 200
    text = _without_spaces(_text(response.content)[0])
    for payload in PAYLOADS:
        assert _without_spaces(payload) in text
