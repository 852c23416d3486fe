"""The operations of registration: register, change choices, cancel, approve, reject.

Each service runs in one transaction, takes its locks in the order ``registration.capacity``
describes, and leaves history, e-mails and news in an :class:`~registration.outbox.Outbox`.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.capacity import (
    Target,
    all_targets_of,
    lock_summit,
    lock_targets,
    take_seats,
)
from registration.choosable import choosable_ids
from registration.models import (
    Category,
    Enrolment,
    Invitation,
    OutgoingEmail,
    Registration,
    RegistrationEvent,
)
from registration.outbox import Outbox
from registration.search import search_text_for
from summit.models import Summit

# The version of the consent text guests agree to (registration/templates/registration/
# consent.html). Change it whenever the text changes; each registration records the version.
CONSENT_VERSION = "2026-1"

DETAIL_FIELDS = (
    "name",
    "name_latin",
    "organisation",
    "job_title",
    "region",
    "phone",
    "language",
    "dietary",
    "dietary_notes",
    "accessibility_needs",
)


class RegistrationError(Exception):
    """A rule stopped the operation. ``message`` is translated, for the guest or organiser."""

    message: Any = _("This cannot be done.")

    def __init__(self, message: Any = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class RegistrationClosed(RegistrationError):
    message = _("Registration is not open at the moment.")


class AlreadyRegistered(RegistrationError):
    message = _("You have already registered.")


class EmailAlreadyRegistered(RegistrationError):
    message = _("This e-mail address is already registered for the summit.")


class InvitationNotValid(RegistrationError):
    message = _("This invitation has been used, has expired or was withdrawn.")


class ChoiceNotAvailable(RegistrationError):
    message = _("One of the forums or sessions you chose cannot be chosen.")


class NotActive(RegistrationError):
    message = _("This registration is cancelled or rejected.")


class SummitOver(RegistrationError):
    message = _("The summit is over: registrations and choices can no longer be changed.")


class SessionStarted(RegistrationError):
    message = _("This session has started: its choice can no longer be changed.")


class WrongStatus(RegistrationError):
    message = _("This registration cannot be changed that way in its current status.")


# --- Helpers -------------------------------------------------------------------------------


def invitation_is_usable(invitation: Invitation, now=None) -> bool:
    return _invitation_is_open(invitation, now or timezone.now()) and not _invitation_used(
        invitation
    )


def _invitation_is_open(invitation: Invitation, now) -> bool:
    """Not withdrawn, not expired (whether it was used is for the database to say)."""
    if invitation.revoked_at is not None:
        return False
    return invitation.expires_at is None or now < invitation.expires_at


def _invitation_used(invitation: Invitation) -> bool:
    return Registration.objects.filter(invitation=invitation).exists()


def valid_targets(
    summit: Summit, forum_ids: Iterable[int], session_ids: Iterable[int]
) -> set[Target]:
    forum_ids, session_ids = set(forum_ids), set(session_ids)
    if not forum_ids and not session_ids:
        return set()
    forums, sessions = choosable_ids(summit, forum_ids, session_ids)
    if forums != forum_ids or sessions != session_ids:
        raise ChoiceNotAvailable
    return {Target("forum", pk) for pk in forums} | {Target("session", pk) for pk in sessions}


# --- Registering ---------------------------------------------------------------------------


def register_guest(
    summit: Summit,
    *,
    user,
    email: str,
    details: dict[str, Any],
    forum_ids: Iterable[int] = (),
    session_ids: Iterable[int] = (),
    consent_version: str = CONSENT_VERSION,
    submission_key: uuid.UUID | None = None,
    invitation: Invitation | None = None,
    category: str = Category.DELEGATE,
    imported: bool = False,
    actor=None,
) -> tuple[Registration, bool]:
    """Register a guest. Returns the registration and whether it was created just now.

    A submission key seen before returns the registration it created (a double click or a
    resubmitted form creates nothing twice). Without approval (invitation, import, or a summit
    that does not ask for it) the guest takes a summit seat if one is free, else waits in line.
    """
    now = timezone.now()
    user_id = user.pk if user is not None else None
    # Nothing is asked first whether this submission or this person registered before: the
    # unique constraints on the submission key and on (summit, user) refuse the second
    # registration, and only then (or when a rule refuses) is the earlier one looked up. That
    # saves a query on the busiest request of the summit.
    try:
        if not imported and not summit.registration_is_open(now):
            raise RegistrationClosed
        # A used invitation is refused by its registration's unique invitation (below).
        if invitation is not None and not _invitation_is_open(invitation, now):
            raise InvitationNotValid
        targets = valid_targets(summit, forum_ids, session_ids)
    except RegistrationError as error:
        # A resubmission of a form that went through returns what it made, whatever changed.
        earlier = _earlier_registration(summit, user_id=user_id, submission_key=submission_key)
        if earlier is not None:
            return earlier, False
        if isinstance(error, ChoiceNotAvailable) and invitation and _invitation_used(invitation):
            raise InvitationNotValid from None  # a used invitation is said before the choices
        raise
    needs_approval = summit.approval_required and invitation is None and not imported
    try:
        with transaction.atomic():
            registration = _create(
                summit,
                user=user,
                email=email,
                details=details,
                targets=targets,
                needs_approval=needs_approval,
                consent_version=consent_version,
                submission_key=submission_key,
                invitation=invitation,
                category=invitation.category if invitation is not None else category,
                reason="imported" if imported else "registered",
                actor=actor or user,
                now=now,
            )
    except IntegrityError:
        # This submission (a double click, maybe at the very same moment) or another one by
        # the same person came first; or the address or the invitation is taken.
        earlier = _earlier_registration(summit, user_id=user_id, submission_key=submission_key)
        if earlier is not None:
            return earlier, False
        if invitation is not None and _invitation_used(invitation):
            raise InvitationNotValid from None
        if Registration.objects.filter(summit=summit, email__iexact=email).exists():
            raise EmailAlreadyRegistered from None
        if invitation is not None:
            raise InvitationNotValid from None
        raise
    return registration, True


def _earlier_registration(
    summit: Summit, *, user_id: int | None, submission_key: uuid.UUID | None
) -> Registration | None:
    """The registration this very submission made before (returned), else None; raises
    AlreadyRegistered if this person registered already with another submission (or the key
    belongs to someone else's)."""
    seen = Q(pk__in=[])
    if submission_key is not None:
        seen |= Q(submission_key=submission_key)
    if user_id:
        seen |= Q(summit=summit, user_id=user_id)
    found = list(Registration.objects.filter(seen)) if (submission_key or user_id) else []
    for registration in found:
        same_key = submission_key is not None and registration.submission_key == submission_key
        if same_key and registration.user_id == user_id:
            return registration
    if found:
        raise AlreadyRegistered
    return None


def _create(
    summit,
    *,
    user,
    email,
    details,
    targets,
    needs_approval,
    consent_version,
    submission_key,
    invitation,
    category,
    reason,
    actor,
    now,
) -> Registration:
    # Everything is written first as if the seats were free, and the seats are taken last:
    # the summit row is the one every registration updates, and its lock is held until
    # commit, so the less that happens after taking it, the more guests register per second.
    # In the rare case a seat is not free, the rows are corrected under the lock.
    status = Registration.Status.PENDING if needs_approval else Registration.Status.CONFIRMED
    registration = Registration(
        summit=summit,
        user=user,
        invitation=invitation,
        status=status,
        category=category,
        email=email,
        consent_given_at=now,
        consent_version=consent_version,
        submission_key=submission_key,
        **{name: details.get(name, "") for name in DETAIL_FIELDS if name in details},
    )
    registration.search_text = search_text_for(registration)
    registration.save(force_insert=True)
    first = Enrolment.Status.WAITLISTED if needs_approval else Enrolment.Status.CONFIRMED
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(registration=registration, status=first, **target.lookup)
            for target in sorted(targets)
        ]
    )
    outbox = Outbox(actor=actor)
    outbox.status(registration, None, status)
    outbox.email(registration, "received" if needs_approval else "confirmation", reason=reason)
    [event], [message] = outbox.write()
    outbox.queue_emails()  # before the summit's lock, which is held from the seat to commit
    if not needs_approval:
        seat, refused = take_seats(summit.pk, targets)  # the summit's row locked to commit
        if seat:
            waiting = [e.pk for e in enrolments if Target.of(e) in refused]
            if waiting:
                Enrolment.objects.filter(pk__in=waiting).update(status=Enrolment.Status.WAITLISTED)
        else:
            status = registration.status = Registration.Status.WAITLISTED
            Registration.objects.filter(pk=registration.pk).update(status=status)
            Enrolment.objects.filter(registration=registration).update(
                status=Enrolment.Status.WAITLISTED
            )
            RegistrationEvent.objects.filter(pk=event.pk).update(new_status=status)
            message.kind = "waitlisted"  # as the news after commit must tell
            OutgoingEmail.objects.filter(pk=message.pk).update(kind=message.kind)
            outbox.status_changes[0] = (registration, None, status)
    outbox.publish()
    return registration


def register_many(
    summit: Summit, entries: list[dict[str, Any]], *, actor=None
) -> list[Registration]:
    """Register many guests in one transaction (demo data, large imports).

    Each entry has user, email, details, forum_ids, session_ids, category and
    ``needs_approval``. Seats are allocated in list order exactly as ``register_guest`` would,
    with the summit and every target locked once, and the counters written back exactly.
    """
    from registration.capacity import SeatBook

    now = timezone.now()
    with transaction.atomic():
        lock_summit(summit.pk)
        targets = all_targets_of(summit.pk)
        lock_targets(targets)
        book = SeatBook(summit.pk, targets)
        registrations, choices = [], []
        for entry in entries:
            if entry.get("needs_approval"):
                status = Registration.Status.PENDING
            elif book.take_summit():
                status = Registration.Status.CONFIRMED
            else:
                status = Registration.Status.WAITLISTED
            registration = Registration(
                summit=summit,
                user=entry.get("user"),
                status=status,
                category=entry.get("category", Category.DELEGATE),
                email=entry["email"],
                consent_given_at=now,
                consent_version=entry.get("consent_version", CONSENT_VERSION),
                **{
                    name: entry["details"].get(name, "")
                    for name in DETAIL_FIELDS
                    if name in entry["details"]
                },
            )
            registration.search_text = search_text_for(registration)
            registrations.append(registration)
            wanted = [Target("forum", pk) for pk in entry.get("forum_ids", ())]
            wanted += [Target("session", pk) for pk in entry.get("session_ids", ())]
            choices.append(sorted(wanted))
        Registration.objects.bulk_create(registrations, batch_size=500)
        enrolments = []
        for registration, wanted in zip(registrations, choices, strict=True):
            confirmed = registration.status == Registration.Status.CONFIRMED
            for target in wanted:
                seat = confirmed and book.take(target)
                status = Enrolment.Status.CONFIRMED if seat else Enrolment.Status.WAITLISTED
                enrolments.append(
                    Enrolment(registration=registration, status=status, **target.lookup)
                )
        Enrolment.objects.bulk_create(enrolments, batch_size=1000)
        book.write()
        outbox = Outbox(actor=actor)
        for registration in registrations:
            outbox.status(registration, None, registration.status)
        outbox.flush()
    return registrations


def claim_registration(user, registration: Registration) -> Registration | None:
    """Attach a registration made without an account (an import) to the account of that
    address, once the address is verified. Returns it, or None if it cannot be claimed."""
    from allauth.account.models import EmailAddress

    verified = EmailAddress.objects.filter(
        user=user, verified=True, email__iexact=registration.email
    ).exists()
    if not verified:
        return None
    with transaction.atomic():
        claimed = Registration.objects.filter(pk=registration.pk, user__isnull=True).update(
            user=user, updated_at=timezone.now()
        )
        if (
            not claimed
            or Registration.objects.filter(summit_id=registration.summit_id, user=user)
            .exclude(pk=registration.pk)
            .exists()
        ):
            transaction.set_rollback(True)
            return None
        registration.user = user
        outbox = Outbox(actor=user)
        outbox.event(registration, RegistrationEvent.Kind.DETAILS, "account linked")
        outbox.flush()
    return registration
