"""Reactions of the agenda app to news from the apps to its left."""

from django.db.models import Count, Q
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from sessions.models import Session
from sessions.warnings import schedule_warnings
from summit.dashboard import Panel, dashboard_panels


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
