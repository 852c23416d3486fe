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

    class Direction(models.TextChoices):
        ENTRIES = "entries", _("Entries")
        EXITS = "exits", _("Exits")
        BOTH = "both", _("Entries and exits")

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
    direction = models.CharField(
        _("counts"),
        max_length=8,
        choices=Direction,
        default=Direction.ENTRIES,
        help_text=_("Entries, exits or both (a door phone then switches with one tap)."),
    )
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
    # A USB scanner on a laptop at a one-way door: its scans count this way unless they say.
    direction = models.CharField(
        _("bound to"),
        max_length=5,
        choices=[("entry", _("Entry")), ("exit", _("Exit"))],
        blank=True,
        help_text=_("Empty: the direction the door page or the checkpoint chooses."),
    )

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
        ROOM_FULL = "room_full", _("Room full")

    class Direction(models.TextChoices):
        ENTRY = "entry", _("Entry")
        EXIT = "exit", _("Exit")

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
    direction = models.CharField(
        _("direction"), max_length=5, choices=Direction, default=Direction.ENTRY
    )
    # Door staff admitted the guest into a full room with a tap (badges/checkin/occupancy.py).
    override = models.BooleanField(_("staff override"), default=False)
    # An exit written by the automatic check-out at a session's or the day's end.
    automatic = models.BooleanField(_("automatic"), default=False)

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


class Presence(models.Model):
    """Where a guest is, from their latest scan at a room's door (badges/checkin/occupancy.py).

    One row per guest: entering another room moves it, an exit anywhere ends it. It is the
    latest scan by scan time (``last_scan_at``), so an offline scan uploaded late never
    overrides a newer one. A room's occupancy is the number of rows inside it and open
    (``closes_at``: the end of the room's last session that day, or of the day), never a
    running total.
    """

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, primary_key=True, related_name="presence"
    )
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presences")
    inside = models.BooleanField(_("inside"), default=True)
    since = models.DateTimeField(_("entered"))
    closes_at = models.DateTimeField(_("checked out automatically at"))
    last_scan_at = models.DateTimeField(_("latest scan"))

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")
        indexes = [
            models.Index(
                fields=["room", "closes_at"], condition=Q(inside=True), name="presence_inside"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} in {self.room_id}"


class OccupancyRule(models.Model):
    """What the organiser sets for room capacity at the doors of a summit."""

    summit = models.OneToOneField(Summit, on_delete=models.CASCADE, related_name="occupancy_rule")
    warn_at_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("warn at (% of capacity)"),
        default=90,
        help_text=_("From this occupancy on, the door warns that the room is nearly full."),
    )
    over_capacity_categories = models.JSONField(
        _("categories admitted to a full room"),
        default=list,
        blank=True,
        help_text=_("Guests of these categories (VIP, speaker…) are admitted even when full."),
    )

    class Meta:
        verbose_name = _("occupancy rule")
        verbose_name_plural = _("occupancy rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(warn_at_percent__gte=1, warn_at_percent__lte=100),
                name="occupancy_warn_percent_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.summit}: warn at {self.warn_at_percent} %"
