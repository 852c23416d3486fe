from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from badges import guest_api as badge_api
from badges.checkin import api as checkin_api
from registration import api as guest_api
from sessions import api as agenda_api
from sessions import views as agenda_views
from summit import views
from summit.api import build_api
from summit.infrastructure import health

# /api/v1/: one django-ninja API (summit/api.py) with each app's router; it serves its own
# OpenAPI document at /api/v1/openapi.json.
api = build_api(routers=[agenda_api.router, guest_api.router, badge_api.router, checkin_api.router])

# Each app owns its URL prefixes (public pages, /organiser/<area>/, /api/v1/…) in its urls.py.
urlpatterns = [
    path("", agenda_views.home, name="home"),
    # The API first: door devices call it hundreds of times a second.
    path("api/v1/", api.urls),
    path("", include("badges.checkin.urls")),
    path("", include("badges.urls")),
    path("", include("sessions.urls")),
    path("", include("registration.urls")),
    path("organiser/", views.dashboard, name="organiser-dashboard"),
    path("organiser/summit/", views.summit_settings, name="summit-settings"),
    path("healthz", health.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

# MEDIA_ROOT is not served, not even in development: it holds only bulk print files (every
# guest's badge), which badges/views.py hands out to door staff and organisers.
