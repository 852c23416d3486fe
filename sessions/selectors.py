import datetime

from django.db.models import Prefetch, QuerySet

from sessions.models import Forum, Session, SessionSpeaker
from summit.models import Summit


def published_sessions(summit: Summit) -> QuerySet[Session]:
    """Published sessions with everything the agenda shows, in a fixed number of queries."""
    appearances = SessionSpeaker.objects.select_related("speaker").order_by("position", "pk")
    return (
        Session.objects.filter(forum__summit=summit, is_published=True)
        .select_related("forum", "room")
        .prefetch_related(Prefetch("appearances", queryset=appearances))
        .order_by("starts_at", "forum__position", "pk")
    )


def agenda_for_day(summit: Summit, day: datetime.date) -> QuerySet[Session]:
    tz = summit.tzinfo
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return published_sessions(summit).filter(
        starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1)
    )


def forums_of(summit: Summit) -> QuerySet[Forum]:
    return Forum.objects.filter(summit=summit).select_related("room").order_by("position", "pk")
