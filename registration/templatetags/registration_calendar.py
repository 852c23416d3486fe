"""The guest's private feed, on the guest's own pages only (it shows the secret address):

{% load registration_calendar %}{% guest_calendar_feed registration %}
"""

from django import template
from django.urls import reverse

from sessions import calendar

register = template.Library()


@register.inclusion_tag("registration/includes/calendar_feed.html", takes_context=True)
def guest_calendar_feed(context, registration) -> dict:
    request = context["request"]
    feed = request.build_absolute_uri(
        reverse("registration:calendar-feed", kwargs={"token": registration.calendar_token})
    )
    return {
        "registration": registration,
        "feed_url": feed,
        "webcal_url": calendar.webcal_url(feed),
        "google_url": calendar.google_subscribe_url(feed),
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
    }
