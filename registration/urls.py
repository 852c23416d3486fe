from django.urls import path

from registration import calendar_views

app_name = "registration"

urlpatterns = [
    # The guest's private calendar feed (secret address; also offered as webcal://).
    path("calendar/feed/<str:token>.ics", calendar_views.feed, name="calendar-feed"),
    path("calendar/feed/reset/", calendar_views.reset_feed, name="calendar-feed-reset"),
]
