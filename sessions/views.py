import datetime

from django.http import Http404
from django.shortcuts import render

from sessions.selectors import agenda_for_day, forums_of
from summit.selectors import current_summit


def summit_or_404():
    summit = current_summit()
    if summit is None:
        raise Http404("No summit is set up yet; run `python manage.py seed_demo`.")
    return summit


def home(request):
    summit = summit_or_404()
    return render(request, "agenda/home.html", {"forums": forums_of(summit)})


def agenda(request):
    summit = summit_or_404()
    days = summit.days
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = days[0]
    if day not in days:
        day = days[0]
    sessions = agenda_for_day(summit, day)
    return render(request, "agenda/agenda.html", {"days": days, "day": day, "sessions": sessions})


def forums(request):
    summit = summit_or_404()
    return render(request, "agenda/forums.html", {"forums": forums_of(summit)})


def forum_colours(request):
    """Forum colours as CSS classes, so pages need no inline styles (Content-Security-Policy)."""
    summit = summit_or_404()
    rules = [
        f".forum-{forum.pk} {{ --forum-colour: {forum.colour}; }}"
        for forum in forums_of(summit).only("pk", "colour")
    ]
    response = render(
        request, "agenda/forum_colours.css", {"rules": rules}, content_type="text/css"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response
