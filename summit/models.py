import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from summit.i18n import Trilingual

# Dates and times organisers type (the summit's days, its registration window, its sessions)
# lie in these years: any real edition's, far from the calendar's ends. Beyond them a time
# converted to UTC or another zone leaves the calendar (year 1 east of UTC: OverflowError),
# or is stored as a date before year 1 that PostgreSQL's driver cannot read back, and every
# page showing it fails.
PLAUSIBLE_YEARS = range(2000, 3000)
# An edition lasts days, not years: pages, the API and the door list every one of its days.
MAX_SUMMIT_DAYS = 31


def validate_plausible_date(value: datetime.date) -> None:
    """For a date or a time: ValidationError unless its year is in PLAUSIBLE_YEARS."""
    if value.year not in PLAUSIBLE_YEARS:
        raise ValidationError(
            _("Choose a date between the years %(first)s and %(last)s."),
            code="implausible",
            params={"first": PLAUSIBLE_YEARS[0], "last": PLAUSIBLE_YEARS[-1]},
        )


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value}) from error


class Summit(models.Model):
    """One edition of the event. Everything else hangs off an edition."""

    slug = models.SlugField(_("slug"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=200, blank=True)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=200, blank=True)
    venue_en = models.CharField(_("venue (English)"), max_length=200, blank=True)
    venue_zh_hans = models.CharField(_("venue (Simplified Chinese)"), max_length=200, blank=True)
    venue_zh_hant = models.CharField(_("venue (Traditional Chinese)"), max_length=200, blank=True)
    city_en = models.CharField(_("city (English)"), max_length=100, blank=True)
    city_zh_hans = models.CharField(_("city (Simplified Chinese)"), max_length=100, blank=True)
    city_zh_hant = models.CharField(_("city (Traditional Chinese)"), max_length=100, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    capacity = models.PositiveIntegerField(
        _("capacity"), help_text=_("Most guests the summit admits (confirmed registrations).")
    )
    seats_taken = models.PositiveIntegerField(
        _("seats taken"),
        default=0,
        editable=False,
        help_text=_("Confirmed registrations; kept by the registration services."),
    )
    approval_required = models.BooleanField(
        _("approval required"),
        default=True,
        help_text=_("Registrations without an invitation wait for an organiser's approval."),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    name = Trilingual("name")
    venue = Trilingual("venue")
    city = Trilingual("city")

    class Meta:
        verbose_name = _("summit")
        verbose_name_plural = _("summits")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="summit_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="summit_registration_window_ordered",
            ),
            # Capacity is never exceeded, whatever the concurrency: the database refuses it.
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="summit_seats_within_capacity"
            ),
        ]
        permissions = [
            ("manage_agenda", _("Can manage forums, sessions, rooms and speakers")),
            ("manage_guests", _("Can manage guests, invitations and approvals")),
            ("print_badges", _("Can print badges")),
            ("scan_badges", _("Can scan badges at a checkpoint")),
            ("view_attendance", _("Can see registration and attendance figures")),
            ("manage_devices", _("Can register door devices and checkpoints")),
        ]

    def __str__(self) -> str:
        # In the reader's language (forms list them by it; pages and messages name them).
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def days(self) -> list[datetime.date]:
        count = (self.ends_on - self.starts_on).days + 1
        return [self.starts_on + datetime.timedelta(days=offset) for offset in range(count)]

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    def registration_is_open(self, at: datetime.datetime) -> bool:
        return self.registration_opens_at <= at < self.registration_closes_at

    @property
    def registration_is_open_now(self) -> bool:
        """For templates (the invitation to register)."""
        return self.registration_is_open(timezone.now())

    @property
    def ends_at(self) -> datetime.datetime:
        """The end of the last day, in the summit's time zone: midnight after ``ends_on``."""
        return datetime.datetime.combine(
            self.ends_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=self.tzinfo
        )

    def is_over(self, at: datetime.datetime) -> bool:
        """Whether the summit's last day has ended at ``at``."""
        return at >= self.ends_at

    @property
    def is_over_now(self) -> bool:
        """For templates (a registration page after the summit)."""
        return self.is_over(timezone.now())


class Room(models.Model):
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="rooms")
    slug = models.SlugField(_("slug"))
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=120, blank=True)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=120, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("Seats in the room."))
    floor = models.CharField(_("floor or wing"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    name = Trilingual("name")

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["position", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["summit", "slug"], name="room_slug_unique_per_summit"),
        ]

    def __str__(self) -> str:
        # In the reader's language (forms list them by it; pages and messages name them).
        return self.name
