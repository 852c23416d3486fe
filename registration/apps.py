from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "registration"
    label = "registration"
    verbose_name = _("Registration")

    def ready(self) -> None:
        # Connects to sessions.signals.session_changed and this app's email_attachments.
        from registration import calendar_receivers  # noqa: F401
