from django.urls import path

from sessions import calendar_views, views

app_name = "agenda"

urlpatterns = [
    path("agenda/", views.agenda, name="agenda"),
    path("forums/", views.forums, name="forums"),
    path("agenda/forum-colours.css", views.forum_colours, name="forum-colours"),
    # Calendar files (.ics): download, or subscribe as webcal://
    path("calendar/agenda.ics", calendar_views.agenda_file, name="calendar-agenda"),
    path("calendar/forums/<slug:slug>.ics", calendar_views.forum_file, name="calendar-forum"),
    path("calendar/sessions/<int:pk>.ics", calendar_views.session_file, name="calendar-session"),
]
