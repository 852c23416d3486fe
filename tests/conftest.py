"""Fixtures shared by every test. Model data comes from tests/factories.py."""

import datetime
import os
import time

import pytest
from django.contrib.auth.models import Group

from summit.roles import DOOR_STAFF, GUEST, ORGANISER, sync_roles
from tests import factories

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# ORM calls made by the test itself while a browser is open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Fast password hashing; tasks run inline (after commit) instead of in a worker.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "email", "badges"],
        }
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process: its memory cache is as shared as Redis is in production, so the tests go
    # through what production caches (and must see every change at once).
    settings.CACHE_IS_SHARED = True


@pytest.fixture(autouse=True)
def _english_by_default():
    # LocaleMiddleware activates the language of each test-client request for the thread and
    # leaves it active; start every test in English so that none depends on test order.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords or "e2e" in item.keywords:
            item.add_marker(skip)


def someone_waits_for_my_lock(timeout: float = 10) -> bool:
    """Whether another backend comes to wait for a lock this connection holds (PostgreSQL;
    polled until ``timeout``): the moment to go on in a test of what waits for what."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks "
                "WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


@pytest.fixture
def first_day_noon(time_machine):
    """It is noon on the first day of the summit, whatever today is, and the clock stands
    still unless a test moves it (``clock.move_to(at(2, 1))``). Every clock of this process
    reads it (``timezone.now()``, ``time.time()``), the live server's threads too, and
    browser contexts start from it (``browser_context``). The badges and check-in tests use
    it for every test (their ``clock`` fixture)."""
    time_machine.move_to(factories.at(1, 12), tick=False)
    return time_machine


@pytest.fixture
def week_before_the_summit(time_machine):
    """It is a week before the summit's first day, whatever today is, and the clock runs on
    from there: guests may still choose every session, change and cancel (a session stops
    being a choice when it starts, and everything stops once the summit is over). Request it
    before the fixtures that make the summit (its registration window is built from now)."""
    time_machine.move_to(factories.at(-6, 10).astimezone(datetime.UTC), tick=True)
    return time_machine


@pytest.fixture
def summit(db):
    return factories.SummitFactory()


@pytest.fixture
def roles(db):
    sync_roles()


def _user_in(role: str, username: str):
    user = factories.UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def organiser(roles):
    return _user_in(ORGANISER, "organiser")


@pytest.fixture
def door_staff(roles):
    return _user_in(DOOR_STAFF, "door")


@pytest.fixture
def guest_user(roles):
    return _user_in(GUEST, "guest")


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


# --- Headless Chromium (Playwright driving Debian's chromium) ---------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Chromium hangs under libfaketime (CI runs the suite with the clock moved that way):
    # it runs on the real clock, and each context reads the server's time (browser_context).
    environment = {
        name: value
        for name, value in os.environ.items()
        if name != "LD_PRELOAD" and not name.startswith("FAKETIME")
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            env=environment,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def browser_context(browser, *, ahead: datetime.timedelta = datetime.timedelta(0), **options):
    """A new browser context whose clock reads what the server's reads (``time.time()``:
    moved by time-machine in a test, or by libfaketime for the whole run), plus ``ahead``
    for a device whose clock runs fast. The clock then runs on, as a phone's does."""
    context = browser.new_context(**options)
    context.clock.install(time=time.time() + ahead.total_seconds())
    return context


def logged_in_context(browser, live_server, user, **options):
    """A browser context (``browser_context``) with ``user``'s login session (None: nobody)."""
    from django.conf import settings
    from django.test import Client

    context = browser_context(browser, **options)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
    return context


@pytest.fixture
def phone_page(browser):
    """A page the size of a phone, with touch, as most guests see the site."""
    context = browser_context(
        browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded and generated files (print jobs) go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A database alias "replica" for the tests of the read replica: a mirror of the test
    database (as Django tests primary/replica set-ups), a second connection to it. Unused
    unless a test asks for the ``replica`` fixture (which installs the router) and lists
    "replica" in its ``django_db(databases=…)``."""
    from django.db import connections

    from summit.infrastructure.databases import REPLICA

    primary = connections.settings["default"]
    connections.settings[REPLICA] = {
        **primary,
        "TEST": {**primary["TEST"], "MIRROR": "default"},
    }


@pytest.fixture
def replica(settings):
    """A read replica configured (as DATABASE_REPLICA_URL does): the router sends the reads
    it allows to the "replica" connection. Use with
    ``django_db(transaction=True, databases=["default", "replica"])``: the replica sees
    committed rows only."""
    from django.db import connections

    from summit.infrastructure.databases import REPLICA

    settings.DATABASE_ROUTERS = ["summit.infrastructure.databases.ReplicaRouter"]
    return connections[REPLICA]
