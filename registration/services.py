"""The operations of registration: register, change choices, cancel, approve, reject.

Each service runs in one transaction, takes its locks in the order ``registration.capacity``
describes, and leaves history, e-mails and news in an :class:`~registration.outbox.Outbox`.
"""

import unicodedata
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.capacity import (
    Promotions,
    Target,
    all_targets_of,
    fill,
    fill_summit,
    fill_targets_of,
    lock_summit,
    lock_targets,
    release_seat,
    release_summit_seat,
    take_seat,
    take_summit_seat,
)
from registration.models import Category, Enrolment, Invitation, Registration, RegistrationEvent
from registration.outbox import Outbox
from sessions.models import Forum, Session
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


class WrongStatus(RegistrationError):
    message = _("This registration cannot be changed that way in its current status.")


# --- Helpers -------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case-folded and without accents, so "joao" finds "João" and "CHAN" finds "Chan"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_text_for(registration: Registration) -> str:
    parts = (registration.name, registration.name_latin, registration.organisation)
    return fold(" ".join([*parts, registration.email]))


def invitation_is_usable(invitation: Invitation, now=None) -> bool:
    now = now or timezone.now()
    if invitation.revoked_at is not None:
        return False
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return False
    return not Registration.objects.filter(invitation=invitation).exists()


def choosable_forums(summit: Summit):
    return Forum.objects.filter(summit=summit, kind=Forum.Kind.THEMED)


def choosable_sessions(summit: Summit):
    return Session.objects.filter(
        forum__summit=summit,
        requires_enrolment=True,
        is_published=True,
        status=Session.Status.SCHEDULED,
    )


def valid_targets(
    summit: Summit, forum_ids: Iterable[int], session_ids: Iterable[int]
) -> set[Target]:
    forum_ids, session_ids = set(forum_ids), set(session_ids)
    forums = set(choosable_forums(summit).filter(pk__in=forum_ids).values_list("pk", flat=True))
    sessions = set(
        choosable_sessions(summit).filter(pk__in=session_ids).values_list("pk", flat=True)
    )
    if forums != forum_ids or sessions != session_ids:
        raise ChoiceNotAvailable
    return {Target("forum", pk) for pk in forums} | {Target("session", pk) for pk in sessions}


def _lock(registration: Registration) -> Registration:
    return Registration.objects.select_for_update().select_related("summit").get(pk=registration.pk)


def _describe(targets: Iterable[Target]) -> str:
    names = []
    for target in sorted(targets):
        title = target.model.objects.filter(pk=target.pk).values_list("title_en", flat=True)
        names.append(title.first() or str(target.pk))
    return ", ".join(names)


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
    if submission_key is not None:
        existing = Registration.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            if existing.user_id != user_id:
                raise AlreadyRegistered
            return existing, False
    if not imported and not summit.registration_is_open(now):
        raise RegistrationClosed
    if user_id and Registration.objects.filter(summit=summit, user_id=user_id).exists():
        raise AlreadyRegistered
    if invitation is not None and not invitation_is_usable(invitation, now):
        raise InvitationNotValid
    targets = valid_targets(summit, forum_ids, session_ids)
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
        # A concurrent twin of this submission (or another one by the same person) won.
        if submission_key is not None:
            existing = Registration.objects.filter(submission_key=submission_key).first()
            if existing is not None and existing.user_id == user_id:
                return existing, False
        if user_id and Registration.objects.filter(summit=summit, user_id=user_id).exists():
            raise AlreadyRegistered from None
        if Registration.objects.filter(summit=summit, email__iexact=email).exists():
            raise EmailAlreadyRegistered from None
        if invitation is not None:
            raise InvitationNotValid from None
        raise
    return registration, True


def _create(
    summit, *, user, email, details, targets, needs_approval, consent_version,
    submission_key, invitation, category, reason, actor, now,
) -> Registration:  # fmt: skip
    if needs_approval:
        status = Registration.Status.PENDING
    elif take_summit_seat(summit.pk):  # locks the summit row first
        status = Registration.Status.CONFIRMED
        lock_targets(targets)
    else:
        status = Registration.Status.WAITLISTED
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
    confirmed = status == Registration.Status.CONFIRMED
    Enrolment.objects.bulk_create(
        Enrolment(
            registration=registration,
            status=Enrolment.Status.CONFIRMED
            if confirmed and take_seat(target)
            else Enrolment.Status.WAITLISTED,
            **target.lookup,
        )
        for target in sorted(targets)
    )
    outbox = Outbox(actor=actor)
    outbox.status(registration, None, status)
    kind = {
        Registration.Status.CONFIRMED: "confirmation",
        Registration.Status.PENDING: "received",
        Registration.Status.WAITLISTED: "waitlisted",
    }[status]
    outbox.email(registration, kind, reason=reason)
    outbox.flush()
    return registration


def claim_registration(user, summit: Summit) -> Registration | None:
    """Attach a registration made for this person (an import) to their verified account."""
    from allauth.account.models import EmailAddress

    emails = list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    if not emails:
        return None
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .filter(summit=summit, user__isnull=True, email__in=emails)
            .first()
        )
        if registration is None or Registration.objects.filter(summit=summit, user=user).exists():
            return None
        registration.user = user
        registration.save(update_fields=["user", "updated_at"])
        outbox = Outbox(actor=user)
        outbox.event(registration, RegistrationEvent.Kind.DETAILS, "account linked")
        outbox.flush()
    return registration


# --- Choices -------------------------------------------------------------------------------


def _enrol(registration: Registration, target: Target, existing: Enrolment | None) -> None:
    confirmed = registration.status == Registration.Status.CONFIRMED and take_seat(target)
    status = Enrolment.Status.CONFIRMED if confirmed else Enrolment.Status.WAITLISTED
    if existing is None:
        Enrolment.objects.create(registration=registration, status=status, **target.lookup)
        return
    # Choosing again after cancelling: a new place at the back of the line.
    now = timezone.now()
    Enrolment.objects.filter(pk=existing.pk).update(
        status=status, created_at=now, updated_at=now, promoted_at=None
    )


def _cancel(enrolment: Enrolment) -> Promotions:
    """Cancel one enrolment; the caller holds its target's lock and read it after locking."""
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=Enrolment.Status.CANCELLED, updated_at=timezone.now()
    )
    if enrolment.status != Enrolment.Status.CONFIRMED:
        return Promotions()
    target = Target.of(enrolment)
    release_seat(target)
    return fill(target)


def change_choices(
    registration: Registration, *, forum_ids: Iterable[int], session_ids: Iterable[int], actor
) -> Registration:
    """Make the guest's forums and sessions exactly these; freed seats go to the waiting list."""
    wanted = valid_targets(registration.summit, forum_ids, session_ids)
    with transaction.atomic():
        registration = _lock(registration)
        if not registration.is_active:
            raise NotActive
        current = {
            Target.of(e) for e in registration.enrolments.exclude(status=Enrolment.Status.CANCELLED)
        }
        added, removed = wanted - current, current - wanted
        if not added and not removed:
            return registration
        lock_targets(added | removed)
        # Read again under the locks: a promotion may have confirmed a waiting enrolment.
        enrolments = {Target.of(e): e for e in registration.enrolments.all()}
        promotions = Promotions()
        for target in sorted(removed):
            promotions.extend(_cancel(enrolments[target]))
        for target in sorted(added):
            _enrol(registration, target, enrolments.get(target))
        outbox = Outbox(actor=actor)
        changes = []
        if added:
            changes.append(f"added {_describe(added)}")
        if removed:
            changes.append(f"removed {_describe(removed)}")
        outbox.event(registration, RegistrationEvent.Kind.CHOICES, "; ".join(changes))
        outbox.promotions(promotions)
        outbox.flush()
    return registration


def cancel_enrolment(registration: Registration, enrolment_id: int, *, actor) -> Enrolment:
    """Cancel one choice. Raises Enrolment.DoesNotExist if it is not this registration's."""
    with transaction.atomic():
        registration = _lock(registration)
        enrolment = registration.enrolments.get(pk=enrolment_id)
        if enrolment.status == Enrolment.Status.CANCELLED:
            return enrolment
        lock_targets([Target.of(enrolment)])
        enrolment.refresh_from_db()
        promotions = _cancel(enrolment)
        outbox = Outbox(actor=actor)
        outbox.event(
            registration,
            RegistrationEvent.Kind.ENROLMENT,
            f"cancelled {_describe([Target.of(enrolment)])}",
        )
        outbox.promotions(promotions)
        outbox.flush()
    enrolment.refresh_from_db()
    return enrolment


# --- Status --------------------------------------------------------------------------------


def cancel_registration(registration: Registration, *, actor, detail: str = "") -> Registration:
    """Cancel a registration and its choices; its seats go to the waiting lists at once."""
    with transaction.atomic():
        registration = _lock(registration)
        if not registration.is_active:
            return registration
        old = registration.status
        held_seat = old == Registration.Status.CONFIRMED
        if held_seat:
            lock_summit(registration.summit_id)
            lock_targets(all_targets_of(registration.summit_id))
        enrolments = list(registration.enrolments.exclude(status=Enrolment.Status.CANCELLED))
        freed = sorted(
            Target.of(e) for e in enrolments if e.status == Enrolment.Status.CONFIRMED
        )
        Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).update(
            status=Enrolment.Status.CANCELLED, updated_at=timezone.now()
        )
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        promotions = Promotions()
        if held_seat:
            for target in freed:
                release_seat(target)
            release_summit_seat(registration.summit_id)
            for target in freed:
                promotions.extend(fill(target))
            promotions.extend(fill_summit(registration.summit_id))
        outbox = Outbox(actor=actor)
        outbox.status(registration, old, Registration.Status.CANCELLED, detail)
        outbox.email(registration, "cancellation")
        outbox.promotions(promotions)
        outbox.flush()
    return registration


def approve_registration(registration: Registration, *, actor) -> Registration:
    """Approve a pending registration: confirmed if the summit has a seat, else waitlisted."""
    with transaction.atomic():
        registration = _lock(registration)
        if registration.status != Registration.Status.PENDING:
            raise WrongStatus
        outbox = Outbox(actor=actor)
        promotions = Promotions()
        if take_summit_seat(registration.summit_id):
            lock_targets(
                {Target.of(e) for e in registration.enrolments.exclude(status="cancelled")}
            )
            registration.status = Registration.Status.CONFIRMED
        else:
            registration.status = Registration.Status.WAITLISTED
        registration.decided_at = timezone.now()
        registration.decided_by = actor
        registration.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
        if registration.status == Registration.Status.CONFIRMED:
            promotions = fill_targets_of(registration)
            outbox.email(registration, "confirmation", reason="approved")
        else:
            outbox.email(registration, "waitlisted", reason="approved")
        outbox.status(registration, Registration.Status.PENDING, registration.status, "approved")
        outbox.promotions(promotions, own=registration)
        outbox.flush()
    return registration


def reject_registration(registration: Registration, *, actor) -> Registration:
    with transaction.atomic():
        registration = _lock(registration)
        if registration.status not in {
            Registration.Status.PENDING,
            Registration.Status.WAITLISTED,
        }:
            raise WrongStatus
        old = registration.status
        registration.enrolments.exclude(status=Enrolment.Status.CANCELLED).update(
            status=Enrolment.Status.CANCELLED, updated_at=timezone.now()
        )
        registration.status = Registration.Status.REJECTED
        registration.decided_at = timezone.now()
        registration.decided_by = actor
        registration.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
        outbox = Outbox(actor=actor)
        outbox.status(registration, old, Registration.Status.REJECTED)
        outbox.email(registration, "rejection")
        outbox.flush()
    return registration


BULK_ACTIONS = {
    "approve": approve_registration,
    "reject": reject_registration,
    "cancel": cancel_registration,
}


def decide_many(registration_ids: Iterable[int], *, action: str, actor) -> tuple[int, int]:
    """Apply one action to many registrations, each in its own transaction.

    Returns (done, skipped): registrations in a status the action does not apply to are
    skipped, not failed, so that "approve all pending on this page" is safe to repeat.
    """
    service = BULK_ACTIONS[action]
    done = skipped = 0
    for registration in Registration.objects.filter(pk__in=list(registration_ids)).order_by("pk"):
        if action == "cancel" and not registration.is_active:
            skipped += 1
            continue
        try:
            service(registration, actor=actor)
        except WrongStatus:
            skipped += 1
        else:
            done += 1
    return done, skipped
