from django.urls import path

from badges import views

app_name = "badges"

# PDFs, reissue, bulk printing.
urlpatterns = [
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
