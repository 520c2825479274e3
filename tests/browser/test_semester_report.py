"""The focal point prepares, previews and approves the semester report; ministry staff download it."""

import csv
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from grievances.services.intake import grievance_register
from pmpp.models import Channel, Programme
from reporting.models import SemesterReport
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login_as(page: Page, live_server, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # Signed in: the user menu (language, sign-out) shows in the navigation.
    expect(page.locator("#user-menu")).to_be_visible()


def test_focal_point_approves_the_semester_report_and_ministry_staff_download_it(
    watched_page, live_server, leila, omar, salma
):
    page = watched_page
    today = timezone.localdate()
    year, number = today.year, 1 if today.month <= 6 else 2
    label = f"S{number} {year}"
    grievance_register(
        actor=salma,
        programme=Programme.objects.get(code="tayssir"),
        channel=Channel.objects.get(code="call-centre"),
        description="La bourse n'est pas arrivée.",
        cnie="AB123456",
        phone="0612345678",
        name="Fatima Zahra El Amrani",
    )

    # Leila opens the draft of the current semester's report.
    login_as(page, live_server, leila)
    page.goto(f"{live_server.url}/rapports/semestriels/")
    expect(page.get_by_role("heading", name="Rapports semestriels à la Banque mondiale")).to_be_visible()
    page.get_by_role("link", name="Préparer un rapport").click()
    page.get_by_label("Année").select_option(str(year))
    page.get_by_label("Semestre").select_option(str(number))
    page.get_by_role("button", name="Ouvrir le brouillon").click()

    # The preview: computed now, clearly not frozen.
    expect(page.get_by_role("heading", name=f"Rapport semestriel {label} — version 1")).to_be_visible()
    expect(page.locator("#report-status")).to_have_attribute("data-status", "draft")
    expect(page.locator("#preview-banner")).to_contain_text("Aperçu — non figé")
    received = page.locator("#table-grievances tbody tr").first.locator("td").first
    expect(received).to_have_text("1")

    # Approval goes through a confirmation page; the semester is not over, so it says so and
    # wants that acknowledged before anything is frozen (issue 20).
    page.get_by_role("link", name="Approuver…").click()
    expect(page.get_by_role("heading", name=f"Approuver le rapport {label} (version 1) ?")).to_be_visible()
    warning = page.locator("#unfinished-semester")
    end = "30/06" if number == 1 else "31/12"
    expect(warning).to_contain_text(f"Le semestre {label} n'est pas terminé : il se termine le {end}/{year}.")
    approve = page.get_by_role("button", name="Approuver et figer le rapport")
    approve.click()
    expect(page.get_by_role("heading", name=f"Approuver le rapport {label} (version 1) ?")).to_be_visible()
    assert SemesterReport.objects.get().status == SemesterReport.Status.DRAFT
    page.get_by_label("Je sais que le semestre n'est pas terminé et j'approuve quand même ce rapport.").check()
    approve.click()

    expect(page.get_by_role("alert").filter(has_text=f"Rapport {label} approuvé (version 1)")).to_be_visible()
    expect(page.locator("#report-status")).to_have_attribute("data-status", "approved")
    expect(page.locator("#report-status")).to_have_text("Approuvé")
    expect(page.locator("#approval")).to_contain_text(re.compile(f"Approuvé par {re.escape(leila.get_full_name())} le"))
    expect(page.locator("#preview-banner")).to_have_count(0)
    expect(page.get_by_role("link", name="Approuver…")).to_have_count(0)
    expect(page.locator("#history .history-why").first).to_contain_text("chiffres figés")

    # Omar reads it from the list and downloads the CSV.
    login_as(page, live_server, omar)
    page.goto(f"{live_server.url}/rapports/semestriels/")
    row = page.locator("#reports tbody tr").first
    expect(row).to_have_attribute("data-status", "approved")
    row.get_by_role("link", name=label).click()
    expect(page.locator("#approval")).to_contain_text(leila.get_full_name())
    expect(page.get_by_role("link", name="Nouvelle version")).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"rapport-semestriel-S{number}-{year}-v1.csv"
    with open(download.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    assert rows[0][0].startswith(f"Rapport semestriel {label} — version 1, approuvé par {leila.get_full_name()}")
    block = rows.index(["Réclamations — ensemble du semestre"])
    assert rows[block + 2][:2] == ["Ensemble du semestre", "1"]  # received

    assert page.console_errors == []
    assert page.foreign_requests == []
