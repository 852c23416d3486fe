"""``GET /api/v1/agenda``: the published agenda as JSON, for apps such as the province's
public-service mini program. Described in sessions/openapi.py (served at
``/api/v1/openapi.json``). Public, cacheable (ETag, Cache-Control), CORS-enabled, and four
queries whatever the size of the agenda."""

import datetime

from django.conf import settings
from django.http import HttpRequest

from sessions.models import Forum, Session
from sessions.selectors import forums_of, published_sessions
from summit.api import api_error, cacheable_json, parse_day, public_api
from summit.i18n import trilingual
from summit.infrastructure.databases import reads_from_replica
from summit.models import Room, Summit
from summit.selectors import current_summit

MAX_AGE = 60  # seconds: seats left move while registration is open


@public_api()
@reads_from_replica
def agenda(request: HttpRequest):
    summit = current_summit()
    if summit is None:
        return api_error(404, "not_found", "No summit is published yet.")
    forums = list(forums_of(summit))
    sessions = published_sessions(summit)

    day_value = request.GET.get("day")
    if day_value is not None:
        try:
            day = parse_day(day_value)
        except ValueError:
            return api_error(
                400, "invalid_parameter", "day must be a date as YYYY-MM-DD.", parameter="day"
            )
        if day not in summit.days:
            days = ", ".join(each.isoformat() for each in summit.days)
            return api_error(
                400,
                "invalid_parameter",
                f"day must be one of the summit's days: {days}.",
                parameter="day",
            )
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=summit.tzinfo)
        sessions = sessions.filter(
            starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1)
        )

    forum_slug = request.GET.get("forum")
    if forum_slug is not None:
        forums = [forum for forum in forums if forum.slug == forum_slug]
        if not forums:
            return api_error(
                400, "invalid_parameter", "forum must be the slug of a forum.", parameter="forum"
            )
        sessions = sessions.filter(forum=forums[0])

    payload = {
        "summit": summit_data(summit),
        "forums": [forum_data(forum) for forum in forums],
        "sessions": [session_data(session, summit) for session in sessions],
    }
    return cacheable_json(request, payload, max_age=MAX_AGE)


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def summit_data(summit: Summit) -> dict:
    return {
        "slug": summit.slug,
        "name": trilingual(summit, "name"),
        "venue": trilingual(summit, "venue"),
        "city": trilingual(summit, "city"),
        "starts_on": summit.starts_on.isoformat(),
        "ends_on": summit.ends_on.isoformat(),
        "days": [day.isoformat() for day in summit.days],
        "time_zone": summit.time_zone,
        "url": _absolute("/"),
    }


def room_data(room: Room | None) -> dict | None:
    if room is None:
        return None
    return {
        "slug": room.slug,
        "name": trilingual(room, "name"),
        "floor": room.floor,
        "capacity": room.capacity,
    }


def forum_data(forum: Forum) -> dict:
    return {
        "slug": forum.slug,
        "kind": forum.kind,
        "title": trilingual(forum, "title"),
        "description": trilingual(forum, "description"),
        "colour": forum.colour,
        "room": room_data(forum.room),
        "capacity": forum.capacity,
        "seats_left": forum.seats_left,
        "url": _absolute(forum.get_absolute_url()),
    }


def session_data(session: Session, summit: Summit) -> dict:
    tz = summit.tzinfo
    return {
        "uid": str(session.uid),
        "forum": session.forum.slug,
        "title": trilingual(session, "title"),
        "description": trilingual(session, "description"),
        "format": session.format,
        "status": session.status,
        "starts_at": session.starts_at.astimezone(tz).isoformat(),
        "ends_at": session.ends_at.astimezone(tz).isoformat(),
        "room": room_data(session.room),
        "speakers": [
            {
                "slug": appearance.speaker.slug,
                "name": appearance.speaker.name,
                "name_latin": appearance.speaker.name_latin,
                "names": {
                    language: appearance.speaker.name_for(language)
                    for language in ("en", "zh-hans", "zh-hant")
                },
                "affiliation": trilingual(appearance.speaker, "affiliation"),
                "role": appearance.role,
                "url": _absolute(appearance.speaker.get_absolute_url()),
            }
            for appearance in session.appearances.all()
        ],
        "requires_enrolment": session.requires_enrolment,
        "capacity": session.guest_capacity,
        "seats_left": session.guest_seats_left,
        "sequence": session.sequence,
        "last_modified": session.changed_at.astimezone(tz).isoformat(),
        "url": _absolute(session.get_absolute_url()),
    }
