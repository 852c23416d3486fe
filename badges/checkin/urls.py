from django.urls import path
from django.views.i18n import JavaScriptCatalog

from badges.checkin import occupancy_views, views

app_name = "checkin"

# Its API (badges/checkin/api.py) is a router of the one API under /api/v1/ (summit/urls.py).
urlpatterns = [
    path("door/", views.door, name="door"),
    path(
        "door/jsi18n/",
        JavaScriptCatalog.as_view(packages=["badges.checkin"], domain="djangojs"),
        name="checkin-jsi18n",
    ),
    path("organiser/checkin/", views.setup, name="checkin-setup"),
    path("organiser/checkin/checkpoints/new/", views.checkpoint_edit, name="checkpoint-create"),
    path("organiser/checkin/checkpoints/<int:pk>/", views.checkpoint_edit, name="checkpoint-edit"),
    path("organiser/checkin/devices/<int:pk>/revoke/", views.device_revoke, name="device-revoke"),
    path("organiser/attendance/", views.attendance_page, name="attendance"),
    path("organiser/attendance/data.json", views.attendance_data, name="attendance-data"),
]

# --- Room occupancy (badges/checkin/occupancy*.py) ----------------------------------------------
urlpatterns += [
    path("organiser/checkin/occupancy/", occupancy_views.occupancy_rule, name="occupancy-rule"),
    path(
        "organiser/attendance/occupancy.json",
        occupancy_views.attendance_occupancy,
        name="attendance-occupancy",
    ),
    path(
        "organiser/attendance/report.<str:kind>",
        occupancy_views.attendance_report_file,
        name="attendance-report",
    ),
]
