import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sessions.models import Forum, Session
from summit.models import Summit


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


def new_invitation_code() -> str:
    # 10 characters from an alphabet without look-alikes (0/O, 1/I/L): ~50 bits, easy to type.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Category(models.TextChoices):
    VIP = "vip", _("VIP")
    SPEAKER = "speaker", _("Speaker")
    MEDIA = "media", _("Media")
    DELEGATE = "delegate", _("Delegate")
    STAFF = "staff", _("Staff")


class Region(models.TextChoices):
    GUANGDONG = "guangdong", _("Guangdong")
    HONG_KONG = "hong_kong", _("Hong Kong")
    MACAO = "macao", _("Macao")
    MAINLAND = "mainland", _("Other mainland provinces")
    OVERSEAS = "overseas", _("Overseas")


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SIMPLIFIED = "zh-hans", "简体中文"
    TRADITIONAL = "zh-hant", "繁體中文"


class Dietary(models.TextChoices):
    NONE = "none", _("No requirements")
    VEGETARIAN = "vegetarian", _("Vegetarian")
    VEGAN = "vegan", _("Vegan")
    HALAL = "halal", _("Halal")
    NO_PORK = "no_pork", _("No pork")
    OTHER = "other", _("Other (please say)")


class Invitation(models.Model):
    """An organiser's invitation: its link pre-fills the registration and skips approval.

    ``code`` only finds the invitation; the link also carries a key derived from it with the
    site's secret (registration/invitations.py), which is what proves the link was sent.
    """

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="invitations")
    code = models.CharField(_("code"), max_length=16, unique=True, default=new_invitation_code)
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name (native script)"), max_length=120, blank=True)
    name_latin = models.CharField(_("name (Latin letters)"), max_length=120, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    category = models.CharField(
        _("category"), max_length=10, choices=Category, default=Category.DELEGATE
    )
    language = models.CharField(
        _("language"), max_length=7, choices=Language, default=Language.SIMPLIFIED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["summit", "email"], name="invitation_summit_email")]

    def __str__(self) -> str:
        return f"{self.code} ({self.email})"


class Registration(models.Model):
    """One guest's registration for one summit (one per person per summit)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        REJECTED = "rejected", _("Rejected")

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="registrations")
    # PROTECT: an account is deleted through the privacy service, which cancels the
    # registration first so that its seats go to the waiting list.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registration",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    category = models.CharField(
        _("category"), max_length=10, choices=Category, default=Category.DELEGATE
    )
    email = models.EmailField(_("e-mail"))
    name = models.CharField(
        _("name (native script)"), max_length=120, blank=True, help_text=_("For example 陳大文.")
    )
    name_latin = models.CharField(
        _("name (Latin letters)"),
        max_length=120,
        blank=True,
        help_text=_("As in your passport, for example Chan Tai Man."),
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    job_title = models.CharField(_("title or position"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=10, choices=Region)
    phone = models.CharField(_("mobile phone"), max_length=32, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=7, choices=Language, default=Language.SIMPLIFIED
    )
    dietary = models.CharField(
        _("dietary requirements"), max_length=10, choices=Dietary, default=Dietary.NONE
    )
    dietary_notes = models.CharField(_("dietary details"), max_length=200, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    consent_given_at = models.DateTimeField(_("consent given"))
    consent_version = models.CharField(_("consent text version"), max_length=20)
    calendar_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, default=new_calendar_token
    )
    # A resubmitted or double-clicked form carries the same key and creates nothing twice.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Names, organisation and e-mail, case-folded and without accents ("joao" finds "João"),
    # kept by the registration services for the organisers' search.
    search_text = models.TextField(blank=True, editable=False)
    organiser_notes = models.TextField(_("organiser notes"), blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "email"], name="registration_email_unique_per_summit"
            ),
            models.UniqueConstraint(
                fields=["summit", "user"],
                condition=Q(user__isnull=False),
                name="registration_user_unique_per_summit",
            ),
            models.CheckConstraint(
                condition=~Q(name="") | ~Q(name_latin=""), name="registration_has_a_name"
            ),
        ]
        indexes = [
            models.Index(fields=["summit", "status"], name="registration_summit_status"),
            models.Index(fields=["summit", "category"], name="registration_summit_category"),
            models.Index(fields=["summit", "region"], name="registration_summit_region"),
            models.Index(fields=["name_latin"], name="registration_name_latin"),
            models.Index(fields=["organisation"], name="registration_organisation"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name and self.name_latin and self.name != self.name_latin:
            return f"{self.name} / {self.name_latin}"
        return self.name or self.name_latin

    @property
    def is_active(self) -> bool:
        """Holds or waits for a place (not cancelled or rejected)."""
        return self.status in {self.Status.PENDING, self.Status.CONFIRMED, self.Status.WAITLISTED}


class Enrolment(models.Model):
    """A registration's choice of one forum or one session, with its own place in line."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="enrolments"
    )
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, null=True, blank=True, related_name="enrolments"
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="enrolments"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status)
    # The waiting list is served in the order guests asked (created_at, then id).
    created_at = models.DateTimeField(_("chosen"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    promoted_at = models.DateTimeField(_("promoted from the waiting list"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(forum__isnull=False, session__isnull=True)
                | Q(forum__isnull=True, session__isnull=False),
                name="enrolment_forum_xor_session",
            ),
            models.UniqueConstraint(
                fields=["registration", "forum"],
                condition=Q(forum__isnull=False),
                name="enrolment_forum_once",
            ),
            models.UniqueConstraint(
                fields=["registration", "session"],
                condition=Q(session__isnull=False),
                name="enrolment_session_once",
            ),
        ]
        indexes = [
            models.Index(fields=["forum", "status", "created_at"], name="enrolment_forum_queue"),
            models.Index(
                fields=["session", "status", "created_at"], name="enrolment_session_queue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} → {self.forum or self.session}"


class RegistrationEvent(models.Model):
    """One line of a registration's history, shown to organisers on the guest's page."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        CHOICES = "choices", _("Choices changed")
        ENROLMENT = "enrolment", _("Enrolment changed")
        DETAILS = "details", _("Details changed")
        EMAIL = "email", _("E-mail sent")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    old_status = models.CharField(
        _("from"), max_length=10, blank=True, choices=Registration.Status.choices
    )
    new_status = models.CharField(
        _("to"), max_length=10, blank=True, choices=Registration.Status.choices
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class OutgoingEmail(models.Model):
    """An e-mail to a guest or an invitee, recorded so that it is sent once and only once.

    The row is written in the same transaction as the change it reports; a task sends it after
    commit and marks it sent. A retried task finds ``sent_at`` set and does nothing.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    kind = models.CharField(_("kind"), max_length=24)
    # Extra facts the message needs (reason, forum or session id…), JSON-serialisable.
    context = models.JSONField(default=dict, blank=True)
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=7, choices=Language)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # While "sending": which task worker claimed it, and when (summit/infrastructure/workers.py
    # recovers the claims of dead workers).
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="outgoing_email_status")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.status})"

    @property
    def message_id(self) -> str:
        """The same Message-ID for every attempt, so that a copy sent again after a crash is
        recognisable as the same message (by mail clients, and by our tests)."""
        from django.conf import settings

        domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return f"<bayline.email.{self.pk}.{self.created_at:%Y%m%d%H%M%S}@{domain or 'bayline'}>"


class GuestToken(models.Model):
    """A guest's token for the guest API (a mini program or app), obtained with an e-mail
    code. Only its SHA-256 is stored; the guest or an organiser may revoke it."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="api_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("token starts with"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("guest API token")
        verbose_name_plural = _("guest API tokens")

    def __str__(self) -> str:
        return f"{self.token_prefix}…"


class GuestCode(models.Model):
    """A short-lived code e-mailed to a guest to obtain a ``GuestToken``; stored hashed."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="api_codes"
    )
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["registration", "-created_at"], name="guestcode_latest")]

    def __str__(self) -> str:
        return f"code for registration {self.registration_id}"
