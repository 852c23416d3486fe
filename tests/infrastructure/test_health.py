from unittest import mock

import pytest
from django.db import DatabaseError


@pytest.mark.django_db
def test_health_answers_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_health_answers_503_naming_the_database_when_it_fails(client):
    with mock.patch(
        "summit.infrastructure.health.connection.cursor", side_effect=DatabaseError("down")
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable", "cache": "ok"}


@pytest.mark.django_db
def test_every_response_carries_security_headers(client, summit):
    response = client.get("/")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Permissions-Policy"] == "camera=(self), microphone=(), geolocation=()"


def test_json_log_lines_carry_extra_fields():
    import json
    import logging

    from summit.infrastructure.logs import JSONFormatter

    record = logging.makeLogRecord(
        {
            "name": "bayline.test",
            "levelname": "INFO",
            "msg": "scan %s",
            "args": ("ok",),
            "checkpoint": "hall-a",
        }
    )

    line = json.loads(JSONFormatter().format(record))

    assert line["message"] == "scan ok"
    assert line["logger"] == "bayline.test"
    assert line["checkpoint"] == "hall-a"
