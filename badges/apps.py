from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    label = "badges"
    verbose_name = _("Badges")

    def ready(self) -> None:
        from badges import (
            checks,  # noqa: F401  (registers the badge rendering's system checks)
            receivers,  # noqa: F401  (connects to registration's signals)
        )
