"""The real production processes for the end-to-end tests (marker ``e2e``, PostgreSQL only).

One fixture for the module: a fresh database, the demo summit (``seed_demo``: it starts today
and its registration is open, whatever the date), an SMTP sink in this process, and
``bin/production`` (gunicorn with 3 workers, a supervised task worker) with production
settings: DEBUG off, real keys, Redis cache, SMTP. Ports are free ones picked for the run;
the Redis keys carry a prefix of the run's own, and only they are deleted afterwards.
Everything the processes log goes to files under the test's temporary directory, which the
last test scans for secrets.

What several tests need is made once by the fixture that owns it (a guest who registered,
the organiser logged in, a finished print job), so that any test also runs alone.
"""

import base64
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.harness import Browser, Sink, free_port, kill_group, processes, wait_until

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/4")


@dataclass
class Site:
    base: str
    env: dict
    database: str
    database_url: str
    sink: Sink
    logs: Path
    launcher: subprocess.Popen
    marker: str
    device_token: str
    port: int
    secrets: set = field(default_factory=set)
    personal: set = field(default_factory=set)
    # The secrets of secret-bearing addresses met on the way, by route (test_log_redaction).
    secret_paths: dict = field(default_factory=dict)

    def browser(self, **kwargs) -> Browser:
        return Browser(self.base, **kwargs)

    def manage(self, *args: str, env: dict | None = None, check: bool = True) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def sql(self, query: str, *params, database_url: str | None = None) -> list[tuple]:
        import psycopg

        with psycopg.connect(database_url or self.database_url, autocommit=True) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []


def database_urls() -> tuple[str, str, str]:
    """(admin URL, e2e database URL, e2e database name) from the suite's DATABASE_URL."""
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    name = parts.path.lstrip("/") + "_e2e"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    return admin, urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), name


def recreate(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def badge_key() -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    raw = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    return f"7:{base64.b64encode(raw).decode()}"


SETUP = """
from django.core.management import call_command
call_command("seed_demo", guests=300, stdout=open("/dev/null", "w"))
from badges.checkin.models import Checkpoint
from summit.models import Summit
summit = Summit.objects.order_by("-starts_on").first()
Summit.objects.filter(pk=summit.pk).update(approval_required=False)
Checkpoint.objects.update_or_create(
    slug="e2e-door",
    defaults=dict(summit=summit, name_en="Test door", kind="entrance", day=None,
                  policy="single", position=99),
)
"""


def stop(launcher: subprocess.Popen, marker: str) -> None:
    if launcher.poll() is None:
        launcher.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            launcher.wait(timeout=40)
    for process in processes(marker):  # whatever survived: never leave processes running
        kill_group(process["pgid"])
        with contextlib.suppress(ProcessLookupError):
            os.kill(process["pid"], signal.SIGKILL)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import redis

    logs = tmp_path_factory.mktemp("e2e-logs")
    media = tmp_path_factory.mktemp("e2e-media")
    admin_url, database_url, name = database_urls()
    recreate(admin_url, name)
    marker = f"BAYLINE_E2E_{uuid.uuid4().hex}"
    cache_prefix = f"bayline-e2e-{uuid.uuid4().hex}"
    web_port, smtp_port = free_port(), free_port()
    secret_key = secrets.token_urlsafe(50)
    signing_key = badge_key()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "summit.settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "60",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": cache_prefix,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"https://127.0.0.1:{web_port}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "BADGE_SIGNING_KEYS": signing_key,
        "MEDIA_ROOT": str(media),
        "BIND": f"127.0.0.1:{web_port}",
        "WORKERS": "3",
        "TASK_WORKERS": "1",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_RECOVERY_SECONDS": "2",
        # Tiny chunks: the bulk job reports progress often, and lasts long enough for a test
        # to kill it half-way however fast the machine renders (each chunk pays for its font
        # subset and its writing whatever its size, far more than its badges cost).
        "BADGE_PRINT_CHUNK_SIZE": "2",
        "LOG_LEVEL": "INFO",
        "PYTHON": sys.executable,
        marker: "1",
    }
    env.pop("LOG_FORMAT", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by tests/conftest.py for Playwright
    sink = Sink(smtp_port)
    sink.start()
    site = Site(
        base=f"http://127.0.0.1:{web_port}",
        env=env,
        database=name,
        database_url=database_url,
        sink=sink,
        logs=logs,
        launcher=None,
        marker=marker,
        device_token="",
        port=web_port,
    )
    site.secrets |= {secret_key, signing_key.split(":", 1)[1]}
    launcher = None
    try:
        log = open(logs / "production.log", "wb")  # noqa: SIM115  (closed at teardown)
        launcher = subprocess.Popen(
            [str(ROOT / "bin" / "production")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        site.launcher = launcher
        started = time.monotonic()

        def healthy():
            assert launcher.poll() is None, (logs / "production.log").read_text()[-3000:]
            try:
                return site.browser().get("/healthz", timeout=2).status == 200
            except OSError:
                return False

        wait_until(healthy, timeout=120, interval=0.5, what="the site to answer /healthz")
        site.started_in = time.monotonic() - started
        # The demo summit, loaded while the site runs (bin/production migrated the database).
        site.manage("shell", "-c", SETUP)
        site.device_token = site.manage(
            "create_device", "Test door phone", "--checkpoint", "e2e-door"
        ).strip()
        site.secrets.add(site.device_token)
        yield site
    finally:
        if launcher is not None:
            stop(launcher, marker)
            log.close()
        sink.stop()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{cache_prefix}:*"):  # ours only: others share the database
            client.delete(key)
