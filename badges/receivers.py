"""Reactions to news from the registration app (see registration/signals.py), the summit and
the infrastructure, and to this app's own (badges/signals.py): the background work is queued
here.

Each receiver calls a service or queues a task of this app; none holds business rules of its
own.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from badges import prerendering, services, tasks
from badges.models import Badge
from badges.prerendering import badge_pdf
from badges.signals import badge_issued, print_job_created
from registration import signals
from registration.models import Registration
from summit.dashboard import Panel
from summit.infrastructure.signals import recover_work
from summit.signals import SUMMIT_PRINTED, summit_changed

REVOKING_STATUSES = {
    Registration.Status.CANCELLED: Badge.RevokedReason.CANCELLED,
    Registration.Status.REJECTED: Badge.RevokedReason.REJECTED,
}


def registration_status_changed(
    sender, *, registration, new_status, confirmation_email=False, **kwargs
) -> None:
    """A confirmed registration gets its badge; a cancelled or rejected one loses it.

    The news comes after commit, possibly after later changes to the registration (confirmed
    then cancelled in one transaction sends both), so the badge follows the registration's
    current status rather than the news.
    """
    if new_status == Registration.Status.CONFIRMED:
        # Issued by a task worker, so that the guest's request does not wait for it. A
        # confirmation e-mail on its way issues it when its task sends it (it carries the
        # badge: email_attachments below), so a second task would only find it issued; the
        # badge download issues it too if it comes first.
        if not confirmation_email:
            tasks.issue_badge.enqueue(registration.pk)
        return
    status = (
        Registration.objects.filter(pk=registration.pk).values_list("status", flat=True).first()
    )
    if status in REVOKING_STATUSES:
        services.revoke_badges(registration, reason=REVOKING_STATUSES[status])


def email_attachments(sender, *, registration, kind, **kwargs) -> list[tuple[str, bytes, str]]:
    """The confirmation e-mail carries the guest's badge PDF."""
    if kind != "confirmation" or registration.status != Registration.Status.CONFIRMED:
        return []
    badge = services.issue_badge(registration)
    return [("badge.pdf", badge_pdf(badge), "application/pdf")]


def guest_page_sections(sender, *, registration, request, **kwargs) -> list[Panel]:
    """The "download your badge" section of the guest's registration page.

    The registration page shows its sections to the registration's owner whatever their
    permission (``Panel.permission`` is not used there); none is asked for here.
    """
    if registration.status != Registration.Status.CONFIRMED:
        return []
    return [
        Panel(
            title=_("Your badge"),
            template="badges/guest_badge_section.html",
            context={
                "download_url": reverse("badges:my-badge"),
                "phone_url": reverse("badges:phone-badge"),
                "registration": registration,
            },
            order=20,
            permission="",
        )
    ]


def registration_saved(sender, *, instance, created, update_fields=None, **kwargs) -> None:
    """A change to what a badge prints re-renders the stored badge PDF in the background.

    (Saves of other fields only, such as status changes, are skipped; a change made without
    save(), e.g. a queryset update, is caught when the badge is served: its fingerprint no
    longer matches.)
    """
    if created or (update_fields is not None and not prerendering.PRINTED_FIELDS & update_fields):
        return
    transaction.on_commit(lambda: prerender_active_badge(instance.pk))


def prerender_active_badge(registration_id: int) -> None:
    badge_id = (
        Badge.objects.filter(registration_id=registration_id, revoked_at__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
    if badge_id is not None:
        tasks.prerender_badge.enqueue(badge_id)


signals.registration_status_changed.connect(
    registration_status_changed, dispatch_uid="badges.registration_status_changed"
)
signals.email_attachments.connect(email_attachments, dispatch_uid="badges.email_attachments")
signals.guest_page_sections.connect(guest_page_sections, dispatch_uid="badges.guest_page_sections")
post_save.connect(registration_saved, sender=Registration, dispatch_uid="badges.registration_saved")


def summit_reprinted(sender, *, summit, changed_fields, **kwargs) -> None:
    """The summit's name, city or dates are on every badge: render the stored PDFs again."""
    if changed_fields & SUMMIT_PRINTED:
        tasks.prerender_summit_badges.enqueue(summit.pk)


def recover_abandoned_print_jobs(sender, *, abandoned, **kwargs) -> int:
    return services.recover_abandoned_print_jobs(abandoned)


recover_work.connect(recover_abandoned_print_jobs, dispatch_uid="badges.recover_print_jobs")
summit_changed.connect(summit_reprinted, dispatch_uid="badges.summit_reprinted")


def prerender_issued_badge(sender, *, badge_id, **kwargs) -> None:
    tasks.prerender_badge.enqueue(badge_id)


def render_print_job(sender, *, job_id, **kwargs) -> None:
    tasks.render_print_job.enqueue(job_id)


badge_issued.connect(prerender_issued_badge, dispatch_uid="badges.prerender_issued_badge")
print_job_created.connect(render_print_job, dispatch_uid="badges.render_print_job")
