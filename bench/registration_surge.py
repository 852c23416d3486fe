"""Registration surge: many guests register at once, through HTTP, against gunicorn.

    createdb -h 127.0.0.1 -U postgres bayline_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline_bench \\
      REDIS_URL=redis://127.0.0.1:6379/2 \\
      .venv/bin/python bench/registration_surge.py --guests 3000 --clients 32 --workers 4

The database named in DATABASE_URL is wiped (its name must contain "bench"). Accounts and
their login sessions are made beforehand, so the figure is the registration itself; a
separate, smaller run measures sign-ups through allauth (bounded by password hashing).
Every guest POSTs the registration form once (5% also double-click: the same form again),
choosing one or two of seven forums whose seats run out, and sometimes a workshop.
Afterwards an audit checks that no capacity was exceeded and no submission was lost.
The database is vacuumed and checkpointed between preparing and the surge (``--no-settle``
skips that), and the CPU each registration request cost is printed (gunicorn workers,
PostgreSQL, this load generator).

With ``--hosts 2`` it starts two gunicorn instances (each with ``--workers`` workers, the same
database and Redis), as two web machines would be, and the TCP balancer of bench/balancer.py
in front of them on ``--port`` (one connection to each host in turn); the clients talk to the
balancer, and its CPU is counted with the rest.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from queue import Empty, Queue

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.surge_settings")

from bench import common  # noqa: E402

CSRF = common.CSRF


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8120)
    parser.add_argument("--signups", type=int, default=64, help="sign-ups to time (0: none)")
    parser.add_argument("--forum-capacity", type=int, default=400)
    parser.add_argument(
        "--hosts", type=int, default=1, help="web hosts behind a TCP balancer on --port"
    )
    parser.add_argument(
        "--no-settle",
        dest="settle",
        action="store_false",
        help="skip VACUUM ANALYZE and CHECKPOINT after preparing",
    )
    return parser.parse_args()


def environment(args) -> dict[str, str]:
    return common.server_environment(
        args.port,
        DJANGO_SETTINGS_MODULE="bench.surge_settings",
        WEB_CONCURRENCY=str(args.workers),
    )


def prepare(args):
    """Wipe the bench database; summit, forums, workshops; accounts logged in already."""
    import django
    from django.conf import settings

    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("DATABASE_URL must name a database whose name contains 'bench' (it is wiped).")
    django.setup()
    from django.core.management import call_command

    from sessions.models import Forum, Session
    from summit import demo
    from summit.models import Summit

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    summit = demo.seed(guests=0, real_dates=False, stdout=open(os.devnull, "w"))  # noqa: SIM115
    Summit.objects.filter(pk=summit.pk).update(approval_required=False, capacity=3200)
    forums = [
        Forum.objects.create(
            summit=summit,
            slug=f"forum-{n}",
            title_en=f"Forum {n}",
            position=n,
            capacity=args.forum_capacity,
        )
        for n in range(1, 8)
    ]
    start = datetime.datetime.combine(summit.days[1], datetime.time(14), tzinfo=summit.tzinfo)
    workshops = [
        Session.objects.create(
            forum=forums[n],
            title_en=f"Workshop {n}",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            requires_enrolment=True,
            capacity=60,
        )
        for n in range(2)
    ]
    cookies = common.create_logged_in_accounts(args.guests, "surge")
    return forums, workshops, cookies


def settle() -> None:
    """Let the database settle after the bulk preparation, as one that has lived for days.

    Writing 3,000 accounts and their sessions seconds before the surge leaves autovacuum,
    autoanalyze and a checkpoint to run during it, on the same two cores; VACUUM ANALYZE and
    CHECKPOINT do that work first, so that the figures are the registrations'.
    """
    from django.db import DatabaseError, connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError as error:  # needs a superuser or pg_checkpoint
            print(f"(no CHECKPOINT before the run: {error})".strip(), flush=True)


def start_server(args) -> common.Hosts:
    return common.start_hosts(environment(args), args.port, args.hosts)


def run(port: int, clients: int, jobs: list):
    """Send every (method, path, body, headers, expect) job; return latencies and failures."""
    queue: Queue = Queue()
    for job in jobs:
        queue.put(job)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client():
        poster = common.FormPoster(port)
        while True:
            try:
                path, body, headers, expect = queue.get_nowait()
            except Empty:
                poster.close()
                return
            started = time.perf_counter()
            try:
                status, location = poster.post(path, body, headers)
                ok = status == 302 and expect in location
                outcome = None if ok else f"{status} {location}"
            except OSError as error:
                outcome = repr(error)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if outcome:
                    failures.append(outcome)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, failures


def registration_jobs(forums, workshops, cookies, rng: random.Random) -> list:
    jobs = []
    for n, cookie in enumerate(cookies):
        body = common.registration_form(n, forums, workshops, rng)
        headers = {**common.FORM_HEADERS, "Cookie": cookie}
        jobs.append(("/register/", body, headers, "/register/me/"))
        if rng.random() < 0.05:  # a double click: the very same form again
            jobs.append(("/register/", body, headers, "/register/me/"))
    rng.shuffle(jobs)
    return jobs


def signup_jobs(count: int) -> list:
    jobs = []
    for n in range(count):
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": CSRF,
                "email": f"new{n:04d}@bench.test",
                "password1": "Bench-surge-2026!",
                "password2": "Bench-surge-2026!",
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={CSRF}",
        }
        jobs.append(("/accounts/signup/", body, headers, "/accounts/confirm-email/"))
    return jobs


def database_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL backends serving the web workers."""
    return common.cpu_seconds(common.database_backends())


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def audit(args, forums, workshops) -> list[str]:
    from django.db.models import Count

    from registration.models import Enrolment, Registration
    from sessions.models import Forum, Session
    from summit.models import Summit

    problems = []
    registrations = Registration.objects.filter(email__endswith="@bench.test")
    if registrations.count() != args.guests:
        problems.append(f"{registrations.count()} registrations for {args.guests} guests")
    duplicates = registrations.values("user").annotate(n=Count("pk")).filter(n__gt=1).count()
    if duplicates:
        problems.append(f"{duplicates} guests registered twice")
    confirmed = registrations.filter(status="confirmed").count()
    summit = Summit.objects.get()
    if summit.seats_taken != confirmed or summit.seats_taken > summit.capacity:
        problems.append(f"summit counter {summit.seats_taken}, confirmed {confirmed}")
    for model, field in ((Forum, "forum"), (Session, "session")):
        for target in model.objects.filter(capacity__isnull=False):
            taken = Enrolment.objects.filter(**{field: target}, status="confirmed").count()
            if not (target.seats_taken == taken <= target.capacity):
                problems.append(f"{target}: counter {target.seats_taken}, confirmed {taken}")
    return problems


def report(title: str, count: int, elapsed: float, latencies: list, failures: list) -> None:
    print(f"\n{title}")
    print(f"  requests        {len(latencies)} ({count} guests)")
    print(f"  elapsed         {elapsed:.2f} s")
    print(
        f"  throughput      {count / elapsed:.1f} guests/s ({len(latencies) / elapsed:.1f} req/s)"
    )
    if len(latencies) >= 2:
        print(
            f"  latency         p50 {percentile(latencies, 50):.0f} ms · "
            f"p95 {percentile(latencies, 95):.0f} ms · p99 {percentile(latencies, 99):.0f} ms · "
            f"max {max(latencies) * 1000:.0f} ms"
        )
    print(f"  errors          {len(failures)}{': ' + ', '.join(failures[:5]) if failures else ''}")


def main() -> None:
    args = parse_args()
    # The same settings as the server (above all SECRET_KEY, which signs the login sessions).
    os.environ.update(environment(args))
    rng = random.Random(8)
    print(f"Preparing {args.guests} accounts with login sessions…", flush=True)
    forums, workshops, cookies = prepare(args)
    if args.settle:
        settle()
    server = start_server(args)
    client_cpu = time.process_time()
    s_latencies: list = []
    try:
        jobs = registration_jobs(forums, workshops, cookies, rng)
        run(args.port, args.clients, [])  # nothing: just let the workers settle
        # The CPU of the registrations alone: the workers' (not their start, nor the
        # sign-ups'), PostgreSQL's and this load generator's, measured around the run.
        workers_before = common.cpu_seconds(server.workers())
        balancer_before = server.balancer_cpu()
        client_before = time.process_time()
        elapsed, latencies, failures = run(args.port, args.clients, jobs)
        client_run_cpu = time.process_time() - client_before
        balancer_cpu = server.balancer_cpu() - balancer_before
        workers_cpu = common.cpu_seconds(server.workers()) - workers_before
        db_cpu = database_cpu()
        hosts = f"{args.hosts} hosts behind a TCP balancer, each " if args.hosts > 1 else ""
        report(
            f"Registrations: {args.clients} clients, {hosts}{args.workers} gunicorn workers",
            args.guests,
            elapsed,
            latencies,
            failures,
        )
        if args.signups:
            clients = min(args.clients, args.signups)
            s_elapsed, s_latencies, s_failures = run(args.port, clients, signup_jobs(args.signups))
            report(f"Sign-ups (allauth, password hashing): {clients} clients", args.signups,
                   s_elapsed, s_latencies, s_failures)  # fmt: skip
    finally:
        # The CPU time of gunicorn and of the workers it reaped.
        cpu = server.stop()
    total = len(latencies) + (len(s_latencies) if args.signups else 0)
    print(
        f"\nServer CPU (gunicorn, all workers; PostgreSQL not counted): {cpu:.1f} s, "
        f"{cpu / max(total, 1) * 1000:.1f} ms per request on average"
    )
    print(
        f"PostgreSQL CPU during the registrations (web workers' connections): {db_cpu:.1f} s, "
        f"{db_cpu / max(len(latencies), 1) * 1000:.1f} ms per request"
    )
    print(f"Load generator CPU: {time.process_time() - client_cpu:.1f} s")
    if server.balancer:
        print(f"Connections the balancer gave each host: {server.served}")
    per = 1000 / max(len(latencies), 1)
    cpu_each = (workers_cpu + db_cpu + client_run_cpu + balancer_cpu) * per
    balancer = f"balancer {balancer_cpu * per:.1f} ms + " if server.balancer else ""
    print(
        f"CPU per registration request: gunicorn workers {workers_cpu * per:.1f} ms + "
        f"PostgreSQL {db_cpu * per:.1f} ms + {balancer}"
        f"load generator {client_run_cpu * per:.1f} ms = "
        f"{cpu_each:.1f} ms (two idle cores: at most {2000 / cpu_each:.0f} requests/s)"
    )
    problems = audit(args, forums, workshops)
    from registration.models import Enrolment

    waiting = Enrolment.objects.filter(status="waitlisted").count()
    print(f"\nAudit: {'OK' if not problems else 'FAILED'} ({waiting} choices on waiting lists)")
    for problem in problems:
        print(f"  {problem}")
    sys.exit(1 if problems or failures else 0)


if __name__ == "__main__":
    main()
