from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    # The package is `sessions/`; its label is `agenda` so that it never clashes with
    # django.contrib.sessions (label "sessions"). Fixed before the first migration.
    name = "sessions"
    label = "agenda"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        from sessions import receivers  # noqa: F401  (connects the dashboard panel)
