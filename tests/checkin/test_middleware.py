"""Device scans skip the page middleware (badges/checkin/middleware.py) and answer the same."""

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client
from django.urls import resolve

from badges.checkin.middleware import DEVICE_VIEWS
from tests.checkin.conftest import code_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions_opened(monkeypatch):
    opened = []
    process_request = SessionMiddleware.process_request

    def spy(self, request):
        opened.append(request.path)
        return process_request(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", spy)
    return opened


@pytest.mark.parametrize("path", sorted(DEVICE_VIEWS))
def test_the_urlconf_routes_each_device_path_to_the_same_view(path):
    assert resolve(path).func is DEVICE_VIEWS[path]


def test_a_device_scan_skips_the_page_middleware_and_keeps_every_header(
    scan_api, token, checkpoint, badge, sessions_opened
):
    response = scan_api(
        {"code": code_of(badge), "checkpoint": "main-entrance"},
        token=token,
        HTTP_ACCEPT_LANGUAGE="zh-hant",
    )

    assert response.status_code == 200
    assert response.json()["message"] == "准予入場"
    assert sessions_opened == []
    assert response["Content-Language"] == "zh-hant"
    assert "Accept-Language" in response["Vary"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert int(response["Content-Length"]) == len(response.content)
    assert "Set-Cookie" not in response


def test_a_device_batch_and_its_errors_take_the_short_path_too(
    scan_api, token, checkpoint, sessions_opened
):
    response = scan_api({"scans": []}, token=token, url="/api/v1/checkin/batch")
    wrong_token = scan_api({"code": "x", "checkpoint": "main-entrance"}, token="not-a-token")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert wrong_token.status_code == 401
    assert sessions_opened == []


def test_door_staff_scans_with_a_session_go_down_the_whole_stack(
    door_staff, checkpoint, badge, sessions_opened
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(door_staff)
    sessions_opened.clear()

    refused = client.post(
        "/api/v1/checkin",
        {"code": code_of(badge), "checkpoint": "main-entrance"},
        content_type="application/json",
    )

    assert sessions_opened == ["/api/v1/checkin"]
    assert refused.status_code == 403
    assert refused.json()["error"] == "csrf"
