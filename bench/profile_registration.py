"""The CPU of one registration POST, in process: no HTTP, no load generator.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline_bench REDIS_URL=redis://…/2 \\
      .venv/bin/python bench/registration_surge.py --guests 300 --signups 0   # once: the data
    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/profile_registration.py --guests 200

Run it on the database the surge bench made (its summit, forums and workshops). It makes
``--guests`` more logged-in accounts, then sends each guest's registration form through
Django's WSGI handler, as gunicorn would (production settings, CSRF enforced), and reports the
CPU per registration of this process and of its PostgreSQL backend, and the queries of one
request. ``--profile`` prints the functions that cost the most (cProfile; it inflates code
that makes many small calls, such as the ORM, several times over: use it to find, the rounds to
measure).

Instructions per registration, steadier than CPU time on a busy machine: run it under
callgrind, which then counts only the measured registrations (``bench.common.measured``)::

    valgrind --tool=callgrind --callgrind-out-file=/tmp/reg.out \\
      --zero-before=os_getppid --dump-before=os_getpgrp \\
      .venv/bin/python bench/profile_registration.py --guests 200 --rounds 1
    callgrind_annotate /tmp/reg.out.1 | head   # "PROGRAM TOTALS" / --guests
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.surge_settings")

from bench import common  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=200)
    add_measure_options(parser)
    return parser.parse_args()


def wsgi_environ(body: bytes, cookie: str) -> dict:
    """A registration form sent to /register/ with a login session's cookie."""
    return common.wsgi_environ(
        "POST",
        "/register/",
        body=body,
        HTTP_COOKIE=cookie,
        CONTENT_TYPE="application/x-www-form-urlencoded",
    )


def main() -> None:
    args = parse_args()
    common.require_bench_database()
    settings_module = os.environ["DJANGO_SETTINGS_MODULE"]
    os.environ.update(common.server_environment(8000, DJANGO_SETTINGS_MODULE=settings_module))
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    from django.db import connection

    from sessions.models import Forum, Session

    forums = list(Forum.objects.filter(slug__startswith="forum-").order_by("pk"))
    workshops = list(Session.objects.filter(title_en__startswith="Workshop").order_by("pk"))
    if not forums:
        sys.exit("Run bench/registration_surge.py on this database first (its forums).")
    prefix = f"p{int(time.time()) % 100000}x"
    cookies = common.create_logged_in_accounts(args.guests + 2, prefix)
    rng = random.Random(3)
    bodies = [
        common.registration_form(n, forums, workshops, rng).encode() for n in range(len(cookies))
    ]

    def post(n: int) -> str:
        status = []
        chunks = application(
            wsgi_environ(bodies[n], cookies[n]), lambda s, h, *a: status.append((s, h))
        )
        b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        code, headers = status[0]
        if not code.startswith("302"):
            sys.exit(f"registration {n}: {code}")
        return dict(headers).get("Location", "")

    measure_requests(
        post,
        len(cookies),
        args,
        what="registration",
        connection=connection,
        first_line=(" (besides the health check, BEGIN, COMMIT)"),
    )


def add_measure_options(parser) -> None:
    """The options ``measure_requests`` reads."""
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the run")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument("--lines", type=int, default=60)


def measure_requests(post, count: int, args, *, what: str, connection, first_line="") -> None:
    """Post request 0 (warm-up: caches filled), record the queries of request 1, then time the
    rest in ``args.rounds`` rounds (CPU of this process and of its PostgreSQL backend), under
    cProfile with ``args.profile``; print all of it."""
    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    post(0)
    with connection.execute_wrapper(record):
        post(1)
    cursor = connection.cursor()
    cursor.execute("SELECT pg_backend_pid()")
    backend = cursor.fetchone()[0]
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    # Rounds: other work on the machine inflates CPU time too (shared caches, frequency), so
    # the least CPU of a round is the best estimate; the median shows the spread.
    per_round = max((count - 2) // args.rounds, 1)
    django_ms, database_ms = [], []
    with common.measured():
        for start in range(2, count, per_round):
            batch = range(start, min(start + per_round, count))
            db_before = common.cpu_seconds([backend])
            started = time.process_time()
            if profiler:
                profiler.enable()
            for n in batch:
                post(n)
            if profiler:
                profiler.disable()
            django_ms.append((time.process_time() - started) / len(batch) * 1000)
            database_ms.append((common.cpu_seconds([backend]) - db_before) / len(batch) * 1000)
    print(f"{len(queries)} queries in one {what}{first_line}:")
    for sql in queries:
        print(f"  {sql[:160]}")
    print(
        f"\n{count - 2} {what}s in {len(django_ms)} rounds, CPU per {what} "
        f"(least / median of the rounds){' under cProfile' if profiler else ''}:\n"
        f"  Django      {min(django_ms):.2f} / {statistics.median(django_ms):.2f} ms\n"
        f"  PostgreSQL  {min(database_ms):.2f} / {statistics.median(database_ms):.2f} ms"
    )
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
        stats.print_stats(args.lines)
        if os.environ.get("PROFILE_DUMP"):
            stats.dump_stats(os.environ["PROFILE_DUMP"])
        print(out.getvalue())


if __name__ == "__main__":
    main()
