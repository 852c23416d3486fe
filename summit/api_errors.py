"""What the API refuses and how (summit/api.py is the framework around it): the one error
format of every 4xx, request bodies (a JSON object in UTF-8, within limits, never a form), and
field errors in the words of Django's form fields, translated.

Every 4xx is ``{"error": "<code>", "message": "<text>", "fields": {<field>: [<messages>]}}``
(``Error``), ``fields`` only where input was at fault.
"""

import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.parser import Parser
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

# --- The error format -----------------------------------------------------------------------


class Error(Schema):
    """Every 4xx answer of the API."""

    error: str = Field(description="Stable code, e.g. invalid, invalid_json, unauthorized.")
    message: str = Field(description="What went wrong, translated (Accept-Language).")
    fields: dict[str, Any] | None = Field(
        None,
        description="Field or parameter name → list of messages; for batches, "
        "scans → index → field → messages. Only when input was at fault.",
    )


class ApiError(Exception):
    """A refusal that any endpoint or hook raises; the API answers it as ``Error``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: dict | None = None,
        headers: dict | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields, self.headers = fields, headers or {}

    def response(self) -> JsonResponse:
        response = error_response(self.status, self.code, self.message, fields=self.fields)
        for name, value in self.headers.items():
            response[name] = value
        return response


def error_response(
    status: int, code: str, message: str, *, fields: dict | None = None
) -> JsonResponse:
    body = {"error": code, "message": message}
    if fields:
        body["fields"] = fields
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def json_response(payload, *, status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def responses(*statuses: int, success: dict | None = None) -> dict:
    """The ``response=`` of an operation: its success schemas and ``Error`` for each 4xx."""
    return {**(success or {}), **dict.fromkeys(statuses, Error)}


# --- Request bodies -----------------------------------------------------------------------

# No body this API takes nests deeper (a batch is an object, a list, scan objects, strings).
MAX_BODY_DEPTH = 8
# Bodies Django reads as forms (the CSRF check does, for logged-in users): never JSON.
FORM_CONTENT_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


class InvalidBody(ApiError):
    """A request body this API does not take."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(status, code, message)


def form_body_refused() -> InvalidBody:
    """What a form body gets: a JSON endpoint reads no forms."""
    return InvalidBody(
        415,
        "unsupported_media_type",
        _("Send the body as JSON (Content-Type: application/json)."),
    )


def not_json() -> InvalidBody:
    return InvalidBody(400, "invalid_json", _("The body is not valid JSON in UTF-8."))


class JsonBodyParser(Parser):
    """Request bodies: a JSON object in UTF-8, at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes
    and ``MAX_BODY_DEPTH`` levels deep, whose strings are all text (no half surrogate pairs).
    Anything else is an ``InvalidBody``: a JSON endpoint answers a JSON 4xx to every body,
    never a 500 nor an HTML page.

    The content type is not checked beyond refusing forms (by their type, without reading
    them: once Django has read a body as a form, it cannot be read again): simple clients
    send JSON as ``text/plain`` (a fetch with a string body) or without any.
    """

    def parse_body(self, request: HttpRequest) -> dict:
        if request.content_type in FORM_CONTENT_TYPES:
            raise form_body_refused()
        try:
            # Strictly UTF-8 (RFC 8259): json.loads would also guess UTF-16 and UTF-32.
            payload = json.loads(request.body.decode("utf-8"), parse_constant=_no_constant)
        except RecursionError as error:
            raise InvalidBody(400, "invalid_json", _("The body is nested too deeply.")) from error
        except ValueError as error:  # also UnicodeDecodeError, JSONDecodeError, many digits
            raise not_json() from error
        if not isinstance(payload, dict):
            raise InvalidBody(400, "invalid_json", _("The body must be a JSON object."))
        _check_parsed(payload)
        return payload


def _no_constant(constant: str):
    raise ValueError(f"{constant} is not JSON")


def _check_parsed(payload: dict) -> None:
    """Depth and text of a parsed body, walked without recursion."""
    pending = [(payload, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_BODY_DEPTH:
            raise InvalidBody(400, "invalid_json", _("The body is nested too deeply."))
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
            message = _("The body holds an invalid character.")
            raise InvalidBody(400, "invalid_json", message) from error


# --- Field errors ---------------------------------------------------------------------------

# Messages for pydantic's own error types, in the words of Django's form fields (translated
# by Django's catalogue) or ours ("Send a string.", as cleaned_by says it). Fields cleaned by a
# Django form field carry its message instead; other types keep pydantic's English message.
WHOLE_NUMBER = "Enter a whole number."
MESSAGES = {
    "missing": "This field is required.",
    "int_type": WHOLE_NUMBER,
    "int_parsing": WHOLE_NUMBER,
    "int_parsing_size": WHOLE_NUMBER,
    "int_from_float": WHOLE_NUMBER,
    "list_type": "Enter a list of values.",
    "string_type": "Send a string.",
}


def cleaned_by(field: forms.Field) -> BeforeValidator:
    """Clean a JSON value with a Django form field: the same parsing and translated messages
    as the pages' forms. Every such value is a JSON string or null; other JSON types are a
    field error, never coerced."""

    def clean(value):
        if value is not None and not isinstance(value, str):
            raise PydanticCustomError("type", "{message}", {"message": _("Send a string.")})
        try:
            return field.clean(value)
        except forms.ValidationError as error:
            raise PydanticCustomError(
                "invalid", "{message}", {"message": " ".join(error.messages)}
            ) from error

    return BeforeValidator(clean)


def field_errors(errors: Sequence[dict]) -> dict:
    """Pydantic errors as ``fields``: the path of each nested as keys, its messages in a list.
    Paths start at the field: the framework's leading ``body`` and parameter name, or
    ``query``, are left out."""
    fields: dict = {}
    for error in errors:
        loc = error["loc"]
        if loc and loc[0] == "body":
            loc = loc[2:]
        elif loc and loc[0] in ("query", "path", "header", "cookie"):
            loc = loc[1:]
        path = [str(part) for part in loc] or ["body"]
        target = fields
        for part in path[:-1]:
            target = target.setdefault(part, {})
        known = MESSAGES.get(error["type"])
        message = _(known) if known else error["msg"]
        target.setdefault(path[-1], []).append(message)
    return fields


def unauthorized(message: str, *, realm: str = "checkin") -> ApiError:
    return ApiError(
        401, "unauthorized", message, headers={"WWW-Authenticate": f'Bearer realm="{realm}"'}
    )
