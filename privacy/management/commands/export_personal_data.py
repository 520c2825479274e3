"""Export everything held about one person, by CNIE (Law 09-08 right of access).

The CNIE may be given as `--cnie -` and typed on standard input, so that it stays out of the
shell history and the process list. The command prints the path and counts, never the data.
"""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from privacy.subject_export import subject_export, write_subject_export


class Command(BaseCommand):
    help = (
        "Exporte toutes les données détenues sur une personne, par CNIE (loi 09-08, droit d'accès), "
        "dans un fichier JSON, ou ZIP avec les pièces jointes si le chemin finit par .zip."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cnie", required=True, help="Numéro de CNIE, ou « - » pour le lire sur l'entrée standard."
        )
        parser.add_argument(
            "--actor",
            required=True,
            help="Identifiant de l'agent habilité qui traite la demande (point focal E&S ou référent VBG).",
        )
        parser.add_argument("--output", required=True, type=Path, help="Fichier à écrire (.json ou .zip).")

    def handle(self, *args, cnie: str, actor: str, output: Path, **options):
        if cnie == "-":
            cnie = sys.stdin.readline().strip()
        user = get_user_model().objects.filter(username=actor, is_active=True).first()
        if user is None:
            raise CommandError("Aucun compte actif ne porte cet identifiant.")
        if output.exists():
            raise CommandError(f"{output} existe déjà : choisissez un autre chemin.")
        try:
            export = subject_export(cnie=cnie, actor=user)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        write_subject_export(export, output)
        self.stdout.write(
            f"Écrit : {output} ({len(export.grievances)} réclamation(s), "
            f"{len(export.sensitive_cases)} cas sensible(s), {export.attachment_count} pièce(s) jointe(s))."
        )
