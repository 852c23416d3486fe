"""Rate limits: the request over each limit is refused the right way (429 JSON with Retry-After
for the API, a clear page for forms), and normal use stays well within them.

Limits are lowered per test (they are module constants) so that a handful of requests reach
them; the cache is cleared between tests (tests/conftest.py).
"""

import datetime
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from badges.checkin import api, devices
from badges.checkin.models import Scan
from badges.signing import sign_badge
from registration import ratelimit as registration_limits
from registration.invitation_links import invitation_path
from summit.infrastructure.ratelimit import client_address, client_key
from tests import factories
from tests.world import build_world

# --- The client address ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "203.0.113.9"),
        (0, "198.51.100.1", "203.0.113.9"),  # no proxy: the header is the client's own words
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a spoofed entry on the left is ignored
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "198.51.100.1", "203.0.113.9"),  # fewer entries than proxies: not through them
        (1, "not-an-address", "203.0.113.9"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", **extra)

    assert client_address(request) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),  # an IPv4 client of a dual-stack socket
        ("unknown", "unknown"),
    ],
)
def test_client_key_counts_an_ipv6_client_by_its_64_network(address, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=address)

    assert client_key(request) == expected


def test_allauth_uses_the_same_proxy_count():
    from django.conf import settings

    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT


# --- Check-in API, per device ------------------------------------------------------------------


@pytest.fixture
def world(week_before_the_summit, roles, media_root):
    return build_world()


def _scan(client, world, token):
    body = {"code": sign_badge(world.badge.pk, world.badge.serial), "checkpoint": "main-entrance"}
    return client.post(
        reverse("api:checkin"),
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.mark.django_db
def test_checkin_scans_are_limited_per_device(world, settings):
    settings.CHECKIN_SCANS_PER_MINUTE = 5
    devices.forget_devices()
    _other, other_token = devices.create_device("South door")
    client = Client()

    answers = [_scan(client, world, world.device_token) for _ in range(6)]
    other = _scan(client, world, other_token)

    assert [a.status_code for a in answers] == [200] * 5 + [429]
    refused = answers[-1]
    assert refused.json()["error"] == "too_many_requests"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Scan.objects.count() == 6  # five from the first device, one from the other
    assert other.status_code == 200


@pytest.mark.django_db
def test_checkin_limit_is_generous(settings):
    # A door scans at most a few badges a second; the limit allows one every 0.1 s.
    assert settings.CHECKIN_SCANS_PER_MINUTE >= 600
    assert (
        settings.CHECKIN_BATCHES_PER_MINUTE * api.MAX_BATCH
        >= 10 * settings.CHECKIN_SCANS_PER_MINUTE
    )


@pytest.mark.django_db
def test_checkin_batches_are_limited_per_door_staff_member(world, settings):
    settings.CHECKIN_BATCHES_PER_MINUTE = 2
    client = world.client("door")
    address = reverse("api:checkin-batch")

    codes = [
        client.post(address, "{}", content_type="application/json").status_code for _ in range(3)
    ]
    organiser = world.client("organiser").post(address, "{}", content_type="application/json")

    assert codes == [400, 400, 429]  # an empty batch is invalid, but it counts
    assert organiser.status_code == 400


# --- Invitation codes, per client address ------------------------------------------------------


@pytest.mark.django_db
def test_invitation_code_guessing_is_limited_per_address(world, monkeypatch):
    monkeypatch.setitem(registration_limits.GUESSES["invitation"], "limit", 3)
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    neighbour = Client(REMOTE_ADDR="198.51.100.8")

    def visit(client, path):
        return client.get(path)

    right = invitation_path(world.invitation)
    # Wrong keys of a real code count as much as unknown codes.
    wrong = [right.replace(world.invitation.code, f"WRONG{n}") for n in range(2)]
    wrong.append(right[:-5] + "AAAA/")
    guesses = [visit(guesser, path).status_code for path in wrong]
    blocked = visit(guesser, right)  # even the right link, now
    welcome = visit(neighbour, right)

    assert guesses == [404, 404, 404]
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text
    assert int(blocked["Retry-After"]) > 0
    assert welcome.status_code == 200


@pytest.mark.django_db
def test_invitation_code_guessing_counts_an_ipv6_network_as_one_client(world, monkeypatch):
    monkeypatch.setitem(registration_limits.GUESSES["invitation"], "limit", 2)
    right = invitation_path(world.invitation)
    wrong = right.replace(world.invitation.code, "WRONG")

    guesses = [Client(REMOTE_ADDR=f"2001:db8:1:2::{n}").get(wrong).status_code for n in (1, 2)]
    same_network = Client(REMOTE_ADDR="2001:db8:1:2:ffff::3").get(right)
    next_network = Client(REMOTE_ADDR="2001:db8:1:3::1").get(right)

    assert guesses == [404, 404]
    assert same_network.status_code == 429
    assert next_network.status_code == 200


@pytest.mark.django_db
def test_following_a_real_invitation_link_never_counts(world, monkeypatch):
    monkeypatch.setitem(registration_limits.GUESSES["invitation"], "limit", 3)
    office = Client(REMOTE_ADDR="198.51.100.7")  # a delegation behind one address

    answers = [office.get(invitation_path(world.invitation)).status_code for _ in range(10)]

    assert answers == [200] * 10


@pytest.mark.django_db
def test_limit_counts_the_client_behind_the_proxy(world, monkeypatch, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setitem(registration_limits.GUESSES["invitation"], "limit", 2)
    proxy = Client(REMOTE_ADDR="10.0.0.1")

    def visit(client_ip, path):
        return proxy.get(path, HTTP_X_FORWARDED_FOR=client_ip).status_code

    right = invitation_path(world.invitation)
    wrong = right.replace(world.invitation.code, "WRONG")
    first = [visit("198.51.100.7", wrong), visit("198.51.100.7", wrong)]

    assert first == [404, 404]
    assert visit("198.51.100.7", right) == 429
    assert visit("198.51.100.9", right) == 200


# --- Calendar feeds, per client address, 404s only ---------------------------------------------


@pytest.mark.django_db
def test_calendar_feed_guessing_is_limited_and_real_feeds_are_not(world, monkeypatch):
    monkeypatch.setitem(registration_limits.GUESSES["calendar-feed"], "limit", 3)
    calendar_app = Client(REMOTE_ADDR="198.51.100.20")
    guesser = Client(REMOTE_ADDR="198.51.100.21")
    feed = reverse("registration:calendar-feed", args=[world.guest.calendar_token])

    fetches = [calendar_app.get(feed).status_code for _ in range(10)]
    guesses = [
        guesser.get(reverse("registration:calendar-feed", args=[f"guess{n}"])).status_code
        for n in range(3)
    ]
    blocked = guesser.get(feed)

    assert fetches == [200] * 10
    assert guesses == [404, 404, 404]
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert calendar_app.get(feed).status_code == 200


# --- Forms: registration, accounts (allauth) ---------------------------------------------------


@pytest.mark.django_db
def test_password_reset_requests_are_limited_with_a_clear_page(world):
    client = Client(REMOTE_ADDR="198.51.100.30")
    address = reverse("account_reset_password")
    email = world.guest.email

    answers = [client.post(address, {"email": email}) for _ in range(6)]

    # Five a minute for one address (ACCOUNT_RATE_LIMITS "reset_password": "…,5/m/key").
    assert [a.status_code for a in answers] == [302] * 5 + [429]
    assert "Too many attempts" in answers[-1].text
    assert 'class="site-header"' in answers[-1].text  # the site's own page, not a bare one


@pytest.mark.django_db
def test_password_reset_page_is_translated(world):
    client = Client(REMOTE_ADDR="198.51.100.31", HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": world.guest.email})

    refused = client.post(reverse("account_reset_password"), {"email": world.guest.email})

    assert refused.status_code == 429
    assert "Too many attempts" not in refused.text


@pytest.mark.django_db
def test_failed_logins_are_limited_even_with_the_right_password_after(world):
    client = Client(REMOTE_ADDR="198.51.100.40")
    address = reverse("account_login")
    email = world.guest.email

    wrong = [client.post(address, {"login": email, "password": "nope"}) for _ in range(5)]
    right = client.post(address, {"login": email, "password": "correct horse battery staple"})

    assert all(answer.status_code == 200 for answer in wrong)
    assert right.status_code in {200, 429}
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_one_login_with_the_right_password_goes_through(world):
    client = Client(REMOTE_ADDR="198.51.100.41")
    response = client.post(
        reverse("account_login"),
        {"login": world.guest.email, "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world.guest.user_id


@pytest.mark.django_db
def test_sign_ups_are_limited_per_address(roles, summit):
    client = Client(REMOTE_ADDR="198.51.100.50")
    address = reverse("account_signup")

    def sign_up(n):
        data = {"email": f"new{n}@example.org", "password1": "Bayline-2026!x"}
        data["password2"] = data["password1"]
        return client.post(address, data).status_code

    answers = [sign_up(n) for n in range(21)]

    assert answers[:20] == [302] * 20  # "signup": "20/h/ip"
    assert answers[20] == 429
    assert factories.UserFactory._meta.model.objects.filter(email="new20@example.org").count() == 0


# --- The shared cache of production ------------------------------------------------------------

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture
def redis_cache(settings):
    """The limits counted in a real Redis, as in production (skipped without one)."""
    import redis
    from django.core.cache import caches

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"bayline-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",  # as in production
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield caches["default"]
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):  # only ours: clear() would empty the database
        client.delete(key)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_limits_count_in_redis_across_processes(redis_cache, time_machine):
    from summit.infrastructure import ratelimit

    # Half-way through a minute, standing still: the five hits fall in one window.
    time_machine.move_to(datetime.datetime(2026, 12, 8, 4, 0, 30, tzinfo=datetime.UTC), tick=False)
    window = int(time.time() // 60)
    who = uuid.uuid4().hex
    answers = [ratelimit.hit("test", who, limit=3, window=60) for _ in range(4)]
    elsewhere = ratelimit.exceeded("test", who, limit=3, window=60)
    import redis

    stored = redis.Redis.from_url(REDIS_URL).keys(f"*ratelimit:test:{who}:*")

    assert answers == [None, None, None, 30]  # Retry-After: the rest of the minute
    assert elsewhere == 30
    assert [key.decode() for key in stored] == [
        f"{redis_cache.key_prefix}:1:ratelimit:test:{who}:60:{window}"
    ]
    assert 0 < redis.Redis.from_url(REDIS_URL).ttl(stored[0]) <= 61  # the window expires
    assert redis_cache.get(f"ratelimit:test:{who}:60:{window}") == 4  # in Redis itself
    assert ratelimit.hit("test", uuid.uuid4().hex, limit=3, window=60) is None


# Each process counts hits from four threads that start at the same moment, so that the first
# hits of the window race each other in every process, and the processes race each other.
COUNTING_PROCESS = """
import sys, threading
import django
django.setup()
from summit.infrastructure import ratelimit
who, hits = sys.argv[1], int(sys.argv[2])
start = threading.Barrier(4)
allowed = []
def door():
    start.wait()
    for _ in range(hits):
        allowed.append(ratelimit.hit("test", who, limit=100, window=10**9) is None)
threads = [threading.Thread(target=door) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sum(allowed))
"""


def test_limits_count_every_hit_of_concurrent_processes_once(redis_cache):
    import redis

    who = uuid.uuid4().hex
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "summit.settings",
        "REDIS_URL": REDIS_URL,
    }
    root = Path(__file__).resolve().parents[2]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", COUNTING_PROCESS, who, "15"],
            cwd=root,
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    client = redis.Redis.from_url(REDIS_URL)
    try:
        allowed = [int(process.communicate(timeout=120)[0]) for process in processes]
        stored = client.keys(f"*ratelimit:test:{who}:*")
        counts = [int(client.get(key)) for key in stored]
        expiry = client.ttl(stored[0])
    finally:
        for key in client.scan_iter(f"*ratelimit:test:{who}:*"):
            client.delete(key)

    # 4 processes × 4 threads × 15 hits = 240, of which exactly the first 100 are allowed.
    assert sum(allowed) == 100
    assert [process.returncode for process in processes] == [0, 0, 0, 0]
    assert counts == [240]
    assert 0 < expiry <= 10**9 + 1


@pytest.mark.django_db
def test_allauth_counts_the_client_behind_the_proxy(roles, settings):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    address = reverse("account_login")

    def fail(client_ip, n):
        data = {"login": f"nobody{n}@example.org", "password": "wrong"}
        forwarded = f"6.6.6.{n}, {client_ip}, 10.0.0.1"  # the left entry is the client's lie
        return proxy.post(address, data, HTTP_X_FORWARDED_FOR=forwarded)

    attempts = [fail("198.51.100.60", n) for n in range(11)]  # "login_failed": "10/m/ip"
    neighbour = fail("198.51.100.61", 0)
    short_header = proxy.post(address, {"login": "a@example.org", "password": "x"},
                              HTTP_X_FORWARDED_FOR="198.51.100.62")  # fmt: skip

    refused = "Too many failed attempts. Wait a few minutes."
    assert all(refused not in a.text for a in attempts[:10])
    assert refused in attempts[10].text  # the form says so (allauth answers 200 here)
    assert neighbour.status_code == 200 and refused not in neighbour.text
    assert short_header.status_code == 200  # allauth alone would fail here with a 500
