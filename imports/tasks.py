"""Background runs of large imports, executed by the task worker (`manage.py db_worker`)."""

from django.tasks import task

from imports.models import ImportJob


@task()
def run_import_job(*, job_id: int, mode: str) -> None:
    """Run the dry run (`mode="validate"`) or the real import of a job too large for a request."""
    from imports.services import import_job_process

    job = ImportJob.objects.select_related("created_by", "channel").get(pk=job_id)
    expected = ImportJob.Status.VALIDATING if mode == "validate" else ImportJob.Status.IMPORTING
    if job.status != expected:
        return  # already run (a retried task must not import twice)
    import_job_process(job=job)
