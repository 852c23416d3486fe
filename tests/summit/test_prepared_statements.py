"""PostgreSQL plans the queries that every request makes once per connection, not per call."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from summit.models import Summit

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_query_run_again_and_again_is_prepared_once():
    for _ in range(7):
        list(Summit.objects.filter(slug="digital-gba-2026"))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ['SELECT "summit_summit"."id"%'],
        )
        runs = cursor.fetchall()

    assert runs == [(2,)]  # prepared at its 5th run; the 6th and 7th used the prepared plan


@pytest.mark.parametrize(
    ("setting", "options"),
    [
        (None, {"server_side_binding": True, "prepare_threshold": 5}),
        ("1", {"server_side_binding": True, "prepare_threshold": 5}),
        ("0", {}),
    ],
)
def test_a_transaction_pooler_can_turn_prepared_statements_off(setting, options):
    code = "from summit import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    environment = {
        key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"
    }
    environment["DATABASE_URL"] = "postgres://bayline@db.example.org:5432/bayline"
    environment.pop("DB_PREPARED_STATEMENTS", None)
    if setting is not None:
        environment["DB_PREPARED_STATEMENTS"] = setting
    shown = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()

    assert shown == str(options)
