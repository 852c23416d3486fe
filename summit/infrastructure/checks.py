"""Checks that refuse unsafe production settings.

They are deployment checks (``manage.py check --deploy``), and ``summit/wsgi.py`` runs them
when a production process starts (DEBUG off), refusing to serve if any fails.
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register, run_checks
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_KEY_PREFIX = "django-insecure-"
LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}
DEVELOPMENT_EMAIL = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "summit.infrastructure.mail.ConsoleEmailBackend",
}


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
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(
            Error(
                "Production runs on PostgreSQL, not SQLite.",
                hint="Set DATABASE_URL=postgres://user:password@host:5432/bayline.",
                id="bayline.E002",
            )
        )
    if settings.CACHES["default"]["BACKEND"] in LOCAL_CACHES:
        errors.append(
            Error(
                "The cache is local to each process; rate limits and cached pages would "
                "differ between web workers.",
                hint="Set REDIS_URL=redis://host:6379/0.",
                id="bayline.E003",
            )
        )
    if settings.EMAIL_BACKEND in DEVELOPMENT_EMAIL:
        errors.append(
            Error(
                "E-mail is not really sent with the development backend.",
                hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD).",
                id="bayline.E004",
            )
        )
    if not settings.BADGE_SIGNING_KEYS:
        errors.append(
            Error(
                "Badge signing keys are derived from SECRET_KEY; rotating SECRET_KEY would "
                "invalidate every printed badge.",
                hint="Set BADGE_SIGNING_KEYS (python manage.py badge_key prints a new key).",
                id="bayline.E005",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS is empty.",
                hint="Set ALLOWED_HOSTS to the site's host names, comma-separated.",
                id="bayline.E006",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_shared_files(app_configs, **kwargs) -> list[Warning]:
    """Web processes keep no local state, except the files under MEDIA_ROOT (bulk badge
    files, written by a task worker and downloaded through any web process): they must live
    outside the code checkout, on storage every machine of the site mounts."""
    media = Path(settings.MEDIA_ROOT).resolve()
    if media.is_relative_to(Path(settings.BASE_DIR).resolve()):
        return [
            Warning(
                "MEDIA_ROOT is inside the code checkout: bulk badge files would be lost with "
                "the next deployment and invisible to other machines.",
                hint="Set MEDIA_ROOT to a directory on storage shared by every web and task "
                "worker machine (e.g. an NFS mount), see docs/deployment.md.",
                id="bayline.W001",
            )
        ]
    return []


def refuse_unsafe_production() -> None:
    """Raise ImproperlyConfigured when a production process has unsafe settings."""
    if settings.DEBUG:
        return
    problems = [
        message
        for message in run_checks(include_deployment_checks=True)
        if message.is_serious() and not message.is_silenced()
    ]
    if problems:
        listing = "\n".join(f"  {problem}" for problem in problems)
        raise ImproperlyConfigured(f"Refusing to start with unsafe settings:\n{listing}")
