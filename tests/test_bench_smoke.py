"""The HTTP benchmarks still run (tiny numbers, a few seconds) and their audits pass.

Each runs in a subprocess against a database of its own (created and dropped here: the bench
wipes the database it is given) and the Redis database of REDIS_URL (default 5), where its
keys have a prefix of their own (it deletes them, and nothing else). The check-in and
registration benches also run with ``--hosts 2``: two gunicorn hosts behind the TCP balancer.
"""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.e2e.harness import free_port

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.postgres


@pytest.fixture
def bench_database():
    import psycopg

    database = settings.DATABASES["default"]
    name = f"{database['NAME']}_smokebench"[:63]
    params = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"],
        "password": database["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    yield f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"
    with psycopg.connect(**params) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_bench(database: str, script: str, *options: str) -> str:
    """Run ``bench/<script>`` on ``database`` in production mode; its output, once it passed."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
    environment = {**os.environ, "DATABASE_URL": database, "REDIS_URL": redis_url}
    # What the test run sets for itself is not the production mode.
    for name in ("DEBUG", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "BADGE_SIGNING_KEYS"):
        environment.pop(name, None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [sys.executable, str(ROOT / "bench" / script), *options]
    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result.stdout


def test_combined_load_runs_and_its_audit_passes(bench_database):
    # The numbers are tiny; what counts is that every kind ran, nothing failed, audit passed.
    output = run_bench(
        bench_database,
        "combined_load.py",
        *("--seconds", "3", "--warm-up", "0.5", "--guests", "40", "--registering", "20"),
        *("--register-clients", "2", "--register-rate", "4", "--double-clicks", "0.5"),
        *("--read-clients", "2", "--read-rate", "8", "--scanners", "2", "--scan-rate", "16"),
        *("--port", str(free_port()), "--smtp-port", str(free_port()), "--markdown"),
    )
    assert "Audit: OK" in output
    # Every kind of request ran, and none failed: "| kind | requests | … | errors |".
    rows = {
        cells[0]: cells
        for line in output.splitlines()
        if line.startswith("| ") and not line.startswith("| kind") and "---" not in line
        for cells in [[cell.strip() for cell in line.strip("|").split("|")]]
    }
    assert sorted(rows) == ["agenda reads", "check-ins", "registrations"], output
    for kind, cells in rows.items():
        assert int(cells[1].replace(",", "")) > 0, (kind, output)
        assert cells[-1] == "0", (kind, output)
    # The guests who registered were confirmed (no approval on the bench's summit), once each.
    registered = re.search(r"(\d+) guests registered \((.*)\), (\d+) twice", output)
    assert registered, output
    assert int(registered[1]) > 0
    assert registered[2] == f"{{'confirmed': {registered[1]}}}", output
    assert registered[3] == "0"
    e_mails = next(line for line in output.splitlines() if "e-mails recorded" in line)
    recorded, received = e_mails.split()[0], e_mails.split("), ")[1].split()[0]
    assert int(recorded) > 0, e_mails
    assert recorded == received, e_mails


def test_invitation_surge_runs_and_its_audit_passes(bench_database):
    output = run_bench(
        bench_database,
        "invitation_surge.py",
        *("--invitees", "40", "--clients", "4", "--workers", "1", "--no-settle"),
        *("--port", str(free_port())),
    )
    assert "errors          0" in output
    assert "Audit: OK" in output


def test_registration_surge_on_two_hosts_runs_and_its_audit_passes(bench_database):
    output = run_bench(
        bench_database,
        "registration_surge.py",
        *("--guests", "40", "--clients", "4", "--workers", "1", "--signups", "0"),
        *("--no-settle", "--hosts", "2", "--port", str(free_port())),
    )
    assert "4 clients, 2 hosts behind a TCP balancer, each 1 gunicorn workers" in output, output
    assert "errors          0" in output
    assert "Audit: OK" in output
    # Both hosts served the guests: the balancer gave each of them connections.
    served = next(line for line in output.splitlines() if line.startswith("Connections"))
    connections = ast.literal_eval(served.split(": ", 1)[1])
    assert len(connections) == 2 and min(connections.values()) > 0, served


def test_checkin_on_two_hosts_runs_and_admits_each_guest_once(bench_database):
    output = run_bench(
        bench_database,
        "checkin.py",
        *("--guests", "40", "--scanners", "6", "--seconds", "1", "--speedup", "3600"),
        *("--workers", "1", "--hosts", "2", "--port", str(free_port())),
    )
    figures = json.loads(output[output.index("{") :])
    assert figures["server"].startswith("2 hosts, each gunicorn 1 × gthread"), figures
    throughput = figures["throughput"]
    assert throughput["scans"] > 0
    assert [status for status in throughput["statuses"] if status.startswith("http")] == []
    assert set(throughput["cpu_ms_per_scan"]) == {
        "django",
        "postgres",
        "load_generator",
        "balancer",
    }
    # Scans went through both hosts, and together they admitted every guest exactly once.
    connections = figures["connections_per_host"]
    assert len(connections) == 2 and min(connections.values()) > 0, connections
    assert figures["replay"]["admissions"] == figures["replay"]["guests"] == 40
