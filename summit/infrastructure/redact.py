"""Keep secrets and personal data out of logs.

Addresses that carry a secret (a guest's calendar feed token, an invitation code, an e-mail
confirmation key, a password reset key) are redacted by construction, not by the shape of
the address, in three layers:

1. :func:`mask_path`: an address (a request's path, gunicorn's request line or Referer)
   under a private prefix (``PRIVATE_ROUTES``), however written (case, percent-encoding,
   double slashes, extra segments, spaces, suffixes, query), becomes a fixed mask such as
   ``/calendar/feed/[redacted]``. The filter below applies it to Django's records about a
   request (its ``request.path`` in the message), summit.infrastructure.gunicorn_logging to
   gunicorn's access log atoms.
2. :func:`redact`, on any text: everything after a private prefix up to the end of the
   address (percent-encoded letters decoded first), and the secrets' own shapes wherever
   they appear (``SECRET_SHAPES``: a feed token, an invitation code with a digit, a
   confirmation or a reset key).
3. Also in :func:`redact`: ``token=``/``key=``/``code=`` and similar values, Authorization
   headers and bearer tokens, passwords, session and CSRF cookies, signed badge codes (what
   a QR code says), e-mail addresses and phone numbers.

:class:`RedactingFilter` applies them to every log record: the formatted message, the text of
any exception, and extra attributes. settings.LOGGING puts it on every handler; gunicorn's
access and error logs get it through ``summit.infrastructure.gunicorn_logging.RedactingLogger``.

This module imports nothing from Django: gunicorn's master process uses it before (and
without) setting Django up.
"""

import logging
import re
import urllib.parse

MASK = "[redacted]"

# Path words before a secret, and what may follow them without being one (pages of their own).
PRIVATE_ROUTES: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...] = (
    (("calendar", "feed"), (("reset",),)),
    (("register", "invitation"), ()),
    (("accounts", "confirm-email"), ()),
    (("accounts", "password", "reset", "key"), (("done",),)),
)

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_WORD_BREAKS = re.compile(r"[/\\?#;]+")


def mask_path(path: str) -> str:
    """``path`` (or a path with its query) as it may be logged: a fixed mask when it lies under
    a private prefix, whatever follows; otherwise unchanged."""
    decoded = path
    for _ in range(3):  # double encoding too
        once = urllib.parse.unquote(decoded)
        if once == decoded:
            break
        decoded = once
    words = [word.strip().lower() for word in _WORD_BREAKS.split(decoded)]
    words = [word for word in words if word]
    for prefix, public in PRIVATE_ROUTES:
        size = len(prefix)
        for start in range(len(words) - size + 1):
            if tuple(words[start : start + size]) != prefix:
                continue
            rest = tuple(words[start + size :])
            if rest and rest not in public:
                return "/" + "/".join(prefix) + "/" + MASK
    return path


def mask_address(value: str) -> str:
    """:func:`mask_path` for what a log line may hold: a path, an absolute URL (a Referer),
    or a request line ("GET /path HTTP/1.1")."""
    method, space, rest = value.partition(" ")
    target, space2, protocol = rest.rpartition(" ")
    if space and space2 and protocol.startswith("HTTP/") and method.isupper():
        return f"{method} {mask_address(target)} {protocol}"
    scheme, separator, remainder = value.partition("://")
    if separator and scheme.isalpha():
        host, slash, path = remainder.partition("/")
        masked = mask_path(slash + path)
        return f"{scheme}://{host}{masked}" if masked != slash + path else value
    return mask_path(value) if value.startswith(("/", "\\")) else value


_SEPARATORS = r"(?:[/\\]|%2[Ff]|%5[Cc])+"
_PRIVATE_PREFIX = re.compile(
    # From a separator, or a word's start (gunicorn quotes a broken request line cut short).
    r"(?i)((?:"
    + _SEPARATORS
    + r"|(?<![A-Za-z0-9_-]))(?:"
    + "|".join(
        _SEPARATORS.join(re.escape(word) for word in words) + _SEPARATORS
        for words, _public in PRIVATE_ROUTES
    )
    + r"))"
    # The pages of their own: the feed's reset form, the reset's "done" page.
    + r"(?!(?:reset|done)"
    + _SEPARATORS
    + r"?(?:[\s\"'?#<>]|$))"
    # The rest of the address, decoded spaces in it too ("%20<token>"): up to a quote, the end
    # of the line or a request line's protocol.
    + r"(?:(?![ \t]+HTTP/)[^\"'<>\r\n])+"
)

# The secrets themselves, wherever they appear (their address mangled beyond recognition).
_T = r"A-Za-z0-9_\-"  # URL-safe characters
_UUID = "-".join(f"[0-9a-fA-F]{{{n}}}" for n in (8, 4, 4, 4, 12))
SECRET_SHAPES: list[re.Pattern] = [
    # Calendar feed tokens (secrets.token_urlsafe(24)), also in one case: 32+ URL-safe
    # characters in mixed case, or with a digit; not a long slug (a forum's) nor a UUID.
    re.compile(
        rf"(?<![{_T}])(?!{_UUID}(?![{_T}]))"
        rf"(?:(?=[{_T}]*[a-z])(?=[{_T}]*[A-Z])|(?=[{_T}]*[0-9]))[{_T}]{{32,}}(?![{_T}])"
    ),
    # E-mail confirmation keys (allauth, signed): <user>:<time>:<signature>.
    re.compile(rf"(?<![{_T}:])[{_T}]+:[A-Za-z0-9]+:[{_T}]{{20,}}(?![{_T}])"),
    # Password reset keys (Django's token generator): <user>-<time>-<hash>, in any case.
    re.compile(rf"(?i)(?<![{_T}])[0-9A-Z]+-[0-9A-Z]+-[0-9A-F]{{20,}}(?![{_T}])"),
    # Invitation codes (registration.models.new_invitation_code), in any case, with a digit
    # (without one they are words; their address is masked above).
    re.compile(r"(?i)(?<![A-Z0-9])(?=[A-Z]*[2-9])[A-HJKMNP-Z2-9]{10}(?![A-Z0-9])"),
]

# Each pattern's group 1 (when there is one) is kept; the rest of the match becomes MASK.
PATTERNS: list[tuple[re.Pattern, str]] = [
    (_PRIVATE_PREFIX, r"\1" + MASK),
    *((shape, MASK) for shape in SECRET_SHAPES),
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
    # Letters and digits are the same percent-encoded or not (RFC 3986): decoded first, so that
    # "/calendar/%66eed/…" or a token written as %41%62… is recognised.
    text = _PERCENT.sub(_unreserved, text)
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _unreserved(match: re.Match) -> str:
    character = chr(int(match.group(1), 16))
    return character if character in _UNRESERVED else match.group(0)


# Attributes every LogRecord has; anything else came with `extra=`.
STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """Rewrites each record with its message (and exception, and extras) redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is, redacted
            message = f"{record.msg} {record.args!r}"
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        # Django's records about a request ("Not Found: <path>"): its path, as it is written in
        # the message (Django escapes control characters), masked as a whole.
        for path, masked in _request_paths(getattr(record, "request", None)):
            message = message.replace(path, masked)
            if record.exc_text:
                record.exc_text = record.exc_text.replace(path, masked)
        record.msg = redact(message)
        record.args = None
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


def _request_paths(request) -> list[tuple[str, str]]:
    path = getattr(request, "path", None)
    if not isinstance(path, str):
        return []
    masked = mask_path(path)
    if masked == path:
        return []
    escaped = path.encode("unicode_escape").decode("ascii")
    return [(written, masked) for written in dict.fromkeys((path, escaped))]
