"""Reads about badges, for views, printing and door check-in."""

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from badges.models import Badge, PrintJob
from badges.signing import BadgeCode
from registration.models import Enrolment, Registration
from summit.models import Summit

ORDER_NAME = "name"
ORDER_ORGANISATION = "organisation"
FILTER_KEYS = ("forum", "category", "region")


def badge_for_code(code: BadgeCode) -> Badge | None:
    """The badge a verified code names, active or revoked (None if it does not exist)."""
    return (
        Badge.objects.select_related("registration")
        .filter(pk=code.badge_id, serial=code.serial)
        .first()
    )


def active_badge_for_code(code: BadgeCode) -> Badge | None:
    """The badge a verified code names, if it is still its registration's active badge.

    A reissued or revoked badge gives None, however valid its signature: door check-in uses
    this to refuse the old QR code of a replaced badge.
    """
    return (
        Badge.objects.select_related("registration")
        .filter(pk=code.badge_id, serial=code.serial, revoked_at__isnull=True)
        .first()
    )


def active_badge(registration: Registration) -> Badge | None:
    return registration.badges.filter(revoked_at__isnull=True).first()


def own_confirmed_registration(user, summit: Summit) -> Registration | None:
    """The signed-in guest's confirmed registration for the summit, if any."""
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.select_related("summit")
        .filter(summit=summit, user=user, status=Registration.Status.CONFIRMED)
        .first()
    )


def registrations_to_print(summit: Summit, filters: dict) -> QuerySet[Registration]:
    """Confirmed registrations of the summit matching the bulk-print filters."""
    registrations = Registration.objects.filter(summit=summit, status=Registration.Status.CONFIRMED)
    if filters.get("category"):
        registrations = registrations.filter(category=filters["category"])
    if filters.get("region"):
        registrations = registrations.filter(region=filters["region"])
    if filters.get("forum"):
        enrolled = Enrolment.objects.filter(status=Enrolment.Status.CONFIRMED).filter(
            Q(forum__slug=filters["forum"], forum__summit=summit)
            | Q(session__forum__slug=filters["forum"], session__forum__summit=summit)
        )
        registrations = registrations.filter(pk__in=enrolled.values("registration_id"))
    return registrations


def badges_to_print(summit: Summit, *, filters: dict, order: str) -> QuerySet[Badge]:
    """Active badges of the matching registrations, in print order."""
    registrations = registrations_to_print(summit, filters)
    badges = Badge.objects.filter(
        revoked_at__isnull=True, registration__in=registrations
    ).select_related("registration")
    # Latin letters where given, else the native script.
    name = Lower(Coalesce(NullIf("registration__name_latin", Value("")), "registration__name"))
    if order == ORDER_ORGANISATION:
        return badges.order_by(Lower("registration__organisation"), name, "pk")
    return badges.order_by(name, "pk")


def recent_print_jobs(summit: Summit, *, limit: int = 10) -> QuerySet[PrintJob]:
    return PrintJob.objects.filter(summit=summit).select_related("created_by")[:limit]


def guests_for_desk(summit: Summit, query: str, *, limit: int = 20) -> list[Registration]:
    """Registrations matching a name, organisation or e-mail, for a reprint at the desk."""
    query = query.strip()
    # One Chinese character (a surname) is a useful search; one Latin letter is not.
    if not query or (len(query) < 2 and query.isascii()):
        return []
    matches = (
        Registration.objects.filter(summit=summit)
        .filter(
            Q(name__icontains=query)
            | Q(name_latin__icontains=query)
            | Q(organisation__icontains=query)
            | Q(email__iexact=query)
        )
        .order_by("name_latin", "name", "pk")[:limit]
    )
    registrations = list(matches)
    active = {
        badge.registration_id: badge
        for badge in Badge.objects.filter(registration__in=registrations, revoked_at__isnull=True)
    }
    for registration in registrations:
        registration.active_badge = active.get(registration.pk)
    return registrations
