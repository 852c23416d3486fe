"""Schedule warnings for organisers: what in the agenda looks wrong but is not forbidden.

- a room booked for two sessions at once,
- a speaker in two sessions at once,
- a session offering more seats than its room has,
- a session outside the summit's days.

Cancelled sessions are ignored; drafts are included (they are being planned). Two queries
whatever the size of the agenda, then a sweep over sessions sorted by start time, so the work
grows with the number of sessions, not with the number of pairs of them.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from django.utils.formats import date_format
from django.utils.translation import gettext

from sessions.models import Session, SessionSpeaker, Speaker
from summit.models import Room, Summit


class Kind(StrEnum):
    ROOM_DOUBLE_BOOKED = "room_double_booked"
    SPEAKER_DOUBLE_BOOKED = "speaker_double_booked"
    OVER_ROOM_CAPACITY = "over_room_capacity"
    OUTSIDE_SUMMIT_DAYS = "outside_summit_days"


@dataclass(frozen=True)
class ScheduleWarning:
    kind: Kind
    sessions: tuple[Session, ...]
    summit: Summit
    room: Room | None = None
    speaker: Speaker | None = None

    @property
    def message(self) -> str:
        """The warning in the active language (built when shown, not when found)."""
        first = self.sessions[0]
        if self.kind == Kind.ROOM_DOUBLE_BOOKED:
            return gettext("%(room)s is booked twice at once: “%(first)s” and “%(second)s”.") % {
                "room": self.room.name,
                "first": first.title,
                "second": self.sessions[1].title,
            }
        if self.kind == Kind.SPEAKER_DOUBLE_BOOKED:
            return gettext(
                "%(speaker)s is in two sessions at once: “%(first)s” and “%(second)s”."
            ) % {
                "speaker": self.speaker.display_name,
                "first": first.title,
                "second": self.sessions[1].title,
            }
        if self.kind == Kind.OVER_ROOM_CAPACITY:
            return gettext(
                "“%(session)s” offers %(capacity)d seats but %(room)s has only %(room_capacity)d."
            ) % {
                "session": first.title,
                "capacity": first.guest_capacity,
                "room": self.room.name,
                "room_capacity": self.room.capacity,
            }
        return gettext("“%(session)s” is outside the summit's days (%(first)s – %(last)s).") % {
            "session": first.title,
            "first": date_format(self.summit.starts_on, "SHORT_DATE_FORMAT"),
            "last": date_format(self.summit.ends_on, "SHORT_DATE_FORMAT"),
        }

    def involves(self, session: Session) -> bool:
        return any(each.pk == session.pk for each in self.sessions)


def schedule_warnings(summit: Summit) -> list[ScheduleWarning]:
    """Every warning of the summit's agenda, ordered by kind, then by time."""
    sessions = list(
        Session.objects.filter(forum__summit=summit)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("forum", "room")
        .order_by("starts_at", "ends_at", "pk")
    )
    by_pk = {session.pk: session for session in sessions}
    sessions_of_speaker: dict[int, list[Session]] = defaultdict(list)
    speakers: dict[int, Speaker] = {}
    appearances = (
        SessionSpeaker.objects.filter(session__forum__summit=summit)
        .exclude(session__status=Session.Status.CANCELLED)
        .select_related("speaker")
    )
    for appearance in appearances:
        speakers[appearance.speaker_id] = appearance.speaker
        sessions_of_speaker[appearance.speaker_id].append(by_pk[appearance.session_id])

    found: list[ScheduleWarning] = []
    sessions_in_room: dict[int, list[Session]] = defaultdict(list)
    for session in sessions:
        if session.room_id is not None:
            sessions_in_room[session.room_id].append(session)
    for room_sessions in sessions_in_room.values():
        room = room_sessions[0].room
        for first, second in overlapping_pairs(room_sessions):
            found.append(
                ScheduleWarning(Kind.ROOM_DOUBLE_BOOKED, (first, second), summit, room=room)
            )
    for speaker_id, speaker_sessions in sessions_of_speaker.items():
        speaker_sessions.sort(key=lambda session: (session.starts_at, session.ends_at, session.pk))
        for first, second in overlapping_pairs(speaker_sessions):
            found.append(
                ScheduleWarning(
                    Kind.SPEAKER_DOUBLE_BOOKED,
                    (first, second),
                    summit,
                    speaker=speakers[speaker_id],
                )
            )
    days = set(summit.days)
    tz = summit.tzinfo
    for session in sessions:
        capacity = session.guest_capacity
        if session.room is not None and capacity is not None and capacity > session.room.capacity:
            found.append(
                ScheduleWarning(Kind.OVER_ROOM_CAPACITY, (session,), summit, room=session.room)
            )
        if not _within(session, days, tz):
            found.append(ScheduleWarning(Kind.OUTSIDE_SUMMIT_DAYS, (session,), summit))
    order = list(Kind)
    found.sort(key=lambda w: (order.index(w.kind), w.sessions[0].starts_at, w.sessions[0].pk))
    return found


def warnings_for_session(session: Session) -> list[ScheduleWarning]:
    return [
        warning for warning in schedule_warnings(session.forum.summit) if warning.involves(session)
    ]


def overlapping_pairs(sessions: Iterable[Session]) -> Iterator[tuple[Session, Session]]:
    """Pairs of sessions whose times overlap, from sessions sorted by start time.

    Sessions that merely touch (one ends when the next starts) do not overlap.
    """
    running: list[Session] = []
    for session in sessions:
        running = [other for other in running if other.ends_at > session.starts_at]
        for other in running:
            yield other, session
        running.append(session)


def _within(session: Session, days: set[datetime.date], tz: datetime.tzinfo) -> bool:
    first_day = session.starts_at.astimezone(tz).date()
    # A session ending at midnight belongs to the day before.
    last_day = (session.ends_at - datetime.timedelta(microseconds=1)).astimezone(tz).date()
    return first_day in days and last_day in days
