"""Reactions of the agenda app to news from the apps to its left."""

from django.db import transaction
from django.db.models import Count, Q
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from sessions.models import Session
from sessions.services.schedule import advance_many
from sessions.warnings import schedule_warnings
from summit.dashboard import Panel, dashboard_panels
from summit.signals import SUMMIT_GUEST_VISIBLE, summit_changed


@receiver(dashboard_panels)
def agenda_panel(sender, summit, request, **kwargs) -> list[Panel]:
    """The organiser dashboard's agenda panel: sessions and schedule warnings."""
    if not request.user.has_perm("summit.manage_agenda"):
        return []
    counts = Session.objects.filter(forum__summit=summit).aggregate(
        published=Count("pk", filter=Q(is_published=True)),
        drafts=Count("pk", filter=Q(is_published=False)),
        cancelled=Count("pk", filter=Q(status=Session.Status.CANCELLED)),
    )
    context = {**counts, "warnings": len(schedule_warnings(summit))}
    return [
        Panel(
            title=_("Agenda"),
            template="agenda/organiser/dashboard_panel.html",
            context=context,
            order=30,
            permission="summit.manage_agenda",
        )
    ]


@receiver(summit_changed)
def advance_sessions_of_changed_summit(sender, summit, changed_fields, **kwargs) -> None:
    """The summit's name or venue is in every calendar event: let calendars update them."""
    if not changed_fields & SUMMIT_GUEST_VISIBLE:
        return
    with transaction.atomic():
        advance_many(Session.objects.filter(forum__summit=summit), frozenset({"summit"}))
