"""The organiser dashboard is assembled from panels that each app contributes.

The summit app sits left of every other app and must not import them, so it asks: the
``dashboard_panels`` signal is sent with the summit and the request, and each app's receiver
returns a list of :class:`Panel`. (pretix builds its dashboard the same way.)
"""

from dataclasses import dataclass, field

from django.dispatch import Signal

# Keyword arguments: summit (Summit), request (HttpRequest). Receivers return list[Panel].
dashboard_panels = Signal()


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    # Lower comes first; figures about registrations around 10, attendance around 20.
    order: int = 50
    # Permission (``app_label.codename``) a user needs to see the panel.
    permission: str = "summit.view_attendance"


def panels_for(summit, request) -> list[Panel]:
    panels = [
        panel
        for _receiver, answer in dashboard_panels.send(
            sender=type(summit), summit=summit, request=request
        )
        for panel in answer or []
        if request.user.has_perm(panel.permission)
    ]
    return sorted(panels, key=lambda panel: (panel.order, panel.title))
