"""Demo data of the agenda: the main summit and seven themed forums, speakers and sessions over
8–10 December, in the rooms summit/demo.py creates. Idempotent: forums and speakers are found
again by slug, sessions by a uid derived from a fixed key, so running it twice changes
nothing; seat counters (``seats_taken``) and calendar revisions are left as they are."""

import datetime
import uuid

from sessions.demo_data import FORUMS, SESSIONS, SPEAKER_NAMES_BY_SCRIPT, SPEAKERS
from sessions.models import Forum, Session, SessionSpeaker, Speaker
from summit.models import Room, Summit

DEMO_SUMMIT = "digital-gba-2026"
UID_NAMESPACE = uuid.UUID("6f1f8a4e-2d0b-4c53-9a43-8f0e7c2b1d55")


def session_uid(summit: Summit, key: str) -> uuid.UUID:
    return uuid.uuid5(UID_NAMESPACE, f"{summit.slug}/{key}")


def seed(*, guests: int, real_dates: bool, stdout) -> None:
    summit = Summit.objects.get(slug=DEMO_SUMMIT)
    rooms = {room.slug: room for room in Room.objects.filter(summit=summit)}
    forums = _seed_forums(summit, rooms)
    speakers = _seed_speakers(summit)
    _seed_sessions(summit, rooms, forums, speakers)
    stdout.write(
        f"Agenda: {len(forums)} forums, {len(speakers)} speakers, {len(SESSIONS)} sessions."
    )


def _seed_forums(summit: Summit, rooms: dict[str, Room]) -> dict[str, Forum]:
    forums = {}
    for position, (slug, kind, titles, descriptions, colour, room, capacity) in enumerate(FORUMS):
        forums[slug], _created = Forum.objects.update_or_create(
            summit=summit,
            slug=slug,
            defaults={
                "kind": kind,
                "position": position,
                **_trilingual("title", titles),
                **_trilingual("description", descriptions),
                "colour": colour,
                "room": rooms[room],
                "capacity": capacity,
            },
        )
    return forums


def _seed_speakers(summit: Summit) -> dict[str, Speaker]:
    speakers = {}
    for slug, name, name_latin, affiliations in SPEAKERS:
        hans, hant = SPEAKER_NAMES_BY_SCRIPT.get(slug, ("", ""))
        speakers[slug], _created = Speaker.objects.update_or_create(
            summit=summit,
            slug=slug,
            defaults={
                "name": name,
                "name_latin": name_latin,
                "name_zh_hans": hans,
                "name_zh_hant": hant,
                **_trilingual("affiliation", affiliations),
            },
        )
    return speakers


def _seed_sessions(
    summit: Summit,
    rooms: dict[str, Room],
    forums: dict[str, Forum],
    speakers: dict[str, Speaker],
) -> None:
    for key, forum, day, start, end, format, room, titles, descriptions, cast, extras in SESSIONS:
        date = summit.starts_on + datetime.timedelta(days=day - 1)
        session, _created = Session.objects.update_or_create(
            uid=session_uid(summit, key),
            defaults={
                "forum": forums[forum],
                "format": format,
                "starts_at": _at(summit, date, start),
                "ends_at": _at(summit, date, end),
                "room": rooms[room],
                **_trilingual("title", titles),
                **_trilingual("description", descriptions),
                "requires_enrolment": "capacity" in extras,
                "capacity": extras.get("capacity"),
                "status": Session.Status.CANCELLED
                if extras.get("cancelled")
                else Session.Status.SCHEDULED,
                "is_published": True,
            },
        )
        wanted = [speakers[slug] for slug, _role in cast]
        SessionSpeaker.objects.filter(session=session).exclude(speaker__in=wanted).delete()
        for position, (slug, role) in enumerate(cast):
            SessionSpeaker.objects.update_or_create(
                session=session,
                speaker=speakers[slug],
                defaults={"role": role, "position": position},
            )


def _at(summit: Summit, date: datetime.date, time: str) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time.fromisoformat(time), tzinfo=summit.tzinfo)


def _trilingual(base: str, values: tuple[str, str, str]) -> dict[str, str]:
    english, simplified, traditional = values
    return {f"{base}_en": english, f"{base}_zh_hans": simplified, f"{base}_zh_hant": traditional}
