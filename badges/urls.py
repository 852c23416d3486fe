from django.urls import path
from django.views.i18n import JavaScriptCatalog

from badges import api, checkin_views, occupancy_views, views

app_name = "badges"

urlpatterns = []

# The check-in API first: door devices call it hundreds of times a second.
urlpatterns += [
    path("api/v1/checkin", api.scan, name="checkin-api"),
    path("api/v1/checkin/batch", api.batch, name="checkin-batch"),
]

# --- Badges: PDFs, reissue, bulk printing (badges/views.py) -------------------------------------
urlpatterns += [
    path("me/badge.pdf", views.my_badge, name="my-badge"),
    path(
        "badges/registration/<int:registration_id>.pdf",
        views.registration_badge,
        name="registration-badge",
    ),
    path("organiser/badges/", views.print_jobs, name="print-jobs"),
    path(
        "organiser/badges/registration/<int:registration_id>/reissue",
        views.reissue_badge,
        name="reissue",
    ),
    path(
        "organiser/badges/jobs/<int:job_id>.json",
        views.print_job_status,
        name="print-job-status",
    ),
    path(
        "organiser/badges/jobs/<int:job_id>.pdf",
        views.print_job_download,
        name="print-job-download",
    ),
]

# --- Door check-in (badges/checkin*.py, badges/api.py) ----------------------------------------
urlpatterns += [
    path("api/v1/checkin/offline-data", api.offline, name="checkin-offline-data"),
    path("api/v1/checkin/search", api.search, name="checkin-search"),
    path("door/", checkin_views.door, name="door"),
    path(
        "door/jsi18n/",
        JavaScriptCatalog.as_view(packages=["badges"], domain="djangojs"),
        name="checkin-jsi18n",
    ),
    path("organiser/checkin/", checkin_views.setup, name="checkin-setup"),
    path(
        "organiser/checkin/checkpoints/new/",
        checkin_views.checkpoint_edit,
        name="checkpoint-create",
    ),
    path(
        "organiser/checkin/checkpoints/<int:pk>/",
        checkin_views.checkpoint_edit,
        name="checkpoint-edit",
    ),
    path(
        "organiser/checkin/devices/<int:pk>/revoke/",
        checkin_views.device_revoke,
        name="device-revoke",
    ),
    path("organiser/attendance/", checkin_views.attendance_page, name="attendance"),
    path(
        "organiser/attendance/data.json",
        checkin_views.attendance_data,
        name="attendance-data",
    ),
]

# --- Room occupancy (badges/occupancy*.py) ------------------------------------------------------
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
