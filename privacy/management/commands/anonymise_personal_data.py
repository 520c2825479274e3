"""Anonymise the grievances kept past the retention period (Law 09-08; privacy.anonymisation).

Meant for a daily cron. Prints counts only, never a name, CNIE or phone number.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from privacy.anonymisation import anonymise_due_grievances, grievances_due_for_anonymisation, retention_days


class Command(BaseCommand):
    help = (
        "Anonymise les réclamations closes depuis plus longtemps que la durée de conservation "
        "(PMPP_RETENTION_DAYS), historique compris. Peut être relancée sans risque."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Compter les réclamations concernées sans rien modifier."
        )
        parser.add_argument("--batch-size", type=int, default=200, help="Réclamations par transaction (200).")

    def handle(self, *args, dry_run: bool = False, batch_size: int = 200, **options):
        if batch_size < 1:
            raise CommandError("--batch-size doit être un entier positif.")
        try:
            days = retention_days()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        due = grievances_due_for_anonymisation(days=days).count()
        if not due:
            self.stdout.write(f"Aucune réclamation à anonymiser (durée de conservation : {days} jours).")
            return
        if dry_run:
            self.stdout.write(
                f"Essai à blanc : {due} réclamation(s) seraient anonymisées (durée de conservation : {days} jours)."
            )
            return

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"{done}/{total} réclamations traitées")

        result = anonymise_due_grievances(batch_size=batch_size, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.grievances} réclamation(s) anonymisée(s) : {result.history_rows} lignes d'historique, "
                f"{result.commitments} engagement(s), {result.attachments} pièce(s) jointe(s) "
                f"({result.files_deleted} fichier(s) supprimé(s)), {result.messages} message(s)."
            )
        )
