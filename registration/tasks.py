"""Background tasks of registration, and how e-mails are queued for them.

The send task is a thin wrapper around ``emails.send_outgoing_email`` (and the guest API's
sign-in codes have one around ``guest_codes.send_code``); queueing it (when an
e-mail is recorded, again after a failure, or when recovery finds one stranded) lives here
beside it, so that the e-mail machinery never imports its task: the task hands it
:func:`schedule_retry`.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend

from registration import emails, guest_codes
from registration.models import OutgoingEmail

logger = logging.getLogger(__name__)


# Before any other task (priority 10): a guest is waiting for the e-mail.
@task(queue_name="email", priority=10)
def send_email(email_id: int) -> str:
    return emails.send_outgoing_email(email_id, schedule_retry=schedule_retry)


def queue_sending(email_ids: list[int], *, run_after: datetime.datetime | None = None) -> None:
    """Queue the send task of each e-mail just recorded, so that none is ever stranded.

    With django-tasks-db's backend (production) the tasks' rows are written now, in the
    caller's transaction: they commit with the e-mails or not at all, so a process dying
    between the commit and the queueing cannot leave an e-mail without its task, and a
    worker sees the task only once the e-mail is committed. Other backends hand the task
    over or run it at once (the immediate backend of tests and development), so they get it
    after the commit, as before.
    """
    task = send_email if run_after is None else send_email.using(run_after=run_after)
    for email_id in email_ids:
        _enqueue(task, email_id)


def _enqueue(task, *args) -> None:
    """Enqueue ``task(*args)``: with django-tasks-db's backend now (in the caller's
    transaction, if any), with the others after the commit (see ``queue_sending``)."""
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


# As urgent as the other e-mails: a guest is waiting for the code, which lasts minutes.
@task(queue_name="email", priority=10)
def send_guest_code(summit_id: int, email: str) -> None:
    guest_codes.send_code(summit_id, email)


def queue_guest_code(summit_id: int, email: str) -> None:
    """Queue the e-mail of a guest API sign-in code, as ``queue_sending`` queues an e-mail:
    with django-tasks-db's backend, now (outside a transaction, at once); with the others,
    after the commit. Nothing here depends on whether ``email`` is registered."""
    _enqueue(send_guest_code, summit_id, email)


def schedule_retry(email_id: int, attempt: int) -> bool:
    """Enqueue the e-mail again after a backoff (with the failure's record, see
    ``queue_sending``). Backends without ``run_after`` (the inline one in tests) cannot
    wait, so the e-mail stays queued for ``send_queued_emails``."""
    if not send_email.get_backend().supports_defer:
        return False
    queue_sending([email_id], run_after=timezone.now() + emails.retry_delay(attempt))
    return True


def requeue_stranded_emails() -> int:
    """Queue the send task again of every e-mail left "queued" without a pending one for
    longer than ``STRANDED_EMAIL_GRACE_SECONDS`` (recovery's safety net: e-mails recorded by a
    version that queued after the commit, or restored from a backup without their tasks).
    Only with django-tasks-db's backend, whose pending tasks can be looked at. Safe to run
    from several processes: an e-mail queued twice is still sent once (it is claimed)."""
    from django_tasks_db.models import DBTaskResult

    if not isinstance(send_email.get_backend(), DatabaseBackend):
        return 0
    pending = DBTaskResult.objects.filter(
        task_path=send_email.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("args_kwargs", flat=True)
    with_task = {arguments["args"][0] for arguments in pending if arguments.get("args")}
    grace = datetime.timedelta(seconds=settings.STRANDED_EMAIL_GRACE_SECONDS)
    stranded = [
        email_id
        for email_id in OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.QUEUED, created_at__lt=timezone.now() - grace
        ).values_list("pk", flat=True)
        if email_id not in with_task
    ]
    if stranded:
        logger.warning("Queueing again %s e-mails left without a send task", len(stranded))
        with transaction.atomic():
            queue_sending(stranded)
    return len(stranded)
