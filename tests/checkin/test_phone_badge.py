"""The badge page on the phone, its manifest and its service worker, through the test client."""

import json
import re

import pytest
from django.contrib.staticfiles import finders

from badges.phone import qr_svg_path
from badges.qr import qr_matrix
from badges.signing import sign_badge
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_code_of_the_active_badge(client, badge):
    client.force_login(badge.registration.user)

    response = client.get("/me/badge/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    _size, path = qr_svg_path(sign_badge(badge.pk, badge.serial))
    assert f'd="{path}"' in response.text
    assert f'data-serial="{badge.serial}"' in response.text
    assert badge.registration.name_latin in response.text
    assert '<link rel="manifest" href="/me/badge/manifest.webmanifest">' in response.text


def test_the_svg_path_draws_every_dark_module_once():
    code = sign_badge(41, 3)
    matrix = qr_matrix(code)
    size, path = qr_svg_path(code)

    drawn = [[False] * size for _ in range(size)]
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path)
    assert "".join(f"M{x} {y}h{w}v1h-{w}z" for x, y, w in runs) == path
    for x, y, width in ((int(x), int(y), int(w)) for x, y, w in runs):
        for column in range(x, x + width):
            assert not drawn[y][column]
            drawn[y][column] = True
    assert size == len(matrix)
    assert drawn == matrix


def test_no_confirmed_registration_no_badge(client, summit):
    registration = factories.RegistrationFactory(summit=summit, status="pending")
    client.force_login(registration.user)

    response = client.get("/me/badge/")

    assert response.status_code == 404
    assert "not confirmed" in response.text
    assert "<svg" not in response.text


def test_anonymous_is_sent_to_log_in(client, summit):
    response = client.get("/me/badge/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_manifest_lets_the_badge_be_added_to_the_home_screen(client, summit):
    response = client.get("/me/badge/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/me/badge/",
        "/me/badge/",
        "standalone",
    )
    assert [icon["sizes"] for icon in manifest["icons"]] == ["192x192", "512x512"]
    assert all(finders.find(icon["src"].removeprefix("/static/")) for icon in manifest["icons"])


def test_the_service_worker_is_served_from_the_badge_page_scope(client, summit):
    response = client.get("/me/badge/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert 'const PAGE = "/me/badge/";' in response.text
    assert "/static/badges/phone_badge.css" in response.text
