from django.urls import path
from django.views.i18n import JavaScriptCatalog

from badges.checkin import api, occupancy_views, views

app_name = "checkin"

# The scan endpoints first: door devices call them hundreds of times a second.
urlpatterns = [
    path("api/v1/checkin", api.scan, name="checkin-api"),
    path("api/v1/checkin/batch", api.batch, name="checkin-batch"),
    path("api/v1/checkin/offline-data", api.offline, name="checkin-offline-data"),
    path("api/v1/checkin/search", api.search, name="checkin-search"),
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
    path("api/v1/checkin/occupancy", occupancy_views.door_occupancy, name="checkin-occupancy"),
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
