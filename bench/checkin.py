"""Check-in under load: POST /api/v1/checkin against gunicorn on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline_bench \\
        .venv/bin/python bench/checkin.py [--guests 3000] [--scanners 16] [--seconds 20] \\
        [--workers 3 --worker-class gthread --threads 4] [--port 8150] [--speedup 60] \\
        [--new-connection] [--exits 0.5] [--hosts 2]

It loads a summit with ``--guests`` confirmed guests and badges into the database (which it
empties first: use a database of its own), starts gunicorn (``gunicorn.conf.py``, production
settings, persistent connections: CONN_MAX_AGE=60) and runs two phases:

1. **Throughput**: ``--scanners`` door devices scan as fast as they can for ``--seconds``
   (keep-alive HTTP/1.1 clients; with ``--new-connection``, a new TCP connection for every
   scan, as sync workers force anyway by closing each one; a mix of first entries, repeats
   and forum checks), reporting scans per second and p50/p95/p99 latency.
2. **Replay**: every guest arrives once within one hour through six doors of a single-entry
   entrance (most of them in the half hour before the opening), replayed ``--speedup`` times
   faster than real time, with 3 % scanned twice, 1 % old badges and 1 % unreadable codes;
   it checks that exactly one admission per guest was recorded.

With ``--hosts 2`` it starts two such gunicorn instances (each with ``--workers`` workers, the
same database and Redis), as two web machines would be, and the TCP balancer of
bench/balancer.py in front of them on ``--port`` (one connection to each host in turn); the
door devices talk to the balancer.

The load generator runs on the same machine as the server.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402


def server_environment(port: int) -> dict:
    # 16 scanners flat out send each far more than a real door's 600 scans a minute.
    return common.server_environment(
        port, DJANGO_SETTINGS_MODULE="summit.settings", CHECKIN_SCANS_PER_MINUTE="1000000"
    )


def load_data(guests: int, scanners: int, exits: float = 0.0) -> dict:
    """A summit, checkpoints, guests with badges, devices; returns what the clients need."""
    import django

    django.setup()

    from django.utils import timezone

    from badges.checkin.devices import create_device
    from badges.checkin.models import Checkpoint
    from badges.models import Badge
    from badges.signing import sign_badge
    from registration.models import Enrolment
    from sessions.models import Forum
    from summit.models import Room

    summit = common.fresh_summit(
        guests,
        "checkin_presence, checkin_occupancyrule, badges_admission, "
        "badges_scan, badges_device, badges_checkpoint, summit_room, "
        "badges_badge, registration_enrolment, registration_registration, "
        "agenda_forum, summit_summit",
    )
    forum = Forum.objects.create(summit=summit, slug="economy", title_en="Digital economy")
    both = Checkpoint.Direction.BOTH if exits else Checkpoint.Direction.ENTRIES
    entrance = Checkpoint.objects.create(
        summit=summit, slug="entrance", name_en="Main entrance", policy="single", direction=both
    )
    Checkpoint.objects.create(
        summit=summit, slug="replay-entrance", name_en="Main entrance (replay)", policy="single"
    )
    # With exits, the hall is a room counted at its doors (as large as the summit: the bench
    # measures the gate, not refusals).
    room = (
        Room.objects.create(summit=summit, slug="hall", name_en="Hall", capacity=guests + 100)
        if exits
        else None
    )
    for slug in ("hall", "hall-east") if exits else ("hall",):
        Checkpoint.objects.create(
            summit=summit,
            slug=slug,
            name_en="Forum hall",
            kind="forum",
            forum=forum,
            room=room,
            policy="reentry",
            direction=both,
        )
    registrations = common.confirmed_registrations(summit, guests, "guest")
    Enrolment.objects.bulk_create(
        Enrolment(registration=registration, forum=forum, status="confirmed")
        for registration in registrations[::2]
    )
    badges = Badge.objects.bulk_create(
        Badge(registration=registration, serial=1) for registration in registrations
    )
    # 1 % of guests come with the badge that was replaced by a reprint.
    old = Badge.objects.bulk_create(
        Badge(
            registration=registration,
            serial=2,
            revoked_at=timezone.now(),
            revoked_reason="reissued",
        )
        for registration in registrations[: max(guests // 100, 1)]
    )
    tokens = [create_device(f"Scanner {n}", checkpoint=entrance)[1] for n in range(scanners)]
    return {
        "codes": [sign_badge(badge.pk, badge.serial) for badge in badges],
        "old_codes": [sign_badge(badge.pk, badge.serial) for badge in old],
        "tokens": tokens,
    }


Door = common.Door
percentiles = common.percentiles
cpu_seconds = common.cpu_seconds


def server_pids(hosts: common.Hosts) -> tuple[list[int], list[int]]:
    """Every host's gunicorn workers, and the PostgreSQL backends serving this database."""
    return hosts.workers(), common.database_backends()


def throughput(
    port: int, data: dict, seconds: float, new_connection: bool = False, exits: float = 0.0
) -> dict:
    stop = threading.Event()
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()

    def scanner(token: str, seed: int):
        door = Door(port, token, new_connection=new_connection)
        chooser = random.Random(seed)
        mine, local = [], Counter()
        while not stop.is_set():
            roll = chooser.random()
            code = chooser.choice(data["codes"])
            checkpoint = "hall" if roll < 0.3 else "entrance"
            if exits and checkpoint == "hall" and chooser.random() < 0.5:
                checkpoint = "hall-east"  # the hall's other door
            direction = ("exit" if chooser.random() < exits else "entry") if exits else ""
            elapsed, status = door.scan(code, checkpoint, direction)
            mine.append(elapsed)
            local[status] += 1
        with lock:
            latencies.extend(mine)
            statuses.update(local)

    threads = [
        threading.Thread(target=scanner, args=(token, n)) for n, token in enumerate(data["tokens"])
    ]
    elapsed = common.run_for(threads, seconds, stop)
    return {
        "scans": len(latencies),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        **percentiles(latencies),
        "statuses": dict(statuses),
    }


def replay(port: int, data: dict, speedup: float, doors: int = 6) -> dict:
    """Every guest arrives once in the hour before the opening, through ``doors`` doors."""
    chooser = random.Random(3000)
    hour = 3600.0
    plan = []
    for code in data["codes"]:
        # Most guests come in the last half hour before the opening.
        moment = chooser.triangular(0, hour, hour * 0.8)
        plan.append((moment, code))
        if chooser.random() < 0.03:  # the door scans the badge twice
            plan.append((moment + 2, code))
    for code in data["old_codes"]:
        plan.append((chooser.uniform(0, hour), code))
    for _ in range(len(data["codes"]) // 100):
        plan.append((chooser.uniform(0, hour), "NOT-A-BADGE-" + uuid.uuid4().hex))
    plan.sort()
    queues = [plan[door::doors] for door in range(doors)]
    latencies, lateness, statuses = [], [], Counter()
    lock = threading.Lock()
    start = time.perf_counter() + 0.5

    def door(index: int):
        client = Door(port, data["tokens"][index])
        mine, late, local = [], [], Counter()
        for moment, code in queues[index]:
            due = start + moment / speedup
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            late.append(max(-wait, 0))
            elapsed, status = client.scan(code, "replay-entrance")
            mine.append(elapsed)
            local[status] += 1
        with lock:
            latencies.extend(mine)
            lateness.extend(late)
            statuses.update(local)

    threads = [threading.Thread(target=door, args=(n,)) for n in range(doors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    from badges.checkin.models import Admission

    admitted = Admission.objects.filter(checkpoint__slug="replay-entrance").count()
    return {
        "scans": len(latencies),
        "wall_seconds": time.perf_counter() - start,
        **percentiles(latencies),
        "statuses": dict(statuses),
        "admissions": admitted,
        "guests": len(data["codes"]),
        "max_lateness_ms": max(lateness) * 1000,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=3000)
    parser.add_argument("--scanners", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    # Threaded workers keep HTTP connections alive (sync workers close each one).
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--speedup", type=float, default=60)
    parser.add_argument("--skip-replay", action="store_true")
    parser.add_argument(
        "--hosts", type=int, default=1, help="web hosts behind a TCP balancer on --port"
    )
    parser.add_argument(
        "--exits", type=float, default=0.0, help="share of the scans that are exits (0 to 1)"
    )
    parser.add_argument(
        "--new-connection",
        action="store_true",
        help="each scanner opens a new TCP connection for every scan (no keep-alive)",
    )
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (a database of its own: it is emptied).")
    environment = server_environment(options.port)
    os.environ.update(environment)
    data = load_data(options.guests, options.scanners, options.exits)
    hosts = common.start_hosts(
        environment,
        options.port,
        options.hosts,
        *("--workers", str(options.workers), "--worker-class", options.worker_class),
        *("--threads", str(options.threads)),
        # No recycling of workers during a measurement.
        *("--max-requests", "0"),
    )
    try:
        # Warm up every worker (imports, connections, remembered checkpoints and devices).
        throughput(options.port, data, 2, exits=options.exits)
        workers, backends = server_pids(hosts)
        before = (
            cpu_seconds(workers),
            cpu_seconds(backends),
            time.process_time(),
            hosts.balancer_cpu(),
        )
        result = throughput(
            options.port, data, options.seconds, options.new_connection, options.exits
        )
        after = (
            cpu_seconds(workers),
            cpu_seconds(backends),
            time.process_time(),
            hosts.balancer_cpu(),
        )
        # CPU spent per scan by each party: what 2 idle cores could sustain, whatever else
        # is running on the machine during the measurement.
        spent = [
            (end - start) * 1000 / result["scans"] for start, end in zip(before, after, strict=True)
        ]
        result["cpu_ms_per_scan"] = {
            "django": spent[0],
            "postgres": spent[1],
            "load_generator": spent[2],
        }
        if hosts.balancer:
            result["cpu_ms_per_scan"]["balancer"] = spent[3]
        result["capacity_2_cores_per_second"] = 2000 / sum(spent)
        figures = {
            "server": f"{f'{options.hosts} hosts, each ' if options.hosts > 1 else ''}"
            f"gunicorn {options.workers} × {options.worker_class}"
            f" ({options.threads} threads), CONN_MAX_AGE=60,"
            f" {'a new connection per scan' if options.new_connection else 'keep-alive clients'}"
            f"{f', {options.exits:.0%} exits' if options.exits else ''}"
            f"{', behind a TCP balancer' if options.hosts > 1 else ''}",
            "throughput": result,
        }
        if not options.skip_replay:
            figures["replay"] = replay(options.port, data, options.speedup)
    finally:
        hosts.stop()
    if hosts.balancer:
        figures["connections_per_host"] = hosts.served
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
