"""Keep secrets and personal data out of logs.

:func:`redact` masks, in any text: secret parts of URLs (calendar feed tokens, invitation
codes, e-mail confirmation and password-reset keys, ``token=``/``key=``/``code=`` and similar
query values), Authorization headers and bearer tokens, passwords, session and CSRF cookies,
signed badge codes (what a QR code says), e-mail addresses and phone numbers.

:class:`RedactingFilter` applies it to every log record: the formatted message, the text of
any exception, and extra attributes. settings.LOGGING puts it on every handler; gunicorn's
access and error logs get it through ``summit.gunicorn_logging.RedactingLogger``.

This module imports nothing from Django: gunicorn's master process uses it before (and
without) setting Django up.
"""

import logging
import re

MASK = "[redacted]"

# Each pattern's group 1 (when there is one) is kept; the rest of the match becomes MASK.
PATTERNS: list[tuple[re.Pattern, str]] = [
    # URL paths that carry a secret.
    (re.compile(r"(/calendar/feed/)(?!reset/)[^/\s\"'?#]+?(\.ics)"), r"\1" + MASK + r"\2"),
    (re.compile(r"(/register/invitation/)[^/\s\"'?#]+"), r"\1" + MASK),
    (re.compile(r"(/accounts/confirm-email/)[^/\s\"'?#]+"), r"\1" + MASK),
    (re.compile(r"(/accounts/password/reset/key/)[^/\s\"'?#]+"), r"\1" + MASK),
    # Query strings, form bodies, key=value and "key": "value" pairs with a secret key.
    (
        re.compile(
            r"""(?ix)
            (["']?\b(?:token|key|code|password\d?|passwd|pwd|secret|sessionid|session_?key
                |csrfmiddlewaretoken|csrftoken|api_?key|access_?token|refresh_?token
                |signature|sig)\b["']?\s*[=:]\s*["']?)
            [^&\s"',;}]+
            """
        ),
        r"\1" + MASK,
    ),
    # Authorization headers and bearer tokens.
    (re.compile(r"(?i)(\bauthorization\b[\"']?\s*[=:]\s*[\"']?)[^\"',}\n]+"), r"\1" + MASK),
    (re.compile(r"(?i)(\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + MASK),
    # A signed badge code: 116 characters of base32 (summit never logs one on purpose).
    (re.compile(r"(?i)(?<![A-Z2-7])[A-Z2-7]{100,}(?![A-Z2-7])"), MASK),
    # E-mail addresses (also URL-encoded, with %40).
    (
        re.compile(r"(?i)[A-Z0-9._%+-]+(?:@|%40)[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}"),
        "[e-mail]",
    ),
    # Phone numbers: "+" and 7 digits or more, or 8 digits or more in groups; not dates,
    # times, IP addresses or byte counts.
    (re.compile(r"(?<![\w.:/-])\+(?:[\s().-]*\d){7,15}(?![\w-])"), "[phone]"),
    (re.compile(r"(?<![\w.:/-])1[3-9]\d{9}(?![\w-])"), "[phone]"),  # mainland mobile
    (
        re.compile(r"(?<![\w.:/+-])\(?\d{2,4}\)?[\s-]\d{3,4}[\s-]\d{4}(?![\w:-])"),
        "[phone]",
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


# Attributes every LogRecord has; anything else came with `extra=`.
STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """Rewrites each record with its message (and exception, and extras) redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key in STANDARD_ATTRIBUTES or key.startswith("_"):
                continue
            if isinstance(value, str):
                setattr(record, key, redact(value))
            elif isinstance(value, (dict, list, tuple)):
                setattr(record, key, redact(str(value)))
        # The request object (Django's error logs) is never written, only its path.
        if hasattr(record, "request"):
            record.request = None
        return True
