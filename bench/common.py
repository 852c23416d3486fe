"""What the HTTP benchmarks share: production settings, gunicorn, guests, door devices, figures.

Import it after putting the project root on ``sys.path`` (the scripts do). Functions that touch
the database import Django lazily: call them after ``django.setup()``.
"""

import base64
import contextlib
import datetime
import http.client
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSRF = "b" * 32  # an unmasked CSRF secret, set as the cookie and sent in the form
TICKS = os.sysconf("SC_CLK_TCK")


def signing_keys() -> str:
    """A fresh BADGE_SIGNING_KEYS value (one Ed25519 key)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    raw = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    return "1:" + base64.b64encode(raw).decode()


def server_environment(port: int, **extra: str) -> dict[str, str]:
    """The production mode on this machine: DEBUG off, persistent connections, Redis cache.

    The benchmark process must use the same environment (``os.environ.update``) so that what
    it signs (login sessions, badges) is valid for the server.
    """
    environment = dict(os.environ)
    environment.update(
        DEBUG="0",
        SECRET_KEY=environment.get("SECRET_KEY", "bench-" + "x" * 50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        CONN_MAX_AGE="60",
        REDIS_URL=environment.get("REDIS_URL", "redis://127.0.0.1:6379/5"),
        # A run's own keys: an empty cache to start from, without emptying a database that
        # others may use (delete_cache_keys removes them afterwards).
        CACHE_KEY_PREFIX=environment.get("CACHE_KEY_PREFIX") or f"bayline-bench-{uuid.uuid4().hex}",
        BADGE_SIGNING_KEYS=environment.get("BADGE_SIGNING_KEYS") or signing_keys(),
        ACCESS_LOG="0",
        LOG_LEVEL="WARNING",
        BIND=f"127.0.0.1:{port}",
    )
    environment.update(extra)
    return environment


def delete_cache_keys(environment: dict[str, str]) -> None:
    """Delete the run's keys (its CACHE_KEY_PREFIX) from Redis, and no others."""
    import redis

    client = redis.Redis.from_url(environment["REDIS_URL"])
    for key in client.scan_iter(f"{environment['CACHE_KEY_PREFIX']}:*"):
        client.delete(key)


def fresh_summit(guests: int, tables: str):
    """Migrate, empty ``tables`` (one TRUNCATE … CASCADE) and create the bench summit: one day,
    today, registration open, room for ``guests``. Call after django.setup()."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from summit.models import Summit

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    now = timezone.now()
    return Summit.objects.create(
        slug="bench",
        name_en="Bench summit",
        starts_on=now.date(),
        ends_on=now.date(),
        registration_opens_at=now - datetime.timedelta(days=30),
        registration_closes_at=now + datetime.timedelta(days=1),
        capacity=guests + 100,
    )


def wsgi_environ(method: str, path: str, *, body: bytes = b"", **variables: str) -> dict:
    """The WSGI environ gunicorn would pass for a request to 127.0.0.1:8000, for the in-process
    profiles; ``variables`` adds the request's own (``HTTP_COOKIE``, ``CONTENT_TYPE``, …)."""
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_LENGTH": str(len(body)),
        **variables,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def require_bench_database() -> None:
    """Stop unless DATABASE_URL names a PostgreSQL database meant to be wiped."""
    url = os.environ.get("DATABASE_URL", "")
    name = url.rsplit("/", 1)[-1]
    if not url.startswith("postgres") or "bench" not in name:
        sys.exit("Set DATABASE_URL=postgres://…/<name with 'bench'>: the bench wipes it.")


def start_gunicorn(environment: dict, port: int, *options: str) -> subprocess.Popen:
    """gunicorn with gunicorn.conf.py (plus ``options``); returns once /healthz answers."""
    command = [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), *options]
    server = subprocess.Popen([*command, "summit.wsgi"], cwd=ROOT, env=environment)
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.terminate()
    server.wait(timeout=20)
    sys.exit("gunicorn did not start")


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on now (the system picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Hosts:
    """The web hosts of a bench, as on as many machines, and the balancer in front of them.

    Clients talk to ``port``: gunicorn's own with one host, the balancer's with more.
    """

    def __init__(self, servers: list[subprocess.Popen], balancer: subprocess.Popen | None):
        self.servers = servers
        self.balancer = balancer
        self.served: dict[str, int] = {}  # connections the balancer gave each host

    def workers(self) -> list[int]:
        """Every host's gunicorn workers."""
        return [pid for server in self.servers for pid in children(server.pid)]

    def balancer_cpu(self) -> float:
        """CPU seconds of the balancer so far (0 without one)."""
        return cpu_seconds([self.balancer.pid]) if self.balancer else 0.0

    def stop(self) -> float:
        """Stop the balancer and the hosts; return the CPU seconds of the hosts' gunicorn
        masters and workers (as ``stop``)."""
        if self.balancer is not None and self.balancer.returncode is None:
            stop(self.balancer)
            self.served = json.loads(self.balancer.stdout.read() or "{}")
            self.balancer.stdout.close()
        return sum(stop(server) for server in self.servers)


def start_hosts(environment: dict, port: int, count: int, *options: str) -> Hosts:
    """``count`` gunicorn instances (``start_gunicorn``), each with the same settings, database
    and Redis, as two machines of one site would be. With more than one, each binds a port of
    its own and the TCP balancer (bench/balancer.py, one connection to each host in turn) takes
    ``port``, in a process of its own so that it does not share the load generator's GIL."""
    if count == 1:
        return Hosts([start_gunicorn(environment, port, *options)], None)
    servers: list[subprocess.Popen] = []
    backends = [f"127.0.0.1:{free_port()}" for _host in range(count)]
    try:
        for backend in backends:
            own = int(backend.rsplit(":", 1)[1])
            servers.append(start_gunicorn({**environment, "BIND": backend}, own, *options))
        balancer = subprocess.Popen(
            [sys.executable, str(ROOT / "bench/balancer.py"), "--port", str(port), *backends],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        if balancer.stdout.readline().strip() != "ready":
            balancer.wait(timeout=20)
            sys.exit("the balancer did not start")
    except BaseException:
        for server in servers:
            stop(server)
        raise
    return Hosts(servers, balancer)


def stop(process: subprocess.Popen, timeout: float = 20) -> float:
    """Terminate ``process`` (SIGTERM, then SIGKILL); return the CPU seconds of it and of the
    children it reaped (gunicorn's workers)."""
    if process.returncode is not None:
        return 0.0
    process.terminate()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, _status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = 0
            return usage.ru_utime + usage.ru_stime
        time.sleep(0.1)
    process.kill()
    _pid, _status, usage = os.wait4(process.pid, 0)
    process.returncode = -9
    return usage.ru_utime + usage.ru_stime


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers)."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def database_backends() -> list[int]:
    """The PostgreSQL backends connected to this database, except our own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


@contextlib.contextmanager
def measured():
    """Mark the measured part of an in-process profile for callgrind: run the script with
    ``--zero-before=os_getppid --dump-before=os_getpgrp`` and the dump ending in ``.1`` counts
    the instructions of this block alone (not the imports, the data set-up or the warm-up)."""
    os.getppid()
    try:
        yield
    finally:
        os.getpgrp()


def percentiles(latencies: list[float]) -> dict:
    """p50/p95/p99/max/mean in milliseconds (nearest rank)."""
    if not latencies:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0, "mean": 0.0}
    ordered = sorted(latencies)

    def at(share):
        return ordered[min(int(share * len(ordered)), len(ordered) - 1)] * 1000

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": ordered[-1] * 1000,
        "mean": statistics.fmean(ordered) * 1000,
    }


def run_for(threads: list[threading.Thread], seconds: float, stop: threading.Event) -> float:
    """Start the client threads, let them work ``seconds``, stop and join them; the elapsed
    wall time."""
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def confirmed_registrations(summit, count: int, prefix: str) -> list:
    """``count`` confirmed registrations made in bulk (no accounts): ``<prefix>N@bench.test``."""
    from django.utils import timezone

    from registration.models import Registration

    now = timezone.now()
    return Registration.objects.bulk_create(
        Registration(
            summit=summit,
            email=f"{prefix}{n:05d}@bench.test",
            name=f"嘉宾{n}",
            name_latin=f"Guest {n}",
            organisation="Bench Office",
            region="guangdong",
            status="confirmed",
            consent_given_at=now,
            consent_version="bench",
        )
        for n in range(count)
    )


def create_logged_in_accounts(count: int, prefix: str) -> list[str]:
    """``count`` verified accounts with a login session each; returns their Cookie headers.

    The sessions are written to the database beforehand, so a benchmark measures what guests
    do once logged in (password hashing is made slow on purpose).
    """
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session as LoginSession
    from django.core.cache import caches
    from django.utils import timezone

    User = get_user_model()
    password = make_password("bench-password")
    User.objects.bulk_create(
        User(username=f"{prefix}{n:05d}", email=f"{prefix}{n:05d}@bench.test", password=password)
        for n in range(count)
    )
    users = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    cookies, rows = [], []
    expiry = timezone.now() + datetime.timedelta(days=1)
    for user in users:
        key = uuid.uuid4().hex
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
        rows.append(
            LoginSession(
                session_key=key, session_data=SessionStore().encode(data), expire_date=expiry
            )
        )
        cookies.append(f"sessionid={key}; csrftoken={CSRF}")
    LoginSession.objects.bulk_create(rows, batch_size=1000)
    from django.contrib.sessions.backends import cached_db

    engine = import_module(settings.SESSION_ENGINE).SessionStore
    if issubclass(engine, cached_db.SessionStore):  # Django's, or the project's (a subclass)
        # As after a real login, which writes the session through to the cache.
        caches[settings.SESSION_CACHE_ALIAS].set_many(
            {f"{cached_db.KEY_PREFIX}{row.session_key}": row.get_decoded() for row in rows},
            24 * 3600,
        )
    return cookies


def registration_form(n: int, forums: list, sessions: list, rng: random.Random) -> str:
    """A filled-in registration form (url-encoded): one or two forums, sometimes a session."""
    fields = {
        "csrfmiddlewaretoken": CSRF,
        "submission_key": str(uuid.uuid4()),
        "name": rng.choice(["陳大文", "王伟", "李嘉欣", ""]),
        "name_latin": f"Guest {n}",
        "organisation": "廣東省政務服務數據管理局",
        "job_title": "Director",
        "region": rng.choice(["guangdong", "hong_kong", "macao", "mainland", "overseas"]),
        "phone": "+853 6123 4567",
        "language": rng.choice(["en", "zh-hans", "zh-hant"]),
        "dietary": "none",
        "consent": "on",
    }
    chosen = [("forums", f.pk) for f in rng.sample(forums, rng.choice([1, 2]))]
    if sessions and rng.random() < 0.3:
        chosen.append(("sessions", rng.choice(sessions).pk))
    return urllib.parse.urlencode([*fields.items(), *chosen])


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


class FormPoster:
    """POSTs forms over one HTTP/1.1 connection, reconnecting whenever the server closes it.

    A load generator on the same two cores as the server takes CPU from it: http.client
    parses every response's headers with the e-mail parser, and its 32 threads then hold the
    GIL longer before they close the connection a sync worker waits on. This reads only the
    status line and the headers the benches look at.
    """

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.address = ("127.0.0.1", port)
        self.timeout = timeout
        self.sock: socket.socket | None = None

    def post(self, path: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
        """Send the form; return the status and the Location header ("" if none)."""
        data = body.encode()
        lines = [f"POST {path} HTTP/1.1", f"Host: {self.address[0]}:{self.address[1]}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(data)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=self.timeout)
        try:
            self.sock.sendall(request)
            return self._response()
        except OSError:
            self.close()
            raise

    def _response(self) -> tuple[int, str]:
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection without an answer")
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        found = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            found[name.strip().lower()] = value.strip()
        length = int(found.get("content-length", "0"))
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        if found.get("connection", "").lower() == "close":
            self.close()
        return int(status_line.split(" ", 2)[1]), found.get("location", "")

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class Door:
    """One door device with its own token: a keep-alive HTTP connection, or a new connection
    for every scan (``new_connection``)."""

    def __init__(self, port: int, token: str, *, new_connection: bool = False):
        self.port = port
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",  # as behind the TLS proxy (no redirect when required)
        }
        # A device that opens a new TCP connection for every scan (no keep-alive).
        self.new_connection = new_connection
        if new_connection:
            self.headers["Connection"] = "close"
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.reconnects = 0

    def scan(self, code: str, checkpoint: str, direction: str = "") -> tuple[float, str]:
        """Scan a badge; returns the latency and the answer's status (or ``http <code>``)."""
        scan = {"code": code, "checkpoint": checkpoint, "scan_id": str(uuid.uuid4())}
        if direction:
            scan["direction"] = direction
        body = json.dumps(scan)
        for attempt in range(2):
            started = time.perf_counter()
            try:
                self.connection.request("POST", "/api/v1/checkin", body, self.headers)
                response = self.connection.getresponse()
                payload = response.read()
                elapsed = time.perf_counter() - started
                if self.new_connection or response.getheader("Connection", "").lower() == "close":
                    self.connection.close()
                if response.status != 200:
                    return elapsed, f"http {response.status}"
                return elapsed, json.loads(payload)["status"]
            except (OSError, http.client.HTTPException):
                # The server closed a kept-alive connection: reconnect once, as devices do
                # (the same scan_id: the server counts a retried scan once).
                self.connection.close()
                self.reconnects += 1
                if attempt:
                    raise
        raise AssertionError("unreachable")
