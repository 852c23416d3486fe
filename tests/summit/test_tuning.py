"""Production tuning read from the environment: gunicorn.conf.py and the settings it implies."""

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUNING = (
    "GUNICORN_WORKER_CLASS",
    "GUNICORN_THREADS",
    "WEB_CONCURRENCY",
    "GUNICORN_KEEPALIVE",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "GUNICORN_TIMEOUT",
    "GUNICORN_CONTROL_SOCKET",
    "REDIS_URL",
    "SESSION_ENGINE",
    "CONN_HEALTH_CHECKS",
    "DATABASE_URL",
)


@pytest.fixture
def environment(monkeypatch):
    for name in TUNING:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)
    return monkeypatch


def gunicorn_config() -> dict:
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def settings_module() -> dict:
    return runpy.run_path(str(ROOT / "summit/settings.py"))


def test_gunicorn_defaults_suit_two_cores_and_the_door_devices(environment):
    config = gunicorn_config()
    assert (config["worker_class"], config["workers"], config["threads"]) == ("gthread", 3, 4)
    assert config["keepalive"] >= 5  # the scanners' connections stay open between scans
    # A door process answers hundreds of scans a second: not recycled every few seconds.
    assert config["max_requests"] == 100_000 and 0 < config["max_requests_jitter"] < 100_000
    assert config["control_socket_disable"] is True
    assert config["preload_app"] is True


def test_gunicorn_reads_its_tuning_from_the_environment(environment):
    environment.setenv("GUNICORN_WORKER_CLASS", "sync")
    config = gunicorn_config()
    assert (config["worker_class"], config["workers"], config["threads"]) == ("sync", 5, 1)
    environment.setenv("WEB_CONCURRENCY", "7")
    environment.setenv("GUNICORN_THREADS", "2")
    environment.setenv("GUNICORN_MAX_REQUESTS", "0")
    environment.setenv("GUNICORN_TIMEOUT", "60")
    environment.setenv("GUNICORN_KEEPALIVE", "3")
    environment.setenv("GUNICORN_CONTROL_SOCKET", "/run/bayline/gunicorn.ctl")
    config = gunicorn_config()
    assert (config["workers"], config["threads"], config["timeout"]) == (7, 2, 60)
    assert (config["max_requests"], config["max_requests_jitter"], config["keepalive"]) == (0, 0, 3)
    assert config["control_socket"] == "/run/bayline/gunicorn.ctl"
    assert config["control_socket_disable"] is False


def test_sessions_are_cached_in_redis_only_when_redis_is_configured(environment):
    assert settings_module()["SESSION_ENGINE"] == "summit.infrastructure.session_engines.db"
    environment.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert settings_module()["SESSION_ENGINE"] == "summit.infrastructure.session_engines.cached_db"
    environment.setenv("SESSION_ENGINE", "django.contrib.sessions.backends.db")
    assert settings_module()["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_connection_health_checks_are_on_unless_turned_off(environment):
    environment.setenv("DATABASE_URL", "postgres://bayline@db.example:5432/bayline")
    assert settings_module()["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True
    environment.setenv("CONN_HEALTH_CHECKS", "0")
    assert settings_module()["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is False


def test_the_cache_counts_as_shared_only_with_redis(environment):
    assert settings_module()["CACHE_IS_SHARED"] is False
    environment.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert settings_module()["CACHE_IS_SHARED"] is True


def test_production_tasks_use_the_database_backend_of_django_tasks_db(environment):
    assert settings_module()["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def test_redis_cache_is_djangos_own(environment):
    environment.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")

    cache = settings_module()["CACHES"]["default"]

    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/0"
