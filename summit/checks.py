"""System checks for settings that would be unsafe in production."""

from django.conf import settings
from django.core.checks import Error, Tags, register

DEVELOPMENT_KEY_PREFIX = "django-insecure-"


@register(Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs) -> list[Error]:
    errors = []
    if settings.SECRET_KEY.startswith(DEVELOPMENT_KEY_PREFIX):
        errors.append(
            Error(
                "SECRET_KEY is the public development key.",
                hint="Set the SECRET_KEY environment variable to a long random value.",
                id="bayline.E001",
            )
        )
    return errors
