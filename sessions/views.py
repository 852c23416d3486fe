"""Public pages of the agenda: home, agenda by day with filters, forums, sessions, speakers.

Each page runs a fixed number of queries, whatever the number of sessions and speakers: the
summit is passed to the template (so the context processor does not fetch it again) and
everything else comes from the selectors, which prefetch.
"""

import datetime
import re

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sessions.colours import readable_on_white
from sessions.forms import AgendaFilterForm
from sessions.models import Forum, Speaker
from sessions.selectors import (
    filtered_agenda,
    forum_days,
    forums_of,
    group_by_day,
    published_sessions,
    rooms_of,
    session_counts_by_day,
    session_for_page,
    sessions_of_speaker,
    speakers_of,
)
from summit.infrastructure.databases import reads_from_replica
from summit.models import Summit
from summit.selectors import summit_or_404

ALL_DAYS = "all"
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@require_safe
@reads_from_replica
def home(request):
    summit = summit_or_404()
    forums = list(forums_of(summit))
    days_of_forum = forum_days(summit)
    for forum in forums:
        forum.days = days_of_forum.get(forum.pk, [])
    counts = session_counts_by_day(summit)
    days = [(day, counts.get(day, 0)) for day in summit.days]
    context = {"summit": summit, "forums": forums, "days": days}
    return render(request, "agenda/home.html", context)


@require_safe
@reads_from_replica
def agenda(request):
    summit = summit_or_404()
    forums = list(forums_of(summit))
    rooms = list(rooms_of(summit))
    day = _chosen_day(summit, request.GET.get("day", ""))
    form = AgendaFilterForm(request.GET, forums=forums, rooms=rooms)
    agenda_days = group_by_day(filtered_agenda(summit, form.agenda_filters(day)), summit.tzinfo)
    context = {
        "summit": summit,
        "days": summit.days,
        "day": day,
        "form": form,
        "agenda_days": agenda_days,
        "session_count": sum(len(each.sessions) for each in agenda_days),
    }
    return render(request, "agenda/agenda.html", context)


def _chosen_day(summit: Summit, value: str) -> datetime.date | None:
    """The day asked for; ``None`` for all days; otherwise today or the first day."""
    if value == ALL_DAYS:
        return None
    days = summit.days
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        day = timezone.localdate(timezone=summit.tzinfo)
    return day if day in days else days[0]


@require_safe
@reads_from_replica
def forums(request):
    summit = summit_or_404()
    forums = list(forums_of(summit))
    days_of_forum = forum_days(summit)
    for forum in forums:
        forum.days = days_of_forum.get(forum.pk, [])
    return render(request, "agenda/forums.html", {"summit": summit, "forums": forums})


@require_safe
@reads_from_replica
def forum(request, slug: str):
    summit = summit_or_404()
    forum = forums_of(summit).filter(slug=slug).first()
    if forum is None:
        raise Http404("No such forum.")
    sessions = published_sessions(summit).filter(forum=forum)
    context = {
        "summit": summit,
        "forum": forum,
        "agenda_days": group_by_day(sessions, summit.tzinfo),
    }
    return render(request, "agenda/forum.html", context)


@require_safe
@reads_from_replica
def session(request, uid):
    organiser = request.user.has_perm("summit.manage_agenda")
    session = session_for_page(uid, include_drafts=organiser)
    if session is None:
        raise Http404("No such session.")
    context = {
        "summit": session.forum.summit,
        "session": session,
        "appearances": session.appearances.all(),
    }
    return render(request, "agenda/session.html", context)


@require_safe
@reads_from_replica
def speakers(request):
    summit = summit_or_404()
    return render(
        request, "agenda/speakers.html", {"summit": summit, "speakers": speakers_of(summit)}
    )


@require_safe
@reads_from_replica
def speaker(request, slug: str):
    summit = summit_or_404()
    speaker = Speaker.objects.filter(summit=summit, slug=slug).first()
    if speaker is None:
        raise Http404("No such speaker.")
    speaker.summit = summit
    sessions = sessions_of_speaker(speaker)
    context = {
        "summit": summit,
        "speaker": speaker,
        "agenda_days": group_by_day(sessions, summit.tzinfo),
    }
    return render(request, "agenda/speaker.html", context)


@require_safe
@reads_from_replica
def forum_colours(request):
    """Forum colours as CSS classes, so pages need no inline styles (Content-Security-Policy).

    ``--forum-colour`` is the organiser's colour (borders, accents); ``--forum-ink`` the same
    colour darkened where needed so that text in it stays readable on white.
    """
    summit = summit_or_404()
    rules = [
        f".forum-{pk} {{ --forum-colour: {colour}; --forum-ink: {readable_on_white(colour)}; }}"
        for pk, colour in Forum.objects.filter(summit=summit).values_list("pk", "colour")
        if COLOUR.fullmatch(colour)
    ]
    response = render(
        request, "agenda/forum_colours.css", {"rules": rules}, content_type="text/css"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response
