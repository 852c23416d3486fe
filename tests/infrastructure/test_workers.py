"""Crash safety of background work: heartbeats, recovery of what a dead worker claimed.

The processes themselves are killed in tests/e2e/; here the state a SIGKILL leaves behind
(rows "sending"/"running", task rows RUNNING, a worker that stopped beating) is made directly,
and recovery and the idempotent tasks are checked against the real database.
"""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from badges import services as badge_services
from badges.models import PrintJob
from registration import emails
from registration.models import OutgoingEmail
from summit.infrastructure import workers
from summit.infrastructure.models import WorkerProcess
from tests import factories
from tests.badges import pdfs

DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",  # as in production
        "QUEUES": ["default", "email", "badges"],
    }
}


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = DB_TASKS  # django-tasks rebuilds its backends on setting_changed


@pytest.fixture(autouse=True)
def _no_worker_id(monkeypatch):
    monkeypatch.setattr(workers, "current_worker_id", "")


def worker(worker_id: str, *, seconds_ago: float) -> WorkerProcess:
    return WorkerProcess.objects.create(
        worker_id=worker_id,
        hostname="host",
        pid=1,
        seen_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


def running_task(task, args, worker_id: str) -> DBTaskResult:
    """A task row as a worker leaves it when it is killed while running the task."""
    result = task.enqueue(*args)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    return row


@pytest.fixture
def email(summit):
    registration = factories.RegistrationFactory(summit=summit, email="ada@example.org")
    return OutgoingEmail.objects.create(
        registration=registration, kind="received", recipient=registration.email, language="en"
    )


def claim_as(email: OutgoingEmail, worker_id: str, *, seconds_ago: float = 0) -> None:
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status="sending",
        claimed_by=worker_id,
        claimed_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
        attempts=1,
    )


@pytest.mark.django_db
def test_email_of_a_dead_worker_is_queued_again_and_sent_once(email, db_tasks):
    from registration.tasks import send_email

    worker("dead", seconds_ago=600)
    claim_as(email, "dead", seconds_ago=600)
    row = running_task(send_email, [email.pk], "dead")

    counts = workers.recover()

    email.refresh_from_db()
    assert (email.status, email.claimed_by) == ("queued", "")
    row.refresh_from_db()
    assert row.status == "FAILED"
    assert row.exception_class_path == "summit.infrastructure.workers.WorkerDied"
    [again] = DBTaskResult.objects.ready()
    assert (again.task_path, again.args_kwargs["args"]) == (row.task_path, [email.pk])
    assert counts["tasks"] == 1

    assert emails.send_outgoing_email(email.pk) == "sent"
    assert emails.send_outgoing_email(email.pk) == "sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_work_of_a_live_worker_is_left_alone(email, db_tasks):
    from registration.tasks import send_email

    worker("alive", seconds_ago=1)
    claim_as(email, "alive", seconds_ago=600)
    row = running_task(send_email, [email.pk], "alive")

    assert workers.recover()["tasks"] == 0

    email.refresh_from_db()
    row.refresh_from_db()
    assert (email.status, row.status) == ("sending", "RUNNING")
    # Meanwhile nobody else sends it.
    assert emails.send_outgoing_email(email.pk) == "sending"
    assert mail.outbox == []


@pytest.mark.django_db
def test_claims_without_heartbeat_wait_for_the_grace(email, settings):
    settings.WORKER_UNKNOWN_GRACE_SECONDS = 3600
    claim_as(email, "", seconds_ago=60)
    workers.recover()
    email.refresh_from_db()
    assert email.status == "sending"

    claim_as(email, "", seconds_ago=3700)
    workers.recover()
    email.refresh_from_db()
    assert email.status == "queued"


@pytest.mark.django_db
def test_a_worker_that_stops_gives_its_claims_up_at_once(email):
    workers.beat("leaving")
    claim_as(email, "leaving")
    workers.stopped("leaving")

    workers.recover()

    email.refresh_from_db()
    assert email.status == "queued"


@pytest.mark.django_db
def test_message_id_is_stable_across_attempts(email, monkeypatch):
    sent_ids = []

    def refuse(self, fail_silently=False):
        sent_ids.append(self.extra_headers["Message-ID"])
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    assert emails.send_outgoing_email(email.pk) == "failed"
    email.refresh_from_db()
    assert (email.status, email.claimed_by) == ("queued", "")
    monkeypatch.undo()
    assert emails.send_outgoing_email(email.pk) == "sent"

    assert sent_ids == [email.message_id]
    assert mail.outbox[0].extra_headers["Message-ID"] == email.message_id
    assert email.message_id.startswith(f"<bayline.email.{email.pk}.")


@pytest.mark.django_db
def test_email_is_claimed_by_the_current_worker_before_it_is_sent(email, monkeypatch):
    monkeypatch.setattr(workers, "current_worker_id", "w1")
    seen = []

    def spy(self, fail_silently=False):
        seen.append(OutgoingEmail.objects.values_list("status", "claimed_by").get(pk=email.pk))
        return 1

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", spy)
    emails.send_outgoing_email(email.pk)

    assert seen == [("sending", "w1")]
    email.refresh_from_db()
    assert email.status == "sent"


@pytest.fixture
def guests(summit):
    return [factories.RegistrationFactory(summit=summit) for _ in range(3)]


@pytest.mark.django_db
def test_print_job_of_a_dead_worker_is_rendered_again_with_each_badge_once(
    summit, guests, media_root, db_tasks
):
    from badges.tasks import render_print_job

    job = factories.PrintJobFactory(summit=summit)
    worker("dead", seconds_ago=600)
    PrintJob.objects.filter(pk=job.pk).update(
        status="running", worker_id="dead", started_at=timezone.now(), done=2, total=3
    )
    running_task(render_print_job, [job.pk], "dead")

    workers.recover()

    job.refresh_from_db()
    assert (job.status, job.worker_id, job.done) == ("queued", "", 0)
    [again] = DBTaskResult.objects.ready()
    assert again.args_kwargs["args"] == [job.pk]

    badge_services.run_print_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.attempts) == ("done", 3, 3, 1)
    with job.file.open("rb") as file:
        content = file.read()
    codes = [pdfs.qr_codes(content, index)[0] for index in range(len(pdfs.pages(content)))]
    assert len(codes) == len(set(codes)) == 3


@pytest.mark.django_db
def test_print_job_running_elsewhere_is_not_rendered_twice(summit, guests, media_root):
    job = factories.PrintJobFactory(summit=summit)
    worker("alive", seconds_ago=1)
    PrintJob.objects.filter(pk=job.pk).update(status="running", worker_id="alive")

    returned = badge_services.run_print_job(job.pk)

    assert (returned.status, returned.file.name) == ("running", "")
    assert workers.recover()["tasks"] == 0


@pytest.mark.django_db(transaction=True)
def test_run_worker_recovers_at_start_and_runs_the_work(email, db_tasks):
    from registration.tasks import send_email

    worker("dead", seconds_ago=600)
    claim_as(email, "dead", seconds_ago=600)
    running_task(send_email, [email.pk], "dead")

    call_command("run_worker", batch=True, startup_delay=False, verbosity=0, worker_id="w2")

    email.refresh_from_db()
    assert (email.status, email.claimed_by) == ("sent", "w2")
    assert len(mail.outbox) == 1
    assert WorkerProcess.objects.get(worker_id="w2").seen_at < timezone.now() - (
        workers.stale_after()
    )  # stopped: anything it still held would be recovered at once


@pytest.mark.django_db
def test_recover_tasks_command_reports(email):
    from io import StringIO

    out = StringIO()
    worker("dead", seconds_ago=600)
    claim_as(email, "dead", seconds_ago=600)
    call_command("recover_tasks", stdout=out)
    assert "Recovered 1" in out.getvalue()


@pytest.mark.django_db
def test_recovery_marks_the_invitation_of_an_email_recorded_sent(summit, organiser):
    from registration.invitations import create_invitations

    [invitation] = create_invitations(
        summit, [{"email": "ivy@example.org"}], category="delegate", language="en",
        send=False, actor=organiser,
    ).invitations  # fmt: skip
    email = OutgoingEmail.objects.create(
        invitation=invitation, kind="invitation", recipient=invitation.email, language="en"
    )
    sent_at = timezone.now()
    OutgoingEmail.objects.filter(pk=email.pk).update(status="sent", sent_at=sent_at)
    # (the worker died before recording the invitation as sent)

    workers.recover()

    invitation.refresh_from_db()
    assert invitation.sent_at == sent_at


@pytest.mark.django_db
def test_work_that_keeps_killing_its_workers_is_given_up(email, summit):
    worker("dead", seconds_ago=600)
    claim_as(email, "dead", seconds_ago=600)
    OutgoingEmail.objects.filter(pk=email.pk).update(attempts=emails.MAX_ATTEMPTS)
    job = factories.PrintJobFactory(summit=summit)
    PrintJob.objects.filter(pk=job.pk).update(
        status="running", worker_id="dead", attempts=badge_services.MAX_PRINT_ATTEMPTS
    )

    workers.recover()

    email.refresh_from_db()
    job.refresh_from_db()
    assert (email.status, email.last_error) == ("failed", "worker died")
    assert job.status == "failed"
    assert "stopped 3 times" in job.error
