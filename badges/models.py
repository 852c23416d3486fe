from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registration.models import Registration
from summit.models import Summit


class Badge(models.Model):
    """A guest's badge. Its QR code carries (badge id, serial), signed; see badges/signing.py."""

    class RevokedReason(models.TextChoices):
        REISSUED = "reissued", _("Replaced by a new badge")
        CANCELLED = "cancelled", _("Registration cancelled")
        REJECTED = "rejected", _("Registration rejected")
        MANUAL = "manual", _("Revoked by an organiser")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="badges")
    serial = models.PositiveIntegerField(_("serial"), help_text=_("1 for the first badge, then 2…"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason"), max_length=10, choices=RevokedReason, blank=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "serial"], name="badge_serial_unique_per_registration"
            ),
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(revoked_at__isnull=True),
                name="badge_one_active_per_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} #{self.serial}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RenderedBadge(models.Model):
    """A badge's A6 PDF, rendered ahead of time (see badges/prerendering.py).

    Kept in the database (shared by every web and task machine, written together with its
    fingerprint), one row per badge. It is served only while ``fingerprint`` matches what
    the badge would print now (names, category, script, summit, QR code, and the layout's
    code and templates); otherwise the badge is rendered again and the row replaced.
    """

    badge = models.OneToOneField(
        Badge, on_delete=models.CASCADE, primary_key=True, related_name="rendered"
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    pdf = models.BinaryField(_("PDF"))
    rendered_at = models.DateTimeField(_("rendered"), auto_now=True)

    class Meta:
        verbose_name = _("rendered badge")
        verbose_name_plural = _("rendered badges")

    def __str__(self) -> str:
        return f"PDF of badge {self.badge_id}"


class PrintJob(models.Model):
    """A bulk badge print file being rendered in the background."""

    class Layout(models.TextChoices):
        A6 = "a6", _("One A6 badge per page")
        A4_4UP = "a4-4up", _("Four A6 badges on A4, with crop marks")

    class Order(models.TextChoices):
        NAME = "name", _("By name")
        ORGANISATION = "organisation", _("By organisation")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="print_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    layout = models.CharField(_("layout"), max_length=8, choices=Layout, default=Layout.A6)
    order = models.CharField(_("order"), max_length=12, choices=Order, default=Order.NAME)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("badges"), default=0)
    done = models.PositiveIntegerField(_("badges rendered"), default=0)
    file = models.FileField(_("file"), upload_to="print-jobs/", blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # While "running": the task worker rendering it, and since when; a job whose worker died
    # goes back to "queued" and is rendered again from the start (summit/infrastructure/workers.py).
    worker_id = models.CharField(_("worker"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("print job")
        verbose_name_plural = _("print jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Print job {self.pk} ({self.status})"
