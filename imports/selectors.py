"""Reads of the file imports."""

from datetime import datetime

from django.core.files.storage import Storage
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from imports.models import IMPORT_DIRECTORY, ImportJob


def import_job_list_for_user(*, user) -> QuerySet[ImportJob]:
    """A user's own imports: the file may hold personal data, so no one else's are listed."""
    return ImportJob.objects.filter(created_by=user).select_related("channel")


def import_job_get_for_user(*, user, pk: int) -> ImportJob:
    try:
        return import_job_list_for_user(user=user).select_related("created_by").get(pk=pk)
    except ImportJob.DoesNotExist as error:
        raise Http404 from error


def import_jobs_due_for_file_deletion(*, cutoff: datetime) -> QuerySet[ImportJob]:
    """Jobs whose stored file is still there and whose last step is older than `cutoff`.

    The last step is the import, else the dry run, else the upload: what the file was kept for.
    """
    return (
        ImportJob.objects.exclude(file="")
        .alias(last_step=Coalesce("finished_at", "validated_at", "created_at"))
        .filter(last_step__lt=cutoff)
        .order_by("pk")
    )


def import_file_storage() -> Storage:
    return ImportJob._meta.get_field("file").storage


def import_orphan_files(*, cutoff: datetime) -> list[str]:
    """Stored import files that no job names, last written before `cutoff`.

    An upload whose job was never saved (the database refused it after the file was stored)
    leaves one; a file younger than `cutoff` may be an upload whose job is being saved now.
    """
    storage = import_file_storage()
    try:
        _directories, names = storage.listdir(IMPORT_DIRECTORY)
    except FileNotFoundError:
        return []
    named = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    paths = (f"{IMPORT_DIRECTORY}/{name}" for name in sorted(names))
    return [path for path in paths if path not in named and storage.get_modified_time(path) < cutoff]
