"""The combined load benchmark still runs (bin/production, 3 s, tiny numbers) and its audit passes.

It runs ``bench/combined_load.py`` in a subprocess against a database of its own (created and
dropped here: the bench wipes the database it is given) and the Redis database of REDIS_URL
(default 5), where its keys have a prefix of their own (it deletes them, and nothing else).
"""

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


def test_combined_load_runs_and_its_audit_passes(bench_database):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
    environment = {**os.environ, "DATABASE_URL": bench_database, "REDIS_URL": redis_url}
    # What the test run sets for itself is not the production mode.
    unset = ("DEBUG", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "BADGE_SIGNING_KEYS")
    for name in (*unset, "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(name, None)
    # The numbers are tiny; what counts is that every kind ran, nothing failed, audit passed.
    command = [
        sys.executable,
        str(ROOT / "bench/combined_load.py"),
        *("--seconds", "3", "--warm-up", "0.5", "--guests", "40", "--registering", "20"),
        *("--register-clients", "2", "--register-rate", "4", "--double-clicks", "0.5"),
        *("--read-clients", "2", "--read-rate", "8", "--scanners", "2", "--scan-rate", "16"),
        *("--port", str(free_port()), "--smtp-port", str(free_port()), "--markdown"),
    ]
    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )
    output = result.stdout
    assert result.returncode == 0, output + result.stderr[-3000:]
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
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
    environment = {**os.environ, "DATABASE_URL": bench_database, "REDIS_URL": redis_url}
    for name in ("DEBUG", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "BADGE_SIGNING_KEYS"):
        environment.pop(name, None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [
        sys.executable,
        str(ROOT / "bench/invitation_surge.py"),
        *("--invitees", "40", "--clients", "4", "--workers", "1", "--no-settle"),
        *("--port", str(free_port())),
    ]
    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )
    output = result.stdout
    assert result.returncode == 0, output + result.stderr[-3000:]
    assert "errors          0" in output
    assert "Audit: OK" in output
