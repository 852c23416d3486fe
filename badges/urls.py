from django.urls import path

from badges import phone, views

app_name = "badges"

# PDFs, reissue, bulk printing.
urlpatterns = [
    path("me/badge.pdf", views.my_badge, name="my-badge"),
    # The badge on the phone (badges/phone.py): the page, its manifest and service worker.
    path("me/badge/", phone.phone_badge, name="phone-badge"),
    path("me/badge/manifest.webmanifest", phone.manifest, name="phone-badge-manifest"),
    path("me/badge/sw.js", phone.service_worker, name="phone-badge-worker"),
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
