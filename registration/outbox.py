"""What a service leaves behind besides its rows: history, e-mails and news for other apps.

A service collects them in an :class:`Outbox` while it works and calls :meth:`Outbox.flush`
before its transaction ends. History lines and e-mail records are written in the same
transaction (so an e-mail exists if and only if the change happened), and so are the e-mails'
send tasks with the production task backend (registration.tasks.queue_sending); the
``registration_status_changed`` signal goes out after commit.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from registration.capacity import Promotions
from registration.models import Enrolment, OutgoingEmail, Registration, RegistrationEvent
from registration.signals import registration_status_changed
from registration.tasks import queue_sending

logger = logging.getLogger(__name__)


@dataclass
class Outbox:
    actor: Any = None
    events: list[RegistrationEvent] = field(default_factory=list)
    emails: list[OutgoingEmail] = field(default_factory=list)
    status_changes: list[tuple[Registration, str | None, str]] = field(default_factory=list)
    written_emails: list[OutgoingEmail] = field(default_factory=list)
    emails_queued: int = 0  # of written_emails, by queue_emails

    def status(self, registration: Registration, old: str | None, new: str, detail="") -> None:
        self.status_changes.append((registration, old, new))
        self.events.append(
            RegistrationEvent(
                registration=registration,
                kind=RegistrationEvent.Kind.STATUS,
                actor=self.actor,
                old_status=old or "",
                new_status=new,
                detail=detail[:300],
            )
        )

    def event(self, registration: Registration, kind: str, detail: str) -> None:
        self.events.append(
            RegistrationEvent(
                registration=registration, kind=kind, actor=self.actor, detail=detail[:300]
            )
        )

    def email(self, registration: Registration, kind: str, **context) -> None:
        self.emails.append(
            OutgoingEmail(
                registration=registration,
                kind=kind,
                context=context,
                recipient=registration.email,
                language=registration.language,
            )
        )

    def promotions(self, promotions: Promotions, own: Registration | None = None) -> None:
        """History, e-mails and news for everyone a fill moved off a waiting list.

        A registration that was itself just confirmed (``own``, or promoted at summit level)
        gets one confirmation listing its choices, not an e-mail per choice.
        """
        confirmed_now = {registration.pk for registration in promotions.registrations}
        if own is not None:
            confirmed_now.add(own.pk)
        for registration in promotions.registrations:
            self.status(
                registration,
                Registration.Status.WAITLISTED,
                Registration.Status.CONFIRMED,
                "promoted from the waiting list",
            )
            self.email(registration, "confirmation", reason="promoted")
        if promotions.enrolments:
            promoted = Enrolment.objects.filter(pk__in=promotions.enrolments).select_related(
                "registration", "forum", "session"
            )
            for enrolment in promoted:
                if enrolment.registration_id in confirmed_now:
                    continue
                target = enrolment.forum or enrolment.session
                self.event(
                    enrolment.registration,
                    RegistrationEvent.Kind.ENROLMENT,
                    f"promoted from the waiting list: {target.title_en}",
                )
                self.email(enrolment.registration, "enrolment_promoted", enrolment=enrolment.pk)

    def flush(self) -> None:
        self.write()
        self.publish()

    def write(self) -> tuple[list[RegistrationEvent], list[OutgoingEmail]]:
        """Write the history lines and e-mail records now; returns them (with ids)."""
        events = RegistrationEvent.objects.bulk_create(self.events)
        emails = OutgoingEmail.objects.bulk_create(self.emails)
        self.written_emails += emails
        self.events, self.emails = [], []
        return events, emails

    def queue_emails(self) -> None:
        """Queue the send tasks of the e-mails written so far now rather than in ``publish``
        (a service that takes a busy lock later queues them before it). What the e-mails say
        may still change: a task carries the e-mail's id, read when it runs."""
        queue_sending([email.pk for email in self.written_emails[self.emails_queued :]])
        self.emails_queued = len(self.written_emails)

    def publish(self) -> None:
        """After commit: the status news; and a send task per e-mail written (in this
        transaction with the production task backend, see tasks.queue_sending)."""
        self.write()
        changes = list(self.status_changes)
        confirmed_by_email = {
            email.registration_id for email in self.written_emails if email.kind == "confirmation"
        }

        def after_commit() -> None:
            for registration, old, new in changes:
                # One app's failing receiver must not keep the others or the e-mails from
                # running: the change is committed already.
                answers = registration_status_changed.send_robust(
                    sender=Registration,
                    registration=registration,
                    old_status=old,
                    new_status=new,
                    confirmation_email=registration.pk in confirmed_by_email,
                )
                for receiver, answer in answers:
                    if isinstance(answer, Exception):
                        logger.error(
                            "registration_status_changed receiver %r failed",
                            receiver,
                            exc_info=answer,
                        )

        if changes:
            transaction.on_commit(after_commit)
        # After the news above when both wait for the commit (as they always did).
        self.queue_emails()
        self.status_changes, self.written_emails, self.emails_queued = [], [], 0
