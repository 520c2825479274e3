from django.core.management.base import BaseCommand

from notifications.services import notification_send_due


class Command(BaseCommand):
    help = "Envoie les notifications en attente dont l'heure est venue (cron, reprise après incident)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Nombre maximal de messages à traiter.")

    def handle(self, *, limit, **options):
        counts = notification_send_due(limit=limit)
        summary = ", ".join(f"{outcome}: {count}" for outcome, count in sorted(counts.items())) or "rien à envoyer"
        self.stdout.write(summary)
