"""Task workers' liveness, and recovery of the work a dead worker left behind.

A worker started with ``manage.py run_worker`` has an id (django-tasks-db's ``worker_id``),
writes a :class:`~summit.models.WorkerProcess` heartbeat every ``WORKER_HEARTBEAT_SECONDS``
and sets :data:`current_worker_id`, which the apps record when they claim work (an e-mail
being sent, a print job being rendered). A worker killed with SIGKILL (or whose machine
died) stops beating; after three missed heartbeats its claims are *abandoned*, and
:func:`recover` hands them back:

1. each app puts its own rows back in the queue (``signals.recover_work``), and
2. django-tasks-db rows left RUNNING by the dead worker are marked FAILED (with
   :class:`WorkerDied`) and enqueued again with the same arguments. The tasks are idempotent
   (an e-mail is claimed before it is sent, a print job before it is rendered), so a task that
   turns out to be enqueued twice still does its work once.

The same pass then sends ``signals.minute_pass`` for the apps' periodic upkeep.

Work claimed by a process that never beat (a plain ``db_worker``, or a task run inline) is
abandoned only after ``WORKER_UNKNOWN_GRACE_SECONDS``, since nothing tells whether it lives.
"""

import datetime
import logging
import os
import socket
import threading
from collections.abc import Iterable

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from summit.infrastructure.models import WorkerProcess
from summit.infrastructure.signals import minute_pass, recover_work

logger = logging.getLogger(__name__)

# Set in a task worker process by run_worker; empty elsewhere (web processes, inline tasks).
current_worker_id = ""


class WorkerDied(Exception):
    """The task's worker stopped beating while the task ran; the task was enqueued again."""


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=3 * settings.WORKER_HEARTBEAT_SECONDS)


def beat(worker_id: str) -> None:
    WorkerProcess.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname(), "pid": os.getpid(), "seen_at": timezone.now()},
    )


def stopped(worker_id: str) -> None:
    """The worker is exiting: anything it still holds (it was stopped mid-task) is abandoned
    at once. The row stays a day, so that its claims are recognised as a dead worker's."""
    long_ago = timezone.now() - stale_after() - datetime.timedelta(seconds=1)
    WorkerProcess.objects.filter(worker_id=worker_id).update(seen_at=long_ago)


class Liveness:
    """Answers "is the work claimed by this worker at this time abandoned?" for one recovery
    pass (one query for the live workers)."""

    def __init__(self, now: datetime.datetime | None = None):
        self.now = now or timezone.now()
        rows = WorkerProcess.objects.values_list("worker_id", "seen_at")
        self.seen = dict(rows)
        self.grace = datetime.timedelta(seconds=settings.WORKER_UNKNOWN_GRACE_SECONDS)

    def __call__(self, worker_id: str, claimed_at: datetime.datetime | None) -> bool:
        seen_at = self.seen.get(worker_id) if worker_id else None
        if seen_at is not None:
            return seen_at < self.now - stale_after()
        # A process that never beat (a plain db_worker, an inline task): nothing tells whether
        # it still lives, so its claims are abandoned only after the long grace.
        return claimed_at is None or claimed_at < self.now - self.grace


def recover() -> dict[str, int]:
    """Hand back everything claimed by dead workers. Safe to run from several processes."""
    abandoned = Liveness()
    counts: dict[str, int] = {}
    for receiver, count in recover_work.send(sender=WorkerProcess, abandoned=abandoned):
        counts[getattr(receiver, "__qualname__", str(receiver))] = count or 0
    counts["tasks"] = recover_tasks(abandoned)
    minute_pass.send(sender=WorkerProcess)
    # Forget workers that have been silent for a day.
    WorkerProcess.objects.filter(seen_at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
    if any(counts.values()):
        logger.warning("Recovered work of dead task workers", extra={"recovered": counts})
    return counts


def _last(worker_ids: Iterable[str]) -> str:
    worker_ids = list(worker_ids or [])
    return worker_ids[-1] if worker_ids else ""


def recover_tasks(abandoned) -> int:
    """Task rows left RUNNING by a dead worker: mark them FAILED and enqueue them again."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    count = 0
    with exclusive_transaction(DBTaskResult.objects.db):
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for row in running:
            if not abandoned(_last(row.worker_ids), row.started_at):
                continue
            row.set_failed(WorkerDied(f"worker {_last(row.worker_ids)} stopped beating"))
            try:
                task = row.task
            except Exception:  # the task's code is gone: nothing to run again
                logger.exception("Cannot re-enqueue task %s", row.task_path)
                continue
            arguments = row.args_kwargs or {}
            task.using(
                priority=row.priority, queue_name=row.queue_name, backend=row.backend_name
            ).enqueue(*arguments.get("args", []), **arguments.get("kwargs", {}))
            count += 1
    return count


class Heartbeat(threading.Thread):
    """Beats every WORKER_HEARTBEAT_SECONDS and recovers every WORKER_RECOVERY_SECONDS, next
    to the worker loop (a daemon thread with its own database connection)."""

    def __init__(self, worker_id: str):
        super().__init__(name="bayline-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.halt = threading.Event()

    def run(self) -> None:
        interval = settings.WORKER_HEARTBEAT_SECONDS
        last_recovery = timezone.now()
        while not self.halt.wait(interval):
            try:
                close_old_connections()
                beat(self.worker_id)
                if (timezone.now() - last_recovery).total_seconds() >= (
                    settings.WORKER_RECOVERY_SECONDS
                ):
                    last_recovery = timezone.now()
                    recover()
            except Exception:
                # The database may be away for a moment; the next beat tries again.
                logger.exception("Heartbeat of worker %s failed", self.worker_id)
        close_old_connections()
