"""Writes of the file imports: upload, dry run, real import (issue 7, item 3).

Every row goes through `grievance_register`, the one intake door (PMPP §6.1, §6.3.1), with
the source's reference as `external_reference`. The database refuses a second grievance
with the same (channel, external reference), so importing a file twice creates nothing the
second time: rows already there are counted « déjà importée ».

The dry run calls the very same service, each row inside a savepoint that is rolled back:
the checks are exactly those of the real import (identity, dates by channel rule, deadline
policy, reference counter) and nothing is written. The real import gives each row its own
transaction, so a bad row never undoes the good ones, and saves the progress every
`PROGRESS_EVERY` rows for the progress bar.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances.models import Grievance
from grievances.services.attachments import validate_upload_size
from grievances.services.intake import grievance_register
from imports import mapping, parsing
from imports.models import ImportJob
from imports.selectors import import_file_storage, import_jobs_due_for_file_deletion, import_orphan_files
from pmpp.models import Channel

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 50
IMPORT_PERMISSION = "imports.run_import"


def user_can_import(user) -> bool:
    """An import registers complaints: it takes the import right and the intake right."""
    return (
        user.is_authenticated
        and user.is_active
        and user.has_perm(IMPORT_PERMISSION)
        and user.has_perm("grievances.register_grievance")
    )


def sync_row_limit() -> int:
    # Read at call time so that a deployment or a test can change it.
    return int(getattr(settings, "PMPP_IMPORT_SYNC_ROWS", 500))


def _check_actor(actor) -> None:
    if not user_can_import(actor):
        raise PermissionDenied(_("Vous n'êtes pas autorisé·e à importer des réclamations."))


def _raw(uploaded: UploadedFile) -> IO[bytes]:
    return getattr(uploaded, "file", uploaded)


def import_job_create(*, actor, source: str, uploaded_file: UploadedFile) -> ImportJob:
    """Store an uploaded export after checking its size, type (by content) and columns."""
    _check_actor(actor)
    if source not in ImportJob.Source.values:
        raise ValidationError({"source": _("Source inconnue.")})
    size = uploaded_file.size or 0
    if size == 0:
        raise ValidationError({"file": _("Le fichier est vide.")})
    try:
        validate_upload_size(uploaded_file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    stream = _raw(uploaded_file)
    file_format = parsing.detect_format(stream)
    header = parsing.header_of(stream, file_format)
    _index, missing = mapping.headers_index(source=source, header=header)
    if missing:
        raise ValidationError(
            {
                "file": _("Colonnes obligatoires absentes pour cette source : %(columns)s.")
                % {"columns": ", ".join(f"« {name} »" for name in missing)}
            }
        )
    rows = parsing.count_rows(stream, file_format)
    if rows == 0:
        raise ValidationError({"file": _("Le fichier ne contient aucune ligne de données.")})
    stream.seek(0)
    job = ImportJob(
        created_by=actor,
        source=source,
        channel=Channel.objects.get(code=source),
        original_name=(uploaded_file.name or "")[:255],
        file_format=file_format,
        rows=rows,
    )
    # upload_to ignores the name given here: the stored file gets a random one.
    job.file.save("import", uploaded_file, save=False)
    job.save()
    logger.info("Import job %s uploaded: %s rows (%s)", job.pk, rows, source)
    return job


def import_job_validate(*, job: ImportJob, actor) -> ImportJob:
    """Start the dry run: in the request for a small file, in the task worker otherwise."""
    _check_actor(actor)
    return _start(job=job, actor=actor, expected=ImportJob.Status.UPLOADED, running=ImportJob.Status.VALIDATING)


def import_job_import(*, job: ImportJob, actor) -> ImportJob:
    """Start the real import, allowed only once the dry run is done."""
    _check_actor(actor)
    return _start(job=job, actor=actor, expected=ImportJob.Status.VALIDATED, running=ImportJob.Status.IMPORTING)


def _start(*, job: ImportJob, actor, expected: str, running: str) -> ImportJob:
    with transaction.atomic():
        # Locked so that a double click cannot start the same import twice.
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.created_by_id != actor.pk:
            raise PermissionDenied(_("Cet import a été déposé par une autre personne."))
        if locked.status != expected:
            raise ValidationError(
                _("Cette étape n'est pas possible dans l'état « %(status)s ».")
                % {"status": locked.get_status_display()}
            )
        if not locked.file:
            raise ValidationError(
                _("Le fichier de cet import a été supprimé (durée de conservation écoulée) : déposez-le à nouveau.")
            )
        locked.status = running
        locked.processed = 0
        locked.save(update_fields=["status", "processed"])
        background = locked.rows > sync_row_limit()
        if background:
            from imports.tasks import run_import_job

            mode = "validate" if running == ImportJob.Status.VALIDATING else "import"
            transaction.on_commit(lambda: run_import_job.enqueue(job_id=locked.pk, mode=mode))
    if not background:
        import_job_process(job=locked, reraise=False)
    locked.refresh_from_db()
    return locked


def import_job_process(*, job: ImportJob, reraise: bool = True) -> ImportJob:
    """Run the dry run or the import a job is set to (called in the request or by the task).

    An unexpected error marks the job failed. The task re-raises it so that the task result
    records the traceback; the request does not, so the user sees the failed job, not a 500.
    """
    if job.status not in (ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING):
        raise ValidationError(_("Cet import n'est pas en attente de traitement."))
    write = job.status == ImportJob.Status.IMPORTING
    try:
        _process(job=job, write=write)
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.failure = _("Erreur inattendue pendant le traitement ; les lignes déjà importées sont conservées.")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "failure", "finished_at"])
        if reraise:
            raise
    return job


def _service_column(source: str, key: str) -> str:
    field = mapping.SERVICE_FIELDS.get(key, key)
    if field in mapping.COLUMNS[source]:
        return mapping.column(source, field)
    return "—"


def _process(*, job: ImportJob, write: bool) -> None:
    actor = job.created_by
    refs = mapping.ReferenceData.load()
    scope = actor.programme_scope()
    counters = {"processed": 0, "valid_rows": 0, "invalid_rows": 0, "created_count": 0, "already_imported": 0}
    errors: list[list] = []
    seen: dict[str, int] = {}

    def save_progress(*extra: str) -> None:
        for name, value in counters.items():
            setattr(job, name, value)
        job.errors = errors
        job.save(update_fields=[*counters, "errors", *extra])

    with job.file.open("rb") as stored:
        stream = stored.file
        index, _missing = mapping.headers_index(source=job.source, header=parsing.header_of(stream, job.file_format))
        for row in parsing.read_rows(stream, job.file_format):
            counters["processed"] += 1
            row_errors = _process_row(
                job=job,
                row=row,
                index=index,
                refs=refs,
                scope=scope,
                seen=seen,
                write=write,
                counters=counters,
            )
            if row_errors:
                counters["invalid_rows"] += 1
                errors.extend(row_errors)
            if counters["processed"] % PROGRESS_EVERY == 0:
                save_progress()
    # The file's row count was taken at upload; a row count is what the bar divides by.
    job.rows = max(job.rows, counters["processed"])
    now = timezone.now()
    if write:
        job.status, job.finished_at = ImportJob.Status.DONE, now
        save_progress("rows", "status", "finished_at")
    else:
        job.status, job.validated_at = ImportJob.Status.VALIDATED, now
        save_progress("rows", "status", "validated_at")
    logger.info(
        "Import job %s %s: %s valid, %s invalid, %s created, %s already imported",
        job.pk,
        "imported" if write else "validated",
        counters["valid_rows"],
        counters["invalid_rows"],
        counters["created_count"],
        counters["already_imported"],
    )


def _process_row(*, job, row, index, refs, scope, seen, write, counters) -> list[list]:
    source = job.source
    try:
        data = mapping.row_to_intake(source=source, index=index, values=row.values, refs=refs)
    except mapping.RowError as error:
        return [[row.number, error.field, error.message]]
    if not (job.created_by.is_superuser or scope.covers(data["programme"].pk)):
        return [[row.number, mapping.column(source, "programme"), _("Programme hors de votre périmètre.")]]
    reference = data["external_reference"]
    if reference in seen:
        return [
            [
                row.number,
                mapping.column(source, "external_reference"),
                _("Référence en double dans le fichier (déjà ligne %(row)s).") % {"row": seen[reference]},
            ]
        ]
    seen[reference] = row.number
    if Grievance.objects.filter(channel=job.channel, external_reference=reference).exists():
        counters["already_imported"] += 1
        return []
    try:
        with transaction.atomic():
            # Every source dates its rows in its own system: chikaya.ma when put online, the
            # Médiateur when transmitted, the call centre when its agent took the call (§6.3.1).
            grievance_register(actor=job.created_by, channel=job.channel, recorded_elsewhere=True, **data)
            if not write:
                transaction.set_rollback(True)
    except ValidationError as error:
        return [
            [row.number, _service_column(source, key), message]
            for key, messages in (error.message_dict if hasattr(error, "error_dict") else {"": error.messages}).items()
            for message in messages
        ]
    except IntegrityError:
        # Imported by someone else between the check above and this row: the constraint
        # on (channel, external reference) keeps it single.
        counters["already_imported"] += 1
        return []
    counters["valid_rows"] += 1
    if write:
        counters["created_count"] += 1
    return []


# --- retention (Law 09-08) ----------------------------------------------------------------------------


@dataclass
class ImportFilesResult:
    jobs: int = 0
    files_deleted: int = 0
    files_missing: int = 0
    orphans_deleted: int = 0
    failed_job_ids: list[int] = field(default_factory=list)


def import_files_forget(
    *, cutoff: datetime, batch_size: int = 200, progress: Callable[[int, int], None] | None = None
) -> ImportFilesResult:
    """Delete the stored file of every import whose last step is older than `cutoff` (Law 09-08).

    The file holds CNIE numbers, phones, names and complaints as the source exported them, its
    original name may be a complainant's, and the error detail points into its rows: all three
    go. The job stays, with its source, channel, state, dates and counts. The grievances it
    created have their own retention (privacy.anonymisation).

    Each batch is one transaction: the jobs are locked, each file deleted, then its job emptied.
    A file that cannot be deleted leaves its job as it was, named in `failed_job_ids`, for the
    next run; a batch rolled back after deleting files leaves jobs whose file is already gone,
    which the next run finds missing and empties. So a job is never marked done while its file
    is still stored, and running the command again finishes the work. Files no job names
    (an upload whose job was never saved) and older than `cutoff` are deleted last.
    """
    result = ImportFilesResult()
    storage = import_file_storage()
    ids = list(import_jobs_due_for_file_deletion(cutoff=cutoff).values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            jobs = import_jobs_due_for_file_deletion(cutoff=cutoff).filter(pk__in=ids[start : start + batch_size])
            for job in jobs.select_for_update():
                try:
                    if storage.exists(job.file.name):
                        storage.delete(job.file.name)
                        result.files_deleted += 1
                    else:
                        result.files_missing += 1
                except OSError:
                    logger.exception("Import job %s: stored file not deleted at retention", job.pk)
                    result.failed_job_ids.append(job.pk)
                    continue
                job.file = ""
                job.original_name = ""
                job.errors = []
                job.save(update_fields=["file", "original_name", "errors"])
                result.jobs += 1
        if progress is not None:
            progress(min(start + batch_size, len(ids)), len(ids))
    for path in import_orphan_files(cutoff=cutoff):
        try:
            storage.delete(path)
        except OSError:
            logger.exception("Orphan import file not deleted at retention")
            continue
        result.orphans_deleted += 1
    logger.info(
        "Import files past retention: %s job(s), %s file(s) deleted, %s missing, %s orphan(s), %s failure(s)",
        result.jobs,
        result.files_deleted,
        result.files_missing,
        result.orphans_deleted,
        len(result.failed_job_ids),
    )
    return result
