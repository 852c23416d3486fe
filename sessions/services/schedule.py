"""Sessions: create, change, cancel, delete.

When a change to a *published* session reaches guests (time, room, title, description,
speakers, status, forum, publication), the session's ``sequence`` advances and ``changed_at``
moves, and ``sessions.signals.session_changed`` is sent after commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.models import Forum, Session, SessionSpeaker, Speaker
from sessions.selectors import has_active_choices
from sessions.services.errors import (
    AgendaError,
    CapacityBelowSeatsTaken,
    InUse,
    InvalidTimes,
    WrongSummit,
    check_field_names,
)
from sessions.signals import session_changed
from summit.models import validate_plausible_date
from summit.signals import capacity_raised, capacity_was_raised

SESSION_FIELDS = frozenset(
    {
        "forum",
        "title_en",
        "title_zh_hans",
        "title_zh_hant",
        "description_en",
        "description_zh_hans",
        "description_zh_hant",
        "format",
        "starts_at",
        "ends_at",
        "room",
        "requires_enrolment",
        "capacity",
        "status",
        "is_published",
    }
)


@dataclass(frozen=True)
class SpeakerRole:
    """One speaker of a session, in the order given (first is shown first)."""

    speaker: Speaker
    role: str = SessionSpeaker.Role.SPEAKER


def create_session(
    forum: Forum,
    *,
    speakers: Sequence[SpeakerRole] = (),
    **fields: Any,
) -> Session:
    check_field_names(fields, SESSION_FIELDS - {"forum"})
    with transaction.atomic():
        session = Session(forum=forum, **fields)
        _check_session(session)
        session.save()
        _set_speakers(session, speakers)
    return session


def update_session(
    session: Session,
    *,
    notify_guests: bool = False,
    speakers: Sequence[SpeakerRole] | None = None,
    **changes: Any,
) -> Session:
    """Apply ``changes`` (and the new list of ``speakers``, if given) to ``session``.

    A guest-visible change to a published session advances its ``sequence`` and sends
    ``session_changed`` after commit, carrying ``notify_guests``.
    """
    check_field_names(changes, SESSION_FIELDS)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        before = _guest_view(locked)
        seats_were_own = locked.requires_enrolment
        old_capacity = locked.capacity
        for name, value in changes.items():
            setattr(locked, name, value)
        _check_session(locked)
        if locked.requires_enrolment != seats_were_own and locked.seats_taken:
            raise InUse(
                _("Guests already hold seats in this session; its kind of seats cannot change."),
                field="requires_enrolment",
            )
        locked.save()
        if speakers is not None:
            _set_speakers(locked, speakers)
        changed = _changed_fields(before, _guest_view(locked))
        if _reaches_guests(before, locked, changed):
            _advance(locked, changed, notify_guests=notify_guests)
        if locked.requires_enrolment and capacity_was_raised(old_capacity, locked.capacity):
            summit_id = locked.forum.summit_id
            transaction.on_commit(
                lambda: capacity_raised.send(
                    sender=Session, summit_id=summit_id, forum_id=None, session_id=locked.pk
                )
            )
    # The caller's object shows the session as saved (fields, speakers, related objects).
    session.refresh_from_db()
    return session


def cancel_session(session: Session, *, notify_guests: bool = True) -> Session:
    """Cancel a session. It stays in the agenda and in calendars, marked cancelled."""
    return update_session(session, status=Session.Status.CANCELLED, notify_guests=notify_guests)


def delete_session(session: Session) -> None:
    """Delete a session no guest has chosen; choices already cancelled go with it.

    A guest waiting for a seat holds a choice too (their registration pending, or the
    session full): deleting the session would take it from them without a word, so the
    organiser is told to cancel the session, which tells its guests.
    """
    with transaction.atomic():
        # A guest adding this session meanwhile waits for this lock (changing choices locks
        # the row first; a new registration's foreign key is checked against it at commit),
        # then is either seen here or refused by the database: no choice is lost unseen.
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.seats_taken or has_active_choices(locked):
            raise InUse(
                _(
                    "Guests hold or wait for seats in this session: "
                    "cancel it instead of deleting it."
                )
            )
        locked.delete()


def _check_session(session: Session) -> None:
    for name in ("starts_at", "ends_at"):
        try:
            validate_plausible_date(getattr(session, name))
        except ValidationError as error:
            raise InvalidTimes(error.messages[0], field=name) from error
    if session.ends_at <= session.starts_at:
        raise InvalidTimes(_("A session must end after it starts."))
    summit_id = session.forum.summit_id
    if session.room is not None and session.room.summit_id != summit_id:
        raise WrongSummit(_("The room belongs to another summit."), field="room")
    if session.capacity is not None and session.capacity < session.seats_taken:
        raise CapacityBelowSeatsTaken(
            _("Guests already hold %(taken)d seats: the capacity cannot be lower.")
            % {"taken": session.seats_taken}
        )


def _set_speakers(session: Session, speakers: Sequence[SpeakerRole]) -> None:
    seen = set()
    for entry in speakers:
        if entry.speaker.summit_id != session.forum.summit_id:
            raise WrongSummit(_("A speaker belongs to another summit."), field="speakers")
        if entry.speaker.pk in seen:
            raise AgendaError(
                _("%(name)s is listed twice.") % {"name": entry.speaker}, field="speakers"
            )
        seen.add(entry.speaker.pk)
    session.appearances.all().delete()
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(session=session, speaker=entry.speaker, role=entry.role, position=index)
        for index, entry in enumerate(speakers)
    )


def _guest_view(session: Session) -> dict[str, Any]:
    """What guests see of a session, keyed by the names ``session_changed`` reports."""
    speakers = tuple(
        SessionSpeaker.objects.filter(session=session)
        .order_by("position", "pk")
        .values_list("speaker_id", "role")
    )
    return {
        "time": (session.starts_at, session.ends_at),
        "room": session.room_id,
        "title": (session.title_en, session.title_zh_hans, session.title_zh_hant),
        "description": (
            session.description_en,
            session.description_zh_hans,
            session.description_zh_hant,
        ),
        "speakers": speakers,
        "status": session.status,
        "forum": session.forum_id,
        "published": session.is_published,
    }


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> frozenset[str]:
    return frozenset(name for name, value in after.items() if before[name] != value)


def _reaches_guests(before: dict[str, Any], session: Session, changed: frozenset[str]) -> bool:
    if not changed:
        return False
    if not before["published"] and not session.is_published:
        return False  # a draft being edited
    # A draft published for the first time is news to no one's calendar. (Taking a session
    # back to draft advances its sequence, so a re-published one is told again.)
    return before["published"] or session.sequence > 0


def _advance(session: Session, changed: frozenset[str], *, notify_guests: bool) -> None:
    session.sequence += 1
    session.changed_at = timezone.now()
    session.save(update_fields=["sequence", "changed_at"])
    transaction.on_commit(
        lambda: session_changed.send(
            sender=Session, session=session, changed_fields=changed, notify_guests=notify_guests
        )
    )


def advance_many(sessions: QuerySet[Session], changed: frozenset[str]) -> None:
    """Advance every published session of ``sessions`` (a room or speaker changed)."""
    pks = list(sessions.filter(is_published=True).values_list("pk", flat=True))
    if not pks:
        return
    now = timezone.now()
    Session.objects.filter(pk__in=pks).update(sequence=F("sequence") + 1, changed_at=now)
    for session in Session.objects.filter(pk__in=pks).order_by("pk"):
        transaction.on_commit(
            lambda session=session: session_changed.send(
                sender=Session, session=session, changed_fields=changed, notify_guests=False
            )
        )
