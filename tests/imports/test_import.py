"""The real import creates the good rows through the intake door; a second import creates nothing."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grievances.models import Grievance
from grievances.services.intake import due_dates
from imports import services
from imports.models import ImportJob
from pmpp.models import Channel
from tests.imports.conftest import (
    CALL_CENTRE_HEADER,
    MEDIATEUR_HEADER,
    MIXED_ERRORS,
    csv_file,
    good_row,
    imported,
    last_job,
    mixed_rows,
    upload,
)


def _import(client, job):
    return client.post(f"/reclamations/imports/{job.pk}/importer/")


def test_the_real_import_creates_the_good_rows_and_skips_the_bad_ones(agent_client, salma):
    upload(agent_client, csv_file(mixed_rows()))
    job = last_job()

    response = _import(agent_client, job)

    job.refresh_from_db()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.invalid_rows, job.already_imported) == (2, 4, 0)
    assert job.errors == MIXED_ERRORS
    assert job.progress_percent == 100
    chikaya = Channel.objects.get(code="chikaya")
    first, second = imported()
    assert [g.external_reference for g in (first, second)] == ["CHK-2026-00001", "CHK-2026-00002"]
    for grievance in (first, second):
        assert grievance.channel == chikaya
        assert grievance.created_by == salma
        assert grievance.reference.startswith("TAY-")
        assert grievance.category.code == "paiement-non-recu"
        assert grievance.region.code == "06"
        assert grievance.complainant_sex == "female"
        assert grievance.complainant_phone == "+212612345678"
        # chikaya.ma: the date the complaint was put online starts the clock (§6.3.1).
        assert abs(grievance.received_at - (timezone.now() - timedelta(days=3))) < timedelta(minutes=2)
        assert (grievance.due_on, grievance.acknowledgement_due_on) == due_dates(
            programme=grievance.programme, channel=chikaya, received_at=grievance.received_at
        )
        entry = grievance.history.get()
        assert entry.history_user == salma
        assert entry.history_change_reason == f"Enregistrement ({chikaya.name})"


def test_importing_the_same_file_again_creates_nothing_and_counts_them_already_imported(agent_client):
    upload(agent_client, csv_file(mixed_rows()))
    _import(agent_client, last_job())
    before = sorted(Grievance.objects.values_list("pk", flat=True))

    upload(agent_client, csv_file(mixed_rows()))
    second = last_job()
    assert (second.status, second.valid_rows, second.already_imported) == (ImportJob.Status.VALIDATED, 0, 2)
    page = agent_client.get(f"/reclamations/imports/{second.pk}/").content.decode()
    assert 'id="run-import"' not in page  # nothing left to import
    _import(agent_client, second)

    second.refresh_from_db()
    assert second.status == ImportJob.Status.DONE
    assert (second.created_count, second.already_imported, second.invalid_rows) == (0, 2, 4)
    assert sorted(Grievance.objects.values_list("pk", flat=True)) == before


def test_the_import_runs_only_after_the_dry_run(salma, media):
    job = services.import_job_create(actor=salma, source="chikaya", uploaded_file=csv_file([good_row(1)]))

    with pytest.raises(ValidationError):
        services.import_job_import(job=job, actor=salma)
    assert Grievance.objects.count() == 0


def test_an_import_cannot_run_twice(agent_client):
    upload(agent_client, csv_file([good_row(1)]))
    job = last_job()
    _import(agent_client, job)

    response = _import(agent_client, job)

    assert Grievance.objects.count() == 1
    assert "Cette étape n&#x27;est pas possible" in agent_client.get(response["Location"]).content.decode()


def test_mediateur_rows_get_the_date_of_transmission_and_sixty_days(agent_client):
    row = good_row(1, days=10)
    row[0] = "MED/2026/778"

    upload(agent_client, csv_file([row], header=MEDIATEUR_HEADER), source="mediateur")
    _import(agent_client, last_job())

    (grievance,) = imported()
    mediateur = Channel.objects.get(code="mediateur")
    assert grievance.channel == mediateur
    assert grievance.external_reference == "MED/2026/778"
    assert timezone.localtime(grievance.received_at).strftime("%Y-%m-%d %H:%M") == row[1]
    assert (
        grievance.due_on
        == due_dates(programme=grievance.programme, channel=mediateur, received_at=grievance.received_at)[0]
    )
    assert (grievance.due_on - timezone.localdate(grievance.received_at)).days >= 60


def test_call_centre_rows_keep_the_date_of_the_call(agent_client):
    row = good_row(1, days=2)
    row[0] = "APP-88123"

    upload(agent_client, csv_file([row], header=CALL_CENTRE_HEADER), source="call-centre")
    _import(agent_client, last_job())

    (grievance,) = imported()
    assert grievance.channel.code == "call-centre"
    assert grievance.external_reference == "APP-88123"
    # §6.3.1: a call is received when the agent initiates it — in the call centre's own tool.
    assert timezone.now() - grievance.received_at > timedelta(days=1, hours=23)
    assert grievance.due_on == (timezone.localdate(grievance.received_at) + timedelta(days=10))


def test_an_anonymous_row_is_imported_without_identity(agent_client):
    row = good_row(1)
    row[5:8] = ["", "", ""]
    row[10] = "oui"

    upload(agent_client, csv_file([row]))
    _import(agent_client, last_job())

    (grievance,) = imported()
    assert grievance.is_anonymous
    assert grievance.complainant_cnie == ""


def test_a_row_matching_an_open_complaint_is_linked_as_a_duplicate(agent_client):
    first, second = good_row(1), good_row(2)
    second[5] = first[5]  # same CNIE, same programme and category

    upload(agent_client, csv_file([first, second]))
    _import(agent_client, last_job())

    original, duplicate = imported()
    assert duplicate.duplicate_of == original
    assert isinstance(original.received_at, datetime)
