"""The infrastructure's own data: task workers' heartbeats.

The table was created by the summit app and keeps its name (``db_table``); migration 0001 of
this app only takes it over.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerProcess(models.Model):
    """A running task worker (``manage.py run_worker``), seen alive at ``seen_at``.

    Each worker updates its row every ``WORKER_HEARTBEAT_SECONDS``; a worker not seen for
    three heartbeats is dead, and the work it had claimed is recovered
    (summit/infrastructure/workers.py).
    """

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        db_table = "summit_workerprocess"
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
