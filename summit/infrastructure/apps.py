from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfrastructureConfig(AppConfig):
    """What no domain owns: logging and redaction, rate limits, task workers and their
    recovery, backup, the mail transport, deployment checks and the health check.

    It sits below every app: any app may import it, and it imports none of them (it tells
    them news through summit/infrastructure/signals.py).
    """

    name = "summit.infrastructure"
    label = "infrastructure"
    verbose_name = _("Infrastructure")

    def ready(self) -> None:
        from summit.infrastructure import checks  # noqa: F401  (registers system checks)
