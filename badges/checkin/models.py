"""Door check-in's data: checkpoints, door devices, every scan, and admissions.

The tables were created by the badges app, before check-in became an app of its own; they
keep their names (``db_table``), and migration 0001 of this app only takes them over.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from badges.models import Badge
from registration.models import Registration
from sessions.models import Forum
from summit.i18n import Trilingual
from summit.models import Room, Summit


class Checkpoint(models.Model):
    """A place where badges are scanned: a main entrance (per day) or a forum room."""

    class Kind(models.TextChoices):
        ENTRANCE = "entrance", _("Main entrance")
        FORUM = "forum", _("Forum room")

    class Policy(models.TextChoices):
        SINGLE = "single", _("Single entry")
        REENTRY = "reentry", _("Re-entry allowed")

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="checkpoints")
    slug = models.SlugField(_("slug"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=120, blank=True)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind, default=Kind.ENTRANCE)
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("forum admitted"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checkpoints",
        help_text=_(
            "Only guests enrolled in this forum are admitted. Empty: every confirmed guest."
        ),
    )
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="checkpoints"
    )
    day = models.DateField(
        _("day"), null=True, blank=True, help_text=_("Admits on this day only. Empty: every day.")
    )
    policy = models.CharField(_("policy"), max_length=8, choices=Policy, default=Policy.REENTRY)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    name = Trilingual("name")

    class Meta:
        db_table = "badges_checkpoint"
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["position", "day", "name_en"]

    def __str__(self) -> str:
        # In the reader's language: the door's and the device form's lists show it.
        return self.name


class Device(models.Model):
    """A door device (phone, laptop) that scans with its own bearer token."""

    name = models.CharField(_("name"), max_length=80)
    # Only a SHA-256 of the token is stored; the token is shown once, when created.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("token starts with"), max_length=8, editable=False)
    checkpoint = models.ForeignKey(
        Checkpoint,
        verbose_name=_("default checkpoint"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        db_table = "badges_device"
        verbose_name = _("door device")
        verbose_name_plural = _("door devices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Scan(models.Model):
    """Every scan, whatever its result: who, where, when, what it answered."""

    class Result(models.TextChoices):
        OK = "ok", _("Admitted")
        ALREADY_CHECKED_IN = "already_checked_in", _("Already checked in")
        NOT_ENROLLED = "not_enrolled", _("Not registered for this forum")
        NOT_APPROVED = "not_approved", _("Registration not approved")
        CANCELLED = "cancelled", _("Registration cancelled")
        REVOKED = "revoked", _("Badge replaced or revoked")
        INVALID = "invalid", _("Unknown or forged code")
        WRONG_DAY = "wrong_day", _("Not valid today")
        CHECKPOINT_CLOSED = "checkpoint_closed", _("Checkpoint closed")

    # Sent by the device; a retried request with the same id is answered the same.
    scan_id = models.UUIDField(_("scan id"), unique=True, default=uuid.uuid4)
    # No index of their own for checkpoint and registration: the indexes below start with
    # them, and every scan written would pay for two more.
    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="scans", db_index=False
    )
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="scans"
    )
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    badge = models.ForeignKey(
        Badge, on_delete=models.SET_NULL, null=True, blank=True, related_name="scans"
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scans",
        db_index=False,
    )
    result = models.CharField(_("result"), max_length=20, choices=Result)
    scanned_at = models.DateTimeField(_("scanned"), help_text=_("The device's clock."))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    offline = models.BooleanField(_("scanned offline"), default=False)
    # For unreadable or forged codes: a fingerprint, never the raw text.
    code_digest = models.CharField(max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Offline scans: what the device answered on its own, and whether the server disagrees
    # with an admission (admitted at two doors, revoked meanwhile…), for organisers to review.
    offline_result = models.CharField(
        _("answer shown offline"), max_length=20, choices=Result, blank=True
    )
    conflict = models.BooleanField(_("conflict"), default=False)

    class Meta:
        db_table = "badges_scan"
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-scanned_at"]
        indexes = [
            models.Index(
                fields=["checkpoint", "result", "scanned_at"], name="scan_checkpoint_result"
            ),
            models.Index(fields=["registration", "scanned_at"], name="scan_registration"),
            models.Index(fields=["received_at"], condition=Q(conflict=True), name="scan_conflicts"),
        ]

    def __str__(self) -> str:
        return f"{self.scan_id} {self.result}"


class Admission(models.Model):
    """The first admitted scan of a registration at a checkpoint.

    The unique constraint is what makes two devices scanning one badge at the same moment at
    a single-entry checkpoint give exactly one ``ok``.
    """

    # The unique constraint's index (checkpoint, registration) serves lookups by checkpoint.
    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.CASCADE, related_name="admissions", db_index=False
    )
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="admissions"
    )
    scan = models.OneToOneField(Scan, on_delete=models.CASCADE, related_name="admission")
    admitted_at = models.DateTimeField(_("admitted"))

    class Meta:
        db_table = "badges_admission"
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "registration"], name="admission_once_per_checkpoint"
            ),
        ]
        indexes = [models.Index(fields=["admitted_at"], name="admission_admitted_at")]

    def __str__(self) -> str:
        return f"{self.registration} @ {self.checkpoint}"
