"""`manage.py db_worker`: django-tasks-db's worker, which first sends what a dead worker left.

A worker killed in the middle of a send (kill -9, a lost machine) leaves its task `RUNNING`
for ever: django-tasks-db never takes a claimed task back, and cannot tell a dead worker
from a slow one. The message itself is still `pending`, since the send's transaction rolled
back with the connection. So a starting worker first sends every pending message that is
due, then runs the queue as usual. Starting several workers at once sends nothing twice:
each message is locked with SKIP LOCKED and sent only while `pending` (notification_send).
"""

from django_tasks_db.management.commands import db_worker

from notifications.services import notification_send_due


class Command(db_worker.Command):
    help = (
        "Worker of the task queue (django-tasks-db), which first sends the notifications a stopped worker left pending."
    )

    def handle(self, *args, **options):
        counts = notification_send_due()
        if counts and options["verbosity"]:
            summary = ", ".join(f"{outcome}: {count}" for outcome, count in sorted(counts.items()))
            self.stdout.write(f"Notifications en attente reprises au démarrage — {summary}")
        return super().handle(*args, **options)
