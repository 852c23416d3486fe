"""Two web hosts of one site, proven end to end (docs/deploy/multi-host.md).

Two ``bin/production`` instances run as if on two machines: each its own port, its own
MEDIA_ROOT (which must stay empty) and its own processes; they share what a multi-host site
shares: the PostgreSQL database, Redis, an S3-compatible bucket (moto's server, in this
process) and the settings. Host A serves the web only; host B also runs the task worker. A
small TCP balancer (bench/balancer.py) sends connections to each in turn.

- A guest registers through host A and downloads the badge through host B.
- An organiser starts a bulk print on host A; B's task worker renders it into the bucket;
  host A hands it out (a presigned link into the bucket).
- A door device scans through both hosts.
- A surge of registrations and scans goes through the balancer; host A is killed (SIGKILL,
  every process of it) half-way; the clients retry what failed, as browsers and door devices
  do (the same submission key, the same scan id), and the database shows every accepted
  registration and scan recorded exactly once, no forum overbooked.
"""

import contextlib
import io
import json
import os
import queue
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

import pytest

from bench.balancer import Balancer
from tests.e2e.conftest import REDIS_URL, ROOT, SETUP, Site, badge_key, database_urls, recreate
from tests.e2e.harness import Browser, Sink, free_port, processes, task_workers, wait_until
from tests.e2e.test_production import log_in, parse_pdf_text, register, remember, sign_up
from tests.objectstorage import s3_endpoint

pytestmark = pytest.mark.e2e

SURGE_GUESTS = 40
SURGE_SCANS = 60
SURGE_FORUM_SEATS = 15

SURGE_SETUP = """
import json
from bench import common
from badges.models import Badge
from badges.services import issue_missing_badges
from badges.signing import sign_badge
from registration.choosable import choosable_forums
from registration.models import Registration
from sessions.models import Forum
from summit.models import Summit

summit = Summit.objects.order_by("-starts_on").first()
issue_missing_badges(Registration.objects.filter(summit=summit))
badges = Badge.objects.filter(
    revoked_at__isnull=True, registration__status="confirmed", registration__scans__isnull=True
).exclude(registration__name_latin="Two Hosts Guest")
codes = [sign_badge(b.pk, b.serial) for b in badges.order_by("-pk")[:%(scans)d]]
forum = choosable_forums(summit).order_by("pk").first()
Forum.objects.filter(pk=forum.pk).update(capacity=forum.seats_taken + %(seats)d)
cookies = common.create_logged_in_accounts(%(guests)d, "surge")
print(json.dumps({"codes": codes, "forum": forum.pk, "cookies": cookies}))
"""


@dataclass
class Host:
    name: str
    site: Site  # the host's own address, processes and environment
    media: object
    log: object  # the file its processes write to

    def alive(self) -> bool:
        return bool(processes(self.site.marker))


@dataclass
class TwoHosts:
    a: Host
    b: Host
    balancer: Balancer
    base: str  # the balancer's address: the site as guests see it
    bucket: object
    sink: Sink

    def browser(self, **kwargs) -> Browser:
        return Browser(self.base, **kwargs)


def start_host(name: str, env: dict, logs, media) -> Host:
    marker = env["HOST_MARKER"]
    log = open(logs / f"host-{name}.log", "wb")  # noqa: SIM115  (closed when the test ends)
    launcher = subprocess.Popen(
        [str(ROOT / "bin" / "production")],
        cwd=ROOT,
        env={**env, marker: "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    port = int(env["BIND"].rsplit(":", 1)[1])
    site = Site(
        base=f"http://127.0.0.1:{port}",
        env=env,
        database=env["DATABASE_NAME"],
        database_url=env["DATABASE_URL"],
        sink=None,
        logs=logs,
        launcher=launcher,
        marker=marker,
        device_token="",
        port=port,
    )

    def healthy():
        assert launcher.poll() is None, (logs / f"host-{name}.log").read_text()[-3000:]
        try:
            return site.browser().get("/healthz", timeout=2).status == 200
        except OSError:
            return False

    try:
        wait_until(healthy, timeout=180, interval=0.5, what=f"host {name} to answer /healthz")
    except BaseException:
        stop_host(Host(name=name, site=site, media=media, log=log))
        raise
    return Host(name=name, site=site, media=media, log=log)


def kill_host(host: Host) -> None:
    """The machine is gone: every process of it, at once, without a chance to clean up."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(host.site.launcher.pid, signal.SIGKILL)
    for process in processes(host.site.marker):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process["pgid"], signal.SIGKILL)
    host.site.launcher.wait(timeout=30)


def stop_host(host: Host) -> None:
    if host.site.launcher.poll() is None:
        host.site.launcher.send_signal(signal.SIGTERM)
        try:
            host.site.launcher.wait(timeout=40)
        except subprocess.TimeoutExpired:
            kill_host(host)
    for process in processes(host.site.marker):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process["pgid"], signal.SIGKILL)
    host.log.close()


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    import redis

    logs = tmp_path_factory.mktemp("two-hosts-logs")
    admin_url, e2e_url, e2e_name = database_urls()
    name = f"{e2e_name}_hosts"
    database_url = e2e_url.rsplit("/", 1)[0] + f"/{name}"
    recreate(admin_url, name)
    cache_prefix = f"bayline-e2e-hosts-{uuid.uuid4().hex}"
    smtp_port, port_a, port_b = free_port(), free_port(), free_port()
    started: list[Host] = []
    sink = Sink(smtp_port)
    sink.start()
    balancer = Balancer([("127.0.0.1", port_a), ("127.0.0.1", port_b)])
    balancer_port = balancer.start()
    try:
        with s3_endpoint() as bucket:
            shared = {
                **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
                "DJANGO_SETTINGS_MODULE": "summit.settings",
                "DEBUG": "0",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "DATABASE_URL": database_url,
                "DATABASE_NAME": name,
                "CONN_MAX_AGE": "60",
                "REDIS_URL": REDIS_URL,
                "CACHE_KEY_PREFIX": cache_prefix,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": f"https://127.0.0.1:{balancer_port}",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp_port),
                "BADGE_SIGNING_KEYS": badge_key(),
                "BAYLINE_HOSTS": "2",
                **bucket.environment(),
                "WORKERS": "2",
                "WORKER_HEARTBEAT_SECONDS": "1",
                "WORKER_RECOVERY_SECONDS": "2",
                "BADGE_PRINT_CHUNK_SIZE": "25",
                "LOG_LEVEL": "INFO",
                "PYTHON": sys.executable,
            }
            shared.pop("LOG_FORMAT", None)
            shared.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            machines = {
                # Host A migrates the database and serves the web only.
                "a": {"BIND": f"127.0.0.1:{port_a}", "TASK_WORKERS": "0"},
                # Host B joins the running site, with the task worker.
                "b": {"BIND": f"127.0.0.1:{port_b}", "TASK_WORKERS": "1", "SKIP_MIGRATE": "1"},
            }
            for host_name, own in machines.items():
                media = tmp_path_factory.mktemp(f"media-{host_name}")
                env = {
                    **shared,
                    **own,
                    "MEDIA_ROOT": str(media),
                    "HOST_MARKER": f"BAYLINE_E2E_HOST_{host_name.upper()}_{uuid.uuid4().hex}",
                }
                started.append(start_host(host_name, env, logs, media))
                if host_name == "a":
                    started[0].site.manage("shell", "-c", SETUP)
            a, b = started
            for host in started:
                host.site.sink = sink
            yield TwoHosts(
                a=a,
                b=b,
                balancer=balancer,
                base=f"http://127.0.0.1:{balancer_port}",
                bucket=bucket,
                sink=sink,
            )
    finally:
        for host in started:
            stop_host(host)
        balancer.stop()
        sink.stop()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{cache_prefix}:*"):
            client.delete(key)
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pdf_pages(content: bytes) -> list:
    from pypdf import PdfReader

    return list(PdfReader(io.BytesIO(content)).pages)


def files_under(directory) -> list:
    return sorted(str(path) for path in directory.rglob("*") if path.is_file())


def scan_through(base: str, token: str, code: str, scan_id: str | None = None) -> dict:
    body = {"code": code, "checkpoint": "e2e-door"}
    if scan_id:
        body["scan_id"] = scan_id
    page = Browser(base).request(
        "POST",
        "/api/v1/checkin",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=15,
    )
    assert page.status == 200, page.text
    return json.loads(page.body)


def test_two_hosts_share_everything_but_their_disks(hosts):
    from tests.badges.pdfs import qr_codes

    a, b = hosts.a, hosts.b
    # A guest signs up and registers through host A...
    email = f"two.hosts.{secrets.token_hex(4)}@example.org"
    password = f"{secrets.token_urlsafe(12)}-Aa1"
    guest_on_a = sign_up(a.site, email, password)
    register(a.site, guest_on_a, name_latin="Two Hosts Guest", phone="+853 6123 4567")
    # ... host B's task worker issues the badge and sends the confirmation ...
    confirmation = hosts.sink.to(email, "confirmed", timeout=60)
    assert any(part.get_filename().endswith(".pdf") for part in confirmation.iter_attachments())
    # ... and the guest, logged in on A, downloads the badge through host B.
    badge = guest_on_a.at(b.site.base).get("/me/badge.pdf")
    assert badge.status == 200
    assert badge.headers["Content-Type"] == "application/pdf"
    assert "Two Hosts Guest" in parse_pdf_text(badge.body)[0]
    [code] = qr_codes(badge.body)

    # An organiser starts a bulk print on host A; B's task worker renders it.
    organiser = log_in(a.site, "organiser@bayline.test", "bayline-demo")
    page = organiser.get("/organiser/badges/")
    page = organiser.submit(page, page.form(having="layout"), layout="a6", order="name")
    assert page.status == 200
    [(job_id,)] = a.site.sql("SELECT max(id) FROM badges_printjob")
    wait_until(
        lambda: (
            a.site.sql("SELECT status FROM badges_printjob WHERE id = %s", job_id)[0][0] == "done"
        ),
        timeout=180,
        interval=0.5,
        what="the print job to be done",
    )
    [(file_name, worker_id, total)] = a.site.sql(
        "SELECT file, worker_id, total FROM badges_printjob WHERE id = %s", job_id
    )
    # Rendered by host B's task worker (host A has none): the worker that claimed it runs
    # as one of host B's processes.
    # (the table of task workers, whichever app owns it)
    [(workers_table,)] = a.site.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE %s",
        "%\\_workerprocess",
    )
    [(worker_pid,)] = a.site.sql(
        f'SELECT pid FROM "{workers_table}" WHERE worker_id = %s', worker_id
    )
    assert worker_pid in {process["pid"] for process in task_workers(b.site.marker)}
    assert not task_workers(a.site.marker)
    assert hosts.bucket.keys() == [file_name]
    # Host A hands it out: a link into the bucket, valid for a short while.
    link = organiser.get(f"/organiser/badges/jobs/{job_id}.pdf", follow=False)
    assert link.status == 302
    location = link.headers["Location"]
    assert location.startswith(f"{hosts.bucket.url}/{hosts.bucket.bucket}/{file_name}?")
    assert "X-Amz-Expires=120" in location
    with urllib.request.urlopen(location, timeout=30) as download:
        assert download.headers["Content-Type"] == "application/pdf"
        assert len(pdf_pages(download.read())) == total
    # Neither machine kept a file of its own.
    assert files_under(a.media) == files_under(b.media) == []

    # A door device scans the guest through both hosts.
    token = a.site.manage("create_device", "Two hosts door", "--checkpoint", "e2e-door").strip()
    remember(a.site, token)
    assert scan_through(a.site.base, token, code)["status"] == "ok"
    again = scan_through(b.site.base, token, code)
    assert again["status"] == "already_checked_in"
    # Through the balancer, which hands one connection to each host in turn.
    for _turn in range(2):
        assert scan_through(hosts.base, token, code)["status"] == "already_checked_in"
    assert set(hosts.balancer.served) == {("127.0.0.1", a.site.port), ("127.0.0.1", b.site.port)}
    hosts.token = token


@dataclass
class Job:
    kind: str  # "register" or "scan"
    key: str  # submission key or scan id: the same on every retry
    payload: object
    tries: int = 0
    answer: object = None


def send(hosts: TwoHosts, job: Job, token: str) -> bool:
    """One try of one job through the balancer: True when the site accepted it."""
    import http.client

    browser = hosts.browser()
    try:
        if job.kind == "scan":
            answer = scan_through(hosts.base, token, job.payload, scan_id=job.key)
            job.answer = answer["status"]
            return True
        cookie, fields = job.payload
        page = browser.request(
            "POST",
            "/register/",
            data=urllib.parse.urlencode(fields, doseq=True).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
            follow=False,
            timeout=15,
        )
        if page.status == 302 and page.headers["Location"].endswith("/register/me/"):
            job.answer = "registered"
            return True
        if page.status == 200:  # the form again, with what was wrong: not worth a retry
            job.answer = re.findall(r'class="errorlist[^>]*>(.*?)</ul>', page.text, re.S)
            return True
        return False
    except (OSError, http.client.HTTPException, AssertionError, ValueError):
        return False  # the host died under the request: the client tries again


def test_one_host_killed_mid_surge_and_nothing_is_lost(hosts):
    from bench.common import CSRF

    a, b = hosts.a, hosts.b
    token = (
        getattr(hosts, "token", "")
        or a.site.manage("create_device", "Surge door", "--checkpoint", "e2e-door").strip()
    )
    prepared = json.loads(
        a.site.manage(
            "shell",
            "-c",
            SURGE_SETUP
            % {"scans": SURGE_SCANS, "seats": SURGE_FORUM_SEATS, "guests": SURGE_GUESTS},
        )
        .strip()
        .splitlines()[-1]
    )
    forum = prepared["forum"]
    jobs = [
        Job(
            "register",
            key := str(uuid.uuid4()),
            (
                cookie,
                {
                    "csrfmiddlewaretoken": CSRF,
                    "submission_key": key,
                    "name": "测试嘉宾",
                    "name_latin": f"Surge Guest {n}",
                    "organisation": "Surge Bureau",
                    "job_title": "Tester",
                    "region": "macao",
                    "phone": "+853 6123 4567",
                    "language": "en",
                    "dietary": "none",
                    "consent": "on",
                    "forums": [forum],
                },
            ),
        )
        for n, cookie in enumerate(prepared["cookies"])
    ] + [Job("scan", str(uuid.uuid4()), code) for code in prepared["codes"]]
    import random

    random.Random(18).shuffle(jobs)
    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)
    done: list[Job] = []
    lock = threading.Lock()

    def client():
        while True:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            deadline = time.monotonic() + 90
            while not send(hosts, job, token):
                job.tries += 1
                assert time.monotonic() < deadline, f"{job.kind} {job.key} never accepted"
                time.sleep(0.2)
            with lock:
                done.append(job)

    served_before = dict(hosts.balancer.served)
    clients = [threading.Thread(target=client) for _ in range(6)]
    for thread in clients:
        thread.start()
    wait_until(lambda: len(done) >= len(jobs) // 3, timeout=120, interval=0.01, what="a third")
    kill_host(a)
    killed_at = len(done)
    for thread in clients:
        thread.join(timeout=180)
    assert not a.alive()
    assert len(done) == len(jobs), (len(done), len(jobs))
    assert killed_at < len(jobs)
    # Both hosts took part before the kill.
    assert all(
        hosts.balancer.served[backend] > served_before.get(backend, 0)
        for backend in (("127.0.0.1", a.site.port), ("127.0.0.1", b.site.port))
    )

    # The audit: every accepted registration recorded once, each scan id once.
    registrations = [job for job in done if job.kind == "register"]
    assert {str(job.answer) for job in registrations} == {"registered"}
    scans = [job for job in done if job.kind == "scan"]
    rows = b.site.sql(
        "SELECT submission_key::text, count(*) FROM registration_registration "
        "WHERE name_latin LIKE 'Surge Guest %%' GROUP BY submission_key"
    )
    assert sorted(rows) == sorted((job.key, 1) for job in registrations)
    scan_rows = b.site.sql(
        "SELECT scan_id::text, count(*) FROM badges_scan WHERE scan_id = ANY(%s::uuid[]) "
        "GROUP BY scan_id",
        [job.key for job in scans],
    )
    assert sorted(scan_rows) == sorted((job.key, 1) for job in scans)
    assert {job.answer for job in scans} == {"ok"}
    [(admitted,)] = b.site.sql(
        "SELECT count(DISTINCT a.registration_id) FROM badges_admission a "
        "JOIN badges_scan s ON s.id = a.scan_id WHERE s.scan_id = ANY(%s::uuid[])",
        [job.key for job in scans],
    )
    assert admitted == len(scans)
    # The forum whose seats ran out: never overbooked, its counter true to the enrolments.
    [(capacity, seats_taken)] = b.site.sql(
        "SELECT capacity, seats_taken FROM agenda_forum WHERE id = %s", forum
    )
    [(confirmed,)] = b.site.sql(
        "SELECT count(*) FROM registration_enrolment WHERE forum_id = %s AND status = 'confirmed'",
        forum,
    )
    assert seats_taken == confirmed <= capacity
    # Host B carries on alone: the site answers through the balancer.
    assert hosts.browser().get("/healthz").status == 200
    assert hosts.browser().get("/agenda/").status == 200
