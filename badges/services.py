"""Badge operations: issue, reissue, revoke.

A registration has at most one active badge (the database's partial unique constraint
``badge_one_active_per_registration``); its serial goes up by one with every new badge, and
the QR code carries (badge id, serial), so a revoked badge's code no longer matches the
registration's active badge however well it is signed.
"""

import secrets
import tempfile

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from badges.models import Badge, PrintJob
from badges.printing import render_print_file
from badges.selectors import FILTER_KEYS, badges_to_print, registrations_to_print
from badges.signals import badge_issued, print_job_created
from registration.models import Registration
from summit.models import Summit


class BadgeError(Exception):
    """A badge operation that the registration's state does not allow."""


class RegistrationNotConfirmed(BadgeError):
    """Only confirmed registrations get badges."""


def _locked(registration: Registration) -> Registration:
    # Lock the registration row: concurrent issuers of one registration wait for each other.
    return Registration.objects.select_for_update().get(pk=registration.pk)


def _new_badge(registration: Registration) -> Badge:
    last = registration.badges.aggregate(last=Max("serial"))["last"] or 0
    badge = Badge.objects.create(registration=registration, serial=last + 1)
    # Its PDF is rendered in the background once the badge is committed (badges.receivers).
    transaction.on_commit(lambda: badge_issued.send(sender=Badge, badge_id=badge.pk))
    return badge


@transaction.atomic
def issue_badge(registration: Registration) -> Badge:
    """The registration's active badge, issued now if it has none (idempotent)."""
    registration = _locked(registration)
    active = registration.badges.filter(revoked_at__isnull=True).first()
    if active is not None:
        return active
    if registration.status != Registration.Status.CONFIRMED:
        raise RegistrationNotConfirmed(registration.pk)
    try:
        with transaction.atomic():
            return _new_badge(registration)
    except IntegrityError:
        # Another issuer won (possible where row locks are not, e.g. SQLite in autocommit
        # elsewhere): the unique constraint kept one active badge; return it.
        return registration.badges.get(revoked_at__isnull=True)


def issue_badge_if_confirmed(registration_id: int) -> Badge | None:
    """The active badge of a registration that is confirmed now; None for any other status."""
    registration = Registration.objects.filter(pk=registration_id).first()
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        return None
    try:
        return issue_badge(registration)
    except RegistrationNotConfirmed:  # cancelled meanwhile
        return None


@transaction.atomic
def reissue_badge(registration: Registration) -> Badge:
    """Revoke the active badge (if any) and issue the next serial; the old QR stops working."""
    registration = _locked(registration)
    if registration.status != Registration.Status.CONFIRMED:
        raise RegistrationNotConfirmed(registration.pk)
    registration.badges.filter(revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=Badge.RevokedReason.REISSUED
    )
    return _new_badge(registration)


@transaction.atomic
def revoke_badges(registration: Registration, *, reason: str) -> int:
    """Revoke the registration's active badge; returns how many were revoked (0 or 1)."""
    return registration.badges.filter(revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def issue_missing_badges(registrations) -> int:
    """Issue a badge to each confirmed registration of the queryset that has none."""
    active = Badge.objects.filter(revoked_at__isnull=True).values("registration_id")
    missing = registrations.filter(status=Registration.Status.CONFIRMED).exclude(pk__in=active)
    count = 0
    for registration in missing.iterator():
        issue_badge(registration)
        count += 1
    return count


def _clean_filters(filters: dict) -> dict:
    return {key: value for key, value in filters.items() if key in FILTER_KEYS and value}


@transaction.atomic
def create_print_job(summit: Summit, *, user, layout: str, order: str, filters: dict) -> PrintJob:
    """Record a bulk print job and queue its rendering (after commit, queue "badges", by
    badges.receivers)."""
    job = PrintJob.objects.create(
        summit=summit,
        created_by=user,
        layout=layout,
        order=order,
        filters=_clean_filters(filters),
    )
    transaction.on_commit(lambda: print_job_created.send(sender=PrintJob, job_id=job.pk))
    return job


MAX_PRINT_ATTEMPTS = 3


def run_print_job(job_id: int) -> PrintJob:
    """Render a print job's file, recording progress (done/total) as chunks are written.

    The job is claimed first ("queued" → "running" with this worker's id, one conditional
    UPDATE), so a job enqueued twice is rendered once. If the worker dies, recovery puts the
    job back to "queued" and its task is enqueued again: the file is rendered from the start
    into a new temporary file, so it holds every badge exactly once.
    """
    from summit.infrastructure import workers

    job = PrintJob.objects.select_related("summit").get(pk=job_id)
    jobs = PrintJob.objects.filter(pk=job.pk)
    claimed = jobs.filter(status=PrintJob.Status.QUEUED).update(
        status=PrintJob.Status.RUNNING,
        worker_id=workers.current_worker_id,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        done=0,
        error="",
    )
    if not claimed:  # done, failed, or being rendered by another worker
        job.refresh_from_db()
        return job
    try:
        issue_missing_badges(registrations_to_print(job.summit, job.filters))
        badges = badges_to_print(job.summit, filters=job.filters, order=job.order)
        jobs.update(total=badges.count())
        with tempfile.TemporaryFile() as target:
            count = render_print_file(
                badges,
                job.summit,
                target,
                layout_name=job.layout,
                title=f"{job.summit.name_en} · {job.pk}",
                progress=lambda done, total: jobs.update(done=done, total=total),
            )
            target.seek(0)
            job.file.save(f"badges-{job.pk}-{secrets.token_hex(8)}.pdf", File(target), save=False)
    except Exception as error:
        jobs.update(
            status=PrintJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    jobs.update(
        status=PrintJob.Status.DONE,
        file=job.file.name,
        total=count,
        done=count,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def recover_abandoned_print_jobs(abandoned) -> int:
    """Put back in the queue the print jobs left "running" by a dead worker (their render
    task is enqueued again by summit.infrastructure.workers.recover_tasks)."""
    count = 0
    running = PrintJob.objects.filter(status=PrintJob.Status.RUNNING)
    rows = running.values_list("pk", "worker_id", "started_at", "attempts")
    for job_id, worker_id, started_at, attempts in rows:
        if not abandoned(worker_id, started_at):
            continue
        jobs = PrintJob.objects.filter(
            pk=job_id, status=PrintJob.Status.RUNNING, worker_id=worker_id
        )
        if attempts >= MAX_PRINT_ATTEMPTS:  # the job itself kills its workers: give up
            count += jobs.update(
                status=PrintJob.Status.FAILED,
                error=f"The worker rendering this job stopped {attempts} times.",
                finished_at=timezone.now(),
            )
        else:
            count += jobs.update(status=PrintJob.Status.QUEUED, worker_id="", done=0)
    return count
