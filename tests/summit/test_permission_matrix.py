"""Every URL of the project, requested as every kind of user.

ROUTES has one entry per named URL pattern; a new route without an entry fails
``test_every_route_has_an_entry``. Each entry says how to build the URL from the objects of
tests/world.py and what each role gets for GET and for POST (when the route changes things):

    LOGIN   302 to the login page          REDIRECT  302 elsewhere (done, or nothing to do)
    200/400/401/403/404/405                the status itself

The roles, in the order of the tuples: anonymous, guest (guest A, a confirmed registration),
other_guest (guest B: must never see or change A's data), door staff, organiser.

Besides the status, every refused request (LOGIN, 401, 403, 404, 405) must leave the database
as it was, and no response to anonymous or guest B may contain guest A's name or e-mail.
Django admin pages (``admin/…``) are checked as one rule: nobody here is staff, so each one
sends everybody to the admin login.
"""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from registration.invitation_links import invitation_path
from tests.world import LEAK_MARKERS, ROLES, World, build_world, finish, snapshot

LOGIN = "login"
REDIRECT = "redirect"

# Shorthands for the usual rows (anonymous, guest, other_guest, door, organiser).
PUBLIC = (200, 200, 200, 200, 200)
SIGNED_IN = (LOGIN, 200, 200, 200, 200)
ORGANISERS = (LOGIN, 403, 403, 403, 200)
DOOR_AND_ORGANISERS = (LOGIN, 403, 403, 200, 200)
SAFE_ONLY = (405, 405, 405, 405, 405)  # a GET-only view refuses POST
LOGIN_THEN_405 = (LOGIN, 405, 405, 405, 405)


@dataclass(frozen=True)
class Route:
    url: Callable[[World], str]
    get: tuple
    post: tuple | None = None
    post_data: Callable[[World], dict] | None = None


def url(name: str, *args: Callable[[World], object]) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[arg(w) for arg in args])


ROUTES: dict[str, Route] = {
    # --- Public pages (sessions) --------------------------------------------------------------
    "home": Route(url("home"), PUBLIC, SAFE_ONLY),
    "agenda:agenda": Route(url("agenda:agenda"), PUBLIC, SAFE_ONLY),
    "agenda:forum-colours": Route(url("agenda:forum-colours"), PUBLIC, SAFE_ONLY),
    "agenda:forums": Route(url("agenda:forums"), PUBLIC, SAFE_ONLY),
    "agenda:forum": Route(url("agenda:forum", lambda w: w.forum.slug), PUBLIC, SAFE_ONLY),
    "agenda:session": Route(url("agenda:session", lambda w: w.session.uid), PUBLIC, SAFE_ONLY),
    "agenda:speakers": Route(url("agenda:speakers"), PUBLIC, SAFE_ONLY),
    "agenda:speaker": Route(url("agenda:speaker", lambda w: w.speaker.slug), PUBLIC, SAFE_ONLY),
    "api:agenda": Route(url("api:agenda"), PUBLIC, SAFE_ONLY),
    "agenda:calendar-agenda": Route(url("agenda:calendar-agenda"), PUBLIC, SAFE_ONLY),
    "agenda:calendar-forum": Route(
        url("agenda:calendar-forum", lambda w: w.forum.slug), PUBLIC, SAFE_ONLY
    ),
    "agenda:calendar-session": Route(
        url("agenda:calendar-session", lambda w: w.session.pk), PUBLIC, SAFE_ONLY
    ),
    # --- Agenda management (manage_agenda) ----------------------------------------------------
    "agenda:organiser-overview": Route(url("agenda:organiser-overview"), ORGANISERS),
    "agenda:organiser-forums": Route(url("agenda:organiser-forums"), ORGANISERS),
    "agenda:organiser-forum-create": Route(
        url("agenda:organiser-forum-create"), ORGANISERS, ORGANISERS
    ),
    "agenda:organiser-forum-edit": Route(
        url("agenda:organiser-forum-edit", lambda w: w.forum.pk), ORGANISERS, ORGANISERS
    ),
    "agenda:organiser-forum-delete": Route(
        url("agenda:organiser-forum-delete", lambda w: w.forum.pk),
        ORGANISERS,
        (LOGIN, 403, 403, 403, 200),  # guests are enrolled: explained, not deleted
    ),
    "agenda:organiser-sessions": Route(url("agenda:organiser-sessions"), ORGANISERS),
    "agenda:organiser-session-create": Route(
        url("agenda:organiser-session-create"), ORGANISERS, ORGANISERS
    ),
    "agenda:organiser-session-edit": Route(
        url("agenda:organiser-session-edit", lambda w: w.session.pk), ORGANISERS, ORGANISERS
    ),
    "agenda:organiser-session-delete": Route(
        url("agenda:organiser-session-delete", lambda w: w.session.pk),
        ORGANISERS,
        (LOGIN, 403, 403, 403, REDIRECT),
    ),
    "agenda:organiser-rooms": Route(url("agenda:organiser-rooms"), ORGANISERS),
    "agenda:organiser-room-create": Route(
        url("agenda:organiser-room-create"), ORGANISERS, ORGANISERS
    ),
    "agenda:organiser-room-edit": Route(
        url("agenda:organiser-room-edit", lambda w: w.room.pk), ORGANISERS, ORGANISERS
    ),
    "agenda:organiser-room-delete": Route(
        url("agenda:organiser-room-delete", lambda w: w.room.pk),
        ORGANISERS,
        (LOGIN, 403, 403, 403, 200),  # the room still holds a forum: explained, not deleted
    ),
    "agenda:organiser-speakers": Route(url("agenda:organiser-speakers"), ORGANISERS),
    "agenda:organiser-speaker-create": Route(
        url("agenda:organiser-speaker-create"), ORGANISERS, ORGANISERS
    ),
    "agenda:organiser-speaker-edit": Route(
        url("agenda:organiser-speaker-edit", lambda w: w.speaker.pk), ORGANISERS, ORGANISERS
    ),
    "agenda:organiser-speaker-delete": Route(
        url("agenda:organiser-speaker-delete", lambda w: w.speaker.pk),
        ORGANISERS,
        (LOGIN, 403, 403, 403, REDIRECT),
    ),
    # --- The guest's own registration ---------------------------------------------------------
    "registration:register": Route(
        url("registration:register"),
        (LOGIN, REDIRECT, REDIRECT, 200, 200),
        (LOGIN, 200, 200, 200, 200),  # an empty form: shown again with its errors
    ),
    "registration:invitation": Route(
        lambda w: invitation_path(w.invitation),
        (200, 200, 200, 200, 200),
    ),
    "registration:mine": Route(url("registration:mine"), (LOGIN, 200, 200, REDIRECT, REDIRECT)),
    "registration:choices": Route(
        url("registration:choices"),
        (LOGIN, 200, 200, REDIRECT, REDIRECT),
        (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),  # no choices: saved, each their own
    ),
    # Guest A's enrolment: only A may cancel it; for everybody else it does not exist.
    "registration:cancel-enrolment": Route(
        url("registration:cancel-enrolment", lambda w: w.enrolment.pk),
        LOGIN_THEN_405,
        (LOGIN, REDIRECT, 404, 404, 404),
    ),
    "registration:cancel": Route(
        url("registration:cancel"),
        (LOGIN, 200, 200, REDIRECT, REDIRECT),
        (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "registration:my-data": Route(url("registration:my-data"), SIGNED_IN),
    "registration:delete-account": Route(
        url("registration:delete-account"),
        SIGNED_IN,
        # Without the confirmation box ticked: back to the page, nothing deleted.
        (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "registration:calendar-feed": Route(
        # The secret token is the key (calendar clients send no cookie).
        url("registration:calendar-feed", lambda w: w.guest.calendar_token),
        PUBLIC,
        SAFE_ONLY,
    ),
    "registration:calendar-feed-reset": Route(
        url("registration:calendar-feed-reset"),
        LOGIN_THEN_405,
        (LOGIN, REDIRECT, REDIRECT, 404, 404),
    ),
    # --- Guest management (manage_guests) -----------------------------------------------------
    "registration:organiser-guests": Route(url("registration:organiser-guests"), ORGANISERS),
    "registration:organiser-guests-bulk": Route(
        url("registration:organiser-guests-bulk"),
        (LOGIN, 403, 403, 403, 405),
        (LOGIN, 403, 403, 403, REDIRECT),
    ),
    "registration:organiser-guests-import": Route(
        url("registration:organiser-guests-import"), ORGANISERS, ORGANISERS
    ),
    "registration:organiser-guests-export": Route(
        url("registration:organiser-guests-export", lambda w: "csv"), ORGANISERS
    ),
    "registration:organiser-guest": Route(
        url("registration:organiser-guest", lambda w: w.guest.pk), ORGANISERS
    ),
    "registration:organiser-guest-edit": Route(
        url("registration:organiser-guest-edit", lambda w: w.guest.pk), ORGANISERS, ORGANISERS
    ),
    "registration:organiser-guest-action": Route(
        url("registration:organiser-guest-action", lambda w: w.guest.pk, lambda w: "cancel"),
        (LOGIN, 403, 403, 403, 405),
        (LOGIN, 403, 403, 403, REDIRECT),
    ),
    "registration:organiser-invitations": Route(
        url("registration:organiser-invitations"), ORGANISERS, ORGANISERS
    ),
    "registration:organiser-invitation-action": Route(
        url(
            "registration:organiser-invitation-action",
            lambda w: w.invitation.pk,
            lambda w: "revoke",
        ),
        (LOGIN, 403, 403, 403, 405),
        (LOGIN, 403, 403, 403, REDIRECT),
    ),
    # --- Badges -------------------------------------------------------------------------------
    # Each guest gets their own badge; staff have no registration, hence no badge.
    "badges:my-badge": Route(url("badges:my-badge"), (LOGIN, 200, 200, 404, 404)),
    "badges:phone-badge": Route(url("badges:phone-badge"), (LOGIN, 200, 200, 404, 404)),
    "badges:phone-badge-manifest": Route(url("badges:phone-badge-manifest"), PUBLIC, PUBLIC),
    "badges:phone-badge-worker": Route(url("badges:phone-badge-worker"), PUBLIC, PUBLIC),
    "badges:registration-badge": Route(
        url("badges:registration-badge", lambda w: w.guest.pk), DOOR_AND_ORGANISERS
    ),
    "badges:print-jobs": Route(url("badges:print-jobs"), DOOR_AND_ORGANISERS, DOOR_AND_ORGANISERS),
    "badges:reissue": Route(
        url("badges:reissue", lambda w: w.guest.pk),
        SAFE_ONLY,
        (LOGIN, 403, 403, 403, REDIRECT),
    ),
    "badges:print-job-status": Route(
        url("badges:print-job-status", lambda w: w.print_job.pk), DOOR_AND_ORGANISERS
    ),
    "badges:print-job-download": Route(
        url("badges:print-job-download", lambda w: w.print_job.pk), DOOR_AND_ORGANISERS
    ),
    # --- Door check-in ------------------------------------------------------------------------
    # JSON API: 401 without a login or device token, 403 without scan permission; the form
    # body posted here is a 415 for the door (tests/badges/ cover real scans).
    "api:checkin": Route(url("api:checkin"), (405,) * 5, (401, 403, 403, 415, 415)),
    "api:checkin-batch": Route(url("api:checkin-batch"), (405,) * 5, (401, 403, 403, 415, 415)),
    "api:checkin-offline-data": Route(
        url("api:checkin-offline-data"), (401, 403, 403, 200, 200), (405,) * 5
    ),
    "api:checkin-search": Route(
        lambda w: reverse("api:checkin-search") + "?q=Aurelia",
        (401, 403, 403, 200, 200),
        (405,) * 5,
    ),
    "checkin:door": Route(url("checkin:door"), DOOR_AND_ORGANISERS),
    "checkin:checkin-jsi18n": Route(url("checkin:checkin-jsi18n"), PUBLIC),
    "checkin:checkin-setup": Route(url("checkin:checkin-setup"), ORGANISERS, ORGANISERS),
    "checkin:checkpoint-create": Route(url("checkin:checkpoint-create"), ORGANISERS, ORGANISERS),
    "checkin:checkpoint-edit": Route(
        url("checkin:checkpoint-edit", lambda w: w.checkpoint.pk), ORGANISERS, ORGANISERS
    ),
    "checkin:device-revoke": Route(
        url("checkin:device-revoke", lambda w: w.device.pk),
        SAFE_ONLY,
        (LOGIN, 403, 403, 403, REDIRECT),
    ),
    "checkin:attendance": Route(url("checkin:attendance"), ORGANISERS),
    "checkin:attendance-data": Route(url("checkin:attendance-data"), ORGANISERS),
    # Room occupancy (the door's figure is in the check-in API; the pages in occupancy_views).
    "api:checkin-occupancy": Route(
        lambda w: reverse("api:checkin-occupancy") + f"?checkpoint={w.checkpoint.slug}",
        (401, 403, 403, 200, 200),
        (405,) * 5,
    ),
    "checkin:attendance-occupancy": Route(url("checkin:attendance-occupancy"), ORGANISERS),
    "checkin:attendance-report": Route(
        url("checkin:attendance-report", lambda w: "xlsx"), ORGANISERS
    ),
    "checkin:occupancy-rule": Route(url("checkin:occupancy-rule"), ORGANISERS, ORGANISERS),
    # --- Summit -------------------------------------------------------------------------------
    "organiser-dashboard": Route(url("organiser-dashboard"), ORGANISERS),
    "summit-settings": Route(url("summit-settings"), ORGANISERS, ORGANISERS),
    "api:openapi": Route(url("api:openapi"), PUBLIC, SAFE_ONLY),
    # Guest API: bearer tokens only, never a session (tests/registration/test_guest_api.py);
    # a form body is a 415 for the code flow.
    "api:guest-code": Route(url("api:guest-code"), (405,) * 5, (415,) * 5),
    "api:guest-token": Route(url("api:guest-token"), (405,) * 5, (415,) * 5),
    "api:guest-registration": Route(url("api:guest-registration"), (401,) * 5, SAFE_ONLY),
    "api:guest-choices": Route(url("api:guest-choices"), SAFE_ONLY, SAFE_ONLY),
    "api:guest-choice": Route(url("api:guest-choice", lambda w: 1), SAFE_ONLY, SAFE_ONLY),
    "api:guest-agenda": Route(url("api:guest-agenda"), (401,) * 5, SAFE_ONLY),
    "api:guest-badge": Route(url("api:guest-badge"), (401,) * 5, SAFE_ONLY),
    # Any other address under /api/v1/ is a JSON 404 (tests/agenda/test_api.py).
    "api:api-root": Route(url("api:api-root"), (404,) * 5, (404,) * 5),
    "health": Route(url("health"), PUBLIC),
    "set_language": Route(
        url("set_language"), (REDIRECT,) * 5, (REDIRECT,) * 5, lambda w: {"language": "en"}
    ),
    # --- Accounts (django-allauth) ------------------------------------------------------------
    "account_login": Route(url("account_login"), (200, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "account_logout": Route(url("account_logout"), (REDIRECT, 200, 200, 200, 200)),
    "account_inactive": Route(url("account_inactive"), PUBLIC),
    "account_signup": Route(url("account_signup"), (200, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "account_reauthenticate": Route(url("account_reauthenticate"), SIGNED_IN),
    "account_request_reauthentication_code": Route(
        url("account_request_reauthentication_code"), SIGNED_IN
    ),
    "account_confirm_reauthentication_code": Route(
        url("account_confirm_reauthentication_code"),
        (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),  # no code was asked for
    ),
    "account_email": Route(url("account_email"), SIGNED_IN),
    "account_email_verification_sent": Route(url("account_email_verification_sent"), PUBLIC),
    "account_change_password": Route(url("account_change_password"), SIGNED_IN),
    "account_set_password": Route(
        url("account_set_password"), (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    "account_reset_password": Route(url("account_reset_password"), PUBLIC),
    "account_request_login_code": Route(
        url("account_request_login_code"), (200, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    "account_confirm_login_code": Route(
        url("account_confirm_login_code"), (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    "account_confirm_email": Route(url("account_confirm_email", lambda w: "nokey"), PUBLIC),
    "account_reset_password_from_key_done": Route(
        url("account_reset_password_from_key_done"), PUBLIC
    ),
    "account_reset_password_from_key": Route(
        url("account_reset_password_from_key", lambda w: "1", lambda w: "nokey"), PUBLIC
    ),
    "account_reset_password_done": Route(url("account_reset_password_done"), PUBLIC),
}

# Django's admin: nobody above is staff, so every admin page sends everybody to its login.
ADMIN_PREFIX = "admin/"
ADMIN_OWN_PAGES = {"admin:login": PUBLIC, "admin:logout": (REDIRECT,) * 5}  # to admin:index


def _patterns(resolver=None, prefix="", namespace=""):
    """(name, route) of every URL pattern, namespaces included."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield name, prefix + str(pattern.pattern)


def _admin_url(route: str) -> str:
    """A concrete address for an admin pattern (object 1, the auth app, an unknown page)."""
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<app_label>[^)]*\)", "auth", path)
    path = re.sub(r"\(\?P<url>[^)]*\)", "no-such-page/", path)
    path = re.sub(r"<(?:\w+:)?\w+>", "1", path)
    return "/" + path


PROJECT_PATTERNS = [(n, r) for n, r in _patterns() if not r.startswith(ADMIN_PREFIX)]
ADMIN_PATTERNS = [(n, r) for n, r in _patterns() if r.startswith(ADMIN_PREFIX)]


def test_every_route_has_an_entry():
    unnamed = [route for name, route in PROJECT_PATTERNS if name is None]
    names = {name for name, _route in PROJECT_PATTERNS}
    assert not unnamed, "give these routes a name and an entry in ROUTES"
    assert names - ROUTES.keys() == set(), "new routes: add them to ROUTES"
    assert ROUTES.keys() - names == set(), "ROUTES lists routes that no longer exist"
    assert ADMIN_PATTERNS, "the admin is mounted under admin/"


# --- Checking one response ---------------------------------------------------------------------


def _body_text(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if response.get("Content-Type", "").startswith("application/pdf") and content[:4] == b"%PDF":
        import pypdfium2

        try:
            pdf = pypdfium2.PdfDocument(io.BytesIO(content))
        except pypdfium2.PdfiumError:
            return ""
        return "".join(page.get_textpage().get_text_range() for page in pdf)
    return content.decode("utf-8", "replace")


def _outcome(response) -> object:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith((reverse("account_login"), reverse("admin:login"))):
            return LOGIN
        return REDIRECT
    return response.status_code


REFUSED = {LOGIN, 401, 403, 404, 405}

# Every response, whatever its status or type, carries these (summit/infrastructure/middleware.py,
# Django's SecurityMiddleware and XFrameOptionsMiddleware).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def header_problems(response, label: str, *, hsts: bool = False) -> list[str]:
    problems = [
        f"{label}: {name} is {response.get(name)!r}, not {value!r}"
        for name, value in SECURITY_HEADERS.items()
        if response.get(name) != value
    ]
    policy = [part.strip() for part in response.get("Content-Security-Policy", "").split(";")]
    problems += [f"{label}: CSP lacks {d!r}" for d in CSP_DIRECTIVES if d not in policy]
    problems += [f"{label}: CSP allows inline code" for d in policy if "unsafe-" in d]
    if hsts and "max-age=31536000" not in response.get("Strict-Transport-Security", ""):
        problems.append(f"{label}: no HSTS on a secure request")
    if not hsts and response.has_header("Strict-Transport-Security"):
        problems.append(f"{label}: HSTS on a plain HTTP request")
    return problems


def _check(world, role, method, address, expected, data=None) -> list[str]:
    """Request ``address`` as ``role``; the list of what went wrong (empty if all is well)."""
    problems = []
    before = snapshot()
    client = world.client(role)
    response = client.get(address) if method == "GET" else client.post(address, data or {})
    got = _outcome(response)
    label = f"{method} {address} as {role}"
    if got != expected:
        problems.append(f"{label}: expected {expected}, got {got}")
    problems += header_problems(response, label)
    if expected in REFUSED and snapshot() != before:
        problems.append(f"{label}: refused, yet the database changed")
    if role in {"anonymous", "other_guest"} and got != LOGIN:
        text = _body_text(response)
        problems += [f"{label}: shows guest A's {m!r}" for m in LEAK_MARKERS if m in text]
    finish(response)
    return problems


@pytest.fixture
def world(week_before_the_summit, roles, media_root):
    return build_world()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_role_as_expected(world, name):
    route = ROUTES[name]
    address = route.url(world)
    problems = []
    for role, expected in zip(ROLES, route.get, strict=True):
        problems += _check(world, role, "GET", address, expected)
    if route.post is not None:
        data = route.post_data(world) if route.post_data else {}
        for role, expected in zip(ROLES, route.post, strict=True):
            problems += _check(world, role, "POST", address, expected, data)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), ADMIN_PATTERNS, ids=[r for _n, r in ADMIN_PATTERNS])
def test_admin_pages_need_staff(world, name, route):
    expected = ADMIN_OWN_PAGES.get(name, (LOGIN,) * 5)
    address = _admin_url(route)
    problems = []
    for role, outcome in zip(ROLES, expected, strict=True):
        problems += _check(world, role, "GET", address, outcome)
    assert not problems, "\n".join(problems)


# --- Guest B and guest A's objects -------------------------------------------------------------


@pytest.mark.django_db
def test_other_guest_gets_own_data_never_guest_a(world):
    client = world.client("other_guest")

    page = client.get(reverse("registration:mine")).text
    data = client.get(reverse("registration:my-data")).json()
    badge = _body_text(client.get(reverse("badges:my-badge")))

    assert "Bruno Other" in page and "Bruno Other" in str(data) and "Bruno Other" in badge
    for marker in LEAK_MARKERS:
        assert marker not in page and marker not in str(data) and marker not in badge


@pytest.mark.django_db
def test_calendar_feed_of_guest_a_needs_guest_a_token(world):
    client = world.client("other_guest")
    a_token, b_token = world.guest.calendar_token, world.other_guest.calendar_token

    own = client.get(reverse("registration:calendar-feed", args=[b_token]))
    guessed = client.get(reverse("registration:calendar-feed", args=["x" * 43]))
    reset = client.post(reverse("registration:calendar-feed-reset"))

    assert own.status_code == 200 and guessed.status_code == 404 and reset.status_code == 302
    world.guest.refresh_from_db()
    world.other_guest.refresh_from_db()
    assert world.guest.calendar_token == a_token  # B's reset changed B's address only
    assert world.other_guest.calendar_token != b_token


@pytest.mark.django_db
def test_draft_session_is_seen_by_organisers_only(world):
    address = reverse("agenda:session", args=[world.draft_session.uid])
    for role in ("anonymous", "guest", "other_guest", "door"):
        assert world.client(role).get(address).status_code == 404, role


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_secure_requests_carry_hsts(world, settings, name):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = True
    address = ROUTES[name].url(world)
    problems = []
    for role in ("anonymous", "organiser"):
        client = world.client(role)
        plain = client.get(address)
        secure = client.get(address, secure=True)
        label = f"GET https://…{address} as {role}"
        exempt = any(re.search(p, address.lstrip("/")) for p in settings.SECURE_REDIRECT_EXEMPT)
        if exempt:  # e.g. the health check, for load balancers speaking plain HTTP
            pass
        elif plain.status_code != 301 or not plain["Location"].startswith("https://"):
            problems.append(f"GET http://…{address} as {role}: not redirected to https")
        problems += header_problems(secure, label, hsts=True)
        finish(secure)
    assert not problems, "\n".join(problems)
