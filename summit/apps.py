from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SummitConfig(AppConfig):
    name = "summit"
    label = "summit"
    verbose_name = _("Summit")

    def ready(self) -> None:
        from summit import receivers  # noqa: F401  (connects to the infrastructure's signals)
        from summit.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self)
