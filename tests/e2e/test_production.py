"""End-to-end, over real HTTP against the real production processes (tests/e2e/conftest.py):
a guest's whole journey, an invitation, a password reset, workers killed mid-work, backup and
restore, and finally the logs, which must hold none of the secrets used on the way.

The tests share one running site. Each also runs alone: what it needs from another (a guest
who registered, the organiser logged in, a print job rendered) comes from a fixture that makes
it the first time it is asked for. The last two stop the site and read every log.
"""

import collections
import io
import json
import re
import secrets
import signal
import subprocess
import sys
from dataclasses import dataclass

import pytest

from tests.e2e.conftest import ROOT, Site, stop
from tests.e2e.harness import (
    Browser,
    free_port,
    gunicorn_workers,
    kill_group,
    link_in,
    task_workers,
    text_of,
    wait_until,
)

pytestmark = pytest.mark.e2e


def new_password() -> str:
    return f"{secrets.token_urlsafe(12)}-Aa1"


def remember(site: Site, *values: str) -> None:
    site.secrets.update(value for value in values if value)


def sign_up(site: Site, email: str, password: str) -> Browser:
    """Sign up, open the verification link of the e-mail received, log in afresh."""
    browser = site.browser()
    page = browser.get("/accounts/signup/")
    page = browser.submit(
        page, page.form(having="password1"), email=email, password1=password, password2=password
    )
    assert page.status == 200, page.text[:2000]
    message = site.sink.to(email, "onfirm")
    link = link_in(message, r"https?://\S+/accounts/confirm-email/[^/\s]+/")
    remember(site, link.rstrip("/").rsplit("/", 1)[-1])
    site.secret_paths["confirmation"] = link.rstrip("/").rsplit("/", 1)[-1]
    page = browser.get(link)
    # (the form's own key is signed again, with the time: not always the link's text)
    page = browser.submit(page, page.form(action="/accounts/confirm-email/"))
    assert page.status == 200
    assert "/accounts/" not in page.url, page.url
    return log_in(site, email, password)


def log_in(site: Site, email: str, password: str) -> Browser:
    browser = site.browser()
    page = browser.get("/accounts/login/")
    page = browser.submit(page, page.form(having="login"), login=email, password=password)
    assert page.status == 200
    assert "/accounts/" not in page.url, page.url
    assert browser.cookie("sessionid")
    remember(site, browser.cookie("sessionid"), browser.cookie("csrftoken"))
    return browser


def register(site: Site, browser: Browser, *, name_latin: str, phone: str, forums: int = 2):
    page = browser.get("/register/")
    form = page.form(having="consent")
    chosen = form.options.get("forums", [])[:forums]
    page = browser.submit(
        page,
        form,
        name="测试嘉宾",
        name_latin=name_latin,
        organisation="Test Bureau",
        job_title="Tester",
        region="macao",
        phone=phone,
        consent="on",
        forums=chosen,
    )
    assert page.status == 200
    assert page.url.endswith("/register/me/"), page.text[:3000]
    return page, chosen


def parse_pdf_text(content: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def scan(site: Site, code: str) -> dict:
    browser = site.browser()
    page = browser.request(
        "POST",
        "/api/v1/checkin",
        data=json.dumps({"code": code}).encode(),
        headers={
            "Authorization": f"Bearer {site.device_token}",
            "Content-Type": "application/json",
        },
    )
    assert page.status == 200, page.text
    return json.loads(page.body)


def feed_path(page_text: str) -> str:
    found = re.search(r"/calendar/feed/(?!reset)[^/\"'\s]+\.ics", page_text)
    assert found, "no calendar feed on the page"
    return found.group(0)


def guest_feed(site: Site, browser: Browser) -> str:
    """The address of the logged-in guest's private calendar feed."""
    feed = feed_path(browser.get("/register/me/").text)
    remember(site, feed.rsplit("/", 1)[-1].removesuffix(".ics"))
    site.secret_paths["feed"] = feed.rsplit("/", 1)[-1].removesuffix(".ics")
    return feed


@dataclass
class Guest:
    email: str
    password: str
    forums: list


@pytest.fixture(scope="module")
def guest(site) -> Guest:
    """A guest who signed up (verifying the address by the link e-mailed) and registered with
    two forums; on a summit whose registration is open, whatever the date (seed_demo)."""
    email = f"guest.{secrets.token_hex(4)}@example.org"
    password = new_password()
    phone = f"+86 139 {secrets.randbelow(9000) + 1000} {secrets.randbelow(9000) + 1000}"
    remember(site, password)
    site.personal |= {email, phone, phone.replace(" ", "")}
    browser = sign_up(site, email, password)
    _page, forums = register(site, browser, name_latin="Journey Guest", phone=phone)
    return Guest(email=email, password=password, forums=forums)


@pytest.fixture(scope="module")
def organiser(site) -> Browser:
    remember(site, "bayline-demo")
    return log_in(site, "organiser@bayline.test", "bayline-demo")


def test_guest_journey(site, guest):
    from icalendar import Calendar

    from tests.badges.pdfs import qr_codes

    email = guest.email
    assert len(guest.forums) == 2
    browser = log_in(site, email, guest.password)

    confirmation = site.sink.to(email, "confirmed")
    assert confirmation["Message-ID"].startswith("<bayline.email.")
    attachments = {part.get_filename(): part for part in confirmation.iter_attachments()}
    pdf_name = next(name for name in attachments if name.endswith(".pdf"))
    ics_name = next(name for name in attachments if name.endswith(".ics"))
    assert "Journey Guest" in parse_pdf_text(attachments[pdf_name].get_content())[0]
    calendar = Calendar.from_ical(attachments[ics_name].get_content())
    assert calendar.walk("VEVENT")

    badge = browser.get("/me/badge.pdf")
    assert badge.status == 200
    assert badge.headers["Content-Type"] == "application/pdf"
    [code] = qr_codes(badge.body)
    remember(site, code)

    first = scan(site, code)
    assert first["status"] == "ok"
    assert first["guest"]["name_latin"] == "Journey Guest"
    assert scan(site, code)["status"] == "already_checked_in"

    feed = guest_feed(site, browser)
    response = site.browser().get(feed)  # a calendar client: no cookies
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.body).walk("VEVENT")
    assert events


def invite(site: Site, organiser: Browser) -> tuple[str, str]:
    """An organiser invites a new address; (the address, the link of the e-mail received)."""
    invitee = f"invitee.{secrets.token_hex(4)}@example.org"
    site.personal.add(invitee)
    page = organiser.get("/organiser/guests/invitations/")
    page = organiser.submit(
        page,
        page.form(having="one-email"),
        **{
            "one-email": invitee,
            "one-name_latin": "Invited Guest",
            "one-language": "en",
            "send": "1",
        },
    )
    assert page.status == 200

    message = site.sink.to(invitee)
    link = link_in(message, r"https?://\S+/register/invitation/[^/\s]+/[^/\s]+/")
    secret = link.rstrip("/").split("/register/invitation/", 1)[1]  # code/key
    remember(site, *secret.split("/"))
    site.secret_paths["invitation"] = secret
    assert secret in text_of(message)
    return invitee, link


def reset_link(site: Site, email: str) -> str:
    """Ask for a new password; the link of the e-mail received."""
    browser = site.browser()
    page = browser.get("/accounts/password/reset/")
    page = browser.submit(page, page.form(having="email"), email=email)
    assert page.status == 200
    message = site.sink.to(email, "new password")
    link = link_in(message, r"https?://\S+/accounts/password/reset/key/[^/\s]+/")
    remember(site, link.rstrip("/").rsplit("/", 1)[-1])
    site.secret_paths["reset"] = link.rstrip("/").rsplit("/", 1)[-1]
    return link


def test_invitation_by_an_organiser(site, organiser):
    invitee, link = invite(site, organiser)

    guest = site.browser()
    page = guest.get(link)
    assert page.status == 200
    form = page.form(having="consent")  # the registration form itself: no password to choose
    phone = f"+852 6{secrets.randbelow(900) + 100} {secrets.randbelow(9000) + 1000}"
    site.personal |= {phone, phone.replace(" ", "")}
    page = guest.submit(
        page,
        form,
        name="测试嘉宾",
        organisation="Test Bureau",
        job_title="Tester",
        region="hong_kong",
        phone=phone,
        consent="on",
        forums=form.options.get("forums", [])[:1],
    )
    assert page.status == 200
    assert page.url.endswith("/register/me/"), page.text[:3000]
    remember(site, guest.cookie("sessionid"))
    assert site.sink.to(invitee, "confirmed")


def test_health_check_answers_a_plain_http_probe(site):
    import urllib.request

    # A load balancer probes a machine directly: no proxy headers, no HTTPS redirect.
    with urllib.request.urlopen(f"{site.base}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.load(response) == {"status": "ok", "database": "ok", "cache": "ok"}
    # Everything else is redirected to HTTPS.
    assert site.browser().get("/", headers={"X-Forwarded-Proto": "http"}, follow=False).status in (
        301,
        302,
    )


def test_password_reset(site, guest):
    email, old = guest.email, guest.password
    link = reset_link(site, email)
    browser = site.browser()
    page = browser.get(link)  # allauth moves the key into the session and redirects
    new = new_password()
    remember(site, new)
    page = browser.submit(page, page.form(having="password1"), password1=new, password2=new)
    assert page.status == 200

    log_in(site, email, new)
    refused = site.browser()
    page = refused.get("/accounts/login/")
    page = refused.submit(page, page.form(having="login"), login=email, password=old)
    assert not refused.cookie("sessionid")
    guest.password = new


def test_secret_addresses_written_any_way_leave_no_secret_in_the_logs(site, guest, organiser):
    """The generated variants of tests/infrastructure/test_log_redaction.py, against the whole
    production stack (gunicorn's access log, Django's loggers, JSON lines); the last test
    reads the logs for the secrets and their other cases. Each secret comes from the journey
    that hands it out (the guest's sign-up gave the confirmation key); run alone, this test
    makes the others here."""
    from tests.infrastructure.test_log_redaction import secret_parts, variants

    if "feed" not in site.secret_paths:
        guest_feed(site, log_in(site, guest.email, guest.password))
    if "invitation" not in site.secret_paths:
        invite(site, organiser)
    if "reset" not in site.secret_paths:
        reset_link(site, guest.email)
    assert set(site.secret_paths) == {"feed", "invitation", "confirmation", "reset"}
    for route, secret in site.secret_paths.items():
        for target in variants(route, secret):
            site.browser().get(target, follow=False)
        for part in secret_parts(route, secret):
            remember(site, part, part.lower(), part.upper())


def test_killed_web_worker_is_replaced_and_the_site_keeps_working(site, guest):
    before = gunicorn_workers(site.marker)
    assert len(before) >= 3
    victim = before[0]["pid"]
    import os

    os.kill(victim, signal.SIGKILL)
    # Requests go on while the master replaces it.
    browser = log_in(site, guest.email, guest.password)
    for _ in range(10):
        assert browser.get("/register/me/").status == 200
    wait_until(
        lambda: (
            len(gunicorn_workers(site.marker)) >= len(before)
            and victim not in {p["pid"] for p in gunicorn_workers(site.marker)}
        ),
        timeout=30,
        what="gunicorn to replace its worker",
    )
    assert browser.get("/me/badge.pdf").status == 200


def print_job_state(site, job_id):
    return site.sql(
        "SELECT status, done, total, attempts FROM badges_printjob WHERE id = %s", job_id
    )[0]


def test_bulk_badge_job_survives_a_killed_task_worker(site, organiser):
    from pypdf import PdfReader

    [(confirmed,)] = site.sql(
        "SELECT count(*) FROM registration_registration WHERE status = 'confirmed'"
    )
    assert confirmed >= 200
    page = organiser.get("/organiser/badges/")
    form = page.form(having="layout")
    page = organiser.submit(page, form, layout="a6", order="name")
    assert page.status == 200
    [(job_id,)] = site.sql("SELECT max(id) FROM badges_printjob")

    # Kill the worker (and its printing pool) once it is well into the job.
    wait_until(
        lambda: (
            print_job_state(site, job_id)[0] == "running" and print_job_state(site, job_id)[1] > 0
        ),
        timeout=60,
        interval=0.05,
        what="the job to be half-way",
    )
    _status, done, total, _attempts = print_job_state(site, job_id)
    [worker] = task_workers(site.marker)
    kill_group(worker["pgid"])
    assert 0 < done < total, (done, total)

    # bin/production starts another worker; recovery finds the job and renders it again.
    wait_until(
        lambda: print_job_state(site, job_id)[0] == "done",
        timeout=120,
        interval=0.5,
        what="the job to be done",
    )
    assert print_job_state(site, job_id)[3] == 2  # rendered twice: the killed try, the good one
    assert worker["pid"] not in {p["pid"] for p in task_workers(site.marker)}
    download = organiser.get(f"/organiser/badges/jobs/{job_id}.pdf")
    assert download.status == 200
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(download.body)).pages]
    assert len(pages) == confirmed
    # The same badges rendered in one go, undisturbed, in the same order: page for page the
    # same text, so the recovered job holds every badge exactly once.
    reference = site.logs.parent / "reference.pdf"
    site.manage("render_badges", "--out", str(reference), "--order", "name")
    assert pages == [page.extract_text() for page in PdfReader(reference).pages]
    [(failed,)] = site.sql(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE '%%render_print_job' AND exception_class_path = "
        "'summit.infrastructure.workers.WorkerDied'"
    )
    assert failed == 1


def test_email_burst_survives_a_killed_task_worker(site, organiser):
    count = 200
    tag = secrets.token_hex(3)
    addresses = [f"burst.{tag}.{number}@example.org" for number in range(count)]
    site.personal.update(addresses)
    page = organiser.get("/organiser/guests/invitations/")
    page = organiser.submit(
        page,
        page.form(having="many-entries"),
        **{"many-entries": "\n".join(addresses), "many-send": "on"},
    )
    assert page.status == 200

    def received():
        return [m for m in site.sink.received() if f"burst.{tag}." in str(m["To"])]

    wait_until(lambda: len(received()) >= 30, timeout=60, interval=0.02, what="the burst")
    [worker] = task_workers(site.marker)
    kill_group(worker["pgid"])
    assert len(received()) < count
    # What the dead worker held (most often one e-mail, claimed but not yet recorded sent).
    held = site.sql(
        "SELECT id FROM registration_outgoingemail WHERE status = 'sending' AND recipient LIKE %s",
        f"burst.{tag}.%",
    )

    def unsent() -> int:
        [(left,)] = site.sql(
            "SELECT count(*) FROM registration_outgoingemail WHERE recipient LIKE %s "
            "AND status <> 'sent'",
            f"burst.{tag}.%",
        )
        return left

    # An e-mail is recorded sent once the sink has accepted it (docs/deployment.md, "Crash
    # safety"): when every one is recorded, a second copy of any would have arrived already.
    wait_until(lambda: unsent() == 0, timeout=120, interval=0.2, what="every e-mail sent")
    messages = received()
    ids = collections.Counter(m["Message-ID"] for m in messages)
    # Every e-mail arrived, each under its own Message-ID, none lost.
    assert len(ids) == count
    assert sorted({str(m["To"]) for m in messages}) == sorted(addresses)
    # Sent twice only in the documented window (docs/deployment.md, "Crash safety"): the one
    # e-mail in flight when the worker died, accepted by the server just before the database
    # recorded it; its copy has the same Message-ID. Every other e-mail exactly once.
    twice = [message_id for message_id, copies in ids.items() if copies > 1]
    assert len(twice) <= 1 and all(ids[message_id] == 2 for message_id in twice), ids
    for (email_id,) in held:  # recovered: queued again and sent by the next worker
        [(attempts,)] = site.sql(
            "SELECT attempts FROM registration_outgoingemail WHERE id = %s", email_id
        )
        assert attempts == 2
    codes = site.sql(
        "SELECT code FROM registration_invitation WHERE email LIKE %s", f"burst.{tag}.%"
    )
    remember(site, *(code for (code,) in codes))


def test_backup_while_running_and_restore_into_a_fresh_database(site, guest, tmp_path):
    browser = log_in(site, guest.email, guest.password)
    feed = feed_path(browser.get("/register/me/").text)
    remember(site, feed.rsplit("/", 1)[-1].removesuffix(".ics"))
    dump = tmp_path / "bayline.dump"
    site.manage("backup_db", "--out", str(dump))
    assert dump.stat().st_size > 0
    assert site.browser().get(feed).status == 200

    # Change data after the backup: the guest resets their calendar address.
    page = browser.get("/register/me/")
    page = browser.submit(page, page.form(action="/calendar/feed/reset/"))
    assert site.browser().get(feed).status == 404
    remember(site, feed_path(browser.get("/register/me/").text).rsplit("/", 1)[-1][:-4])

    # Restore into a fresh database and serve it: the old address works there again.
    from tests.e2e.conftest import database_urls, recreate

    admin_url, _url, name = database_urls()
    restored = f"{name}_restored"
    recreate(admin_url, restored)
    restored_url = site.database_url.rsplit("/", 1)[0] + f"/{restored}"
    restored_port = free_port()
    env = {
        **site.env,
        "DATABASE_URL": restored_url,
        "BIND": f"127.0.0.1:{restored_port}",
        "WEB_CONCURRENCY": "1",
    }
    site.manage("restore_db", "--yes", str(dump), env=env)
    log = open(site.logs / "restored.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--logger-class",
         "summit.infrastructure.gunicorn_logging.RedactingLogger", "summit.wsgi"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        restored_site = Browser(f"http://127.0.0.1:{restored_port}")

        def up():
            try:
                return restored_site.get("/healthz", timeout=2).status == 200
            except OSError:
                return False

        wait_until(up, timeout=60, interval=0.5, what="the restored site")
        response = restored_site.get(feed)
        assert response.status == 200
        assert b"BEGIN:VCALENDAR" in response.body
        [(guests,)] = site.sql(
            "SELECT count(*) FROM registration_registration", database_url=restored_url
        )
        assert guests >= 200
    finally:
        kill_group(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill_group(server.pid)
        log.close()
        site.sql(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)', database_url=admin_url)


def test_sigterm_stops_every_process(site):
    assert processes_of(site)
    site.launcher.send_signal(signal.SIGTERM)

    assert site.launcher.wait(timeout=60) == 0
    wait_until(lambda: not processes_of(site), timeout=10, what="every process to stop")


def processes_of(site) -> list:
    from tests.e2e.harness import processes

    return processes(site.marker)


@pytest.fixture
def printed(site, organiser) -> None:
    """A bulk print job rendered by a task worker (the one of the killed-worker test, or a
    small one of the VIPs)."""
    [(done,)] = site.sql("SELECT count(*) FROM badges_printjob WHERE status = 'done'")
    if done:
        return
    page = organiser.get("/organiser/badges/")
    organiser.submit(page, page.form(having="layout"), layout="a6", order="name", category="vip")
    wait_until(
        lambda: site.sql("SELECT count(*) FROM badges_printjob WHERE status = 'done'")[0][0],
        timeout=120,
        interval=0.5,
        what="the print job to be done",
    )


def test_logs_hold_no_secrets_nor_personal_data(site, guest, printed):
    if site.launcher.poll() is None:
        # Run alone: what the logs must show, the guest's page and calendar feed, then every
        # process stopped (SIGTERM: they write their last lines), as the test before does.
        browser = log_in(site, guest.email, guest.password)
        feed = feed_path(browser.get("/register/me/").text)
        remember(site, feed.rsplit("/", 1)[-1].removesuffix(".ics"))
        assert site.browser().get(feed).status == 200
        stop(site.launcher, site.marker)
    logs = {path.name: path.read_text(errors="replace") for path in site.logs.iterdir()}
    everything = "\n".join(logs.values())
    # The logs are there and say something: access lines of the journey, task workers.
    assert "/register/me/" in everything
    assert "render_print_job" in everything
    assert "/calendar/feed/[redacted]" in everything
    # Structured: gunicorn's access and error logs, the app and the task workers, JSON lines.
    entries = [
        json.loads(line) for line in logs["production.log"].splitlines() if line.startswith("{")
    ]
    loggers = {entry["logger"] for entry in entries}
    assert {"gunicorn.access", "gunicorn.error", "django_tasks"} <= loggers
    [(recovered,)] = site.sql(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE exception_class_path = 'summit.infrastructure.workers.WorkerDied'"
    )
    if recovered:  # after the tests that kill task workers: the recovery said so
        assert "summit.infrastructure.workers" in loggers
    rows = site.sql("SELECT email, phone FROM registration_registration")
    personal = site.personal | {email for email, _phone in rows} | {p for _e, p in rows if p}
    secrets_used = {value for value in site.secrets if value and len(value) >= 6}
    assert len(secrets_used) >= 10
    leaked = [value for value in secrets_used | personal if value in everything]
    assert leaked == []
