"""System checks of badge rendering (run by manage.py commands and by production start-up)."""

from importlib import metadata

from django.conf import settings
from django.core.checks import Error, register


def installed_weasyprint() -> str:
    # Read from the package's metadata: importing WeasyPrint here would slow every start-up.
    return metadata.version("weasyprint")


@register()
def check_weasyprint_adapter(app_configs, **kwargs) -> list[Error]:
    """The names adapter uses WeasyPrint's internals: only with the version it was written for."""
    if not settings.BADGE_NAMES_ADAPTER:
        return []
    from badges.weasyprint_adapter import WEASYPRINT_VERSION

    installed = installed_weasyprint()
    if installed == WEASYPRINT_VERSION:
        return []
    return [
        Error(
            f"badges/weasyprint_adapter.py draws badge names with the internals of WeasyPrint "
            f"{WEASYPRINT_VERSION}, but WeasyPrint {installed} is installed.",
            hint=(
                "Set BADGE_NAMES_ADAPTER=false to lay names out with WeasyPrint's public API "
                "(same badges, slower bulk printing), or install WeasyPrint "
                f"{WEASYPRINT_VERSION}; to move the adapter to the new version, make "
                "tests/badges/test_weasyprint_adapter.py pass with it, then update "
                "WEASYPRINT_VERSION."
            ),
            id="badges.E001",
        )
    ]
