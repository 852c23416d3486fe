"""Reads of the registration app: a guest's own registration, organiser lists, figures."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from registration import prepared_reads
from registration.choosable import choosable_forums, choosable_sessions
from registration.models import Enrolment, Invitation, Region, Registration
from registration.search import fold
from summit.models import Summit


def registration_of(user, summit: Summit) -> Registration | None:
    """The user's registration, or else one made for their address without an account (an
    import), which the caller may claim (``services.claim_registration``)."""
    if not user.is_authenticated:
        return None
    own = Registration.objects.filter(summit=summit, user=user).select_related("summit").first()
    if own is not None:
        return own
    emails = {user.email, user.email.lower()} - {""}
    return Registration.objects.filter(summit=summit, user__isnull=True, email__in=emails).first()


def enrolments_of(registration: Registration) -> list[Enrolment]:
    """The registration's enrolments (cancelled ones too): forums in the agenda's order, then
    sessions by time, each with the fields of its forum or session that
    ``prepared_reads.CHOSEN_FORUM`` and ``CHOSEN_SESSION`` name (any other is read with a
    query of its own).

    Sorted here rather than by the database: a guest has a handful, ordering by the joined
    rows' columns costs more than the sort, and the databases disagree on where
    the other kind's NULLs go (first on SQLite, last on PostgreSQL)."""
    enrolments = prepared_reads.enrolments(registration.pk)
    return sorted(enrolments, key=_agenda_order)


def _agenda_order(enrolment: Enrolment) -> tuple:
    if enrolment.forum is not None:
        return (0, enrolment.forum.position, enrolment.pk)
    return (1, enrolment.session.starts_at, enrolment.pk)


@dataclass(frozen=True)
class Choice:
    """One of a guest's forums or sessions, in the state the guest should read.

    An enrolment's own status says only whether it holds a seat; what a waiting enrolment
    waits for depends on its registration. ``state`` is one of:

    - ``confirmed``: the seat is the guest's;
    - ``awaiting_approval``: the registration waits for an organiser; no seat is taken
      until it is approved, when the free seats go to the choices in the order they were made;
    - ``waiting``: the registration is confirmed and this choice is on its waiting list,
      ``position`` (1 = next) in line;
    - ``awaiting_summit_place``: the registration waits for a place at the summit itself
      (the summit is full); the choice gets a seat, if one is free, once that place comes.
    """

    enrolment: Enrolment
    state: str
    position: int | None = None

    @property
    def title(self) -> str:
        return (self.enrolment.forum or self.enrolment.session).title

    @property
    def label(self) -> str:
        if self.state == "confirmed":
            return _("Your seat")
        if self.state == "awaiting_approval":
            return _("Awaiting approval")
        if self.state == "waiting":
            return _("Waiting list: number %(position)s") % {"position": self.position}
        return _("Awaiting a place at the summit")


def choices_of(registration: Registration) -> list[Choice]:
    """The guest's active choices with the state each is really in (see :class:`Choice`).

    One query for the choices, and one per choice on a waiting list for its place in line.
    """
    enrolments = [e for e in enrolments_of(registration) if e.status != Enrolment.Status.CANCELLED]
    choices = []
    for enrolment in enrolments:
        if enrolment.status == Enrolment.Status.CONFIRMED:
            choices.append(Choice(enrolment, "confirmed"))
        elif registration.status == Registration.Status.PENDING:
            choices.append(Choice(enrolment, "awaiting_approval"))
        elif registration.status == Registration.Status.WAITLISTED:
            choices.append(Choice(enrolment, "awaiting_summit_place"))
        else:
            choices.append(Choice(enrolment, "waiting", _place_in_line(enrolment)))
    return choices


def _place_in_line(enrolment: Enrolment) -> int:
    # The order ``capacity.fill`` serves: confirmed registrations only, by created_at, id.
    target = (
        {"forum_id": enrolment.forum_id}
        if enrolment.forum_id
        else {"session_id": enrolment.session_id}
    )
    ahead = Enrolment.objects.filter(
        Q(created_at__lt=enrolment.created_at)
        | Q(created_at=enrolment.created_at, pk__lt=enrolment.pk),
        **target,
        status=Enrolment.Status.WAITLISTED,
        registration__status=Registration.Status.CONFIRMED,
    ).count()
    return ahead + 1


def summit_waiting_position(registration: Registration) -> int | None:
    """The registration's place on the summit's waiting list (1 = next), if it is on it."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk),
        summit_id=registration.summit_id,
        status=Registration.Status.WAITLISTED,
    ).count()
    return ahead + 1


def choice_options(summit: Summit) -> dict[str, Any]:
    """Forums and sessions a guest may choose, with seats left (two queries)."""
    forums = list(choosable_forums(summit).select_related("room").order_by("position", "pk"))
    sessions = list(
        choosable_sessions(summit).select_related("forum", "room").order_by("starts_at", "pk")
    )
    return {"forums": forums, "sessions": sessions}


@dataclass(frozen=True)
class GuestFilters:
    query: str = ""
    status: str = ""
    category: str = ""
    region: str = ""
    forum: int | None = None


def guests(summit: Summit, filters: GuestFilters) -> QuerySet[Registration]:
    """The organisers' guest list: search in any script, filters, newest first."""
    registrations = Registration.objects.filter(summit=summit)
    if filters.query:
        for word in fold(filters.query).split():
            registrations = registrations.filter(search_text__contains=word)
    if filters.status:
        registrations = registrations.filter(status=filters.status)
    if filters.category:
        registrations = registrations.filter(category=filters.category)
    if filters.region:
        registrations = registrations.filter(region=filters.region)
    if filters.forum:
        registrations = registrations.filter(
            enrolments__forum_id=filters.forum,
            enrolments__status__in=[Enrolment.Status.CONFIRMED, Enrolment.Status.WAITLISTED],
        )
    return registrations.order_by("-created_at", "-pk")


def guests_for_export(summit: Summit, filters: GuestFilters) -> QuerySet[Registration]:
    active = Enrolment.objects.exclude(status=Enrolment.Status.CANCELLED).select_related(
        "forum", "session"
    )
    return guests(summit, filters).prefetch_related(Prefetch("enrolments", queryset=active))


def guest_detail(summit: Summit, pk: int) -> Registration:
    return (
        Registration.objects.select_related("user", "invitation", "decided_by")
        .prefetch_related("events__actor")
        .get(summit=summit, pk=pk)
    )


def invitations(summit: Summit) -> QuerySet[Invitation]:
    """The summit's invitations, each with ``address_registered``: whether its address has
    registered, through it or by other means (then it is neither sent nor reminded again)."""
    registered = Registration.objects.filter(summit=summit, email__iexact=OuterRef("email"))
    return (
        Invitation.objects.filter(summit=summit)
        .select_related("registration")
        .annotate(address_registered=Exists(registered))
        .order_by("-created_at", "-pk")
    )


def figures(summit: Summit) -> dict[str, Any]:
    """Registrations by status, forum and region, for the organiser dashboard."""
    by_status = dict(
        Registration.objects.filter(summit=summit)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    counts = dict(
        Registration.objects.filter(
            summit=summit, status__in=[Registration.Status.CONFIRMED, Registration.Status.PENDING]
        )
        .values_list("region")
        .annotate(n=Count("pk"))
        .values_list("region", "n")
    )
    by_region = [(region.label, counts.get(region.value, 0)) for region in Region]
    forums = list(
        choosable_forums(summit)
        .annotate(
            # In line for a seat: the guest's place at the summit is confirmed.
            waiting=Count(
                "enrolments",
                filter=Q(
                    enrolments__status=Enrolment.Status.WAITLISTED,
                    enrolments__registration__status=Registration.Status.CONFIRMED,
                ),
            ),
            # Chosen by guests whose registration an organiser has yet to approve.
            awaiting_approval=Count(
                "enrolments",
                filter=Q(enrolments__registration__status=Registration.Status.PENDING)
                & ~Q(enrolments__status=Enrolment.Status.CANCELLED),
            ),
        )
        .order_by("position", "pk")
    )
    return {"by_status": by_status, "by_region": by_region, "forums": forums}
