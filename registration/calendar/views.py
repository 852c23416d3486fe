"""The guest's private calendar feed and the reset of its secret address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from registration import ratelimit
from registration.calendar.selectors import (
    calendar_filename,
    guest_calendar,
    registration_for_calendar_token,
)
from registration.calendar.services import reset_calendar_token
from registration.models import Registration
from sessions.calendar_views import calendar_response
from summit.i18n import normalise_language
from summit.selectors import current_summit


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: calendar clients fetch it on their own. The token is the key."""
    if wait := ratelimit.guessing_blocked("calendar-feed", request):
        response = HttpResponse(
            "Too many requests for unknown calendars; try again later.\n",
            content_type="text/plain; charset=utf-8",
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    registration = registration_for_calendar_token(token)
    if registration is None:
        ratelimit.wrong_guess("calendar-feed", request)
        raise Http404("No such calendar.")
    return calendar_response(
        request,
        guest_calendar(registration),
        filename=calendar_filename(registration),
        resource=f"feed:{token}",
        language=normalise_language(registration.language),
        private=True,
    )


@login_required
@require_POST
def reset_feed(request: HttpRequest) -> HttpResponse:
    summit = current_summit()
    if summit is None:
        raise Http404("No summit is set up yet.")
    registration = get_object_or_404(Registration, summit=summit, user=request.user)
    reset_calendar_token(registration)
    messages.success(
        request,
        _(
            "Your calendar feed has a new address. The old one no longer works: subscribe "
            "again with the new one and remove the old calendar."
        ),
    )
    next_url = request.POST.get("next", "")
    # A path of this site only: anything else ("0", a view's name) is not an address.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "registration:mine"
    return redirect(next_url)
