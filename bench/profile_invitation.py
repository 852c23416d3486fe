"""The CPU of one invitation acceptance POST, in process: no HTTP, no load generator.

    createdb -h 127.0.0.1 -U postgres bayline_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline_bench REDIS_URL=redis://…/2 \\
      .venv/bin/python bench/profile_invitation.py --invitees 300

The database named in DATABASE_URL is wiped (its name must contain "bench") and prepared as
bench/invitation_surge.py prepares it (summit, forums, workshops, ``--invitees`` invitations).
Each invitee's registration form is then sent to their personal link through Django's WSGI
handler, as gunicorn would (production settings, CSRF enforced, no login session), and the
script reports the CPU per acceptance of this process and of its PostgreSQL backend, and the
queries of one acceptance. ``--profile`` prints the functions that cost the most (cProfile
inflates code that makes many small calls: use it to find, the rounds to measure).

Under callgrind, as bench/profile_registration.py describes, the dump ending in ``.1`` counts
the instructions of the measured acceptances alone.
"""

import argparse
import os
import random
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.surge_settings")

from bench import common, invitation_surge, registration_surge  # noqa: E402
from bench.profile_registration import add_measure_options, measure_requests  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitees", type=int, default=300)
    parser.add_argument("--forum-capacity", type=int, default=400)
    add_measure_options(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    common.require_bench_database()
    settings_module = os.environ["DJANGO_SETTINGS_MODULE"]
    os.environ.update(common.server_environment(8000, DJANGO_SETTINGS_MODULE=settings_module))
    invitees = args.invitees
    args.invitees = invitees + 2  # two more: the warm-up and the one whose queries are shown
    forums, workshops, paths = invitation_surge.prepare(args)
    registration_surge.settle()
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    from django.db import connection

    rng = random.Random(3)
    bodies = [
        common.registration_form(n, forums, workshops, rng).encode() for n in range(len(paths))
    ]
    cookie = f"csrftoken={common.CSRF}"

    def post(n: int) -> None:
        status = []
        environ = common.wsgi_environ(
            "POST",
            urllib.parse.unquote(paths[n]).encode().decode("latin-1"),
            body=bodies[n],
            HTTP_COOKIE=cookie,
            CONTENT_TYPE="application/x-www-form-urlencoded",
        )
        chunks = application(environ, lambda s, h, *a: status.append((s, h)))
        b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        code, headers = status[0]
        location = dict(headers).get("Location", "")
        if not code.startswith("302") or location != "/register/me/":
            sys.exit(f"invitation {n}: {code} {location}")

    measure_requests(post, len(paths), args, what="acceptance", connection=connection)


if __name__ == "__main__":
    main()
