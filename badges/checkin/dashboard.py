"""The door check-in panel of the organiser dashboard (see summit/dashboard.py)."""

from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from badges.checkin.selectors import attendance
from summit.dashboard import Panel, dashboard_panels


@receiver(dashboard_panels, dispatch_uid="badges.checkin.dashboard")
def attendance_panel(sender, *, summit, request, **kwargs) -> list[Panel]:
    if not request.user.has_perm("summit.view_attendance"):
        return []
    today = timezone.localdate(timezone.now(), summit.tzinfo)
    day = today if today in summit.days else summit.days[0]
    return [
        Panel(
            title=_("Attendance"),
            template="checkin/panel.html",
            context=attendance(summit, day),
            order=20,
        )
    ]
