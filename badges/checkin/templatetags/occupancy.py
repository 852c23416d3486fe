"""{% occupancy_panel day %}: the rooms nearest full and the day's charts, on the attendance
page (badges/checkin/occupancy_views.py; the page's script refreshes them)."""

from django import template

from badges.checkin.occupancy_views import attendance_panel
from summit.selectors import current_summit

register = template.Library()


@register.inclusion_tag("checkin/occupancy/_attendance_panel.html", takes_context=True)
def occupancy_panel(context, day):
    summit = current_summit()
    panel = attendance_panel(summit, day) if summit else {"rooms": [], "charts": None}
    return {**panel, "day": day, "request": context.get("request"), "perms": context.get("perms")}
