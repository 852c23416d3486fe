"""No secret of a secret-bearing address reaches the logs, however the address is written.

Every route whose path carries a secret (a guest's calendar feed token, an invitation code,
an e-mail confirmation key, a password reset key) is requested in generated variants: other
case, suffixes, extra segments, percent-encoding, spaces and line breaks, trailing and double
slashes, query strings. Through production logging on both sides:

- Django's loggers (``django.request``'s "Not Found" lines…), as settings.LOGGING sets them
  up, in text and in JSON, with requests through the test client;
- gunicorn's access and error logs (summit.infrastructure.gunicorn_logging.RedactingLogger), with
requests
  over HTTP to a real gunicorn started from gunicorn.conf.py (its app answers 404 to
  everything: the access line does not depend on what the app does).

The secrets are real ones, made by the app (feed token, invitation) and taken from the
e-mails allauth sends (confirmation and reset keys). The end-to-end tests (tests/e2e/) send
the same variants to the whole production stack.
"""

import contextlib
import copy
import http.client
import io
import json
import logging
import logging.config
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registration.invitation_links import invitation_path
from summit.infrastructure.redact import MASK
from tests import factories

ROOT = Path(__file__).resolve().parents[2]

# (path words before the secret, the suffix of the real address)
ROUTES = {
    "feed": (("calendar", "feed"), ".ics"),
    "invitation": (("register", "invitation"), "/"),
    "confirmation": (("accounts", "confirm-email"), "/"),
    "reset": (("accounts", "password", "reset", "key"), "/"),
}


# --- Variants --------------------------------------------------------------------------------


def percent(text: str) -> str:
    return "".join(f"%{byte:02X}" for byte in text.encode())


def prefixes(words: tuple[str, ...]) -> list[str]:
    last = words[-1]
    return [
        "/" + "/".join(words) + "/",
        ("/" + "/".join(words) + "/").upper(),
        "/" + "/".join(word.title() for word in words) + "/",
        "//" + "//".join(words) + "//",
        "/x/" + "/".join(words) + "/",
        "/en/" + "/".join(words) + "/",
        "/" + "%2F".join(words) + "%2f",
        "/" + "/".join((*words[:-1], percent(last[0]) + last[1:])) + "/",
        "/" + percent("/".join(words)) + "/",
        "/" + "/".join(words) + "/x/",
        "/" + "/".join(words) + "/./",
        "/" + "/".join(words) + "/%20",
    ]


def secrets_as_written(secret: str) -> list[str]:
    half = len(secret) // 2
    return [
        secret,
        secret.lower(),
        secret.upper(),
        percent(secret),
        percent(secret[0]) + secret[1:],
        "%20" + secret,
        secret + "%20",
        "%0A" + secret,
        "%09" + secret,
        "+" + secret,
        secret[:half] + "%20" + secret[half:],
        secret + secret,
    ]


def suffixes(real: str, secret: str) -> list[str]:
    return [
        real,
        "",
        ".ICS",
        ".ics",
        "/",
        "//",
        ".ics/",
        ".json",
        "x",
        "/x",
        "?lang=en",
        "?token=" + secret,
        "?" + secret,
        ";x",
        "%00",
    ]


def variants(route: str, secret: str) -> list[str]:
    """Each way of writing the address, one change at a time (request targets as sent)."""
    words, real = ROUTES[route]
    canonical_prefix = "/" + "/".join(words) + "/"
    found = [prefix + secret + real for prefix in prefixes(words)]
    found += [canonical_prefix + written + real for written in secrets_as_written(secret)]
    found += [canonical_prefix + secret + suffix for suffix in suffixes(real, secret)]
    return list(dict.fromkeys(found))


def mixed_variants(route: str, secret: str):
    """Several changes at once (hypothesis)."""
    words, real = ROUTES[route]
    return st.builds(
        lambda prefix, written, suffix: prefix + written + suffix,
        st.sampled_from(prefixes(words)),
        st.sampled_from(secrets_as_written(secret)),
        st.sampled_from(suffixes(real, secret)),
    )


def secret_parts(route: str, secret: str) -> list[str]:
    """What must not be readable: the secret, and for the keys their secret part (the rest
    is a user id and a time)."""
    if route == "confirmation":
        return [secret, secret.rsplit(":", 1)[1]]
    if route == "reset":
        return [secret, secret.rsplit("-", 1)[1]]
    if route == "invitation":
        return [secret, *secret.split("/")]
    return [secret]


def leaks(text: str, parts: list[str]) -> list[str]:
    """Secret parts readable in the text, whatever their case or percent-encoding, and any
    piece of 12 characters of one (half a token is still a leak)."""
    readable = urllib.parse.unquote(urllib.parse.unquote(text)).lower()
    found = []
    for part in parts:
        part = part.lower()
        size = min(len(part), 12)
        pieces = {part[i : i + size] for i in range(len(part) - size + 1)}
        found += [piece for piece in pieces if piece in readable]
    return sorted(found)


# --- The secrets -----------------------------------------------------------------------------


@pytest.fixture
def secrets_by_route(client, summit, roles) -> dict[str, str]:
    registration = factories.RegistrationFactory(summit=summit)
    invitation = factories.InvitationFactory(summit=summit)
    client.post(
        "/accounts/signup/",
        {"email": "leak.check@example.org", "password1": "x-Long-pass-42",
         "password2": "x-Long-pass-42"},
    )  # fmt: skip
    client.logout()
    client.post("/accounts/password/reset/", {"email": registration.user.email})
    links = [re.search(r"https?://\S+", message.body).group(0) for message in mail.outbox]
    [confirmation] = [link for link in links if "/confirm-email/" in link]
    [reset] = [link for link in links if "/password/reset/key/" in link]
    secrets = {
        "feed": registration.calendar_token,
        # The code finds the invitation, the key proves the link: both stay out of logs.
        "invitation": invitation_path(invitation).removeprefix("/register/invitation/")[:-1],
        "confirmation": confirmation.rstrip("/").rsplit("/", 1)[1],
        "reset": reset.rstrip("/").rsplit("/", 1)[1],
    }
    assert all(len(secret) >= 10 for secret in secrets.values()), secrets
    return secrets


def test_the_secrets_open_their_pages(client, secrets_by_route):
    """The variants below are of real, working addresses."""
    for route, secret in secrets_by_route.items():
        words, real = ROUTES[route]
        response = client.get("/" + "/".join(words) + "/" + secret + real)
        assert response.status_code in (200, 302), route
    assert len(variants("feed", "SECRET")) >= 30


# --- Each layer alone (summit/infrastructure/redact.py)
# -------------------------------------------------------

SHAPED = {
    "feed": ["Zx81kq_PmA2-Zx81kq_PmA2-Zx81kq_P", "zx81kq_pma2zx81kq_pma2zx81kq_pma2"],
    "invitation": ["KAHGEYRAG5", "ABCDEFGHJK", "q3Vx0-Gm1cZ_8wYHdS5rbP2kLtEa9NuJfR4oWzi7T6U"],
    "confirmation": ["MQ:1xZo50:aBJddVU8HL7kJ7CLvKvRC2zvXJOc5qa-DmrLeOcYOI0"],
    "reset": ["1-dj4p6e-76bf5957d98d2931097f30ec5e7dcd6e"],
}


def django_path(target: str) -> str:
    """The path a WSGI server hands Django for a request target, as Django logs it."""
    return path_of(target).encode("unicode_escape").decode("ascii")


def path_of(target: str) -> str:
    # (An absolute URL: "//calendar" alone would be taken for a host.)
    return urllib.parse.unquote(urllib.parse.urlsplit("http://x" + target).path)


@pytest.mark.parametrize(
    ("route", "secret"), [(route, secret) for route, shaped in SHAPED.items() for secret in shaped]
)
def test_each_layer_alone_masks_every_variant(route, secret):
    from summit.infrastructure.redact import mask_address, mask_path, redact

    parts = secret_parts(route, secret)
    for target in variants(route, secret):
        path = path_of(target)
        # 1. The exact layer: Django's request path, gunicorn's request line and Referer.
        assert leaks(mask_path(path), parts) == [], target
        assert leaks(mask_address(f"GET {target} HTTP/1.1"), parts) == [], target
        assert leaks(mask_address(f"https://example.org{target}"), parts) == [], target
        # 2. The text layer: the same lines with nothing known about them.
        assert leaks(redact(f"Not Found: {django_path(target)}"), parts) == [], target
        assert leaks(redact(f'"GET {target} HTTP/1.1" 404'), parts) == [], target


# --- Django's loggers ------------------------------------------------------------------------


@pytest.fixture(params=["text", "json"])
def django_log(request, settings):
    """settings.LOGGING as production uses it (its filters and formatter), written here."""
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"] |= {"formatter": request.param, "stream": stream}
    root = logging.getLogger()
    kept = list(root.handlers)
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)
    for handler in kept:
        if handler not in root.handlers:
            root.addHandler(handler)


def request_all(client, targets: list[str]) -> None:
    for target in targets:
        # The test client decodes the path as a WSGI server does (an absolute URL, so that it
        # does not take "//calendar" for a host); "#" never reaches a server.
        client.get("http://testserver" + target.split("#")[0])


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_django_logs_hold_no_secret_of_any_variant(client, secrets_by_route, django_log, route):
    secret = secrets_by_route[route]
    targets = variants(route, secret)

    request_all(client, targets)

    written = django_log.getvalue()
    words, _real = ROUTES[route]
    masked = "/" + "/".join(words) + "/" + MASK
    # The variants were logged, masked (not all: a wrong reset key gets a page of its own,
    # a code in other case is still the code, a query string changes nothing).
    assert written.count(masked) >= 10
    assert leaks(written, secret_parts(route, secret)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_django_logs_hold_no_secret_of_mixed_variants(
    client, secrets_by_route, django_log, route, data
):
    secret = secrets_by_route[route]
    target = data.draw(mixed_variants(route, secret))
    start = len(django_log.getvalue())

    request_all(client, [target])

    assert leaks(django_log.getvalue()[start:], secret_parts(route, secret)) == []


# --- gunicorn ----------------------------------------------------------------------------------

NOT_FOUND_APP = """
def application(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"Not Found"]
"""


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory):
    """gunicorn as bin/production starts it (gunicorn.conf.py, RedactingLogger, JSON lines),
    on a free port, its access and error logs (debug level: invalid requests too) in files."""
    directory = tmp_path_factory.mktemp("gunicorn")
    (directory / "not_found_app.py").write_text(NOT_FOUND_APP)
    access, errors = directory / "access.log", directory / "error.log"
    env = {**os.environ, "WEB_CONCURRENCY": "1", "BIND": "127.0.0.1:0", "LOG_FORMAT": "json"}
    env["PYTHONPATH"] = os.pathsep.join([str(directory), str(ROOT)])
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
         "--logger-class", "summit.infrastructure.gunicorn_logging.RedactingLogger",
         "--access-logfile", str(access), "--error-logfile", str(errors), "--log-level", "debug",
         "--chdir", str(directory), "not_found_app:application"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        port = None
        deadline = time.monotonic() + 60
        while port is None and time.monotonic() < deadline:
            assert server.poll() is None, errors.read_text() if errors.exists() else ""
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", _read(errors))
            port = int(found.group(1)) if found else time.sleep(0.05)
        assert port, _read(errors)
        yield port, access, errors
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def send(port: int, target: str, *, referer: str = "") -> int:
    """One request, the target exactly as given (http.client would not re-encode it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Referer": referer} if referer else {}
        connection.request("GET", target.split("#")[0], headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def send_raw(port: int, request_line: bytes) -> None:
    """A request line no client library would send (a space or a tab inside the target)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request_line + b"\r\nHost: x\r\n\r\n")
        with contextlib.suppress(OSError):
            sock.recv(1000)


def wait_for_lines(path: Path, count: int) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        text = _read(path)
        if text.count("\n") >= count:
            return text
        time.sleep(0.05)
    return _read(path)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_gunicorn_logs_hold_no_secret_of_any_variant(gunicorn_server, secrets_by_route, route):
    port, access, errors = gunicorn_server
    secret = secrets_by_route[route]
    words, real = ROUTES[route]
    targets = variants(route, secret)
    before = _read(access).count("\n")

    statuses = [send(port, target) for target in targets]
    for target in targets[:10]:
        send(port, "/", referer=f"https://summit.example.org{target}")
    raw = ("/" + "/".join(words) + "/" + secret + real).encode()
    for line in (b"GET " + raw.replace(b"/", b"/ ", 1) + b" HTTP/1.1",
                 b"GET " + raw + b"\t" + secret.encode() + b" HTTP/1.1"):  # fmt: skip
        send_raw(port, line)

    assert statuses.count(404) >= len(targets) - 2  # (a NUL in the path may be refused)
    written = wait_for_lines(access, before + len(targets) + 10)
    entries = [json.loads(line) for line in written.splitlines()[before:]]
    assert {entry["logger"] for entry in entries} == {"gunicorn.access"}
    assert len(entries) >= len(targets) + 10
    assert leaks(written + _read(errors), secret_parts(route, secret)) == []
