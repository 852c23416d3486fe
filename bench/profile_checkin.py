"""The CPU of one door scan, in process: no HTTP, no load generator.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline_bench REDIS_URL=redis://…/2 \\
      .venv/bin/python bench/profile_checkin.py [--guests 3000] [--scans 3000] [--exits 0.5]

It empties and fills its database as ``bench/checkin.py`` does (its name must contain
"bench"), then sends door scans through Django's WSGI handler as gunicorn would (production
settings, a device token, Redis for the rate limit): the same seeded mix of badges and
checkpoints every run (first entries, repeats, forum checks), so that two versions of the code
are compared on the same work. With ``--exits`` the hall is a room counted at its two doors and
that share of the scans are exits, as in ``bench/checkin.py --exits``; ``--gated`` sends every
scan through the hall's doors (the room-occupancy gate). It reports the CPU per scan of this
process and of its PostgreSQL backend, and the statements of each kind of scan.

Instructions per scan, steadier than CPU time on a busy machine: run it under callgrind,
which counts only the measured scans (``bench.common.measured``)::

    valgrind --tool=callgrind --callgrind-out-file=/tmp/scan.out \\
      --zero-before=os_getppid --dump-before=os_getpgrp \\
      .venv/bin/python bench/profile_checkin.py --scans 1000 --rounds 1
    callgrind_annotate /tmp/scan.out.1 | head   # "PROGRAM TOTALS" / --scans
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import checkin, common  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=3000)
    parser.add_argument("--scans", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--exits", type=float, default=0.0, help="share of the scans that are exits (0 to 1)"
    )
    parser.add_argument(
        "--gated", action="store_true", help="every scan at the hall's doors (with --exits)"
    )
    return parser.parse_args()


def wsgi_environ(body: bytes, token: str) -> dict:
    return common.wsgi_environ(
        "POST",
        "/api/v1/checkin",
        body=body,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_FORWARDED_PROTO="https",
        CONTENT_TYPE="application/json",
    )


def main() -> None:
    args = parse_args()
    common.require_bench_database()
    os.environ.update(checkin.server_environment(8000))
    data = checkin.load_data(args.guests, 1, args.exits)
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    application = get_wsgi_application()
    token = data["tokens"][0]
    rng = random.Random(15)
    codes = data["codes"]

    def scan(code: str, checkpoint: str, direction: str = "") -> str:
        fields = {"code": code, "checkpoint": checkpoint}
        if direction:
            fields["direction"] = direction
        body = json.dumps(fields).encode()
        status = []
        chunks = application(wsgi_environ(body, token), lambda s, h, *a: status.append(s))
        payload = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        if not status[0].startswith("200"):
            sys.exit(f"scan: {status[0]} {payload[:200]!r}")
        return json.loads(payload)["status"]

    def pick() -> tuple[str, str, str]:
        code, checkpoint = rng.choice(codes), "hall" if rng.random() < 0.3 else "entrance"
        if args.gated:
            checkpoint = "hall"
        if not args.exits:
            return code, checkpoint, ""
        if checkpoint == "hall" and rng.random() < 0.5:
            checkpoint = "hall-east"  # the hall's other door
        return code, checkpoint, "exit" if rng.random() < args.exits else "entry"

    plan = [pick() for _ in range(args.scans)]
    # Warm-up on badges the plan may also use: caches filled, statements prepared.
    enrolled = codes[-1]  # a guest the hall admits (enrolled in its forum), if any below is
    for code in codes[:20]:
        scan(code, "entrance")
        if scan(code, "hall") == "ok":
            enrolled = code
    kinds = [("first entry", codes[-1], "entrance", ""), ("repeat", codes[-1], "entrance", "")]
    if args.exits:
        kinds += [
            ("hall exit", enrolled, "hall", "exit"),
            ("hall exit again", enrolled, "hall-east", "exit"),
            ("hall entry", enrolled, "hall", "entry"),
            ("hall re-entry", enrolled, "hall-east", "entry"),
            ("hall refused", codes[-1], "hall", "entry"),
        ]
    queries = {}
    for kind, code, checkpoint, direction in kinds:
        seen = []

        def record(execute, sql, params, many, context, seen=seen):
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            queries[kind] = (scan(code, checkpoint, direction), seen)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    # Rounds: other work on the machine inflates CPU time too, so the least CPU of a round is
    # the best estimate; the median shows the spread.
    per_round = max(len(plan) // args.rounds, 1)
    django_ms, database_ms, statuses = [], [], {}
    with common.measured():
        for start in range(0, len(plan), per_round):
            chunk = plan[start : start + per_round]
            db_before = common.cpu_seconds([backend])
            started = time.process_time()
            for code, checkpoint, direction in chunk:
                answer = scan(code, checkpoint, direction)
                statuses[answer] = statuses.get(answer, 0) + 1
            django_ms.append((time.process_time() - started) / len(chunk) * 1000)
            database_ms.append((common.cpu_seconds([backend]) - db_before) / len(chunk) * 1000)
    for kind, (answer, seen) in queries.items():
        print(f"{kind} ({answer}): {len(seen)} statements through Django's connection")
        for sql in seen:
            print(f"  {sql[:150]}")
    print(
        f"\n{len(plan)} scans in {len(django_ms)} rounds ({statuses}), CPU per scan "
        f"(least / median of the rounds):\n"
        f"  Django      {min(django_ms):.3f} / {statistics.median(django_ms):.3f} ms\n"
        f"  PostgreSQL  {min(database_ms):.3f} / {statistics.median(database_ms):.3f} ms"
    )


if __name__ == "__main__":
    main()
