"""Erase the personal data kept past the retention period (Law 09-08; privacy.anonymisation).

Grievances and sensitive GBV/SEA/SH cases are anonymised, history included; the stored files
of imports are deleted (imports.services.import_files_forget). Meant for a daily cron. Prints
counts only, never a name, CNIE or phone number; exits in error when a file could not be
deleted, so that the cron's monitoring sees it, after doing everything else.
"""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from imports.selectors import import_jobs_due_for_file_deletion, import_orphan_files
from imports.services import import_files_forget
from privacy.anonymisation import (
    anonymise_due_grievances,
    anonymise_due_sensitive_cases,
    grievances_due_for_anonymisation,
    retention_days,
    sensitive_cases_due_for_anonymisation,
)


class Command(BaseCommand):
    help = (
        "Anonymise les réclamations closes et les cas sensibles clos depuis plus longtemps que la durée "
        "de conservation (PMPP_RETENTION_DAYS), historique compris, et supprime les fichiers d'import "
        "aussi anciens. Peut être relancée sans risque."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compter ce qui serait traité sans rien modifier.")
        parser.add_argument(
            "--batch-size", type=int, default=200, help="Réclamations, cas ou imports par transaction (200)."
        )

    def handle(self, *args, dry_run: bool = False, batch_size: int = 200, **options):
        if batch_size < 1:
            raise CommandError("--batch-size doit être un entier positif.")
        try:
            days = retention_days()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        now = timezone.now()
        cutoff = now - timedelta(days=days)
        grievances = grievances_due_for_anonymisation(now=now, days=days).count()
        cases = sensitive_cases_due_for_anonymisation(now=now, days=days).count()
        imports = import_jobs_due_for_file_deletion(cutoff=cutoff).count()
        orphans = len(import_orphan_files(cutoff=cutoff))
        period = f"durée de conservation : {days} jours"
        if not (grievances or cases or imports or orphans):
            self.stdout.write(
                f"Aucune réclamation à anonymiser, aucun cas sensible, aucun fichier d'import à supprimer ({period})."
            )
            return
        if dry_run:
            self.stdout.write(
                f"Essai à blanc : {grievances} réclamation(s) seraient anonymisées, {cases} cas sensible(s) clos "
                f"seraient anonymisés, {imports} fichier(s) d'import et {orphans} fichier(s) d'import orphelin(s) "
                f"seraient supprimés ({period})."
            )
            return

        def progress(what: str):
            return lambda done, total: self.stdout.write(f"{done}/{total} {what}")

        result = anonymise_due_grievances(now=now, batch_size=batch_size, progress=progress("réclamations traitées"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.grievances} réclamation(s) anonymisée(s) : {result.history_rows} lignes d'historique, "
                f"{result.commitments} engagement(s), {result.attachments} pièce(s) jointe(s) "
                f"({result.files_deleted} fichier(s) supprimé(s)), {result.messages} message(s), "
                f"{result.notes} note(s) interne(s)."
            )
        )
        sensitive = anonymise_due_sensitive_cases(now=now, batch_size=batch_size, progress=progress("cas traités"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{sensitive.cases} cas sensible(s) anonymisé(s) : {sensitive.history_rows} lignes d'historique, "
                f"{sensitive.attachments} pièce(s) jointe(s) ({sensitive.files_deleted} fichier(s) supprimé(s))."
            )
        )
        files = import_files_forget(cutoff=cutoff, batch_size=batch_size, progress=progress("imports traités"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{files.jobs} import(s) sans fichier : {files.files_deleted} fichier(s) supprimé(s), "
                f"{files.files_missing} déjà absent(s), {files.orphans_deleted} fichier(s) orphelin(s) supprimé(s)."
            )
        )
        if files.failed_job_ids:
            numbers = ", ".join(str(pk) for pk in files.failed_job_ids)
            raise CommandError(
                f"{len(files.failed_job_ids)} fichier(s) d'import n'ont pas pu être supprimés (imports n° {numbers}) : "
                "voir le journal, puis relancer la commande."
            )
