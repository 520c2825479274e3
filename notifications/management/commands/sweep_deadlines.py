from django.core.management.base import BaseCommand

from notifications.sweep import deadline_sweep


class Command(BaseCommand):
    help = (
        "Signale les réclamations à échéance proche, en retard ou à escalader, et les orientations VBG "
        "en retard. Peut être relancée autant de fois que voulu : une alerte n'est levée qu'une fois."
    )

    def handle(self, **options):
        counts = deadline_sweep()
        summary = ", ".join(f"{kind}: {count}" for kind, count in sorted(counts.items())) or "aucune nouvelle alerte"
        self.stdout.write(summary)
