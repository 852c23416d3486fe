"""Production refuses unsafe settings, and is clean with safe ones."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SAFE_PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-test-only-" + "y" * 20,
    "ALLOWED_HOSTS": "summit.example.org",
    "DATABASE_URL": "postgres://bayline:secret@db.example.org:5432/bayline",
    "REDIS_URL": "redis://cache.example.org:6379/0",
    "EMAIL_HOST": "smtp.example.org",
    "BADGE_SIGNING_KEYS": "1:" + "A" * 43 + "=",
    "MEDIA_ROOT": "/srv/bayline/media",
}


def run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in SAFE_PRODUCTION}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by conftest for Playwright
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = run(
        "import sys; from django.core.management import execute_from_command_line as run;"
        "run(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        {**SAFE_PRODUCTION, "DJANGO_SETTINGS_MODULE": "summit.settings"},
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_wsgi_refuses_to_start_with_development_settings_in_production():
    result = run(
        "import summit.wsgi",
        {
            "DEBUG": "0",
            "ALLOWED_HOSTS": "summit.example.org",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        },
    )

    assert result.returncode == 1
    assert "Refusing to start with unsafe settings" in result.stderr
    failed = {f"bayline.E00{n}" for n in range(1, 7) if f"bayline.E00{n}" in result.stderr}
    assert failed == {
        "bayline.E001",
        "bayline.E002",
        "bayline.E003",
        "bayline.E004",
        "bayline.E005",
    }


def test_wsgi_starts_with_safe_production_settings():
    result = run("import summit.wsgi; print('started')", SAFE_PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_deploy_check_warns_when_generated_files_stay_in_the_checkout():
    settings = {key: value for key, value in SAFE_PRODUCTION.items() if key != "MEDIA_ROOT"}
    result = run(
        "from django.core.management import execute_from_command_line as run;"
        "run(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        {**settings, "DJANGO_SETTINGS_MODULE": "summit.settings"},
    )

    assert result.returncode == 1
    assert "bayline.W001" in result.stderr
