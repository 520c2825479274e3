"""Stored import files are deleted at the end of the retention period (Law 09-08; issue 17, item d).

An uploaded export holds CNIE numbers, phones and names. Once the import's last step (upload,
dry run or import) is older than PMPP_RETENTION_DAYS, `anonymise_personal_data` deletes the
stored file, the original name (often a person's) and the error detail; the job keeps its
source, channel, state, dates and counts. The grievances it created keep their own clock.
"""

import io
import os
from datetime import timedelta

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from imports.models import ImportJob
from tests.imports.conftest import MIXED_ERRORS, csv_file, imported, last_job, mixed_rows, upload

pytestmark = pytest.mark.django_db

SIX_YEARS = timedelta(days=6 * 365)
FILE_NAME = "plaintes Fatima Zahra El Amrani.csv"
KEPT = (
    "created_by_id", "created_at", "source", "channel_id", "file_format", "status", "rows", "processed",
    "valid_rows", "invalid_rows", "created_count", "already_imported", "validated_at", "finished_at",
)  # fmt: skip


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("anonymise_personal_data", *args, stdout=out)
    return out.getvalue()


def imported_job(client, *, name: str = FILE_NAME) -> ImportJob:
    """An export uploaded, dry-run and imported through the screens: a real file on the storage."""
    upload(client, csv_file(mixed_rows(), name=name))
    job = last_job()
    client.post(f"/reclamations/imports/{job.pk}/importer/")
    job.refresh_from_db()
    return job


def age(job: ImportJob, by: timedelta = SIX_YEARS) -> None:
    """Move the job's dates `by` into the past (the job has no history: a plain UPDATE)."""
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=F("created_at") - by, validated_at=F("validated_at") - by, finished_at=F("finished_at") - by
    )


def kept(job: ImportJob) -> dict:
    return ImportJob.objects.filter(pk=job.pk).values(*KEPT).get()


def test_an_import_past_the_retention_period_loses_its_file_and_keeps_its_counts(agent_client, media):
    job = imported_job(agent_client)
    age(job)
    stored = media / job.file.name
    assert stored.exists()
    assert b"Fatima Zahra El Amrani" in stored.read_bytes()
    assert job.errors == MIXED_ERRORS
    before = kept(job)
    grievances = [(g.pk, g.complainant_cnie) for g in imported()]

    output = run()

    job.refresh_from_db()
    assert not stored.exists()
    assert (job.file.name, job.original_name, job.errors) == ("", "", [])
    assert kept(job) == before
    assert (before["created_count"], before["invalid_rows"]) == (2, 4)
    assert "Fatima" not in repr(ImportJob.objects.filter(pk=job.pk).values().get())
    # The grievances it created were received days ago: their own retention has not started.
    assert [(g.pk, g.complainant_cnie) for g in imported()] == grievances
    assert "1 import(s) sans fichier : 1 fichier(s) supprimé(s)" in output


def test_the_clock_runs_from_the_import_s_last_step(agent_client, media):
    recent = imported_job(agent_client)
    age(recent, by=timedelta(days=400))
    # Uploaded six years ago, imported a year ago: kept for the retention period from the import.
    uploaded_long_ago = imported_job(agent_client)
    ImportJob.objects.filter(pk=uploaded_long_ago.pk).update(created_at=F("created_at") - SIX_YEARS)
    ImportJob.objects.filter(pk=uploaded_long_ago.pk).update(
        validated_at=F("validated_at") - timedelta(days=400), finished_at=F("finished_at") - timedelta(days=400)
    )

    output = run()

    assert "aucun fichier d'import à supprimer" in output
    for job in (recent, uploaded_long_ago):
        assert (media / job.file.name).exists()
        assert ImportJob.objects.get(pk=job.pk).original_name == FILE_NAME


def test_a_dry_run_counts_the_files_and_deletes_nothing(agent_client, media):
    job = imported_job(agent_client)
    age(job)

    output = run("--dry-run")

    assert "1 fichier(s) d'import et 0 fichier(s) d'import orphelin(s) seraient supprimés" in output
    assert (media / job.file.name).exists()
    assert ImportJob.objects.get(pk=job.pk).original_name == FILE_NAME


def test_a_second_run_finds_nothing_left(agent_client):
    age(imported_job(agent_client))
    run()

    assert "aucun fichier d'import à supprimer" in run()


def test_a_validated_import_whose_file_was_deleted_says_so_and_cannot_run(agent_client, media):
    upload(agent_client, csv_file(mixed_rows(), name=FILE_NAME))
    job = last_job()
    assert job.status == ImportJob.Status.VALIDATED
    age(job)
    run()

    page = agent_client.get(f"/reclamations/imports/{job.pk}/")
    refused = agent_client.post(f"/reclamations/imports/{job.pk}/importer/", follow=True)

    assert "Supprimé au terme de la durée de conservation" in page.text
    assert FILE_NAME not in page.text
    assert 'id="run-import"' not in page.text
    assert "a été supprimé (durée de conservation écoulée)" in refused.text
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.VALIDATED
    assert imported() == []


def test_a_file_that_cannot_be_deleted_leaves_its_job_whole_and_the_command_fails(agent_client, media, monkeypatch):
    first = imported_job(agent_client)
    second = imported_job(agent_client, name="second.csv")
    for job in (first, second):
        age(job)
    original_delete = FileSystemStorage.delete

    def delete_refused_for_the_first(self, name):
        if name == first.file.name:
            raise PermissionError(13, "Permission denied")
        return original_delete(self, name)

    monkeypatch.setattr(FileSystemStorage, "delete", delete_refused_for_the_first)
    with pytest.raises(CommandError, match=f"imports n° {first.pk}"):
        run()

    assert (media / first.file.name).exists()
    assert ImportJob.objects.get(pk=first.pk).original_name == FILE_NAME
    assert not (media / second.file.name).exists()
    assert ImportJob.objects.get(pk=second.pk).file.name == ""

    monkeypatch.undo()
    assert "1 import(s) sans fichier : 1 fichier(s) supprimé(s)" in run()
    assert not (media / first.file.name).exists()


def test_a_batch_rolled_back_after_its_files_went_is_finished_by_the_next_run(agent_client, media, monkeypatch):
    job = imported_job(agent_client)
    age(job)
    stored = media / job.file.name

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(ImportJob, "save", failing_save)
    with pytest.raises(RuntimeError):
        run()
    monkeypatch.undo()

    # The file went, the job was not marked: the next run finds the file missing and finishes.
    assert not stored.exists()
    assert ImportJob.objects.get(pk=job.pk).original_name == FILE_NAME
    output = run()
    assert "1 import(s) sans fichier : 0 fichier(s) supprimé(s), 1 déjà absent(s)" in output
    assert ImportJob.objects.get(pk=job.pk).file.name == ""


def test_a_stored_file_no_import_names_is_deleted_once_past_the_retention_period(media):
    directory = media / "imports"
    directory.mkdir(parents=True)
    old, young = directory / "0123abcd.csv", directory / "4567ef01.csv"
    for orphan in (old, young):
        orphan.write_bytes(b"CNIE;Nom\nAB123456;Fatima Zahra El Amrani\n")
    six_years_ago = (timezone.now() - SIX_YEARS).timestamp()
    os.utime(old, (six_years_ago, six_years_ago))

    output = run()

    assert not old.exists()
    assert young.exists()  # maybe an upload whose job is being saved right now
    assert "1 fichier(s) orphelin(s) supprimé(s)" in output
