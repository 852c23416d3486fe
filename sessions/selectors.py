"""Reads of the agenda. Every function here runs a fixed number of queries, whatever the size
of the agenda: the pages and the API that use them must not grow with the data."""

import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate

from sessions.models import Forum, Session, SessionSpeaker, Speaker
from summit.models import Room, Summit


def _appearances() -> QuerySet[SessionSpeaker]:
    return SessionSpeaker.objects.select_related("speaker").order_by("position", "pk")


def published_sessions(summit: Summit) -> QuerySet[Session]:
    """Published sessions with forum, room and speakers: three queries in all."""
    return (
        Session.objects.filter(forum__summit=summit, is_published=True)
        .select_related("forum", "room")
        .prefetch_related(Prefetch("appearances", queryset=_appearances()))
        .order_by("starts_at", "forum__position", "pk")
    )


def day_bounds(summit: Summit, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of a day of the summit, in the summit's time zone."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=summit.tzinfo)
    return start, start + datetime.timedelta(days=1)


def agenda_for_day(summit: Summit, day: datetime.date) -> QuerySet[Session]:
    start, end = day_bounds(summit, day)
    return published_sessions(summit).filter(starts_at__gte=start, starts_at__lt=end)


@dataclass(frozen=True)
class AgendaFilters:
    """What a guest narrowed the agenda to. Empty values mean "everything"."""

    day: datetime.date | None = None
    forum: str = ""  # forum slug
    format: str = ""
    room: str = ""  # room slug
    text: str = ""
    include_cancelled: bool = False


def filtered_agenda(summit: Summit, filters: AgendaFilters) -> QuerySet[Session]:
    sessions = published_sessions(summit)
    if filters.day is not None:
        start, end = day_bounds(summit, filters.day)
        sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end)
    if filters.forum:
        sessions = sessions.filter(forum__slug=filters.forum)
    if filters.format:
        sessions = sessions.filter(format=filters.format)
    if filters.room:
        sessions = sessions.filter(room__slug=filters.room)
    if not filters.include_cancelled:
        sessions = sessions.exclude(status=Session.Status.CANCELLED)
    if filters.text:
        sessions = sessions.filter(text_matches(filters.text))
    return sessions


def text_matches(text: str) -> Q:
    """Sessions whose title, description or speakers mention ``text`` in any language."""
    words = text.split()
    condition = Q()
    for word in words:
        speaker_named = SessionSpeaker.objects.filter(session=OuterRef("pk")).filter(
            Q(speaker__name__icontains=word)
            | Q(speaker__name_latin__icontains=word)
            | Q(speaker__name_zh_hans__icontains=word)
            | Q(speaker__name_zh_hant__icontains=word)
        )
        matches_word = Exists(speaker_named)
        for column in (
            "title_en",
            "title_zh_hans",
            "title_zh_hant",
            "description_en",
            "description_zh_hans",
            "description_zh_hant",
        ):
            matches_word |= Q(**{f"{column}__icontains": word})
        condition &= matches_word
    return condition


def forums_of(summit: Summit) -> QuerySet[Forum]:
    return Forum.objects.filter(summit=summit).select_related("room").order_by("position", "pk")


def rooms_of(summit: Summit) -> QuerySet[Room]:
    return Room.objects.filter(summit=summit).order_by("position", "name_en")


def session_counts_by_day(summit: Summit) -> dict[datetime.date, int]:
    """Published, not cancelled sessions per day of the summit (one query)."""
    rows = (
        Session.objects.filter(forum__summit=summit, is_published=True)
        .exclude(status=Session.Status.CANCELLED)
        .annotate(day=TruncDate("starts_at", tzinfo=summit.tzinfo))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    return {row["day"]: row["count"] for row in rows}


def forum_days(summit: Summit) -> dict[int, list[datetime.date]]:
    """The days on which each forum has published, not cancelled sessions (one query)."""
    rows = (
        Session.objects.filter(forum__summit=summit, is_published=True)
        .exclude(status=Session.Status.CANCELLED)
        .annotate(day=TruncDate("starts_at", tzinfo=summit.tzinfo))
        .values_list("forum_id", "day")
        .distinct()
        .order_by("forum_id", "day")
    )
    days: dict[int, list[datetime.date]] = {}
    for forum_id, day in rows:
        days.setdefault(forum_id, []).append(day)
    return days


def session_for_page(uid, *, include_drafts: bool = False) -> Session | None:
    sessions = Session.objects.select_related("forum", "forum__summit", "room").prefetch_related(
        Prefetch("appearances", queryset=_appearances())
    )
    if not include_drafts:
        sessions = sessions.filter(is_published=True)
    return sessions.filter(uid=uid).first()


def speakers_of(summit: Summit) -> QuerySet[Speaker]:
    """Speakers who appear in at least one published session, with how many (one query)."""
    published = Q(appearances__session__is_published=True)
    return (
        Speaker.objects.filter(summit=summit)
        .annotate(session_count=Count("appearances", filter=published, distinct=True))
        .filter(session_count__gt=0)
        .order_by("name_latin", "name", "pk")
    )


def sessions_of_speaker(speaker: Speaker) -> QuerySet[Session]:
    return published_sessions(speaker.summit).filter(appearances__speaker=speaker)


# --- Grouping for pages (no queries: works on what the selectors above fetched) -------------


@dataclass
class Timeslot:
    starts_at: datetime.datetime
    sessions: list[Session] = field(default_factory=list)


@dataclass
class AgendaDay:
    day: datetime.date
    timeslots: list[Timeslot] = field(default_factory=list)

    @property
    def sessions(self) -> list[Session]:
        return [session for slot in self.timeslots for session in slot.sessions]


def group_by_day(sessions: Iterable[Session], tz: datetime.tzinfo) -> list[AgendaDay]:
    """Sessions (ordered by start) grouped by local day, then by start time."""
    days = []
    for day, of_day in itertools.groupby(sessions, key=lambda s: s.starts_at.astimezone(tz).date()):
        agenda_day = AgendaDay(day=day)
        for starts_at, of_slot in itertools.groupby(of_day, key=lambda s: s.starts_at):
            agenda_day.timeslots.append(Timeslot(starts_at=starts_at, sessions=list(of_slot)))
        days.append(agenda_day)
    return days


def has_active_choices(record: Forum | Session) -> bool:
    """Whether any guest's choice of this forum or session is not cancelled.

    The choices are the registration app's enrolments, read through their reverse relation
    (the agenda never imports the registration app); "cancelled" is their one status that
    no longer holds or waits for a seat.
    """
    return record.enrolments.exclude(status="cancelled").exists()
