"""Guest API under load: GET /api/v1/guest/registration ("my registration") against gunicorn
on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline_bench \\
        .venv/bin/python bench/guest_api.py [--guests 3000] [--clients 16] [--seconds 20] \\
        [--workers 3 --worker-class gthread --threads 4] [--port 8160]

It loads a summit with ``--guests`` confirmed guests, each enrolled in two forums and holding
a guest API token (made through the e-mail code service, as a mini program gets it), into the
database (which it empties first: use a database of its own), starts gunicorn (production
settings, persistent connections) and lets ``--clients`` keep-alive clients read "my
registration" with random guests' tokens for ``--seconds``, reporting reads per second,
latency percentiles and the CPU per read of the web workers and of PostgreSQL. Every answer
must be a 200 for the token's own guest. The target is in docs/benchmarks.md.
"""

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402


def load_data(guests: int) -> list[tuple[str, int]]:
    """(token, registration id) of every guest."""
    import django

    django.setup()

    from registration import guest_tokens
    from registration.models import Enrolment, GuestToken
    from sessions.models import Forum

    summit = common.fresh_summit(
        guests,
        "registration_enrolment, registration_registration, agenda_forum, summit_summit",
    )
    forums = [
        Forum.objects.create(summit=summit, slug=f"forum-{n}", title_en=f"Forum {n}", position=n)
        for n in range(4)
    ]
    registrations = common.confirmed_registrations(summit, guests, "guest")
    Enrolment.objects.bulk_create(
        Enrolment(registration=registration, forum=forum, status="confirmed")
        for n, registration in enumerate(registrations)
        for forum in (forums[n % 4], forums[(n + 1) % 4])
    )
    tokens = []
    for registration in registrations:
        token = guest_tokens.TOKEN_PREFIX + f"bench{registration.pk:08d}"
        tokens.append((token, registration.pk))
    GuestToken.objects.bulk_create(
        GuestToken(
            registration_id=pk, token_hash=guest_tokens.digest(token), token_prefix=token[:8]
        )
        for token, pk in tokens
    )
    return tokens


def throughput(port: int, tokens: list, clients: int, seconds: float) -> dict:
    stop = threading.Event()
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()

    def client(seed: int):
        chooser = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, local = [], Counter()
        while not stop.is_set():
            token, pk = chooser.choice(tokens)
            headers = {"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"}
            started = time.perf_counter()
            try:
                connection.request("GET", "/api/v1/guest/registration", headers=headers)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                local["reconnect"] += 1
                continue
            mine.append(time.perf_counter() - started)
            ok = response.status == 200 and json.loads(body)["id"] == pk
            local["ok" if ok else f"http {response.status}"] += 1
        with lock:
            latencies.extend(mine)
            statuses.update(local)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    elapsed = common.run_for(threads, seconds, stop)
    return {
        "reads": len(latencies),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        **common.percentiles(latencies),
        "answers": dict(statuses),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8160)
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (a database of its own: it is emptied).")
    environment = common.server_environment(options.port, DJANGO_SETTINGS_MODULE="summit.settings")
    os.environ.update(environment)
    tokens = load_data(options.guests)
    server = common.start_gunicorn(
        environment,
        options.port,
        *("--workers", str(options.workers), "--worker-class", options.worker_class),
        *("--threads", str(options.threads), "--max-requests", "0"),
    )
    try:
        throughput(options.port, tokens, options.clients, 2)  # warm up every worker
        workers, backends = common.children(server.pid), common.database_backends()
        cpu = common.cpu_seconds
        before = (cpu(workers), cpu(backends), time.process_time())
        result = throughput(options.port, tokens, options.clients, options.seconds)
        after = (cpu(workers), cpu(backends), time.process_time())
        # CPU per read of each party: what 2 idle cores could sustain, whatever else runs.
        spent = [
            (end - start) * 1000 / result["reads"] for start, end in zip(before, after, strict=True)
        ]
        result["cpu_ms_per_read"] = dict(
            zip(("django", "postgres", "load_generator"), spent, strict=True)
        )
        result["capacity_2_cores_per_second"] = 2000 / sum(spent)
    finally:
        common.stop(server)
    server_name = f"gunicorn {options.workers} × {options.worker_class} ({options.threads} threads)"
    print(json.dumps({"server": server_name, "throughput": result}, indent=2))


if __name__ == "__main__":
    main()
