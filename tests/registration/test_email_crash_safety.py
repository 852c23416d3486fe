"""No e-mail is stranded between the commit of its record and the queueing of its send task.

With the production task backend (django-tasks-db), the send task's row is written in the
same transaction as the ``OutgoingEmail``: both commit or neither does. Recovery re-queues,
as a safety net, e-mails left "queued" without any pending send task after a grace period
(``STRANDED_EMAIL_GRACE_SECONDS``). The killed-process test needs a database another process
can see: PostgreSQL.
"""

import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from registration.invitations import create_invitations
from registration.models import OutgoingEmail
from registration.tasks import send_email
from summit.infrastructure import workers
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",  # as in production
        "QUEUES": ["default", "email", "badges"],
    }
}


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = DB_TASKS


def pending_sends() -> list[int]:
    rows = DBTaskResult.objects.filter(task_path=send_email.module_path, status="READY")
    return sorted(row.args_kwargs["args"][0] for row in rows)


def run_worker() -> None:
    call_command("run_worker", batch=True, startup_delay=False, verbosity=0, worker_id="w-test")


def invite(summit, address: str):
    return create_invitations(
        summit, [{"email": address}], category="vip", language="en", send=True, actor=None
    ).invitations


# --- The send task is written with the e-mail ----------------------------------------------


@pytest.mark.django_db
def test_send_task_is_written_in_the_transaction_of_the_email(summit, db_tasks):
    with transaction.atomic():
        invite(summit, "ivy@example.org")
        [email] = OutgoingEmail.objects.all()
        # Before the commit: the task's row is there, in the same transaction.
        assert pending_sends() == [email.pk]

    assert pending_sends() == [email.pk]


@pytest.mark.django_db
def test_rolled_back_email_leaves_no_task(summit, db_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        invite(summit, "ivy@example.org")
        raise RuntimeError("the change fails after the e-mail was recorded")

    assert (OutgoingEmail.objects.count(), pending_sends()) == (0, [])


@pytest.mark.django_db
def test_every_kind_of_email_gets_its_task_in_its_transaction(summit, register, db_tasks):
    """Registration e-mails (the outbox), invitations and session changes alike."""
    from registration.calendar.services import notify_guests_of_session_change

    forum = factories.ForumFactory(summit=summit)
    session = factories.SessionFactory(forum=forum)
    with transaction.atomic():
        register(forums=[forum])
        invite(summit, "ivy@example.org")
        notify_guests_of_session_change(session, changed_fields=["room"])
        written = sorted(OutgoingEmail.objects.values_list("pk", flat=True))
        assert len(written) == 3
        assert pending_sends() == written


@pytest.mark.django_db
def test_a_registrations_send_task_is_written_before_its_seats_are_taken(
    summit, register, db_tasks
):
    """The summit's row is locked from a registration's seat to its commit, so nothing that
    can be done before the seat is done after it; a waiting list's e-mail still says so."""
    from django.test.utils import CaptureQueriesContext

    from summit.models import Summit

    forum = factories.ForumFactory(summit=summit)
    Summit.objects.filter(pk=summit.pk).update(capacity=1, seats_taken=1)  # full: waits
    with CaptureQueriesContext(connection) as queries:
        registration = register(forums=[forum])

    statements = [q["sql"] for q in queries]
    task = next(n for n, sql in enumerate(statements) if "dbtaskresult" in sql)
    seat = next(  # the ORM's UPDATE, or on PostgreSQL the function that takes the seats
        n
        for n, sql in enumerate(statements)
        if sql.startswith('UPDATE "summit_summit"') or "registration_take_seats" in sql
    )
    assert task < seat
    [email] = OutgoingEmail.objects.filter(registration=registration)
    assert (registration.status, email.kind, pending_sends()) == (
        "waitlisted",
        "waitlisted",
        [email.pk],
    )


@pytest.mark.django_db
def test_a_failed_attempt_queues_its_retry_in_its_transaction(summit, db_tasks, monkeypatch):
    invite(summit, "ivy@example.org")
    [email] = OutgoingEmail.objects.all()
    DBTaskResult.objects.all().delete()

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with transaction.atomic():
        assert send_email.call(email.pk) == "failed"
        [retry] = DBTaskResult.objects.filter(task_path=send_email.module_path)
        assert retry.args_kwargs["args"] == [email.pk]
        assert retry.run_after > timezone.now()


# --- A web process killed between the commit and the queueing --------------------------------

KILLED_AFTER_COMMIT = """
import os, signal
import django

django.setup()
from django.db import transaction

from registration.invitations import create_invitations
from summit.models import Summit

summit = Summit.objects.get(pk=int(os.environ["SUMMIT_ID"]))
with transaction.atomic():
    # Registered first, so run first once the transaction has committed: the process dies
    # right after the commit, before anything else queued for after the commit has run.
    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
    create_invitations(
        summit, [{"email": "stranded@example.org"}], category="vip", language="en",
        send=True, actor=None,
    )
"""


def database_url() -> str:
    database = connection.settings_dict
    user = database["USER"] or "postgres"
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_web_process_killed_right_after_the_commit_loses_no_email(summit, db_tasks):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "summit.settings",
        "DATABASE_URL": database_url(),
        "SUMMIT_ID": str(summit.pk),
    }
    env.pop("TASKS_BACKEND", None)  # the production backend, as bin/production runs it

    process = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_COMMIT],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert process.returncode == -signal.SIGKILL, process.stderr
    [email] = OutgoingEmail.objects.all()
    assert email.status == "queued"  # committed, and the process is gone
    workers.recover()
    run_worker()
    workers.recover()
    run_worker()
    assert [message.to for message in mail.outbox] == [["stranded@example.org"]]
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)


# --- Recovery: the safety net -------------------------------------------------------------------


def stranded_email(summit, *, minutes_ago: float) -> OutgoingEmail:
    """An e-mail recorded "queued" with no send task (as an older version could leave it)."""
    invitation = factories.InvitationFactory(summit=summit)
    email = OutgoingEmail.objects.create(
        invitation=invitation, kind="invitation", recipient=invitation.email, language="en"
    )
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=created)
    return email


@pytest.mark.django_db(transaction=True)
def test_recovery_queues_emails_left_without_a_task_and_they_go_out_once(
    summit, db_tasks, settings
):
    settings.STRANDED_EMAIL_GRACE_SECONDS = 600
    old = stranded_email(summit, minutes_ago=11)
    young = stranded_email(summit, minutes_ago=1)  # its task may be on its way
    [invited] = invite(summit, "ivy@example.org")  # has its task
    [with_task] = OutgoingEmail.objects.filter(invitation=invited)
    OutgoingEmail.objects.filter(pk=with_task.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=30)
    )

    counts = workers.recover()
    again = workers.recover()  # a second pass (another worker) adds nothing

    assert pending_sends() == sorted([old.pk, with_task.pk])
    assert counts["recover_stranded_emails"] == 1
    assert again["recover_stranded_emails"] == 0
    run_worker()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [old.recipient, "ivy@example.org"]
    )
    young.refresh_from_db()
    assert young.status == "queued"
