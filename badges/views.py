from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from badges import selectors, services
from badges.forms import PrintJobForm
from badges.models import PrintJob
from badges.prerendering import badge_pdf
from registration.models import Category, Region, Registration
from sessions.selectors import forums_of
from summit.infrastructure.files import download_response
from summit.selectors import summit_or_404


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Names and a valid QR code: never cached by a proxy or kept by the browser.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_badge(request):
    """The signed-in guest's own badge (confirmed registrations only)."""
    registration = selectors.own_confirmed_registration(request.user, summit_or_404())
    if registration is None:
        raise Http404("No confirmed registration.")
    badge = services.issue_badge(registration)
    return _pdf(badge_pdf(badge), "badge.pdf")


@login_required
@permission_required("summit.print_badges", raise_exception=True)
def registration_badge(request, registration_id: int):
    """A replacement printed at the desk: the active badge, issued first if there is none."""
    registration = get_object_or_404(
        Registration.objects.select_related("summit"),
        pk=registration_id,
        status=Registration.Status.CONFIRMED,
    )
    badge = services.issue_badge(registration)
    return _pdf(badge_pdf(badge), f"badge-{registration.pk}-{badge.serial}.pdf")


@require_POST
@login_required
@permission_required("summit.manage_guests", raise_exception=True)
def reissue_badge(request, registration_id: int):
    registration = get_object_or_404(Registration, pk=registration_id)
    try:
        badge = services.reissue_badge(registration)
    except services.RegistrationNotConfirmed:
        messages.error(request, _("Only a confirmed registration has a badge to reissue."))
    else:
        messages.success(
            request,
            _("%(name)s has a new badge (no. %(serial)s); the old one no longer admits.")
            % {"name": registration.display_name, "serial": badge.serial},
        )
    target = request.POST.get("next", "")
    # A path of this site only: anything else ("0", a view's name) is not an address.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        target = reverse("badges:print-jobs")
    return redirect(target)


@login_required
@permission_required("summit.print_badges", raise_exception=True)
def print_jobs(request):
    """Bulk printing, and finding one guest to reprint or reissue a badge at the desk."""
    summit = summit_or_404()
    if request.method == "POST":
        form = PrintJobForm(request.POST, summit=summit)
        if form.is_valid():
            services.create_print_job(
                summit,
                user=request.user,
                layout=form.cleaned_data["layout"],
                order=form.cleaned_data["order"],
                filters=form.filters,
            )
            messages.success(request, _("The print file is being rendered."))
            return redirect("badges:print-jobs")
    else:
        form = PrintJobForm(summit=summit)
    query = request.GET.get("q", "")
    forums = {forum.slug: forum.title for forum in forums_of(summit)}
    context = {
        "form": form,
        "jobs": [
            (job, job_status(job), filter_labels(job, forums))
            for job in selectors.recent_print_jobs(summit)
        ],
        "query": query,
        "guests": selectors.guests_for_desk(summit, query),
    }
    return render(request, "badges/print_jobs.html", context)


def filter_labels(job: PrintJob, forums: dict[str, str]) -> list[str]:
    """The job's filters as people read them (forum title, category and region names)."""
    labels = []
    if job.filters.get("forum"):
        labels.append(forums.get(job.filters["forum"], job.filters["forum"]))
    if job.filters.get("category") in Category.values:
        labels.append(Category(job.filters["category"]).label)
    if job.filters.get("region") in Region.values:
        labels.append(Region(job.filters["region"]).label)
    return labels


def job_status(job: PrintJob) -> dict:
    status = {
        "id": job.pk,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": round(100 * job.done / job.total) if job.total else 0,
        "download_url": "",
    }
    if job.status == PrintJob.Status.DONE:
        status["download_url"] = reverse("badges:print-job-download", args=[job.pk])
        status["label"] = ngettext(
            "Ready: %(total)s badge", "Ready: %(total)s badges", job.total
        ) % {"total": job.total}
    elif job.status == PrintJob.Status.RUNNING:
        status["label"] = ngettext(
            "Rendering: %(done)s of %(total)s badge",
            "Rendering: %(done)s of %(total)s badges",
            job.total,
        ) % {"done": job.done, "total": job.total}
    else:
        status["label"] = str(job.get_status_display())
    return status


@login_required
@permission_required("summit.print_badges", raise_exception=True)
def print_job_status(request, job_id: int):
    job = get_object_or_404(PrintJob, pk=job_id)
    response = JsonResponse(job_status(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required("summit.print_badges", raise_exception=True)
def print_job_download(request, job_id: int):
    job = get_object_or_404(PrintJob, pk=job_id, status=PrintJob.Status.DONE)
    if not job.file:
        raise Http404("No file.")
    # A local file streamed, or a short-lived link into object storage
    # (summit/infrastructure/files.py).
    return download_response(job.file, filename=f"badges-{job.pk}-{job.layout}.pdf")
