"""Reads of the file imports."""

from django.db.models import QuerySet
from django.http import Http404

from imports.models import ImportJob


def import_job_list_for_user(*, user) -> QuerySet[ImportJob]:
    """A user's own imports: the file may hold personal data, so no one else's are listed."""
    return ImportJob.objects.filter(created_by=user).select_related("channel")


def import_job_get_for_user(*, user, pk: int) -> ImportJob:
    try:
        return import_job_list_for_user(user=user).select_related("created_by").get(pk=pk)
    except ImportJob.DoesNotExist as error:
        raise Http404 from error
