from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    """Door check-in: checkpoints, door devices, scans and admissions.

    Nested in badges/ because it reads badges (it verifies their signed codes); the badges app
    never imports it.
    """

    name = "badges.checkin"
    label = "checkin"
    verbose_name = _("Check-in")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from badges.checkin import (
            dashboard,  # noqa: F401  (the dashboard's attendance panel)
            receivers,
        )
        from summit.infrastructure.signals import minute_pass
        from summit.models import Room

        minute_pass.connect(
            receivers.check_out_automatically, dispatch_uid="checkin-automatic-check-out"
        )
        post_save.connect(receivers.room_saved, sender=Room, dispatch_uid="checkin-room-saved")
