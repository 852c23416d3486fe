import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from summit.i18n import Trilingual, normalise_language
from summit.models import Room, Summit

validate_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class SeatsLeft:
    """Seats left from ``capacity`` (None: unlimited) and the ``seats_taken`` counter."""

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)


class Forum(SeatsLeft, models.Model):
    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Main summit")
        THEMED = "themed", _("Themed forum")

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="forums")
    slug = models.SlugField(_("slug"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.THEMED)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh_hans = models.CharField(_("title (Simplified Chinese)"), max_length=200, blank=True)
    title_zh_hant = models.CharField(_("title (Traditional Chinese)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh_hans = models.TextField(_("description (Simplified Chinese)"), blank=True)
    description_zh_hant = models.TextField(_("description (Traditional Chinese)"), blank=True)
    colour = models.CharField(
        _("colour"), max_length=7, default="#0b6e99", validators=[validate_colour]
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("main room"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forums",
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Most guests who may choose this forum; empty means no limit of its own."),
    )
    seats_taken = models.PositiveIntegerField(
        _("seats taken"),
        default=0,
        editable=False,
        help_text=_("Confirmed enrolments; kept by the registration services."),
    )

    title = Trilingual("title")
    description = Trilingual("description")

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["summit", "slug"], name="forum_slug_unique_per_summit"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="forum_seats_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        # In the reader's language: forms list forums by it, pages and messages name them.
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:forum", kwargs={"slug": self.slug})

    @property
    def is_plenary(self) -> bool:
        return self.kind == self.Kind.PLENARY


class Speaker(models.Model):
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="speakers")
    slug = models.SlugField(_("slug"))
    name = models.CharField(
        _("name (native script)"), max_length=120, blank=True, help_text=_("For example 陳大文.")
    )
    name_latin = models.CharField(
        _("name (Latin letters)"),
        max_length=120,
        blank=True,
        help_text=_("For example Chan Tai Man."),
    )
    # The same name as Simplified and Traditional Chinese readers write it, where it differs
    # from ``name`` (陈大文 for 陳大文, 金敏俊 for 김민준): each reader sees their own script.
    name_zh_hans = models.CharField(
        _("name in Simplified Chinese"),
        max_length=120,
        blank=True,
        help_text=_("If it differs from the name above, for example 陈大文."),
    )
    name_zh_hant = models.CharField(
        _("name in Traditional Chinese"),
        max_length=120,
        blank=True,
        help_text=_("If it differs from the name above, for example 陳大文."),
    )
    affiliation_en = models.CharField(_("affiliation (English)"), max_length=200, blank=True)
    affiliation_zh_hans = models.CharField(
        _("affiliation (Simplified Chinese)"), max_length=200, blank=True
    )
    affiliation_zh_hant = models.CharField(
        _("affiliation (Traditional Chinese)"), max_length=200, blank=True
    )
    bio_en = models.TextField(_("biography (English)"), blank=True)
    bio_zh_hans = models.TextField(_("biography (Simplified Chinese)"), blank=True)
    bio_zh_hant = models.TextField(_("biography (Traditional Chinese)"), blank=True)
    email = models.EmailField(_("e-mail (not published)"), blank=True)

    affiliation = Trilingual("affiliation")
    bio = Trilingual("bio")

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name_latin", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "slug"], name="speaker_slug_unique_per_summit"
            ),
            models.CheckConstraint(
                condition=~Q(name="") | ~Q(name_latin=""), name="speaker_has_a_name"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("agenda:speaker", kwargs={"slug": self.slug})

    def chinese_name(self, language: str | None = None) -> str:
        """The name in a Chinese reader's own script: their form of it, else the name as the
        person writes it, else the other script's form. For English readers, the name as the
        person writes it."""
        language = normalise_language(language or get_language())
        if language == "zh-hant":
            return self.name_zh_hant or self.name or self.name_zh_hans
        if language == "zh-hans":
            return self.name_zh_hans or self.name or self.name_zh_hant
        return self.name or self.name_zh_hans or self.name_zh_hant

    def name_for(self, language: str | None = None) -> str:
        """The name as a reader of ``language`` (default: the active one) sees it: Latin
        letters for English readers, their own script for Chinese readers."""
        language = normalise_language(language or get_language())
        if language == "en":
            return self.name_latin or self.chinese_name(language)
        return self.chinese_name(language) or self.name_latin

    @property
    def display_name(self) -> str:
        return self.name_for()

    @property
    def other_name(self) -> str:
        """The name in the other writing, when there is one (shown beside display_name)."""
        shown = self.display_name
        other = self.name_latin if shown != self.name_latin else self.chinese_name()
        return other if other != shown else ""


class Session(SeatsLeft, models.Model):
    class Format(models.TextChoices):
        CEREMONY = "ceremony", _("Ceremony")
        KEYNOTE = "keynote", _("Keynote")
        TALK = "talk", _("Talk")
        PANEL = "panel", _("Panel discussion")
        WORKSHOP = "workshop", _("Workshop")
        SIGNING = "signing", _("Signing ceremony")
        BREAK = "break", _("Break")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="sessions")
    uid = models.UUIDField(
        _("calendar UID"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Stable across edits and exports, so calendars update the same event."),
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh_hans = models.CharField(_("title (Simplified Chinese)"), max_length=200, blank=True)
    title_zh_hant = models.CharField(_("title (Traditional Chinese)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh_hans = models.TextField(_("description (Simplified Chinese)"), blank=True)
    description_zh_hant = models.TextField(_("description (Traditional Chinese)"), blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format, default=Format.TALK)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    speakers = models.ManyToManyField(
        Speaker, through="SessionSpeaker", related_name="sessions", blank=True
    )
    requires_enrolment = models.BooleanField(
        _("guests choose it separately"),
        default=False,
        help_text=_(
            "Guests must pick this session on its own (it has its own seat limit); otherwise "
            "everyone enrolled in the forum may attend."
        ),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Seats for guests who choose this session; empty means no limit of its own."),
    )
    seats_taken = models.PositiveIntegerField(
        _("seats taken"),
        default=0,
        editable=False,
        help_text=_("Confirmed enrolments; kept by the registration services."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SCHEDULED)
    is_published = models.BooleanField(
        _("published"),
        default=True,
        help_text=_("Unpublished sessions are drafts only organisers see."),
    )
    # Calendar bookkeeping (RFC 5545): SEQUENCE advances and LAST-MODIFIED moves whenever a
    # published change reaches guests. Maintained by the agenda services, never by save().
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    changed_at = models.DateTimeField(_("last changed"), auto_now_add=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    title = Trilingual("title")
    description = Trilingual("description")

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "forum__position", "pk"]
        indexes = [
            models.Index(fields=["starts_at"], name="session_starts_at"),
            models.Index(fields=["forum", "starts_at"], name="session_forum_starts_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="session_seats_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        # In the reader's language: forms list sessions by it, pages and messages name them.
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:session", kwargs={"uid": self.uid})

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    # Seats as guests see them. A session guests choose separately counts its own seats;
    # any other session is open to everyone enrolled in its forum, so the forum's count.
    @property
    def guest_capacity(self) -> int | None:
        return self.capacity if self.requires_enrolment else self.forum.capacity

    @property
    def guest_seats_left(self) -> int | None:
        return self.seats_left if self.requires_enrolment else self.forum.seats_left


class SessionSpeaker(models.Model):
    class Role(models.TextChoices):
        SPEAKER = "speaker", _("Speaker")
        MODERATOR = "moderator", _("Moderator")
        HOST = "host", _("Host")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="appearances")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="appearances")
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.SPEAKER)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("session speaker")
        verbose_name_plural = _("session speakers")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "speaker"], name="session_speaker_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} @ {self.session}"
