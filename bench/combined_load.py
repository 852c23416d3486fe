"""Combined load: registrations, agenda reads and check-ins at once, against the production mode.

    createdb -h 127.0.0.1 -U postgres bayline_bench      # once; the bench wipes it
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline_bench \\
      REDIS_URL=redis://127.0.0.1:6379/2 \\
      .venv/bin/python bench/combined_load.py --seconds 60 --markdown

It wipes the database named in DATABASE_URL (its name must contain "bench"), but not the
Redis database (the run's keys have a prefix of their own, deleted afterwards), loads the demo
summit and agenda (`seed_demo --guests 0`: today is its first day and its registration is
open; seven themed forums, 48 sessions, four of them booked separately), then 3,000 guests:
``--registering`` of them with a verified account and a login session, ready to register; the
others confirmed already, with a badge, a third of a forum's seats taken by them, for the
doors.

It starts the production mode, ``bin/production`` (deploy checks, migrations, static files,
then gunicorn with ``gunicorn.conf.py`` and its defaults, and ``--task-workers`` supervised
task workers), with DEBUG=0, PostgreSQL, Redis cache, CONN_MAX_AGE=60, HTTPS as behind a
proxy (clients send ``X-Forwarded-Proto: https``), and the SMTP e-mail backend delivering to a
local SMTP sink (the confirmation e-mails carry the badge PDF and the calendar file). Then, for
``--seconds``, at the same time:

- **registrations**: logged-in guests POST the registration form (one or two forums, sometimes
  a separately booked session; 5 % double-click: the same form twice at once);
- **agenda reads**: anonymous GETs of ``/agenda/?day=…``, ``/api/v1/agenda``,
  ``/sessions/<uid>/`` and ``/calendar/agenda.ics``, half of them with the ``If-None-Match``
  of the last answer;
- **check-ins**: ``--scanners`` door devices, each on its own keep-alive connection, scanning
  the badges of the confirmed guests at a single-entry entrance (70 %) and forum rooms (30 %).

Each kind is paced at its ``--*-rate`` (requests per second, 0: as fast as answers come) by its
clients. Afterwards it waits until the task workers have done everything (e-mails, badge
pre-rendering), reports per kind the
requests, throughput, latency percentiles and errors, the CPU each party used and the load
average, and audits: no capacity exceeded (every counter equals its confirmed rows), every
guest registered once, every scan logged and every admission counted once, every queued
e-mail sent once (the sink received exactly the recorded e-mails). The exit status is 1 if the
audit fails or any request failed. The load generator runs on the same machine.
"""

import argparse
import contextlib
import datetime
import http.client
import multiprocessing
import os
import random
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

LANGUAGES = ("en", "zh-hans,zh;q=0.9", "zh-hant,zh-tw;q=0.9")
KINDS = ("registrations", "agenda reads", "check-ins")
HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS proxy in front of gunicorn adds


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="duration of the measurement")
    parser.add_argument("--guests", type=int, default=3000)
    parser.add_argument(
        "--registering", type=int, default=1500, help="guests with accounts, not registered yet"
    )
    parser.add_argument("--register-clients", type=int, default=8)
    parser.add_argument("--register-rate", type=float, default=10, help="submissions/s, 0: max")
    parser.add_argument("--double-clicks", type=float, default=0.05, help="share sent twice")
    parser.add_argument("--read-clients", type=int, default=8)
    parser.add_argument("--read-rate", type=float, default=20, help="GETs/s, 0: max")
    parser.add_argument("--scanners", type=int, default=16)
    parser.add_argument("--scan-rate", type=float, default=100, help="scans/s in all, 0: max")
    parser.add_argument("--workers", type=int, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--worker-class", help="gunicorn worker class (GUNICORN_WORKER_CLASS)")
    parser.add_argument("--threads", type=int, help="threads per worker (GUNICORN_THREADS)")
    parser.add_argument("--task-workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=8320)
    parser.add_argument("--smtp-port", type=int, default=8321)
    parser.add_argument("--drain-timeout", type=float, default=600, help="seconds for e-mails")
    parser.add_argument("--warm-up", type=float, default=3, help="seconds of reads and scans")
    parser.add_argument(
        "--only",
        choices=KINDS,
        action="append",
        help="run only this kind (repeatable), e.g. to measure what one kind costs",
    )
    parser.add_argument("--markdown", action="store_true", help="also print the table rows")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def environment(args) -> dict[str, str]:
    extra = {
        "DJANGO_SETTINGS_MODULE": "summit.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(args.smtp_port),
        "EMAIL_USE_TLS": "0",
        "SITE_URL": f"https://127.0.0.1:{args.port}",
        # Behind a TLS proxy, as in production: clients send X-Forwarded-Proto: https.
        "SECURE_SSL_REDIRECT": "1",
        "TASK_WORKERS": str(args.task_workers),
        "PYTHON": sys.executable,
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="bayline-bench-media-"),
    }
    for option, variable in (
        ("workers", "WEB_CONCURRENCY"),
        ("worker_class", "GUNICORN_WORKER_CLASS"),
        ("threads", "GUNICORN_THREADS"),
    ):
        if getattr(args, option) is not None:
            extra[variable] = str(getattr(args, option))
    return common.server_environment(args.port, **extra)


# --- Data ------------------------------------------------------------------------------------


@dataclass
class Data:
    cookies: list[str]
    forums: list
    sessions: list
    paths: list[str]
    codes: list[str]  # badge codes of the confirmed guests, index = guest
    enrolled: list[str]  # the forum slug each confirmed guest is enrolled in ("" none)
    tokens: list[str]
    forum_checkpoints: dict[str, str]  # forum slug -> checkpoint slug


def prepare(args) -> Data:
    """Wipe and fill the database and the cache; returns what the clients need."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import F

    from badges.checkin.devices import create_device
    from badges.checkin.models import Checkpoint
    from badges.models import Badge
    from badges.signing import sign_badge
    from registration.models import Enrolment
    from sessions.models import Forum, Session
    from summit.models import Summit

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("seed_demo", guests=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    summit = Summit.objects.get()
    Summit.objects.filter(pk=summit.pk).update(approval_required=False, capacity=args.guests + 200)
    forums = list(Forum.objects.filter(capacity__isnull=False).order_by("position"))
    sessions = list(Session.objects.filter(requires_enrolment=True))
    cookies = common.create_logged_in_accounts(args.registering, "guest")

    # The guests already confirmed: a badge each, a third of every forum's seats.
    door_guests = args.guests - args.registering
    registrations = common.confirmed_registrations(summit, door_guests, "door")
    Summit.objects.filter(pk=summit.pk).update(seats_taken=door_guests)
    enrolled, taken = [], Counter()
    for n in range(door_guests):
        forum = forums[n % len(forums)]
        if taken[forum.pk] < forum.capacity // 3:
            taken[forum.pk] += 1
            enrolled.append(forum)
        else:
            enrolled.append(None)
    Enrolment.objects.bulk_create(
        Enrolment(registration=registration, forum=forum, status="confirmed")
        for registration, forum in zip(registrations, enrolled, strict=True)
        if forum is not None
    )
    for forum in forums:
        Forum.objects.filter(pk=forum.pk).update(seats_taken=F("seats_taken") + taken[forum.pk])
    badges = Badge.objects.bulk_create(
        Badge(registration=registration, serial=1) for registration in registrations
    )
    entrance = Checkpoint.objects.create(
        summit=summit, slug="bench-entrance", name_en="Bench entrance", policy="single"
    )
    forum_checkpoints = {}
    for forum in forums:
        checkpoint = Checkpoint.objects.create(
            summit=summit,
            slug=f"bench-{forum.slug}",
            name_en=f"Bench {forum.slug}",
            kind="forum",
            forum=forum,
            policy="reentry",
        )
        forum_checkpoints[forum.slug] = checkpoint.slug
    tokens = [
        create_device(f"Bench door {n}", checkpoint=entrance)[1] for n in range(args.scanners)
    ]
    days = [day.isoformat() for day in summit.days]
    paths = [f"/agenda/?day={day}" for day in days]
    paths += ["/api/v1/agenda", *(f"/api/v1/agenda?day={day}" for day in days)]
    paths += [f"/sessions/{uid}/" for uid in Session.objects.values_list("uid", flat=True)]
    paths += ["/calendar/agenda.ics"]
    return Data(
        cookies=cookies,
        forums=forums,
        sessions=sessions,
        paths=paths,
        codes=[sign_badge(badge.pk, badge.serial) for badge in badges],
        enrolled=[forum.slug if forum else "" for forum in enrolled],
        tokens=tokens,
        forum_checkpoints=forum_checkpoints,
    )


# --- SMTP sink -------------------------------------------------------------------------------


class SinkHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: accepts every message, logs its recipients."""

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink.bench.test ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command == b"EHLO":
                self.reply("250-sink.bench.test")
                self.reply("250 8BITMIME")
            elif command == b"RCPT":
                recipients.append(line.split(b":", 1)[1].strip().strip(b"<>").decode())
                self.reply("250 OK")
            elif command == b"MAIL" or command == b"RSET":
                recipients = []
                self.reply("250 OK")
            elif command == b"DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                size = 0
                while (data := self.rfile.readline()) and data != b".\r\n":
                    size += len(data)
                self.server.log.write(f"{' '.join(recipients)} {size}\n")
                self.server.log.flush()
                self.reply("250 OK queued")
            elif command == b"QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


def run_sink(port: int, log_path: str) -> None:
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer(("127.0.0.1", port), SinkHandler) as server:
        server.daemon_threads = True
        server.log = open(log_path, "a")  # noqa: SIM115
        server.serve_forever()


def received(log_path: str) -> tuple[Counter, int]:
    """Messages received by the sink, per recipient, and their total size in bytes."""
    recipients, size = Counter(), 0
    for line in Path(log_path).read_text().splitlines():
        *addresses, length = line.split()
        recipients.update(addresses)
        size += int(length)
    return recipients, size


# --- Load ------------------------------------------------------------------------------------


@dataclass
class Stats:
    """What one kind of request did during the measurement."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    answers: Counter = field(default_factory=Counter)
    pages: dict = field(default_factory=dict)  # agenda reads: latencies per kind of page
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency: float, answer: str, error: str | None = None, page="") -> None:
        with self.lock:
            self.latencies.append(latency)
            self.answers[answer] += 1
            if error:
                self.errors[error] += 1
            if page:
                self.pages.setdefault(page, []).append(latency)


class Pacer:
    """Spreads a total rate over ``clients`` threads; each waits for its next slot."""

    def __init__(self, rate: float, clients: int, stop: threading.Event):
        self.interval = clients / rate if rate else 0.0
        self.stop = stop

    def slots(self, offset: float):
        due = time.perf_counter() + offset * self.interval
        while not self.stop.is_set():
            wait = due - time.perf_counter()
            if wait > 0 and self.stop.wait(wait):
                return
            yield
            # A late client does not burst to catch up: the next slot is an interval away.
            due = max(due + self.interval, time.perf_counter())


def error_name(error: BaseException) -> str:
    return type(error).__name__


def registrant(port: int, data: Data, queue: list, stats: Stats, args, pacer, offset, rng):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    origin = f"https://127.0.0.1:{port}"  # CSRF checks the origin of secure requests

    def submit(body: str, cookie: str, conn: http.client.HTTPConnection) -> None:
        headers = {**common.FORM_HEADERS, **HTTPS, "Origin": origin, "Cookie": cookie}
        started = time.perf_counter()
        try:
            conn.request("POST", "/register/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            location = response.getheader("Location", "")
            if response.status == 302 and "/register/me/" in location:
                stats.add(elapsed, "302")
            else:
                stats.add(elapsed, str(response.status), f"HTTP {response.status} {location}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as error:
            conn.close()
            stats.add(time.perf_counter() - started, "error", error_name(error))

    for _slot in pacer.slots(offset):
        try:
            n, cookie = queue.pop()
        except IndexError:
            return  # every account has registered
        body = common.registration_form(n, data.forums, data.sessions, rng)
        if rng.random() < args.double_clicks:
            second = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            other = threading.Thread(target=submit, args=(body, cookie, second))
            other.start()
            submit(body, cookie, connection)
            other.join()
            second.close()
        else:
            submit(body, cookie, connection)


def reader(port: int, data: Data, stats: Stats, pacer, offset, rng):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    etags: dict[str, str] = {}
    # A third agenda pages, a third API, a fifth session pages, the rest the calendar file.
    shares = {"/agenda/": 0.35, "/api/": 0.35, "/sessions/": 0.2, "/calendar/": 0.1}
    kinds = Counter(next(k for k in shares if path.startswith(k)) for path in data.paths)
    weights = [
        shares[kind] / kinds[kind]
        for kind in (next(k for k in shares if path.startswith(k)) for path in data.paths)
    ]
    for _slot in pacer.slots(offset):
        path = rng.choices(data.paths, weights)[0]
        page = next(kind for kind in shares if path.startswith(kind))
        headers = {**HTTPS, "Accept-Language": rng.choice(LANGUAGES)}
        if path in etags and rng.random() < 0.5:
            headers["If-None-Match"] = etags[path]
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if response.getheader("ETag"):
                etags[path] = response.getheader("ETag")
            ok = response.status in (200, 304)
            error = None if ok else f"HTTP {response.status}"
            stats.add(elapsed, str(response.status), error, page)
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            stats.add(time.perf_counter() - started, "error", error_name(error), page)


@dataclass
class Door:
    """What the door devices saw, for the audit: guests answered per checkpoint."""

    entered: dict = field(default_factory=dict)  # checkpoint -> set of guest indexes admitted
    ok: Counter = field(default_factory=Counter)  # checkpoint -> "ok" answers
    answered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def scanner(port: int, token: str, data: Data, stats: Stats, door: Door, pacer, offset, rng):
    device = common.Door(port, token)
    forum_slugs = list(data.forum_checkpoints)
    for _slot in pacer.slots(offset):
        guest = rng.randrange(len(data.codes))
        if rng.random() < 0.3:
            # A forum room: mostly its own guests, some who chose another forum.
            slug = data.enrolled[guest] if rng.random() < 0.8 else ""
            checkpoint = data.forum_checkpoints[slug or rng.choice(forum_slugs)]
        else:
            checkpoint = "bench-entrance"
        started = time.perf_counter()
        try:
            elapsed, status = device.scan(data.codes[guest], checkpoint)
        except (OSError, http.client.HTTPException) as error:
            stats.add(time.perf_counter() - started, "error", error_name(error))
            continue
        failed = status.startswith("http ")
        stats.add(elapsed, status, status.upper() if failed else None)
        if failed:
            continue
        with door.lock:
            door.answered += 1
            if status == "ok":
                door.ok[checkpoint] += 1
            if status in ("ok", "already_checked_in"):
                door.entered.setdefault(checkpoint, set()).add(guest)


def run_load(args, data: Data, seconds: float, kinds: set[str], queue: list, door: Door) -> dict:
    """Run the chosen kinds of clients at once for ``seconds``; returns Stats per kind."""
    stop = threading.Event()
    rng = random.Random(args.seed + int(seconds * 1000) + len(queue))
    stats = {kind: Stats() for kind in ("registrations", "agenda reads", "check-ins")}
    threads = []

    def spawn(target, count: int, rate: float, arguments) -> None:
        pacer = Pacer(rate, count, stop)
        for n in range(count):
            own = (pacer, n / count, random.Random(rng.random()))
            threads.append(threading.Thread(target=target, args=(*arguments(n), *own)))

    if "registrations" in kinds:
        spawn(
            registrant,
            args.register_clients,
            args.register_rate,
            lambda n: (args.port, data, queue, stats["registrations"], args),
        )
    if "agenda reads" in kinds:
        spawn(
            reader,
            args.read_clients,
            args.read_rate,
            lambda n: (args.port, data, stats["agenda reads"]),
        )
    if "check-ins" in kinds:
        spawn(
            scanner,
            args.scanners,
            args.scan_rate,
            lambda n: (args.port, data.tokens[n], data, stats["check-ins"], door),
        )
    return {"elapsed": common.run_for(threads, seconds, stop), **stats}


# --- Processes and CPU -----------------------------------------------------------------------


class Production:
    """``bin/production``: checks, migrates, collects static files, runs gunicorn and the task
    workers, and supervises them; its output goes to a log file (a JSON line per task)."""

    def __init__(self, env: dict, port: int, log_path: str):
        self.log_path = log_path
        log = open(log_path, "wb")  # noqa: SIM115 (the child keeps it)
        self.launcher = subprocess.Popen(
            [str(ROOT / "bin/production")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.task_pids: set[int] = set()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.launcher.poll() is not None:
                self.fail("bin/production stopped")
            if self.healthy(port) and len(self.processes("run_worker")) >= int(env["TASK_WORKERS"]):
                self.gunicorn = self.processes("gunicorn")[0]
                self.task_pids = set(self.processes("run_worker"))
                return
            time.sleep(0.5)
        self.fail("bin/production did not start")

    @staticmethod
    def healthy(port: int) -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False

    def processes(self, name: str) -> list[int]:
        """The launcher's children whose command line names ``name``."""
        found = []
        for pid in common.children(self.launcher.pid):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if name.encode() in command:
                found.append(pid)
        return found

    def tree(self, pid: int) -> list[int]:
        return [pid, *(p for child in common.children(pid) for p in self.tree(child))]

    def task_workers(self) -> list[int]:
        self.task_pids |= set(self.processes("run_worker"))
        return [p for pid in self.task_pids for p in self.tree(pid)]

    def fail(self, message: str) -> None:
        self.stop()
        tail = Path(self.log_path).read_text(errors="replace")[-3000:]
        sys.exit(f"{message}; the end of {self.log_path}:\n{tail}")

    def stop(self) -> None:
        """SIGTERM to the launcher stops everything gracefully; what is left is killed."""
        if self.launcher.poll() is None:
            self.launcher.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.launcher.wait(timeout=45)
        # gunicorn shares the launcher's process group; task workers have their own (setsid).
        for group in (self.launcher.pid, *self.task_pids):
            with contextlib.suppress(OSError):
                os.killpg(group, signal.SIGKILL)
        self.launcher.wait()


class CpuMeter(threading.Thread):
    """Samples the CPU time of every party's processes twice a second.

    Processes come and go while it runs (a database connection older than CONN_MAX_AGE is
    replaced by a new backend): each process counts from its first sample (0 if it started
    after the meter) to its last one, so a backend that exits keeps what it used. It also
    samples the load average.
    """

    def __init__(self, parties: dict, interval: float = 0.5):
        super().__init__(daemon=True)
        self.parties = parties  # party -> function returning its pids
        self.interval = interval
        self.first: dict = {}
        self.last: dict = {}
        self.loads: list[float] = []
        self.stopped = threading.Event()
        self.sample(baseline=True)
        from django.db import connection

        connection.close()  # the caller's backend would otherwise count as a party's

    def sample(self, baseline: bool = False) -> None:
        for party, pids in self.parties.items():
            for pid in pids():
                used = common.cpu_seconds([pid])
                self.first.setdefault((party, pid), used if baseline else 0.0)
                self.last[(party, pid)] = used
        self.loads.append(os.getloadavg()[0])

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.stopped.wait(self.interval):
                self.sample()
        finally:
            connection.close()

    def stop(self) -> dict[str, float]:
        self.stopped.set()
        self.join()
        self.sample()
        used = dict.fromkeys(self.parties, 0.0)
        for (party, pid), last in self.last.items():
            used[party] += last - self.first[(party, pid)]
        return used


def meter(production: Production, sink) -> CpuMeter:
    own = os.getpid()
    return CpuMeter(
        {
            "gunicorn": lambda: production.tree(production.gunicorn),
            "task worker": production.task_workers,
            "PostgreSQL": common.database_backends,
            "SMTP sink": lambda: [sink.pid],
            "load generator": lambda: [own],
        }
    )


def wait_for_tasks(timeout: float) -> tuple[float, int]:
    """Wait until no e-mail is queued and no task waits or runs (e-mails, badge pre-rendering);
    returns the seconds waited and how many were left."""
    from django_tasks_db.models import DBTaskResult

    from registration.models import OutgoingEmail

    started = time.perf_counter()
    while True:
        left = OutgoingEmail.objects.filter(status="queued").count()
        left += DBTaskResult.objects.filter(status__in=("READY", "RUNNING")).count()
        waited = time.perf_counter() - started
        if not left or waited > timeout:
            return waited, left
        time.sleep(1)


# --- Audit -----------------------------------------------------------------------------------


def audit(data: Data, door: Door, sink_log: str) -> tuple[list[str], list[str]]:
    """Returns (facts, problems)."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from badges.checkin.models import Admission, Scan
    from registration.models import Enrolment, OutgoingEmail, Registration
    from sessions.models import Forum, Session
    from summit.models import Summit

    facts, problems = [], []
    registered = Registration.objects.filter(user__isnull=False)
    duplicates = registered.values("user").annotate(n=Count("pk")).filter(n__gt=1).count()
    statuses = Counter(registered.values_list("status", flat=True))
    facts.append(f"{registered.count()} guests registered ({dict(statuses)}), {duplicates} twice")
    if duplicates:
        problems.append(f"{duplicates} guests registered twice")
    summit = Summit.objects.get()
    confirmed = Registration.objects.filter(status="confirmed").count()
    if not summit.seats_taken == confirmed <= summit.capacity:
        problems.append(f"summit: counter {summit.seats_taken}, confirmed {confirmed}")
    waiting = 0
    for model, name in ((Forum, "forum"), (Session, "session")):
        for target in model.objects.filter(capacity__isnull=False):
            taken = Enrolment.objects.filter(**{name: target}, status="confirmed").count()
            waiting += Enrolment.objects.filter(**{name: target}, status="waitlisted").count()
            if not target.seats_taken == taken <= target.capacity:
                problems.append(f"{target}: counter {target.seats_taken}, confirmed {taken}")
    facts.append(
        f"summit {summit.seats_taken}/{summit.capacity} seats; every forum and session counter "
        f"equals its confirmed choices and is within capacity; {waiting} choices waiting"
        if not problems
        else "counters checked"
    )

    scans = Scan.objects.count()
    if scans != door.answered:
        problems.append(f"{scans} scans logged for {door.answered} answered")
    admissions = Counter(Admission.objects.values_list("checkpoint__slug", flat=True))
    for checkpoint in sorted(set(admissions) | set(door.entered)):
        guests = len(door.entered.get(checkpoint, ()))
        if admissions[checkpoint] != guests:
            problems.append(f"{checkpoint}: {admissions[checkpoint]} admissions, {guests} guests")
    entrance = admissions["bench-entrance"]
    if door.ok["bench-entrance"] != entrance:
        problems.append(f"entrance: {door.ok['bench-entrance']} 'ok' for {entrance} admissions")
    facts.append(
        f"{scans} scans logged; {sum(admissions.values())} admissions, one per guest and "
        f"checkpoint ({entrance} at the single-entry entrance, each answered 'ok' once)"
    )

    emails = OutgoingEmail.objects.all()
    by_status = Counter(emails.values_list("status", flat=True))
    recorded = Counter(emails.values_list("recipient", flat=True))
    sink, size = received(sink_log)
    if set(by_status) - {"sent"}:
        problems.append(f"e-mails not sent: {dict(by_status)}")
    if sink != recorded:
        twice = sum((sink - recorded).values())
        missing = sum((recorded - sink).values())
        problems.append(f"sink: {twice} e-mails more than recorded, {missing} missing")
    attempts = emails.filter(attempts__gt=1).count()
    failed_tasks = DBTaskResult.objects.exclude(status="SUCCESSFUL").count()
    if failed_tasks:
        problems.append(f"{failed_tasks} tasks not successful")
    tasks = Counter(
        path.rsplit(".", 1)[-1] for path in DBTaskResult.objects.values_list("task_path", flat=True)
    )
    facts.append(f"{sum(tasks.values())} tasks run ({dict(tasks)}), {failed_tasks} not successful")
    kinds = Counter(emails.values_list("kind", flat=True))
    facts.append(
        f"{sum(recorded.values())} e-mails recorded ({dict(kinds)}), {sum(sink.values())} "
        f"received by the sink ({size / 2**20:.0f} MiB), {attempts} needed a retry"
    )
    return facts, problems


# --- Report ----------------------------------------------------------------------------------


def rows(result: dict) -> list[list[str]]:
    table = []
    for kind in KINDS:
        stats: Stats = result[kind]
        if not stats.latencies:
            continue
        figures = common.percentiles(stats.latencies)
        errors = sum(stats.errors.values())
        detail = ", ".join(f"{count} {name}" for name, count in stats.errors.most_common(4))
        table.append(
            [
                kind,
                f"{len(stats.latencies):,}",
                f"{len(stats.latencies) / result['elapsed']:.1f}",
                *(f"{figures[p]:.0f} ms" for p in ("p50", "p95", "p99", "max")),
                f"{errors}" + (f" ({detail})" if detail else ""),
            ]
        )
    return table


def report(args, result, cpu, load, drain, facts, problems) -> None:
    print(
        f"\nCombined load, {result['elapsed']:.1f} s; load average {load[0]:.2f} at the start, "
        f"{load[1]:.2f} at most, {load[2]:.2f} at the end"
    )
    header = ["kind", "requests", "req/s", "p50", "p95", "p99", "max", "errors"]
    table = rows(result)
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    for row in [header, *table]:
        print("  " + "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    for kind in KINDS:
        answers = result[kind].answers
        if answers:
            print(f"  {kind}: " + ", ".join(f"{n} {a}" for a, n in answers.most_common()))
    for page, latencies in sorted(result["agenda reads"].pages.items()):
        figures = common.percentiles(latencies)
        print(
            f"    {page:<11} {len(latencies):>6} GETs, p50 {figures['p50']:.0f} ms, "
            f"p95 {figures['p95']:.0f} ms, p99 {figures['p99']:.0f} ms"
        )
    total = sum(cpu.values())
    print(
        f"\nCPU during the measurement ({total:.1f} s in all, "
        f"{total / result['elapsed']:.2f} cores): "
        + ", ".join(f"{party} {seconds:.1f} s" for party, seconds in cpu.items())
    )
    requests = max(sum(len(result[kind].latencies) for kind in KINDS), 1)
    web = cpu["gunicorn"] + cpu["PostgreSQL"]
    e_mails = cpu["task worker"] + sum(drain[2].values())
    print(
        f"Per request: {cpu['gunicorn'] / requests * 1000:.1f} ms gunicorn + "
        f"{cpu['PostgreSQL'] / requests * 1000:.1f} ms PostgreSQL; the tasks of the "
        f"registrations (e-mails, badges) took {e_mails:.1f} s of CPU (task workers and their "
        f"queries, until done). "
        f"This mix needs {(web + e_mails) / result['elapsed']:.2f} cores without the load "
        f"generator: two idle cores would carry about "
        f"{2 * result['elapsed'] / (web + e_mails):.1f} times it."
    )
    print(
        f"Tasks done {drain[0]:.0f} s after the load ({drain[1]} left); CPU meanwhile: "
        + ", ".join(f"{party} {seconds:.1f} s" for party, seconds in drain[2].items())
    )
    print(f"\nAudit: {'OK' if not problems else 'FAILED'}")
    for fact in facts:
        print(f"  {fact}")
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    if args.markdown:
        print("\n| kind | requests | req/s | p50 | p95 | p99 | max | errors |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for row in table:
            print("| " + " | ".join(row) + " |")
        print(
            f"\nCPU: {total / result['elapsed']:.2f} cores in all, "
            + ", ".join(f"{party} {seconds:.1f} s" for party, seconds in cpu.items())
            + f"; load average {load[0]:.2f} → {load[2]:.2f} (max {load[1]:.2f}); "
            f"tasks done {drain[0]:.0f} s later; audit {'OK' if not problems else 'FAILED'}"
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    common.require_bench_database()
    env = environment(args)
    os.environ.update(env)  # the same SECRET_KEY and badge keys as the server
    from django.db import connection

    started_at = datetime.datetime.now(datetime.UTC)
    print(f"{started_at:%Y-%m-%d %H:%M} UTC: preparing {args.guests} guests…", flush=True)
    data = prepare(args)
    sink_log = str(Path(os.environ.get("TMPDIR", "/tmp")) / f"bayline-sink-{os.getpid()}.log")
    Path(sink_log).write_text("")
    sink = multiprocessing.get_context("fork").Process(
        target=run_sink, args=(args.smtp_port, sink_log), daemon=True
    )
    sink.start()
    production = None
    log_path = sink_log.replace("sink", "production")
    try:
        production = Production(env, args.port, log_path)
        door = Door()
        queue = list(enumerate(data.cookies))
        random.Random(args.seed).shuffle(queue)
        # Warm-up: every worker imports, connects and fills its per-process memories.
        run_load(args, data, args.warm_up, {"agenda reads", "check-ins"}, queue, door)
        during = meter(production, sink)
        during.start()
        result = run_load(args, data, args.seconds, set(args.only or KINDS), queue, door)
        cpu = during.stop()
        load = (during.loads[0], max(during.loads), during.loads[-1])
        print("Load done; waiting for the task workers…", flush=True)
        afterwards = meter(production, sink)
        afterwards.start()
        drain = wait_for_tasks(args.drain_timeout)
        connection.close()
        drain_cpu = {p: afterwards.stop()[p] for p in ("task worker", "PostgreSQL")}
        facts, problems = audit(data, door, sink_log)
    finally:
        if production is not None:
            production.stop()
        sink.terminate()
        sink.join(5)
        Path(sink_log).unlink(missing_ok=True)
        shutil.rmtree(env["MEDIA_ROOT"], ignore_errors=True)
        common.delete_cache_keys(env)
    print(f"bin/production's log (deleted if all went well): {log_path}")
    if not queue:
        facts.append("every account registered before the end: raise --registering")
    report(args, result, cpu, load, (*drain, drain_cpu), facts, problems)
    errors = sum(sum(result[kind].errors.values()) for kind in KINDS)
    if problems or errors:
        return 1
    Path(log_path).unlink(missing_ok=True)  # kept only when something failed
    return 0


if __name__ == "__main__":
    sys.exit(main())
