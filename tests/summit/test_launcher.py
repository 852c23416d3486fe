"""bin/production refuses unsafe settings before it migrates or starts anything.

(It is run for real, with safe settings, by the end-to-end tests in tests/e2e/.)"""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def launch(**env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY", "REDIS_URL"}
    }
    return subprocess.run(
        [str(ROOT / "bin" / "production")],
        cwd=ROOT,
        env={**clean, "PYTHON": str(ROOT / ".venv" / "bin" / "python"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_development_settings():
    result = launch(DEBUG="0", ALLOWED_HOSTS="summit.example.org", BIND="127.0.0.1:8209")

    assert result.returncode != 0
    for check in ("bayline.E001", "bayline.E002", "bayline.E003", "bayline.E005"):
        assert check in result.stderr
    assert "gunicorn" not in result.stdout + result.stderr
    assert "Apply all migrations" not in result.stdout


def test_production_runs_with_debug_off_only():
    result = launch(DEBUG="1")

    assert result.returncode == 2
    assert "DEBUG=0 only" in result.stderr
