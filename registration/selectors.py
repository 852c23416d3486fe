"""Reads of the registration app: a guest's own registration, organiser lists, figures."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from registration.choosable import choosable_forums, choosable_sessions
from registration.models import Enrolment, Invitation, Region, Registration
from registration.services import fold
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


def enrolments_of(registration: Registration) -> QuerySet[Enrolment]:
    return registration.enrolments.select_related("forum", "session", "session__forum").order_by(
        "forum__position", "session__starts_at", "pk"
    )


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
    return (
        Invitation.objects.filter(summit=summit)
        .select_related("registration")
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
