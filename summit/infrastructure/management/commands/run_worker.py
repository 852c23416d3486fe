"""The production task worker: django-tasks-db's db_worker, with a heartbeat and recovery.

Same options as ``db_worker`` (``--queue-name '*'`` by default here). Before taking tasks it
recovers the work of dead workers (summit/infrastructure/workers.py); then a thread beats every
``WORKER_HEARTBEAT_SECONDS`` and recovers again every ``WORKER_RECOVERY_SECONDS``. Never
auto-reloads: a reload would kill the task being run.
"""

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from summit.infrastructure import workers


class Command(DBWorkerCommand):
    help = "Run a background task worker with a heartbeat and recovery of dead workers' work."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, worker_id: str, **options):
        options["reload"] = False
        workers.current_worker_id = worker_id
        workers.beat(worker_id)
        workers.recover()
        heartbeat = workers.Heartbeat(worker_id)
        heartbeat.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            heartbeat.halt.set()
            heartbeat.join(timeout=5)
            workers.stopped(worker_id)
