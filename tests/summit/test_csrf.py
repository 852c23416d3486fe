"""Cross-site request forgery: every state-changing POST needs the CSRF token.

The routes come from the permission matrix (every entry with a POST a role may make) plus the
account forms of allauth. Each is posted, by a role allowed to, from a client that enforces
the CSRF check and sends no token: 403, and the database is as it was. The check-in API is
the one exception: a device's Bearer token is not a cookie, so it needs no CSRF token, while a
door-staff session does.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from badges.checkin.models import Scan
from badges.signing import sign_badge
from tests.summit.test_permission_matrix import REFUSED, ROUTES
from tests.world import ROLES, build_world, snapshot


def _state_changing() -> list[tuple[str, str]]:
    """(route name, first role allowed to POST it) for every POST the matrix lets through."""
    cases = []
    for name, route in sorted(ROUTES.items()):
        # The guest API never reads a session (bearer tokens only): nothing for CSRF to guard.
        if route.post is None or name.startswith("api:guest-"):
            continue
        allowed = [
            role for role, outcome in zip(ROLES, route.post, strict=True) if outcome not in REFUSED
        ]
        if allowed and name != "set_language":
            cases.append((name, allowed[-1] if "organiser" in allowed else allowed[0]))
    return cases


# allauth's forms (GET-only in the matrix), with a role that may post them.
ACCOUNT_FORMS = [
    ("account_login", "anonymous", {"login": "aurelia.leakcheck@example.org", "password": "x"}),
    ("account_signup", "anonymous", {"email": "new@example.org", "password1": "a-Long-pass-1"}),
    ("account_reset_password", "anonymous", {"email": "aurelia.leakcheck@example.org"}),
    ("account_logout", "guest", {}),
    ("account_change_password", "guest", {"oldpassword": "x", "password1": "y"}),
    ("account_email", "guest", {"email": "second@example.org", "action_add": ""}),
    ("set_language", "guest", {"language": "zh-hans"}),
]


@pytest.fixture
def world(week_before_the_summit, roles, media_root):
    return build_world()


def _csrf_client(world, role: str) -> Client:
    return world.client(role, enforce_csrf_checks=True)


def test_the_matrix_has_state_changing_routes():
    # Guards the derivation above: if it found nothing, the next test would check nothing.
    assert len(_state_changing()) >= 25


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), _state_changing())
def test_post_without_token_is_refused_and_changes_nothing(world, name, role):
    route = ROUTES[name]
    address = route.url(world)
    data = route.post_data(world) if route.post_data else {}
    before = snapshot()

    response = _csrf_client(world, role).post(address, data)

    assert response.status_code == 403, f"POST {address} as {role}"
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "data"), ACCOUNT_FORMS)
def test_account_form_without_token_is_refused(world, name, role, data):
    client = _csrf_client(world, role)
    before = snapshot()

    response = client.post(reverse(name), data)

    assert response.status_code == 403
    assert snapshot() == before
    if role == "guest":  # still signed in: the logout did not happen
        assert client.get(reverse("registration:mine")).status_code == 200


@pytest.mark.django_db
def test_post_with_token_goes_through(world):
    """The same client with the token is accepted (the 403s above are the CSRF check's)."""
    client = _csrf_client(world, "guest")
    client.get(reverse("registration:cancel"))
    token = client.cookies["csrftoken"].value

    response = client.post(reverse("registration:cancel"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    world.guest.refresh_from_db()
    assert world.guest.status == "cancelled"


# --- The check-in API --------------------------------------------------------------------------


def _scan_body(world) -> str:
    code = sign_badge(world.badge.pk, world.badge.serial)
    return json.dumps({"code": code, "checkpoint": world.checkpoint.slug})


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["api:checkin", "api:checkin-batch"])
def test_session_scan_without_csrf_token_is_refused(world, url_name):
    client = _csrf_client(world, "door")
    body = _scan_body(world)
    if url_name == "api:checkin-batch":
        body = json.dumps({"scans": [json.loads(body)]})

    response = client.post(reverse(url_name), body, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["error"] == "csrf"
    assert Scan.objects.count() == 0


@pytest.mark.django_db
def test_session_scan_with_csrf_token_is_answered(world):
    client = _csrf_client(world, "door")
    client.get(reverse("checkin:door"))
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse("api:checkin"),
        _scan_body(world),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert response.status_code == 200
    assert Scan.objects.count() == 1


@pytest.mark.django_db
def test_device_bearer_token_needs_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)  # no session, no cookie at all

    response = client.post(
        reverse("api:checkin"),
        _scan_body(world),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.device_token}",
    )

    assert response.status_code == 200
    assert "status" in response.json()
    assert Scan.objects.count() == 1
