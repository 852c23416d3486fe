from django.urls import path

from registration import invitation_views, organiser, views
from registration.calendar import views as calendar_views

app_name = "registration"

urlpatterns = [
    path("register/", views.register, name="register"),
    path(
        "register/invitation/<str:code>/<str:key>/",
        invitation_views.invitation,
        name="invitation",
    ),
    path("register/me/", views.mine, name="mine"),
    path("register/me/choices/", views.choices, name="choices"),
    path("register/me/choices/<int:pk>/cancel/", views.cancel_enrolment, name="cancel-enrolment"),
    path("register/me/cancel/", views.cancel, name="cancel"),
    path("register/me/data.json", views.my_data, name="my-data"),
    path("register/me/delete-account/", views.delete_account, name="delete-account"),
    path("organiser/guests/", organiser.guest_list, name="organiser-guests"),
    path("organiser/guests/bulk/", organiser.guest_bulk, name="organiser-guests-bulk"),
    path("organiser/guests/import/", organiser.guest_import, name="organiser-guests-import"),
    path(
        "organiser/guests/export.<str:fmt>",
        organiser.guest_export,
        name="organiser-guests-export",
    ),
    path("organiser/guests/<int:pk>/", organiser.guest_detail, name="organiser-guest"),
    # Before the actions below, whose <action> would take "edit" too.
    path("organiser/guests/<int:pk>/edit/", organiser.guest_edit, name="organiser-guest-edit"),
    path(
        "organiser/guests/<int:pk>/<str:action>/",
        organiser.guest_action,
        name="organiser-guest-action",
    ),
    path(
        "organiser/guests/invitations/",
        organiser.invitation_list,
        name="organiser-invitations",
    ),
    path(
        "organiser/guests/invitations/<int:pk>/<str:action>/",
        organiser.invitation_action,
        name="organiser-invitation-action",
    ),
    # The guest's private calendar feed (secret address; also offered as webcal://).
    path("calendar/feed/<str:token>.ics", calendar_views.feed, name="calendar-feed"),
    path("calendar/feed/reset/", calendar_views.reset_feed, name="calendar-feed-reset"),
]
