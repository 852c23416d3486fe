"""The CPU of one guest API "my registration" read, in process: no HTTP, no load generator.

    createdb -h 127.0.0.1 -U postgres bayline_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline_bench \\
      .venv/bin/python bench/profile_guest_api.py --guests 300

The database named in DATABASE_URL is wiped (its name must contain "bench") and loaded as
bench/guest_api.py loads it: ``--guests`` confirmed guests, each in two forums with a guest
API token. ``GET /api/v1/guest/registration`` is then sent for ``--reads`` random guests
through Django's WSGI handler, as gunicorn would (production settings), and the script
reports the CPU per read of this process and of its PostgreSQL backend, and the queries of
one read. ``--profile`` prints the functions that cost the most.

Under callgrind (``--zero-before=os_getppid --dump-before=os_getpgrp``, as
bench/profile_registration.py describes), the dump ending in ``.1`` counts the instructions
of the measured reads alone.
"""

import argparse
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import common, guest_api  # noqa: E402
from bench.profile_registration import add_measure_options, measure_requests  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=300)
    parser.add_argument("--reads", type=int, default=2000)
    add_measure_options(parser)
    return parser.parse_args()


def environ(token: str) -> dict:
    return common.wsgi_environ(
        "GET",
        "/api/v1/guest/registration",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_FORWARDED_PROTO="https",
    )


def main() -> None:
    args = parse_args()
    common.require_bench_database()
    os.environ.update(common.server_environment(8000, DJANGO_SETTINGS_MODULE="summit.settings"))
    tokens = guest_api.load_data(args.guests)
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    application = get_wsgi_application()
    chooser = random.Random(5)
    # Two more: the warm-up and the one whose queries are shown.
    reads = [chooser.choice(tokens) for _ in range(args.reads + 2)]
    # Every token used once first, as in a running summit: a token notes its first use.
    for token, _pk in tokens:
        b"".join(application(environ(token), lambda *a: None))

    def read(n: int) -> None:
        token, pk = reads[n]
        status = []
        body = b"".join(application(environ(token), lambda s, h, *a: status.append(s)))
        if not status[0].startswith("200") or json.loads(body)["id"] != pk:
            sys.exit(f"read {n}: {status[0]} {body[:200]!r}")

    measure_requests(read, len(reads), args, what="read", connection=connection)


if __name__ == "__main__":
    main()
