"""Plumbing shared by every JSON endpoint under ``/api/v1/``: errors, CORS, caching, bodies.

Errors are JSON objects ``{"error": "<code>", "message": "<English text>", "parameter": …}``
(the ``Error`` schema of the OpenAPI document, summit/openapi.py).
"""

import datetime
import functools
import hashlib
import json
import re
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.csrf import csrf_exempt

JSON_OPTIONS = {"ensure_ascii": False, "separators": (",", ":")}
PREFLIGHT_MAX_AGE = 24 * 3600


def json_response(payload, *, status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, json_dumps_params=JSON_OPTIONS)


def api_error(
    status: int, code: str, message: str, *, parameter: str | None = None
) -> JsonResponse:
    payload = {"error": code, "message": message}
    if parameter is not None:
        payload["parameter"] = parameter
    return json_response(payload, status=status)


def public_api(*, methods: tuple[str, ...] = ("GET", "HEAD")) -> Callable:
    """Open the view to any origin (CORS), answer preflight ``OPTIONS`` requests, and refuse
    other methods with a JSON 405. For public, read-only data only: no cookies are honoured
    cross-origin (``Access-Control-Allow-Credentials`` is never sent), and nothing is changed,
    so there is nothing for a CSRF check to protect (without the exemption a POST would get
    the CSRF middleware's HTML 403 instead of the JSON 405)."""
    allowed = (*methods, "OPTIONS")

    def decorator(view: Callable) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
                response["Access-Control-Allow-Methods"] = ", ".join(allowed)
                response["Access-Control-Allow-Headers"] = request.headers.get(
                    "Access-Control-Request-Headers", "Accept, Accept-Language, If-None-Match"
                )
                response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
                response["Allow"] = ", ".join(allowed)
            elif request.method not in methods:
                response = api_error(
                    405, "method_not_allowed", f"Use {' or '.join(methods)} on this address."
                )
                response["Allow"] = ", ".join(allowed)
            else:
                response = view(request, *args, **kwargs)
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "ETag"
            return response

        return wrapper

    return decorator


# YYYY-MM-DD and nothing else: date.fromisoformat also takes 20261208 and 2026-W50-2.
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value: str) -> datetime.date:
    """A date written as the API documents it (YYYY-MM-DD); ValueError otherwise."""
    if not _DAY.fullmatch(value):
        raise ValueError(f"not a YYYY-MM-DD date: {value!r}")
    return datetime.date.fromisoformat(value)


def cacheable_json(request: HttpRequest, payload, *, max_age: int) -> HttpResponse:
    """A JSON response with a strong ETag of its body; ``304 Not Modified`` when the client's
    ``If-None-Match`` already has it. Shared caches may keep it ``max_age`` seconds."""
    body = json.dumps(payload, **JSON_OPTIONS).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=max_age)
    return response


# --- Request bodies -----------------------------------------------------------------------------

# No body this API takes nests deeper (a batch is an object, a list, scan objects, strings).
MAX_BODY_DEPTH = 8
# Bodies Django reads as forms (the CSRF check does, for logged-in users): never JSON.
FORM_CONTENT_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


class InvalidBody(Exception):
    """A request body this API does not take: the JSON error for it is ``response()``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JsonResponse:
        return api_error(self.status, self.code, self.message)


def form_body_refused() -> InvalidBody:
    """What a form body gets: a JSON endpoint reads no forms."""
    return InvalidBody(
        415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json)."
    )


def json_object(request: HttpRequest) -> dict:
    """The request's body: a JSON object in UTF-8, at most ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    bytes and ``MAX_BODY_DEPTH`` levels deep, whose strings are all text (no half surrogate
    pairs). Anything else raises InvalidBody, whatever the parser would have raised: a JSON
    endpoint answers a JSON 4xx to every body, never a 500 nor an HTML page.

    The content type is not checked beyond refusing forms (by their type, without reading
    them: once Django has read a body as a form, it cannot be read again): simple clients
    send JSON as ``text/plain`` (a fetch with a string body) or without any.
    """
    if request.content_type in FORM_CONTENT_TYPES:
        raise form_body_refused()
    try:
        raw = request.body
    except RequestDataTooBig as error:
        raise InvalidBody(400, "too_large", "The body is too large.") from error
    try:
        # Strictly UTF-8 (RFC 8259): json.loads would also guess UTF-16 and UTF-32.
        payload = json.loads(raw.decode("utf-8"), parse_constant=_not_json)
    except RecursionError as error:
        raise InvalidBody(400, "invalid_json", "The body is nested too deeply.") from error
    except ValueError as error:  # also UnicodeDecodeError, JSONDecodeError, too many digits
        raise InvalidBody(400, "invalid_json", "The body is not valid JSON in UTF-8.") from error
    if not isinstance(payload, dict):
        raise InvalidBody(400, "invalid_json", "The body must be a JSON object.")
    _check_parsed(payload)
    return payload


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


def _check_parsed(payload: dict) -> None:
    """Depth and text of a parsed body, walked without recursion."""
    pending = [(payload, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_BODY_DEPTH:
            raise InvalidBody(400, "invalid_json", "The body is nested too deeply.")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key)
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_text(value)


def _check_text(text: str) -> None:
    # "\ud800" is valid JSON but no text: it cannot be encoded, stored or logged.
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            message = "The body holds an invalid character."
            raise InvalidBody(400, "invalid_json", message) from error
