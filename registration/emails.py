"""E-mails to guests and invitees, in their language, sent once each, retried with backoff.

Services record an :class:`~registration.models.OutgoingEmail` in their transaction and queue
its send task with ``registration.tasks.queue_sending`` (in the same transaction with the
production task backend, see there); the task calls :func:`send_outgoing_email`, which locks
the record, sends, and marks it sent, so a task run twice sends once. A failure is counted and
handed to the ``retry`` callable the task passes (``registration.tasks.schedule_retry``
re-enqueues it with ``run_after``: django-tasks has no retry of its own), until
``MAX_ATTEMPTS``. This module never imports the tasks, which import it.

What an e-mail says is built here, by kind; kinds that another module of this app writes
register their builder with :func:`register_message` (from ``RegistrationConfig.ready``), so
that this module does not import them (the calendar's session changes).
"""

import contextlib
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from registration.invitation_links import invitation_path
from registration.models import (
    Enrolment,
    Invitation,
    OutgoingEmail,
    Registration,
    RegistrationEvent,
)
from registration.selectors import choices_of
from registration.signals import email_attachments
from summit.dates import date_range
from summit.infrastructure import mail as mail_parts

logger = logging.getLogger(__name__)

# Queues the next attempt of a failed e-mail: (email id, attempts so far) → whether it could.
RetryScheduler = Callable[[int, int], bool]

MAX_ATTEMPTS = 6
RETRY_BASE_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min, 8 min


@dataclass
class Message:
    subject: str
    paragraphs: list[str]
    link: str = ""
    link_text: str = ""
    items: list[str] = field(default_factory=list)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


# E-mail kind → the function that builds its message, for kinds written outside this module.
MESSAGE_BUILDERS: dict[str, Callable[[OutgoingEmail], Message]] = {}


def register_message(kind: str, builder: Callable[[OutgoingEmail], Message]) -> None:
    MESSAGE_BUILDERS[kind] = builder


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _choices(registration: Registration) -> list[str]:
    # The same words as the guest's page: a seat, or a place in line.
    return [f"{choice.title}: {choice.label}" for choice in choices_of(registration)]


def registration_message(email: OutgoingEmail) -> Message:
    if email.kind in MESSAGE_BUILDERS:
        return MESSAGE_BUILDERS[email.kind](email)
    registration = email.registration
    summit = registration.summit
    contact = summit.contact_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    names = {"summit": summit.name, "contact": contact}
    reason = email.context.get("reason", "")
    link, link_text = absolute(reverse("registration:mine")), _("See or change your registration")
    items: list[str] = []
    if email.kind == "confirmation":
        subject = _("Your registration is confirmed")
        opening = {
            "approved": _("Your registration for %(summit)s has been approved."),
            "promoted": _("A place has become free at %(summit)s, and it is yours."),
            "imported": _("Your delegation has registered you for %(summit)s."),
        }.get(reason, _("Thank you for registering for %(summit)s."))
        paragraphs = [
            opening % names,
            _("Your place is confirmed. Your badge is attached: show its QR code at the door."),
        ]
        items = _choices(registration)
    elif email.kind == "received":
        subject = _("We have received your registration")
        paragraphs = [
            _("Thank you for registering for %(summit)s.") % names,
            _("An organiser will review your registration. We will write again when it is."),
        ]
    elif email.kind == "waitlisted":
        subject = _("You are on the waiting list")
        paragraphs = [
            _("%(summit)s is full at the moment.") % names,
            _("You are on the waiting list; we will write as soon as a place is yours."),
        ]
    elif email.kind == "enrolment_promoted":
        enrolment = Enrolment.objects.select_related("forum", "session").get(
            pk=email.context["enrolment"]
        )
        title = (enrolment.forum or enrolment.session).title
        subject = _("A seat is now yours: %(title)s") % {"title": title}
        paragraphs = [
            _("A seat has become free in “%(title)s”, and it is yours.") % {"title": title}
        ]
        items = _choices(registration)
    elif email.kind == "rejection":
        subject = _("About your registration")
        paragraphs = [
            _("We are sorry: we cannot confirm your registration for %(summit)s.") % names,
            _("If you think this is a mistake, please write to %(contact)s.") % names,
        ]
    elif email.kind == "cancellation":
        subject = _("Your registration has been cancelled")
        paragraphs = [
            _("Your registration for %(summit)s has been cancelled.") % names,
            _("If you did not ask for this, please write to %(contact)s.") % names,
        ]
    else:
        raise ValueError(f"Unknown e-mail kind {email.kind!r}")
    message = Message(subject, paragraphs, link, link_text, items)
    if email.kind == "confirmation":
        for _receiver, answer in email_attachments.send(
            sender=Registration, registration=registration, kind=email.kind, reason=reason
        ):
            message.attachments.extend(answer or [])
        if not message.attachments:
            message.paragraphs[1] = _("Your place is confirmed.")
    return message


def invitation_message(email: OutgoingEmail) -> Message:

    invitation = email.invitation
    summit = invitation.summit
    facts = {
        "summit": summit.name,
        "dates": date_range(summit.starts_on, summit.ends_on),
        "venue": _("%(venue)s, %(city)s") % {"venue": summit.venue, "city": summit.city},
        "closes": date_format(timezone.localtime(summit.registration_closes_at), "DATETIME_FORMAT"),
    }
    reminder = email.kind == "invitation_reminder"
    subject = _("Reminder: %(summit)s") if reminder else _("Invitation: %(summit)s")
    paragraphs = [
        _("You are invited to %(summit)s, %(dates)s, %(venue)s.") % facts,
        _(
            "Register with your personal link below: your details are filled in, no password "
            "is needed, and your badge is on your phone as soon as you have registered."
        ),
        _("The link is yours alone and works until registration closes (%(closes)s).") % facts,
        _("If you cannot come, open the link and decline in one tap."),
    ]
    if reminder:
        paragraphs.insert(0, _("We have not heard from you yet."))
    return Message(
        subject % facts,
        paragraphs,
        absolute(invitation_path(invitation)),
        _("Register now"),
    )


def build(email: OutgoingEmail) -> EmailMultiAlternatives:
    with translation.override(email.language):
        message = invitation_message(email) if email.invitation_id else registration_message(email)
        context = {"message": message, "summit": (email.registration or email.invitation).summit}
        text = render_to_string("registration/email/message.txt", context)
        html = render_to_string("registration/email/message.html", context)
        subject, sender = f"{mail_parts.subject_prefix()}{message.subject}", mail_parts.sender()
    mail = EmailMultiAlternatives(subject, text, sender, to=[email.recipient])
    mail.attach_alternative(html, "text/html")
    for filename, content, mimetype in message.attachments:
        mail.attach(filename, content, mimetype)
    return mail


def _claim(email_id: int) -> OutgoingEmail | str:
    """Mark the e-mail "sending" by this worker (committed), or say why it is not to be sent."""
    from summit.infrastructure import workers

    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("registration__summit", "invitation__summit")
            .filter(pk=email_id)
            .first()
        )
        if email is None:
            return "missing or being sent"
        if email.status != OutgoingEmail.Status.QUEUED:
            return email.status
        email.status = OutgoingEmail.Status.SENDING
        email.claimed_by = workers.current_worker_id
        email.claimed_at = timezone.now()
        email.attempts += 1
        email.save(update_fields=["status", "claimed_by", "claimed_at", "attempts"])
    return email


def _sent(email: OutgoingEmail) -> None:
    # First and alone: the one UPDATE between the mail server's acceptance and the record
    # of it (the window of a possible second copy, see send_outgoing_email).
    email.status = OutgoingEmail.Status.SENT
    email.sent_at = timezone.now()
    OutgoingEmail.objects.filter(pk=email.pk).update(status=email.status, sent_at=email.sent_at)
    # Then what follows from it. After a crash just here, recover_abandoned_emails marks the
    # invitation sent; only the registration's history line of the e-mail would be missing.
    with transaction.atomic():
        if email.registration_id:
            RegistrationEvent.objects.create(
                registration_id=email.registration_id,
                kind=RegistrationEvent.Kind.EMAIL,
                detail=email.kind,
            )
        if email.invitation_id:
            type(email.invitation).objects.filter(pk=email.invitation_id).update(
                sent_at=email.sent_at
            )


def _failed(email: OutgoingEmail, error: Exception, schedule_retry: RetryScheduler | None) -> None:
    logger.warning(
        "E-mail %s failed (attempt %s): %s", email.pk, email.attempts, type(error).__name__
    )
    email.last_error = repr(error)[:300]
    retry = email.attempts < MAX_ATTEMPTS
    email.status = OutgoingEmail.Status.QUEUED if retry else OutgoingEmail.Status.FAILED
    with transaction.atomic():
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=email.status, last_error=email.last_error, claimed_by="", claimed_at=None
        )
        if retry and schedule_retry is not None:
            schedule_retry(email.pk, email.attempts)


def send_outgoing_email(email_id: int, *, schedule_retry: RetryScheduler | None = None) -> str:
    """Send one recorded e-mail unless it was sent already. Returns what happened.

    After a failure that leaves attempts, ``schedule_retry(email_id, attempt)`` queues the next
    one in the transaction that records the failure (the send task passes
    ``registration.tasks.schedule_retry``); without it the e-mail stays queued for
    ``send_queued_emails`` and the workers' recovery.

    Crash safety (docs/deployment.md): the e-mail is first *claimed* ("sending", with the
    worker's id) in a committed transaction, so no other worker takes it; everything slow
    (rendering the message and its badge PDF, connecting to the mail server) happens before
    the message is handed over; right after the server accepts it, "sent" is committed. If
    the worker dies, summit.infrastructure.workers.recover() puts its "sending" e-mails back in the
    queue. The one window where a message can go out twice is between the server's acceptance and
    that commit (one UPDATE, about a millisecond): the copy sent again carries the same
    Message-ID (``OutgoingEmail.message_id``), by which mail systems and readers recognise it.
    """
    from django.core.mail import get_connection

    email = _claim(email_id)
    if isinstance(email, str):
        return email
    connection = None
    try:
        mail = build(email)
        mail.extra_headers["Message-ID"] = email.message_id
        connection = get_connection()
        connection.open()
        mail.connection = connection
        mail.send()
    except Exception as error:
        _failed(email, error, schedule_retry)
        return "failed"
    else:
        _sent(email)  # before closing the connection: the window stays one UPDATE long
        return "sent"
    finally:
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()


def retry_delay(attempt: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (attempt - 1))


def recover_abandoned_emails(abandoned) -> int:
    """Put back in the queue the e-mails left "sending" by a dead worker (their send task is
    enqueued again by summit.infrastructure.workers.recover_tasks). See send_outgoing_email for the
    window in which such an e-mail may already have reached the mail server."""
    count = 0
    sending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENDING)
    rows = sending.values_list("pk", "claimed_by", "claimed_at", "attempts")
    for email_id, worker_id, claimed_at, attempts in rows:
        if abandoned(worker_id, claimed_at):
            # An e-mail whose sending killed its worker MAX_ATTEMPTS times is given up.
            status = OutgoingEmail.Status.QUEUED
            if attempts >= MAX_ATTEMPTS:
                status = OutgoingEmail.Status.FAILED
            # Only if nobody touched it since we looked (another recovery, a late worker).
            count += OutgoingEmail.objects.filter(
                pk=email_id, status=OutgoingEmail.Status.SENDING, claimed_by=worker_id
            ).update(status=status, claimed_by="", claimed_at=None, last_error="worker died")
    # A worker that died right after recording "sent" left its invitation unmarked.
    last_sent = (
        OutgoingEmail.objects.filter(invitation=OuterRef("pk"), status=OutgoingEmail.Status.SENT)
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    Invitation.objects.filter(
        sent_at__isnull=True, emails__status=OutgoingEmail.Status.SENT
    ).update(sent_at=Subquery(last_sent))
    return count
