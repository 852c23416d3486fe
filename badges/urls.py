from django.urls import path
from django.views.i18n import JavaScriptCatalog

from badges import checkin_views, views

app_name = "badges"

urlpatterns = []

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

# --- Door check-in (badges/checkin*.py; its API is badges/api.py, under /api/v1/) ------------
urlpatterns += [
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
