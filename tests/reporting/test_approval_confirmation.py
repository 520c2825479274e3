"""Approving a report freezes its figures: confirmed first, and acknowledged for an unfinished semester (issue 20)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reporting.models import SemesterReport
from reporting.services import semester_report_approve, semester_report_start

pytestmark = pytest.mark.django_db
Status = SemesterReport.Status


@pytest.fixture
def finished(leila):
    """The draft of a semester that is over: the first semester of last year."""
    return semester_report_start(actor=leila, year=timezone.localdate().year - 1, semester=1)


@pytest.fixture
def unfinished(leila, semester):
    """The draft of today's semester, which has not ended."""
    return semester_report_start(actor=leila, year=semester[0], semester=semester[1])


def _status(report) -> str:
    report.refresh_from_db()
    return report.status


def test_the_service_refuses_to_approve_without_the_confirmation(leila, finished):
    with pytest.raises(ValidationError, match="Confirmez l'approbation"):
        semester_report_approve(report=finished, actor=leila)
    assert _status(finished) == Status.DRAFT


def test_the_service_refuses_an_unfinished_semester_without_the_acknowledgement(leila, unfinished):
    with pytest.raises(ValidationError, match="n'est pas terminé"):
        semester_report_approve(report=unfinished, actor=leila, confirmed=True)
    assert _status(unfinished) == Status.DRAFT

    semester_report_approve(report=unfinished, actor=leila, confirmed=True, unfinished_semester_acknowledged=True)
    assert _status(unfinished) == Status.APPROVED


def test_a_finished_semester_is_approved_with_the_plain_confirmation(client, leila, finished):
    client.force_login(leila)
    url = reverse("reporting:report_approve", args=[finished.pk])

    page = client.get(url).content.decode()
    assert 'id="unfinished-semester"' not in page

    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert _status(finished) == Status.APPROVED


def test_the_approval_page_warns_of_an_unfinished_semester_and_needs_the_acknowledgement(client, leila, unfinished):
    client.force_login(leila)
    url = reverse("reporting:report_approve", args=[unfinished.pk])
    end = unfinished.period.end.strftime("%d/%m/%Y")

    page = client.get(url).content.decode()
    assert f"Le semestre {unfinished.label} n'est pas terminé : il se termine le {end}." in page
    assert 'name="unfinished_semester" value="acknowledged"' in page

    refused = client.post(url, {"confirm": "yes"})
    assert refused.status_code == 200
    assert "cochez la case qui le reconnaît" in refused.content.decode()
    assert _status(unfinished) == Status.DRAFT

    approved = client.post(url, {"confirm": "yes", "unfinished_semester": "acknowledged"})
    assert approved.status_code == 302
    assert _status(unfinished) == Status.APPROVED
