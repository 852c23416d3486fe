from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from sessions import views as agenda_views
from summit import views
from summit.infrastructure import health
from summit.openapi import openapi_view

# Each app owns its URL prefixes (public pages, /organiser/<area>/, /api/v1/…) in its urls.py.
urlpatterns = [
    path("", agenda_views.home, name="home"),
    # Door devices' check-in API comes first: resolving it must not try every page's pattern.
    path("", include("badges.checkin.urls")),
    path("", include("badges.urls")),
    path("", include("sessions.urls")),
    path("", include("registration.urls")),
    path("organiser/", views.dashboard, name="organiser-dashboard"),
    path("api/v1/openapi.json", openapi_view, name="openapi"),
    path("organiser/summit/", views.summit_settings, name="summit-settings"),
    path("healthz", health.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

# MEDIA_ROOT is not served, not even in development: it holds only bulk print files (every
# guest's badge), which badges/views.py hands out to door staff and organisers.
