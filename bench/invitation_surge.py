"""Invitation surge: many invitees accept at once from their e-mail's link, through HTTP.

    createdb -h 127.0.0.1 -U postgres bayline_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline_bench \\
      REDIS_URL=redis://127.0.0.1:6379/2 \\
      .venv/bin/python bench/invitation_surge.py --invitees 3000 --clients 32 --workers 4

The database named in DATABASE_URL is wiped (its name must contain "bench"). The organiser's
invitations are made beforehand; each invitee then POSTs the registration form to their own
link, as the invitation page sends it (5% tap twice: the same form again). Each request
makes the invitee's account (address verified, no password: nothing is hashed), registers
them, and logs them in. The same helpers as bench/registration_surge.py; afterwards an audit
checks that every invitee registered once with one account, without a usable password, and
that no capacity was exceeded.
"""

import os
import random
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.surge_settings")

from bench import common, registration_surge  # noqa: E402

EMAIL_DOMAIN = "bench.test"


def parse_args():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitees", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8121)
    parser.add_argument("--forum-capacity", type=int, default=400)
    parser.add_argument(
        "--no-settle",
        dest="settle",
        action="store_false",
        help="skip VACUUM ANALYZE and CHECKPOINT after preparing",
    )
    return parser.parse_args()


def prepare(args):
    """The summit, forums and workshops of the registration surge, and the invitations."""
    # The registration surge's preparation with no accounts (it reads ``args.guests``).
    args.guests = 0
    forums, workshops, _cookies = registration_surge.prepare(args)
    from registration.invitation_links import invitation_path
    from registration.models import Invitation

    summit = forums[0].summit
    rng = random.Random(17)
    invitations = Invitation.objects.bulk_create(
        Invitation(
            summit=summit,
            email=f"invitee{n:05d}@{EMAIL_DOMAIN}",
            name=rng.choice(["陳大文", "王伟", "李嘉欣", ""]),
            name_latin=f"Invitee {n}",
            organisation="廣東省政務服務數據管理局",
            category=rng.choice(["vip", "speaker", "delegate", "delegate", "media"]),
            language=rng.choice(["en", "zh-hans", "zh-hant"]),
        )
        for n in range(args.invitees)
    )
    paths = [invitation_path(invitation) for invitation in invitations]
    return forums, workshops, paths


def jobs_for(paths, forums, workshops, rng: random.Random) -> list:
    jobs = []
    for n, path in enumerate(paths):
        body = common.registration_form(n, forums, workshops, rng)
        # No login session, only the CSRF cookie the invitation page would have set.
        headers = {**common.FORM_HEADERS, "Cookie": f"csrftoken={common.CSRF}"}
        jobs.append((urllib.parse.quote(path), body, headers, "/register/me/"))
        if rng.random() < 0.05:  # a double tap: the very same form again
            jobs.append((urllib.parse.quote(path), body, headers, "/register/me/"))
    rng.shuffle(jobs)
    return jobs


def audit(args, forums, workshops) -> list[str]:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from registration.models import Registration

    problems = []
    registrations = Registration.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    if registrations.count() != args.invitees:
        problems.append(f"{registrations.count()} registrations for {args.invitees} invitees")
    if registrations.filter(invitation__isnull=True).exists():
        problems.append("registrations without their invitation")
    twice = registrations.values("invitation").annotate(n=Count("pk")).filter(n__gt=1).count()
    if twice:
        problems.append(f"{twice} invitations registered twice")
    users = get_user_model().objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    if users.count() != args.invitees:
        problems.append(f"{users.count()} accounts for {args.invitees} invitees")
    usable = [user.pk for user in users.only("password") if user.has_usable_password()]
    if usable:
        problems.append(f"{len(usable)} accounts with a password (hashed on this path)")
    verified = EmailAddress.objects.filter(user__in=users, verified=True, primary=True).count()
    if verified != args.invitees:
        problems.append(f"{verified} verified addresses for {args.invitees} invitees")
    # Seats: the registration surge's audit, on the same counters.
    args.guests = args.invitees
    problems += registration_surge.audit(args, forums, workshops)
    return problems


def main() -> None:
    args = parse_args()
    # The same settings as the server (SECRET_KEY above all: it makes the links' keys).
    environment = common.server_environment(
        args.port, DJANGO_SETTINGS_MODULE="bench.surge_settings", WEB_CONCURRENCY=str(args.workers)
    )
    os.environ.update(environment)
    rng = random.Random(8)
    print(f"Preparing {args.invitees} invitations…", flush=True)
    forums, workshops, paths = prepare(args)
    if args.settle:
        registration_surge.settle()
    server = common.start_gunicorn(environment, args.port)
    try:
        jobs = jobs_for(paths, forums, workshops, rng)
        registration_surge.run(args.port, args.clients, [])  # let the workers settle
        workers_before = common.cpu_seconds(common.children(server.pid))
        client_before = time.process_time()
        elapsed, latencies, failures = registration_surge.run(args.port, args.clients, jobs)
        client_cpu = time.process_time() - client_before
        workers_cpu = common.cpu_seconds(common.children(server.pid)) - workers_before
        db_cpu = registration_surge.database_cpu()
        registration_surge.report(
            f"Invitations accepted: {args.clients} clients, {args.workers} gunicorn workers",
            args.invitees,
            elapsed,
            latencies,
            failures,
        )
    finally:
        common.stop(server)
        common.delete_cache_keys(environment)
    per = 1000 / max(len(latencies), 1)
    cpu_each = (workers_cpu + db_cpu + client_cpu) * per
    print(
        f"CPU per request: gunicorn workers {workers_cpu * per:.1f} ms + PostgreSQL "
        f"{db_cpu * per:.1f} ms + load generator {client_cpu * per:.1f} ms = {cpu_each:.1f} ms"
    )
    print(f"Load average at the end (the machine's other work): {os.getloadavg()}")
    problems = audit(args, forums, workshops)
    print(f"\nAudit: {'OK' if not problems else 'FAILED'}")
    for problem in problems:
        print(f"  {problem}")
    sys.exit(1 if problems or failures else 0)


if __name__ == "__main__":
    main()
