"""Secrets and personal data never reach the logs (summit/infrastructure/redact.py)."""

import io
import json
import logging

import pytest

from summit.infrastructure.logs import JSONFormatter
from summit.infrastructure.redact import MASK, RedactingFilter, redact

CODE = (
    "AEARAAAAAEABKXBA6T4WEGD3ZXBSIDCLMYZCZ6HV3CAUTI2EF5V6DMQLBJPK4DTQ7WGRTHLHJ"
    "DDMYUV3DPVRBPG6S5DD44FUKVTMAQHD4M4JO6L7VMGA"
)


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ('"GET /calendar/feed/Zx81kq_PmA2.ics HTTP/1.1" 200', "Zx81kq_PmA2", "/calendar/feed/"),
        ("GET /register/invitation/INV-7fk2q9/ HTTP/1.1", "INV-7fk2q9", "/register/invitation/"),
        ("GET /accounts/confirm-email/MQ:1tZk:abcdefXYZ/", "MQ:1tZk:abcdefXYZ", "confirm-email"),
        (
            "GET /accounts/password/reset/key/1a-cz3pq4-0f1e2d3c4b5a69788796a5b4c3d2e1f0/",
            "cz3pq4-0f1e2d3c4b5a6978",
            "/accounts/password/reset/key/",
        ),
        ("GET /x/?token=s3cr3tvalue&page=2", "s3cr3tvalue", "page=2"),
        ("GET /x/?key=abcd1234", "abcd1234", "/x/?key="),
        ("GET /x/?lang=en&code=QWERTY12", "QWERTY12", "lang=en"),
        ("Authorization: Bearer dvc_9f8e7d6c5b4a", "dvc_9f8e7d6c5b4a", "Authorization"),
        ("headers={'Authorization': 'Bearer abcdefgh12345678'}", "abcdefgh12345678", "headers"),
        ("sent bearer abcdefgh12345678 to api", "abcdefgh12345678", "to api"),
        ("password=hunter2hunter2&email=x", "hunter2hunter2", "password="),
        ('{"password1": "Tr0ub4dor&3", "ok": true}', "Tr0ub4dor", "password1"),
        ("Cookie: sessionid=k2j3h4g5f6d7s8a9; csrftoken=abcXYZ123", "k2j3h4g5f6d7s8a9", "Cookie"),
        ("Cookie: sessionid=k2j3h4g5f6d7s8a9; csrftoken=abcXYZ123", "abcXYZ123", "Cookie"),
        (f"scanned {CODE} at door", CODE, "at door"),
        (f"scanned {CODE.lower()}", CODE.lower(), "scanned"),
        ("mail to ada.lovelace+summit@example.org failed", "ada.lovelace", "failed"),
        ("GET /search?q=ada%40example.org", "example.org", "/search?q="),
        ("call +86 138 0013 8000 now", "138 0013 8000", "now"),
        ("call +852 6123-4567", "6123-4567", "call"),
        ("mobile 13800138000", "13800138000", "mobile"),
        ("office (020) 8888 1234", "8888 1234", "office"),
    ],
)
def test_secret_is_masked_and_context_kept(text, secret, kept):
    result = redact(text)
    assert secret not in result
    assert kept in result
    assert MASK in result or "[e-mail]" in result or "[phone]" in result


@pytest.mark.parametrize(
    "text",
    [
        '127.0.0.1 - - [27/Nov/2026:19:41:19 +0000] "GET /static/app.3f2a1b.css HTTP/1.1" 200 '
        '48213 "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.0.0"',
        "2026-11-27T19:41:19.123456+00:00 took 1234567 us, job 12 of 3000",
        "GET /calendar/feed/reset/ HTTP/1.1",
        "status_code=200 bytes=1048576",
        # Pages under the private prefixes that hold no secret, and things that look alike.
        '"POST /calendar/feed/reset/ HTTP/1.1" 302',
        '"GET /accounts/confirm-email/ HTTP/1.1" 200',
        "GET /accounts/password/reset/key/done/ HTTP/1.1",
        "GET /forums/network-and-information-security/ HTTP/1.1",
        "task 5b1f0c7e-9a2d-4c41-8e3f-0d6b7a9c1e22 finished: unexpected statements",
        "GET /sessions/5b1f0c7e-9a2d-4c41-8e3f-0d6b7a9c1e22/ HTTP/1.1",
        "Recovered work of dead task workers",
        "100% done, 12:30:45 elapsed",
    ],
)
def test_ordinary_log_lines_are_left_alone(text):
    assert redact(text) == text


def make_logger(stream, formatter=None):
    logger = logging.getLogger(f"test.redact.{id(stream)}")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    if formatter:
        handler.setFormatter(formatter)
    logger.handlers = [handler]
    return logger


def test_filter_masks_arguments_extras_and_exceptions_in_json_logs():
    stream = io.StringIO()
    logger = make_logger(stream, JSONFormatter())
    try:
        raise ValueError("bad token=abc123secret for bob@example.org")
    except ValueError:
        logger.exception(
            "Not Found: %s",
            "/calendar/feed/feedtoken99.ics",
            extra={"path": "/register/invitation/INVCODE77/", "who": {"phone": "+8613800138000"}},
        )
    entry = json.loads(stream.getvalue())
    written = stream.getvalue()
    for secret in ("feedtoken99", "INVCODE77", "abc123secret", "bob@example.org", "13800138000"):
        assert secret not in written
    assert entry["message"] == f"Not Found: /calendar/feed/{MASK}"
    assert "ValueError" in entry["exception"]


def test_settings_put_the_filter_on_every_handler():
    from django.conf import settings

    handlers = settings.LOGGING["handlers"]
    assert handlers
    assert all("redact" in handler.get("filters", []) for handler in handlers.values())


def test_gunicorn_access_and_error_logs_are_redacted(tmp_path):
    from gunicorn.config import Config

    from summit.infrastructure.gunicorn_logging import RedactingLogger

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = RedactingLogger(config)

    class Response:
        status = "200 OK"
        status_code = 200
        sent = 10
        headers = []
        response_length = 10

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/calendar/feed/gunicornfeedtoken.ics?token=querysecret",
        "PATH_INFO": "/calendar/feed/gunicornfeedtoken.ics",
        "QUERY_STRING": "token=querysecret",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://example.org/register/invitation/REFCODE42/",
        "HTTP_USER_AGENT": "test",
    }
    import datetime

    logger.access(Response(), [], environ, datetime.timedelta(seconds=0.01))
    logger.error("Error handling request /accounts/password/reset/key/1-abcdef123456/")
    for handler in logger.error_log.handlers + logger.access_log.handlers:
        handler.flush()
    written = (tmp_path / "access.log").read_text() + (tmp_path / "error.log").read_text()
    assert "/calendar/feed/" in written
    for secret in ("gunicornfeedtoken", "querysecret", "REFCODE42", "abcdef123456"):
        assert secret not in written


@pytest.mark.parametrize("name", ["django.server", "django.request", "django.security.csrf"])
def test_djangos_own_log_lines_are_redacted(name):
    """Django's default logging has handlers of its own (runserver's request lines, its
    console in DEBUG); every handler a Django record reaches masks it."""
    import io
    import logging

    from summit.infrastructure.redact import RedactingFilter

    logger, reached = logging.getLogger(name), []
    while logger is not None:
        # Not pytest's own capturing handlers.
        reached += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        logger = logger.parent if logger.propagate else None
    streams = [handler for handler in reached if isinstance(handler, logging.StreamHandler)]
    assert streams
    assert all(any(isinstance(f, RedactingFilter) for f in handler.filters) for handler in reached)
    written = io.StringIO()
    saved = [handler.setStream(written) for handler in streams]
    try:
        logging.getLogger(name).warning('"GET /register/invitation/QR7XK2M9PA/k3y/ HTTP/1.1" 200')
    finally:
        for handler, stream in zip(streams, saved, strict=True):
            handler.setStream(stream)
    assert "/register/invitation/" in written.getvalue()
    assert "QR7XK2M9PA" not in written.getvalue()
