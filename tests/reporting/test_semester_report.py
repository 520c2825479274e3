"""The semester report (SPEC §6): a live preview while a draft, frozen figures once approved."""

import copy
import csv
import io
import json
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from grievances.services.intake import SensitiveDetails, grievance_register
from pmpp.models import ComplaintCategory, Programme
from reporting import selectors
from reporting.models import SemesterReport
from reporting.selectors import (
    SECONDARY_SUPPRESSED,
    SUPPRESSED,
    Partition,
    assemble_semester_report,
    protect_small_cells,
)
from reporting.services import semester_report_approve, semester_report_new_version, semester_report_start
from tests.reporting.conftest import _saved

pytestmark = pytest.mark.django_db


# --- arrangement -----------------------------------------------------------------------------------------


def _tables(response) -> dict[str, list[list[str]]]:
    """The shown tables of a report page, as texts, by key."""
    return {
        block["table"].key: [[text for text, _ in row] for row in block["rows"]] for block in response.context["tables"]
    }


def _csv_blocks(response) -> dict[str, list[list[str]]]:
    """The rows of a downloaded report CSV, by block title."""
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    blocks, current = {}, None
    for row in csv.reader(io.StringIO(content)):
        if not row:
            current = None
        elif current is None and len(row) == 1:
            current = blocks.setdefault(row[0], [])
        elif current is not None:
            current.append(row)
    return blocks


def _approve(report, actor):
    return semester_report_approve(report=report, actor=actor, confirmed=True, unfinished_semester_acknowledged=True)


# --- the rule that must hold: approved figures never change ---------------------------------------------


def test_an_approved_report_keeps_its_figures_after_the_data_is_corrected(
    client, walk, leila, omar, semester, workshop, campaign, late_action
):
    walk.register()
    walk.closed()
    report = _approve(semester_report_start(actor=leila, year=semester[0], semester=semester[1]), leila)
    frozen = copy.deepcopy(report.snapshot)
    assert frozen["grievances"]["total"]["received"] == 2
    assert frozen["grievances"]["total"]["treated"] == 1
    assert frozen["activities"]["total"]["women"] == 12

    # The data moves on: more grievances, one closed, and the workshop's attendance is corrected.
    walk.closed()
    walk.register()
    workshop.participants_women = 30
    _saved(workshop, actor=leila, reason="Feuille de présence recomptée")
    live = assemble_semester_report(user=leila, year=semester[0], semester=semester[1])
    assert live["grievances"]["total"]["received"] == 4  # the test could fail: today's figures differ
    assert live["activities"]["total"]["women"] == 30

    report.refresh_from_db()
    assert report.snapshot == frozen
    client.force_login(omar)
    page = client.get(reverse("reporting:report_detail", args=[report.pk]))
    assert page.status_code == 200
    shown = _tables(page)
    assert shown["grievances"][0][1:2] == ["2"]  # received
    assert shown["grievances"][0][8] == "1"  # treated
    assert shown["activities-by-type"][-1][2] == "12"  # women, total row
    assert "Aperçu — non figé" not in page.content.decode()

    download = client.get(reverse("reporting:report_download", args=[report.pk, "csv"]))
    blocks = _csv_blocks(download)
    assert blocks["Réclamations — ensemble du semestre"][1][1] == "2"
    assert blocks["Activités de mobilisation par type"][-1][2] == "12"
    assert download["Content-Disposition"].endswith(
        f'filename="rapport-semestriel-S{semester[1]}-{semester[0]}-v1.csv"'
    )


def test_an_approved_report_is_shown_and_downloaded_without_recomputing_anything(
    client, leila, omar, semester, monkeypatch
):
    report = _approve(semester_report_start(actor=leila, year=semester[0], semester=semester[1]), leila)

    def recompute(**kwargs):
        raise AssertionError("an approved report must never be recomputed")

    monkeypatch.setattr(selectors, "assemble_semester_report", recompute)
    client.force_login(omar)
    assert client.get(reverse("reporting:report_detail", args=[report.pk])).status_code == 200
    for fmt in ("csv", "xlsx"):
        assert client.get(reverse("reporting:report_download", args=[report.pk, fmt])).status_code == 200


def test_a_new_version_shows_fresh_figures_once_approved_and_version_1_stays_as_it_was(walk, leila, semester):
    walk.register()
    first = _approve(semester_report_start(actor=leila, year=semester[0], semester=semester[1]), leila)
    frozen = copy.deepcopy(first.snapshot)
    history_rows = first.history.count()
    walk.register()
    walk.register()

    second = semester_report_new_version(report=first, actor=leila, reason="Réclamations saisies en retard")
    assert (second.version, second.status, second.supersedes_id) == (2, "draft", first.pk)
    assert second.snapshot is None
    second = _approve(second, leila)

    assert second.snapshot["grievances"]["total"]["received"] == 3
    first.refresh_from_db()
    assert first.status == SemesterReport.Status.APPROVED
    assert first.snapshot == frozen
    assert first.snapshot["grievances"]["total"]["received"] == 1
    assert first.history.count() == history_rows  # not even saved again
    assert first.superseded_by == second


def test_a_new_version_needs_a_reason_and_starts_from_the_latest_approved_version(leila, semester):
    first = _approve(semester_report_start(actor=leila, year=semester[0], semester=semester[1]), leila)
    with pytest.raises(ValidationError) as error:
        semester_report_new_version(report=first, actor=leila, reason="  ")
    assert "reason" in error.value.message_dict
    draft = semester_report_new_version(report=first, actor=leila, reason="Correction")
    with pytest.raises(ValidationError, match="version plus récente"):
        semester_report_new_version(report=first, actor=leila, reason="Encore")
    with pytest.raises(ValidationError, match="encore un brouillon"):
        semester_report_new_version(report=draft, actor=leila, reason="Encore")


# --- who may do what -------------------------------------------------------------------------------------


def test_only_the_focal_point_approves(client, leila, omar, nadia, semester):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    for reader in (omar, nadia):
        with pytest.raises(PermissionDenied):
            semester_report_approve(report=report, actor=reader, confirmed=True, unfinished_semester_acknowledged=True)
        client.force_login(reader)
        url = reverse("reporting:report_approve", args=[report.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"confirm": "yes"}).status_code == 403
        # They read the report, but are offered no button to approve it.
        page = client.get(reverse("reporting:report_detail", args=[report.pk]))
        assert page.status_code == 200
        assert not page.context["can_approve"]
    report.refresh_from_db()
    assert report.status == SemesterReport.Status.DRAFT


def test_ministry_staff_neither_start_a_report_nor_issue_a_new_version(client, leila, omar, semester):
    with pytest.raises(PermissionDenied):
        semester_report_start(actor=omar, year=semester[0], semester=semester[1])
    report = _approve(semester_report_start(actor=leila, year=semester[0], semester=semester[1]), leila)
    with pytest.raises(PermissionDenied):
        semester_report_new_version(report=report, actor=omar, reason="Non")
    client.force_login(omar)
    assert client.post(reverse("reporting:report_start"), {"year": semester[0], "semester": 1}).status_code == 403
    assert client.post(reverse("reporting:report_new_version", args=[report.pk]), {"reason": "x"}).status_code == 403


def test_roles_without_the_reports_get_403(client, salma, semester, leila):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    client.force_login(salma)
    assert client.get(reverse("reporting:report_list")).status_code == 403
    assert client.get(reverse("reporting:report_detail", args=[report.pk])).status_code == 403
    assert client.get(reverse("reporting:report_download", args=[report.pk, "csv"])).status_code == 403


def test_approval_takes_the_confirmation_page_then_its_post(client, leila, semester):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    client.force_login(leila)
    url = reverse("reporting:report_approve", args=[report.pk])

    confirmation = client.get(url)
    assert confirmation.status_code == 200
    assert "Approuver et figer le rapport" in confirmation.content.decode()
    report.refresh_from_db()
    assert report.status == SemesterReport.Status.DRAFT

    not_confirmed = client.post(url, {})
    assert not_confirmed.status_code == 200
    report.refresh_from_db()
    assert report.status == SemesterReport.Status.DRAFT

    # Today's semester has not ended: confirming is not enough until the warning is acknowledged.
    unacknowledged = client.post(url, {"confirm": "yes"})
    assert unacknowledged.status_code == 200
    assert unacknowledged.context["unfinished"]
    report.refresh_from_db()
    assert report.status == SemesterReport.Status.DRAFT

    approved = client.post(url, {"confirm": "yes", "unfinished_semester": "acknowledged"})
    assert approved.status_code == 302
    assert approved["Location"] == reverse("reporting:report_detail", args=[report.pk])
    report.refresh_from_db()
    assert report.status == SemesterReport.Status.APPROVED
    assert (report.approved_by, report.snapshot is not None) == (leila, True)

    page = client.get(approved["Location"])
    text = page.content.decode()
    assert f"Approuvé par {leila.get_full_name()} le" in text
    assert not page.context["can_approve"]
    assert page.context["can_new_version"]


def test_an_approved_report_cannot_be_approved_again(leila, semester):
    report = _approve(semester_report_start(actor=leila, year=semester[0], semester=semester[1]), leila)
    with pytest.raises(ValidationError, match="déjà approuvé"):
        semester_report_approve(report=report, actor=leila, confirmed=True, unfinished_semester_acknowledged=True)


# --- one report per semester -----------------------------------------------------------------------------


def test_a_second_report_of_the_same_semester_is_refused(leila, semester):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    with pytest.raises(ValidationError, match="déjà en préparation"):
        semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    _approve(report, leila)
    with pytest.raises(ValidationError, match="nouvelle version"):
        semester_report_start(actor=leila, year=semester[0], semester=semester[1])


def test_a_semester_that_has_not_begun_has_no_report(leila, semester):
    with pytest.raises(ValidationError) as error:
        semester_report_start(actor=leila, year=semester[0] + 1, semester=semester[1])
    assert "semester" in error.value.message_dict


def test_the_database_refuses_an_approved_report_without_its_snapshot(leila, semester):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    with pytest.raises(IntegrityError):
        SemesterReport.objects.filter(pk=report.pk).update(status="approved")


def test_the_database_refuses_two_drafts_of_a_semester(leila, semester):
    semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    with pytest.raises(IntegrityError):
        SemesterReport.objects.create(year=semester[0], semester=semester[1], version=2, created_by=leila)


# --- the draft preview -----------------------------------------------------------------------------------


def test_the_draft_preview_is_recomputed_at_every_visit(client, walk, leila, semester):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    client.force_login(leila)
    url = reverse("reporting:report_detail", args=[report.pk])

    before = client.get(url)
    assert "Aperçu — non figé" in before.content.decode()
    assert _tables(before)["grievances"][0][1] == "0"
    walk.register()
    after = client.get(url)
    assert _tables(after)["grievances"][0][1] == "1"
    report.refresh_from_db()
    assert report.snapshot is None

    download = client.get(reverse("reporting:report_download", args=[report.pk, "csv"]))
    assert download["Content-Disposition"].endswith(
        f'filename="rapport-semestriel-S{semester[1]}-{semester[0]}-v1-apercu.csv"'
    )


# --- what the report carries -----------------------------------------------------------------------------


def test_the_report_covers_activities_concerns_campaigns_and_corrective_actions(
    leila, semester, workshop, campaign, late_action
):
    data = assemble_semester_report(user=leila, year=semester[0], semester=semester[1])
    [by_type] = data["activities"]["by_type"]
    assert by_type == {
        "key": "workshop",
        "activities": 1,
        "women": 12,
        "men": 6,
        "unspecified": 2,
        "total": 20,
        "vulnerable": 4,
    }
    assert data["activities"]["by_programme"][0]["key"] == "tayssir"
    assert data["activities"]["by_programme"][0]["names"] == {"fr": "Tayssir", "ar": "تيسير"}
    [concern] = data["concerns"]
    assert concern["answer"] == "Explication du barème par niveau scolaire."
    assert concern["activity_title"] == workshop.title
    assert concern["activity_date"] == timezone.localdate().isoformat()
    [item] = [c for c in data["campaigns"]["items"] if c["title"] == campaign.title]
    assert (item["planned"], item["actual"], item["execution_rate"]) == ("1000.00", "250.50", "25.1")
    [action] = data["corrective_actions"]
    assert action["overdue"] is True
    assert action["latest_note"] == "Maquette validée, impression en cours."
    assert action["percent_done"] == 60
    # The methodology is the metric dictionary (docs/metrics.md), frozen in French and in Arabic.
    assert data["metadata"]["metrics_version"] == 2
    sections = data["metadata"]["methodology"]["fr"]
    french = " ".join(definition for section in sections for _name, definition in section["terms"])
    assert "§6.3.2" in french
    assert "doublons" in french
    assert data["metadata"]["methodology"]["ar"][0]["title"] == "المجال والأحجام"


# A report approved before the metric dictionary (schema 1): its figures, its columns and its
# paragraph of methodology, as they were frozen.
LEGACY_SNAPSHOT = {
    "metadata": {
        "schema": 1, "year": 2025, "semester": 2, "label": "S2 2025", "period_start": "2025-07-01",
        "period_end": "2025-12-31", "generated_at": "2026-01-05T10:00:00+01:00", "as_of": "2026-01-05",
        "methodology": "Réclamations : requêtes reçues pendant le semestre (ancienne méthodologie, §6.3.2).",
    },
    "grievances": {
        "total": {
            "received": 40, "complaints": 38, "not_complaints": 2, "founded": 20, "unfounded": 10, "treated": 35,
            "treated_rate": 87.5, "open": 5, "overdue": 1, "treated_within_deadline_rate": 80.0,
            "average_delay_days": 9.5, "median_delay_days": 9.0, "appeals": 1, "duplicates": 2,
        },
        "by_programme": [], "by_channel_group": [], "by_region": [], "by_sex": [], "by_month": [], "by_category": [],
    },
    "activities": {"total": {}, "by_type": [], "by_programme": [], "items": []},
    "concerns": [],
    "campaigns": {"items": [], "planned_total": "0.00", "actual_total": "0.00", "execution_rate": None},
    "corrective_actions": [],
    "sensitive_cases": {"received": 0, "referred": 0, "referred_within_deadline": 0, "by_perpetrator_linked": []},
}  # fmt: skip


def test_a_report_frozen_before_the_dictionary_keeps_its_figures_and_a_new_version_says_it_uses_version_2(
    client, leila, omar, walk
):
    frozen = SemesterReport.objects.create(year=2025, semester=2, version=1, created_by=leila)
    SemesterReport.objects.filter(pk=frozen.pk).update(
        status=SemesterReport.Status.APPROVED,
        approved_by=leila,
        approved_at=timezone.now(),
        snapshot=copy.deepcopy(LEGACY_SNAPSHOT),
    )
    frozen.refresh_from_db()
    client.force_login(omar)
    shown = _tables(client.get(reverse("reporting:report_detail", args=[frozen.pk])))
    assert shown["grievances"][0][:2] == ["S2 2025", "40"]  # the old columns: received, complaints…
    assert shown["grievances"][0][7] == "87,5"  # treated rate, as it was approved
    assert "methodology" not in shown
    metadata = dict(row[:2] for row in shown["metadata"])
    assert metadata["Méthodologie"] == LEGACY_SNAPSHOT["metadata"]["methodology"]

    version_2 = semester_report_new_version(report=frozen, actor=leila, reason="Dictionnaire des indicateurs v2")
    version_2 = _approve(version_2, leila)
    assert version_2.snapshot["metadata"]["schema"] == 2
    assert version_2.snapshot["metadata"]["metrics_version"] == 2
    shown = _tables(client.get(reverse("reporting:report_detail", args=[version_2.pk])))
    metadata = dict(row[:2] for row in shown["metadata"])
    assert "version 2" in metadata["Méthodologie"]
    assert shown["methodology"][0][0] == "Population et volumes"
    frozen.refresh_from_db()
    assert frozen.snapshot == LEGACY_SNAPSHOT


def test_the_snapshot_is_plain_json(leila, semester, workshop, campaign, late_action, walk):
    walk.closed()
    report = _approve(semester_report_start(actor=leila, year=semester[0], semester=semester[1]), leila)
    report.refresh_from_db()
    assert json.loads(json.dumps(report.snapshot)) == report.snapshot
    meta = report.snapshot["metadata"]
    assert meta["period_start"].endswith("-01-01") or meta["period_start"].endswith("-07-01")
    assert isinstance(report.snapshot["campaigns"]["planned_total"], str)
    assert isinstance(report.snapshot["corrective_actions"][0]["due_on"], str)
    months = [row["key"] for row in report.snapshot["grievances"]["by_month"]]
    assert len(months) == 6
    assert all(re.fullmatch(r"\d{4}-\d{2}", month) for month in months)


def _sensitive(salma, tayssir, phone, *, linked="unknown", nature="Propos déplacés du releveur"):
    return grievance_register(
        actor=salma,
        programme=tayssir,
        channel=phone,
        description="Signalement",
        sensitive=SensitiveDetails(nature=nature, perpetrator_linked=linked),
    ).sensitive_case


def test_gbv_figures_are_anonymous_counts_with_small_cells_hidden(client, salma, leila, omar, tayssir, phone, semester):
    cases = [_sensitive(salma, tayssir, phone) for _ in range(3)]
    report = _approve(semester_report_start(actor=leila, year=semester[0], semester=semester[1]), leila)
    gbv = report.snapshot["sensitive_cases"]
    assert gbv["received"] == SUPPRESSED
    assert gbv["referred"] == SUPPRESSED
    assert all(row["count"] == SUPPRESSED for row in gbv["by_perpetrator_linked"])

    serialised = json.dumps(report.snapshot, ensure_ascii=False)
    client.force_login(omar)
    page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    download = b"".join(client.get(reverse("reporting:report_download", args=[report.pk, "csv"])).streaming_content)
    for text in (serialised, page, download.decode("utf-8-sig")):
        assert "Propos déplacés" not in text
        assert all(case.reference not in text for case in cases)
    assert '<td class="text-end text-nowrap">3</td>' not in page
    assert "&lt;5" in page


def test_gbv_counts_of_five_or_more_are_shown(salma, leila, tayssir, phone, semester):
    for _ in range(6):
        _sensitive(salma, tayssir, phone, linked="no")
    gbv = assemble_semester_report(user=leila, year=semester[0], semester=semester[1])["sensitive_cases"]
    assert gbv["received"] == 6
    assert {row["key"]: row["count"] for row in gbv["by_perpetrator_linked"]} == {
        "yes": SUPPRESSED,
        "no": 6,
        "unknown": SUPPRESSED,
    }


def test_a_small_count_that_subtraction_would_reveal_is_hidden_too():
    linked = Partition("received", ("yes", "no", "unknown"))
    shown = protect_small_cells({"received": 13, "yes": 3, "no": 5, "unknown": 5}, (linked,))
    assert shown == {"received": 13, "yes": SUPPRESSED, "no": SECONDARY_SUPPRESSED, "unknown": 5}
    # Two hidden cells: their split cannot be recovered, nothing more is hidden.
    shown = protect_small_cells({"received": 12, "yes": 3, "no": 1, "unknown": 8}, (linked,))
    assert shown == {"received": 12, "yes": SUPPRESSED, "no": SUPPRESSED, "unknown": 8}
    # 8 received, 6 referred: the 2 not referred would be recovered, so « referred » is hidden.
    referred = Partition("received", ("referred",), unshown_rest=2)
    assert protect_small_cells({"received": 8, "referred": 6}, (referred,))["referred"] == SECONDARY_SUPPRESSED
    # All referred: a rest of zero points at no one.
    referred = Partition("received", ("referred",), unshown_rest=0)
    assert protect_small_cells({"received": 8, "referred": 8}, (referred,))["referred"] == 8


def test_grievances_flagged_sensitive_and_duplicates_are_not_counted(walk, leila, semester):
    walk.register()
    walk.duplicate()
    walk.sensitive()
    total = assemble_semester_report(user=leila, year=semester[0], semester=semester[1])["grievances"]["total"]
    assert (total["received"], total["duplicates"]) == (3 - 1, 1)


# --- history and downloads -------------------------------------------------------------------------------


def test_every_step_is_in_history_with_who_and_why(leila, semester):
    first = _approve(semester_report_start(actor=leila, year=semester[0], semester=semester[1]), leila)
    second = semester_report_new_version(report=first, actor=leila, reason="Réclamations saisies en retard")
    label = f"S{semester[1]} {semester[0]}"
    reasons = [(row.history_user, row.history_change_reason) for row in first.history.order_by("history_id")]
    assert reasons == [
        (leila, f"Rapport {label} : brouillon ouvert (version 1)"),
        (leila, f"Rapport {label} approuvé : chiffres figés (version 1)"),
    ]
    [row] = second.history.all()
    assert row.history_user == leila
    assert row.history_change_reason == (
        f"Rapport {label} : version 2 ouverte, remplace la version 1 — Réclamations saisies en retard"
    )


def test_the_xlsx_download_has_one_sheet_per_section(client, leila, omar, semester):
    report = _approve(semester_report_start(actor=leila, year=semester[0], semester=semester[1]), leila)
    client.force_login(omar)
    response = client.get(reverse("reporting:report_download", args=[report.pk, "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        f'filename="rapport-semestriel-S{semester[1]}-{semester[0]}-v1.xlsx"'
    )
    with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
        names = re.findall(r'<sheet name="([^"]+)"', workbook.read("xl/workbook.xml").decode())
    assert len(names) == len(selectors.semester_report_tables(report.snapshot))
    assert "VBG-EAS-HS" in names
    assert all(len(name) <= 31 for name in names)


def test_an_unknown_download_format_is_not_found(client, leila, semester):
    report = semester_report_start(actor=leila, year=semester[0], semester=semester[1])
    client.force_login(leila)
    assert client.get(reverse("reporting:report_download", args=[report.pk, "docx"])).status_code == 404


def test_the_focal_point_starts_a_report_through_the_form(client, leila, semester):
    client.force_login(leila)
    response = client.post(reverse("reporting:report_start"), {"year": semester[0], "semester": semester[1]})
    report = SemesterReport.objects.get()
    assert response["Location"] == reverse("reporting:report_detail", args=[report.pk])
    again = client.post(reverse("reporting:report_start"), {"year": semester[0], "semester": semester[1]})
    assert again.status_code == 200
    assert "déjà en préparation" in again.content.decode()


def test_same_named_categories_of_two_programmes_are_counted_apart(walk, leila, semester, tayssir):
    daam = Programme.objects.get(code="daam")
    walk.register(category=ComplaintCategory.objects.get(programme=tayssir, name="Autre"))
    walk.register(category=ComplaintCategory.objects.get(programme=tayssir, name="Autre"))
    walk.register(programme=daam, category=ComplaintCategory.objects.get(programme=daam, name="Autre"))
    rows = assemble_semester_report(user=leila, year=semester[0], semester=semester[1])["grievances"]["by_category"]
    assert [(row["key"], row["names"]["fr"], row["received"]) for row in rows] == [
        ("daam/autre", "DAAM · Autre", 1),
        ("tayssir/autre", "Tayssir · Autre", 2),
    ]


def test_the_xlsx_draws_native_excel_charts_of_the_grievance_figures(client, walk, leila, semester):
    walk.register()
    walk.closed()
    report = _approve(semester_report_start(actor=leila, year=semester[0], semester=semester[1]), leila)
    client.force_login(leila)
    response = client.get(reverse("reporting:report_download", args=[report.pk, "xlsx"]))
    with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
        charts = [name for name in workbook.namelist() if name.startswith("xl/charts/chart")]
        month_chart = next(
            workbook.read(name).decode() for name in charts if "<c:barChart>" in workbook.read(name).decode()
        )
    assert len(charts) >= 3
    assert "<c:barDir val=" in month_chart
