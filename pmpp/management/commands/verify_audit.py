from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from pmpp.audit_chain import verify_chain


def _anchor(value: str) -> tuple[int, bytes]:
    position, _, digest = value.partition(":")
    try:
        return int(position), bytes.fromhex(digest)
    except ValueError as error:
        raise CommandError("--anchor attend POSITION:EMPREINTE / expects POSITION:HASH (hex).") from error


class Command(BaseCommand):
    help = (
        "Vérifie la chaîne d'audit : chaque ligne d'historique (et de journal chaîné) est intacte, "
        "scellée une fois, dans une chaîne sans trou. Sort avec un statut non nul à la première rupture. "
        "/ Verifies the audit hash chain; exits non-zero at the first broken link."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--anchor",
            type=_anchor,
            help="POSITION:EMPREINTE d'une tête notée plus tôt hors de la base, qui doit toujours être dans "
            "la chaîne / a head recorded earlier outside the database, which must still be in the chain.",
        )

    def handle(self, *args, database: str, anchor: tuple[int, bytes] | str | None, **options) -> None:
        if isinstance(anchor, str):  # call_command(anchor="…") skips the parser
            anchor = _anchor(anchor)
        report = verify_chain(using=database, anchor=anchor)
        if report.broken is not None:
            # Only a table name, an id and a position: never a row's content (personal data).
            raise CommandError(f"Chaîne d'audit rompue / Audit chain broken: {report.broken.message()}")
        self.stdout.write(
            f"Chaîne d'audit intacte / Audit chain intact: {report.links} maillons / links; "
            f"tête / head {report.links}:{report.head_hash.hex()}"
        )
