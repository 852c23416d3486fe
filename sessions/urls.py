from django.urls import path

from sessions import calendar_views, organiser_views, views

app_name = "agenda"

organiser = organiser_views
urlpatterns = [
    # Public pages (the home page is summit/urls.py's "" → views.home).
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/forum-colours.css", views.forum_colours, name="forum-colours"),
    path("forums/", views.forums, name="forums"),
    path("forums/<slug:slug>/", views.forum, name="forum"),
    path("sessions/<uuid:uid>/", views.session, name="session"),
    path("speakers/", views.speakers, name="speakers"),
    path("speakers/<slug:slug>/", views.speaker, name="speaker"),
    # Organiser pages.
    path("organiser/agenda/", organiser.overview, name="organiser-overview"),
    path("organiser/agenda/forums/", organiser.forum_list, name="organiser-forums"),
    path("organiser/agenda/forums/new/", organiser.forum_edit, name="organiser-forum-create"),
    path("organiser/agenda/forums/<int:pk>/", organiser.forum_edit, name="organiser-forum-edit"),
    path(
        "organiser/agenda/forums/<int:pk>/delete/",
        organiser.forum_delete,
        name="organiser-forum-delete",
    ),
    path("organiser/agenda/sessions/", organiser.session_list, name="organiser-sessions"),
    path("organiser/agenda/sessions/new/", organiser.session_edit, name="organiser-session-create"),
    path(
        "organiser/agenda/sessions/<int:pk>/",
        organiser.session_edit,
        name="organiser-session-edit",
    ),
    path(
        "organiser/agenda/sessions/<int:pk>/delete/",
        organiser.session_delete,
        name="organiser-session-delete",
    ),
    path("organiser/agenda/rooms/", organiser.room_list, name="organiser-rooms"),
    path("organiser/agenda/rooms/new/", organiser.room_edit, name="organiser-room-create"),
    path("organiser/agenda/rooms/<int:pk>/", organiser.room_edit, name="organiser-room-edit"),
    path(
        "organiser/agenda/rooms/<int:pk>/delete/",
        organiser.room_delete,
        name="organiser-room-delete",
    ),
    path("organiser/agenda/speakers/", organiser.speaker_list, name="organiser-speakers"),
    path("organiser/agenda/speakers/new/", organiser.speaker_edit, name="organiser-speaker-create"),
    path(
        "organiser/agenda/speakers/<int:pk>/",
        organiser.speaker_edit,
        name="organiser-speaker-edit",
    ),
    path(
        "organiser/agenda/speakers/<int:pk>/delete/",
        organiser.speaker_delete,
        name="organiser-speaker-delete",
    ),
    # Calendar files (.ics): download, or subscribe as webcal://
    path("calendar/agenda.ics", calendar_views.agenda_file, name="calendar-agenda"),
    path("calendar/forums/<slug:slug>.ics", calendar_views.forum_file, name="calendar-forum"),
    path("calendar/sessions/<int:pk>.ics", calendar_views.session_file, name="calendar-session"),
]
