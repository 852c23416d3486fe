""" "Add to calendar" links: ``{% load agenda_calendar %}`` then

- ``{% agenda_calendar_links %}`` on the agenda (the whole agenda as a feed),
- ``{% forum_calendar_links forum %}`` on a forum (its sessions as a feed),
- ``{% session_calendar_links session %}`` on a session (one event).

``compact=True`` folds the links behind "Add to calendar" (a ``<details>``), for the top of
long pages and for lists.

Each renders ``agenda/includes/calendar_links.html``: subscribe (webcal), download .ics and
Google Calendar, with the page's language in the links.
"""

import zoneinfo

from django import template
from django.urls import reverse
from django.utils.translation import get_language

from sessions import calendar
from summit.i18n import normalise_language

register = template.Library()


def _links(context, path: str, *, subscribe: bool, compact: bool = False) -> dict:
    request = context["request"]
    language = normalise_language(get_language())
    download = request.build_absolute_uri(f"{path}?lang={language}")
    return {
        "download_url": download,
        "webcal_url": calendar.webcal_url(download) if subscribe else "",
        "google_url": calendar.google_subscribe_url(download) if subscribe else "",
        "compact": compact,
    }


@register.inclusion_tag("agenda/includes/calendar_links.html", takes_context=True)
def agenda_calendar_links(context, compact: bool = False) -> dict:
    return _links(context, reverse("agenda:calendar-agenda"), subscribe=True, compact=compact)


@register.inclusion_tag("agenda/includes/calendar_links.html", takes_context=True)
def forum_calendar_links(context, forum, compact: bool = False) -> dict:
    path = reverse("agenda:calendar-forum", kwargs={"slug": forum.slug})
    return _links(context, path, subscribe=True, compact=compact)


@register.inclusion_tag("agenda/includes/calendar_links.html", takes_context=True)
def session_calendar_links(context, session, compact: bool = False) -> dict:
    """Needs the session's room loaded and ``summit`` in the context (every page has it)."""
    request = context["request"]
    summit = context["summit"]
    language = normalise_language(get_language())
    path = reverse("agenda:calendar-session", kwargs={"pk": session.pk})
    links = _links(context, path, subscribe=False, compact=compact)
    page = calendar.session_page_url(zoneinfo.ZoneInfo(summit.time_zone))(session)
    links["google_url"] = calendar.google_event_url(
        session, summit=summit, language=language, page=request.build_absolute_uri(page)
    )
    links["session"] = session
    return links
