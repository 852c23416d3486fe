"""iCalendar (RFC 5545) files of the agenda, made with ``icalendar``.

One builder, :func:`build_calendar`, turns a list of sessions into a ``.ics`` file that
Outlook, Apple Calendar, Google Calendar and Thunderbird read the same way:

- every time carries ``TZID=Asia/Shanghai`` (the summit's IANA zone) and the file carries the
  matching ``VTIMEZONE``, so no client guesses the zone;
- each session keeps one ``UID`` (``<Session.uid>@<site host>``) across edits and exports,
  ``SEQUENCE`` is ``Session.sequence`` and ``LAST-MODIFIED``/``DTSTAMP`` come from
  ``Session.changed_at``: the agenda services advance both on every change guests can see,
  so clients replace the event instead of adding a second one;
- a cancelled session stays in the file with ``STATUS:CANCELLED`` (and a marked title), so
  subscribed clients show or drop it instead of keeping the old time;
- text is in the requested language (the trilingual fields, falling back like the pages do);
  icalendar escapes commas, semicolons, backslashes and newlines and folds long lines
  without splitting a UTF-8 character.

The output depends only on the data (no "now" anywhere), so the same agenda gives the same
bytes and an HTTP ETag can be a hash of them. The builder runs no query of its own: hand it
sessions from :func:`with_calendar_relations` (or ``selectors.published_sessions``), whose
forum, room and speakers are already loaded.
"""

import datetime
import functools
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sessions.models import Forum, Session, SessionSpeaker
from sessions.selectors import published_sessions
from summit.i18n import localized, normalise_language
from summit.models import Summit

PRODID = "-//Bayline//Digital GBA Summit agenda//EN"
# How often subscribed clients should fetch a feed again (Apple and Outlook honour one of
# the two properties; Google Calendar decides on its own, usually every few hours).
FEED_REFRESH_INTERVAL = datetime.timedelta(hours=1)
# RFC 5646 tags for the LANGUAGE parameter of text properties.
LANGUAGE_TAGS = {"en": "en", "zh-hans": "zh-Hans", "zh-hant": "zh-Hant"}


def with_calendar_relations(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """What the builder reads, loaded in a fixed number of queries (two)."""
    appearances = SessionSpeaker.objects.select_related("speaker").order_by("position", "pk")
    return sessions.select_related("forum", "room").prefetch_related(
        Prefetch("appearances", queryset=appearances)
    )


def uid_domain() -> str:
    """The right-hand side of every UID: the public host name (SITE_URL).

    Keep SITE_URL's host stable once calendars are out: a new host means new UIDs, and
    subscribed clients would show every session twice.
    """
    return urlsplit(settings.SITE_URL).hostname or "bayline.invalid"


def session_uid(session: Session) -> str:
    return f"{session.uid}@{uid_domain()}"


def session_page_url(zone: zoneinfo.ZoneInfo) -> Callable[[Session], str]:
    """A function giving a session's public page (path only), resolved once per file.

    Uses ``agenda:session`` (by ``uid``, or by ``pk``) when the agenda has session pages,
    else the agenda page of the session's day (in the summit's zone) with an anchor.
    """
    probes = {"uid": uuid.UUID(int=0), "pk": 1}
    for key, probe in probes.items():
        try:
            reverse("agenda:session", kwargs={key: probe})
        except NoReverseMatch:
            continue
        return lambda session: reverse("agenda:session", kwargs={key: getattr(session, key)})
    agenda = reverse("agenda:agenda")

    def url(session: Session) -> str:
        day = session.starts_at.astimezone(zone).date()
        return f"{agenda}?day={day.isoformat()}#session-{session.pk}"

    return url


def build_calendar(
    sessions: Iterable[Session],
    *,
    summit: Summit,
    name: str,
    language: str,
    description: str = "",
    feed: bool = True,
) -> bytes:
    """The sessions as one ``.ics`` file (METHOD:PUBLISH), text in ``language``.

    ``feed`` adds the refresh hints subscription clients read (REFRESH-INTERVAL and
    X-PUBLISHED-TTL); leave it on for anything offered as ``webcal://``.
    """
    import icalendar

    language = normalise_language(language)
    zone = zoneinfo.ZoneInfo(summit.time_zone)
    sessions = list(sessions)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
    calendar.add("x-wr-timezone", summit.time_zone)
    if feed:
        calendar.add("refresh-interval", FEED_REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(FEED_REFRESH_INTERVAL))
    calendar.add_component(_time_zone(summit, sessions))
    with translation.override(language):
        page_url = session_page_url(zone)
        for session in sessions:
            calendar.add_component(
                _event(session, summit=summit, zone=zone, language=language, page_url=page_url)
            )
    return calendar.to_ical()


def _time_zone(summit: Summit, sessions: Sequence[Session]):
    """The VTIMEZONE of the summit's zone, covering every session (and the summit's days)."""
    days = [summit.starts_on, summit.ends_on]
    days += [moment.date() for s in sessions for moment in (s.starts_at, s.ends_at)]
    return _vtimezone(summit.time_zone, min(days).year, max(days).year + 1)


@functools.lru_cache(maxsize=32)
def _vtimezone(zone: str, first_year: int, last_year: int):
    """Working out a zone's transitions is slow next to the rest of a file; the result never
    changes, and serialising a component does not alter it, so every file shares one."""
    import icalendar

    return icalendar.Timezone.from_tzid(
        zone,
        first_date=datetime.date(first_year, 1, 1),
        last_date=datetime.date(last_year, 1, 1),
    )


def _event(
    session: Session,
    *,
    summit: Summit,
    zone: zoneinfo.ZoneInfo,
    language: str,
    page_url: Callable[[Session], str],
):
    import icalendar

    text = {"LANGUAGE": LANGUAGE_TAGS[language]}
    forum = session.forum
    title = localized(session, "title", language)
    # A session taken back to draft is out of the published files; in a file that still
    # carries it (the e-mail telling guests of the change) it is cancelled too.
    cancelled = session.is_cancelled or not session.is_published
    if cancelled:
        # STATUS:CANCELLED is the rule; the title says it too because Google Calendar
        # still shows cancelled events of subscribed calendars.
        title = _("Cancelled: %(title)s") % {"title": title}
    url = settings.SITE_URL + page_url(session)

    event = icalendar.Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", session.changed_at)
    event.add("created", session.created_at)
    event.add("last-modified", session.changed_at)
    event.add("sequence", session.sequence)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", _clean(title), parameters=text)
    event.add("location", event_location(session, summit, language), parameters=text)
    event.add("description", _description(session, forum, language, url), parameters=text)
    event.add("categories", [_clean(localized(forum, "title", language))])
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if session.format == Session.Format.BREAK else "OPAQUE")
    event.add("class", "PUBLIC")
    return event


def event_location(session: Session, summit: Summit, language: str) -> str:
    """Room, venue, city: what LOCATION, e-mails and "add to calendar" links show."""
    parts = []
    if session.room is not None:
        parts.append(localized(session.room, "name", language))
    parts += [localized(summit, "venue", language), localized(summit, "city", language)]
    with translation.override(language):
        separator = pgettext("between the parts of an address", ", ")
    return _clean(separator.join(part for part in parts if part))


def _description(session: Session, forum: Forum, language: str, url: str) -> str:
    paragraphs = []
    description = localized(session, "description", language).strip()
    if description:
        paragraphs.append(description)
    lines = []
    for appearance in session.appearances.all():
        speaker = appearance.speaker
        line = speaker.display_name
        affiliation = localized(speaker, "affiliation", language)
        if affiliation:
            line = _("%(name)s, %(affiliation)s") % {"name": line, "affiliation": affiliation}
        if appearance.role != SessionSpeaker.Role.SPEAKER:
            line = _("%(speaker)s (%(role)s)") % {
                "speaker": line,
                "role": appearance.get_role_display(),
            }
        lines.append(line)
    if lines:
        paragraphs.append("\n".join([_("Speakers:"), *lines]))
    paragraphs.append(
        "\n".join(
            [
                _("Forum: %(forum)s") % {"forum": localized(forum, "title", language)},
                _("Details: %(url)s") % {"url": url},
            ]
        )
    )
    return _clean("\n\n".join(paragraphs))


def _clean(value: str) -> str:
    """One newline convention (textareas send CRLF); icalendar escapes the rest."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


# --- The public files ------------------------------------------------------------------------


def agenda_calendar(summit: Summit, *, language: str) -> bytes:
    """Every published session of the summit (cancelled ones included, marked)."""
    with translation.override(normalise_language(language)):
        name = _("%(summit)s: agenda") % {"summit": localized(summit, "name", language)}
    return build_calendar(published_sessions(summit), summit=summit, name=name, language=language)


def forum_calendar(forum: Forum, *, language: str) -> bytes:
    """The published sessions of one forum (the forum's summit must be loaded)."""
    summit = forum.summit
    sessions = with_calendar_relations(
        Session.objects.filter(forum=forum, is_published=True).order_by("starts_at", "pk")
    )
    with translation.override(normalise_language(language)):
        name = _("%(summit)s: %(forum)s") % {
            "summit": localized(summit, "name", language),
            "forum": localized(forum, "title", language),
        }
    return build_calendar(sessions, summit=summit, name=name, language=language)


def session_calendar(session: Session, *, summit: Summit, language: str) -> bytes:
    """One session as a file to open or import (no refresh hints: it is not a feed)."""
    return build_calendar(
        [session],
        summit=summit,
        name=localized(session, "title", language),
        language=language,
        feed=False,
    )


# --- "Add to calendar" links -----------------------------------------------------------------

GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"


def webcal_url(absolute_url: str) -> str:
    """The subscription form of an http(s) address (Apple Calendar, Outlook, Thunderbird)."""
    return "webcal://" + absolute_url.split("://", 1)[1]


def google_subscribe_url(absolute_url: str) -> str:
    """Google Calendar's "add by URL" page for a feed (Google fetches it from its servers)."""
    return f"{GOOGLE_CALENDAR}?{urlencode({'cid': webcal_url(absolute_url)})}"


def google_event_url(session: Session, *, summit: Summit, language: str, page: str) -> str:
    """Google Calendar's "new event" form pre-filled with one session (times in UTC)."""
    utc = datetime.UTC
    dates = "/".join(
        moment.astimezone(utc).strftime("%Y%m%dT%H%M%SZ")
        for moment in (session.starts_at, session.ends_at)
    )
    query = {
        "action": "TEMPLATE",
        "text": localized(session, "title", language),
        "dates": dates,
        "ctz": summit.time_zone,
        "location": event_location(session, summit, language),
        "details": page,
    }
    return f"{GOOGLE_CALENDAR}?{urlencode(query)}"
