"""Changes to an existing registration: choices, cancellation, approval, rejection, and an
organiser's corrections of the guest's details.

Each runs in one transaction with the lock order of ``registration.capacity``; freed seats go
to the waiting lists before the transaction ends.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

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
from registration.models import Enrolment, Registration, RegistrationEvent
from registration.outbox import Outbox
from registration.search import search_text_for
from registration.services import (
    DETAIL_FIELDS,
    NotActive,
    SessionStarted,
    SummitOver,
    WrongStatus,
    valid_targets,
)
from sessions.models import Session


def _lock(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",), no_key=True)
        .select_related("summit")
        .get(pk=registration.pk)
    )


def _refuse_once_over(registration: Registration) -> None:
    """After the summit's last day a guest's registration and choices are a record of what
    was: the guest changes and cancels nothing."""
    if registration.summit.is_over(timezone.now()):
        raise SummitOver


def _started(targets: Iterable[Target]) -> set[Target]:
    """Those of ``targets`` that are sessions which have started."""
    session_ids = [target.pk for target in targets if target.kind == "session"]
    if not session_ids:
        return set()
    started = Session.objects.filter(pk__in=session_ids, starts_at__lte=timezone.now())
    return {Target("session", pk) for pk in started.values_list("pk", flat=True)}


def _describe(targets: Iterable[Target]) -> str:
    names = []
    for target in sorted(targets):
        title = target.model.objects.filter(pk=target.pk).values_list("title_en", flat=True)
        names.append(title.first() or str(target.pk))
    return ", ".join(names)


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
    """Make the guest's forums and sessions exactly these; freed seats go to the waiting list.

    A session that has started is no longer a choice to make or to give up: it is refused as a
    new choice (``ChoiceNotAvailable``), and the guest's choice of one stays as it is, whether
    it is sent again or not (the pages no longer offer it). Refused once the summit is over.
    """
    forum_ids, session_ids = set(forum_ids), set(session_ids)
    with transaction.atomic():
        registration = _lock(registration)
        _refuse_once_over(registration)
        if not registration.is_active:
            raise NotActive
        current = {
            Target.of(e) for e in registration.enrolments.exclude(status=Enrolment.Status.CANCELLED)
        }
        kept = _started(current)
        wanted = kept | valid_targets(
            registration.summit, forum_ids, session_ids - {target.pk for target in kept}
        )
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
    """Cancel one choice. Raises Enrolment.DoesNotExist if it is not this registration's,
    ``SessionStarted`` for a session that has started, ``SummitOver`` after the summit."""
    with transaction.atomic():
        registration = _lock(registration)
        enrolment = registration.enrolments.get(pk=enrolment_id)
        _refuse_once_over(registration)
        if enrolment.status == Enrolment.Status.CANCELLED:
            return enrolment
        if _started([Target.of(enrolment)]):
            raise SessionStarted
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


def cancel_registration(
    registration: Registration, *, actor, detail: str = "", by_guest: bool = False
) -> Registration:
    """Cancel a registration and its choices; its seats go to the waiting lists at once.

    ``by_guest``: the guest cancels it themself, which is refused once the summit is over
    (``SummitOver``). Organisers, and the deletion of an account, may still cancel then; no
    seat goes to anyone after the summit (``capacity.fill``).
    """
    with transaction.atomic():
        registration = _lock(registration)
        if by_guest:
            _refuse_once_over(registration)
        if not registration.is_active:
            return registration
        old = registration.status
        held_seat = old == Registration.Status.CONFIRMED
        if held_seat:
            lock_summit(registration.summit_id)
            lock_targets(all_targets_of(registration.summit_id))
        enrolments = list(registration.enrolments.exclude(status=Enrolment.Status.CANCELLED))
        freed = sorted(Target.of(e) for e in enrolments if e.status == Enrolment.Status.CONFIRMED)
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


# --- Details -------------------------------------------------------------------------------

# Free text of several lines: the history names the field, without its (long) text.
_LONG_FIELDS = frozenset({"dietary_notes", "accessibility_needs"})


def _describe_change(name: str, old: str, new: str) -> str:
    if name in _LONG_FIELDS:
        return name
    return f"{name}: “{old}” → “{new}”"


def change_details(
    registration: Registration, *, details: dict[str, Any], category: str, actor
) -> Registration:
    """An organiser corrects the guest's details (``DETAIL_FIELDS``) and category.

    Only what differs is written, with a history line listing it. The registration is saved
    with those fields named, so that the badges app renders the active badge again when what
    it prints changed (``badges.receivers.registration_saved``); the badge keeps its serial
    and QR code, as with any other change of a name (only a reissue replaces the code).
    """
    with transaction.atomic():
        registration = _lock(registration)
        wanted = {name: details[name] for name in DETAIL_FIELDS if name in details}
        wanted["category"] = category
        old = {name: getattr(registration, name) for name in wanted}
        changed = [name for name, value in wanted.items() if old[name] != value]
        if not changed:
            return registration
        for name in changed:
            setattr(registration, name, wanted[name])
        registration.search_text = search_text_for(registration)
        registration.save(update_fields=[*changed, "search_text", "updated_at"])
        outbox = Outbox(actor=actor)
        outbox.event(
            registration,
            RegistrationEvent.Kind.DETAILS,
            "; ".join(_describe_change(name, old[name], wanted[name]) for name in changed),
        )
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


def fill_raised_capacity(summit_id: int, *, forum_id: int | None, session_id: int | None) -> None:
    """An organiser raised a capacity: move the waiting list into the new seats at once."""
    with transaction.atomic():
        if forum_id is None and session_id is None:
            lock_summit(summit_id)
            lock_targets(all_targets_of(summit_id))
            promotions = fill_summit(summit_id)
        else:
            target = (
                Target("forum", forum_id) if forum_id is not None else Target("session", session_id)
            )
            lock_targets([target])
            promotions = fill(target)
        outbox = Outbox(actor=None)
        outbox.promotions(promotions)
        outbox.flush()
