"""``GET /api/v1/agenda``: the published agenda as JSON, for apps such as the province's
public-service mini program. Public, cacheable (ETag, Cache-Control), CORS-enabled, and four
queries whatever the size of the agenda. Its schemas below are the OpenAPI document's; the
body is built once as JSON (for its ETag) and sent as is."""

import datetime
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from sessions import models
from sessions.selectors import forums_of, published_sessions
from summit import models as summit_models
from summit.api import TrilingualText, cacheable_json, parse_day, public_read
from summit.api_errors import error_response
from summit.api_errors import responses as with_errors
from summit.i18n import trilingual
from summit.infrastructure.databases import reads_from_replica
from summit.selectors import current_summit

MAX_AGE = 60  # seconds: seats left move while registration is open

router = Router(tags=["agenda"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


URI = {"format": "uri"}
Count = int | None


class Summit(Strict):
    slug: str
    name: TrilingualText
    venue: TrilingualText
    city: TrilingualText
    starts_on: datetime.date
    ends_on: datetime.date
    days: list[datetime.date]
    time_zone: str = Field(examples=["Asia/Shanghai"])
    url: str = Field(json_schema_extra=URI)


class Room(Strict):
    slug: str
    name: TrilingualText
    floor: str
    capacity: int = Field(ge=0)


class Forum(Strict):
    slug: str
    kind: Literal["plenary", "themed"]
    title: TrilingualText
    description: TrilingualText
    colour: str = Field(pattern="^#[0-9a-fA-F]{6}$")
    room: Room | None
    capacity: Count = Field(ge=0, description="null: no limit of its own.")
    seats_left: Count = Field(ge=0)
    url: str = Field(json_schema_extra=URI)


class Speaker(Strict):
    slug: str
    name: str = Field(description="As the person writes it (own script), e.g. 陳大文 or 김민준.")
    name_latin: str = Field(description="In Latin letters.")
    names: TrilingualText = Field(
        description="The name as readers of each language see it: Latin letters in English, "
        "each Chinese script its own form (陈大文, 陳大文), falling back to the other forms."
    )
    affiliation: TrilingualText
    role: Literal["speaker", "moderator", "host"]
    url: str = Field(json_schema_extra=URI)


class Session(Strict):
    uid: str = Field(
        json_schema_extra={"format": "uuid"},
        description="Stable across edits; the UID of the session in calendars.",
    )
    forum: str = Field(description="Slug of the session's forum.")
    title: TrilingualText
    description: TrilingualText
    format: Literal["ceremony", "keynote", "talk", "panel", "workshop", "signing", "break"]
    status: Literal["scheduled", "cancelled"]
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room: Room | None
    speakers: list[Speaker] = Field(description="In the order of the programme.")
    requires_enrolment: bool = Field(
        description="true: guests choose this session on its own, and capacity and seats_left "
        "are the session's; false: it is open to everyone enrolled in the forum, and they are "
        "the forum's."
    )
    capacity: Count = Field(ge=0, description="null: no limit of its own.")
    seats_left: Count = Field(ge=0)
    sequence: int = Field(
        ge=0, description="Advances with every change guests see (calendar SEQUENCE)."
    )
    last_modified: datetime.datetime
    url: str = Field(json_schema_extra=URI)


class Agenda(Strict):
    summit: Summit
    forums: list[Forum]
    sessions: list[Session] = Field(description="Ordered by start time.")


@public_read(
    router,
    "/agenda",
    url_name="agenda",
    operation_id="getAgenda",
    summary="Forums and published sessions of the summit",
    description=(
        "Public and cacheable: answers carry `Cache-Control` and a strong `ETag`; send it back "
        "in `If-None-Match` to get `304 Not Modified` while nothing changed. CORS is open to "
        "every origin (`Access-Control-Allow-Origin: *`). Cancelled sessions are included with "
        "`status: cancelled`; drafts are not."
    ),
    response=with_errors(400, 404, 405, success={200: Agenda, 304: None}),
)
@reads_from_replica
def agenda(
    request: HttpRequest,
    day: str | None = Query(
        None,
        description="Only the sessions starting on this day of the summit, as YYYY-MM-DD "
        "(e.g. 2026-12-08).",
    ),
    forum: str | None = Query(
        None,
        description="Only this forum and its sessions (the forum's slug, e.g. digital-gba).",
    ),
):
    summit = current_summit()
    if summit is None:
        return error_response(404, "not_found", "No summit is published yet.")
    forums = list(forums_of(summit))
    sessions = published_sessions(summit)

    if day is not None:
        try:
            day_value = parse_day(day)
        except ValueError:
            return _bad_parameter("day", "day must be a date as YYYY-MM-DD.")
        if day_value not in summit.days:
            days = ", ".join(each.isoformat() for each in summit.days)
            return _bad_parameter("day", f"day must be one of the summit's days: {days}.")
        start = datetime.datetime.combine(day_value, datetime.time.min, tzinfo=summit.tzinfo)
        sessions = sessions.filter(
            starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1)
        )

    if forum is not None:
        forums = [each for each in forums if each.slug == forum]
        if not forums:
            return _bad_parameter("forum", "forum must be the slug of a forum.")
        sessions = sessions.filter(forum=forums[0])

    payload = {
        "summit": summit_data(summit),
        "forums": [forum_data(each) for each in forums],
        "sessions": [session_data(session, summit) for session in sessions],
    }
    return cacheable_json(request, payload, max_age=MAX_AGE)


def _bad_parameter(name: str, message: str):
    return error_response(400, "invalid_parameter", message, fields={name: [message]})


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def summit_data(summit: summit_models.Summit) -> dict:
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


def room_data(room: summit_models.Room | None) -> dict | None:
    if room is None:
        return None
    return {
        "slug": room.slug,
        "name": trilingual(room, "name"),
        "floor": room.floor,
        "capacity": room.capacity,
    }


def forum_data(forum: models.Forum) -> dict:
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


def session_data(session: models.Session, summit: summit_models.Summit) -> dict:
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
