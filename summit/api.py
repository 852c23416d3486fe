"""The framework of every JSON endpoint under ``/api/v1/`` (django-ninja): one error format,
request bodies, CORS and caching for public reads, and the refusal of other methods.

Every 4xx is ``{"error": "<code>", "message": "<text>", "fields": {<field>: [<messages>]}}``
(``Error``), ``fields`` only where input was at fault. Apps add their endpoints with a
``Router`` in their ``api.py``; the project's URL configuration (summit/urls.py) mounts them
on the one ``NinjaAPI``, which also generates the OpenAPI document.
"""

import datetime
import functools
import hashlib
import inspect
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, RawPostDataException
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from pydantic import BeforeValidator, ConfigDict, Field, create_model
from pydantic_core import PydanticCustomError

JSON_OPTIONS = {"ensure_ascii": False, "separators": (",", ":")}
PREFLIGHT_MAX_AGE = 24 * 3600
ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


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


# Keyed by language codes, which are not Python names.
TrilingualText = create_model(
    "TrilingualText",
    __config__=ConfigDict(extra="forbid"),
    __doc__="One text in the three languages; an empty string when not written.",
    **dict.fromkeys(("en", "zh-hans", "zh-hant"), (str, ...)),
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
        415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json)."
    )


def not_json() -> InvalidBody:
    return InvalidBody(400, "invalid_json", "The body is not valid JSON in UTF-8.")


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
            raise InvalidBody(400, "invalid_json", "The body is nested too deeply.") from error
        except ValueError as error:  # also UnicodeDecodeError, JSONDecodeError, many digits
            raise not_json() from error
        if not isinstance(payload, dict):
            raise InvalidBody(400, "invalid_json", "The body must be a JSON object.")
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


# --- Field errors ---------------------------------------------------------------------------

# Messages for pydantic's own error types, in the words of Django's form fields (translated
# by Django's catalogue). Fields cleaned by a Django form field carry its message instead.
REQUIRED = "This field is required."


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
        message = _(REQUIRED) if error["type"] == "missing" else error["msg"]
        target.setdefault(path[-1], []).append(message)
    return fields


# --- Methods and CORS ---------------------------------------------------------------------


def taking_path_parameters(path: str) -> Callable:
    """Declare the parameters of ``path`` (``{name}`` or ``{type:name}``) as the view's, for
    views that take any of them (the framework matches its views' signatures to the path)."""
    names = [part.split(":")[-1] for part in re.findall(r"{([^}]+)}", path)]

    def decorator(view: Callable) -> Callable:
        request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)
        view.__signature__ = inspect.Signature(
            [request]
            + [
                inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str)
                for name in names
            ]
        )
        return view

    return decorator


def allow_only(
    router: Router,
    path: str,
    methods: Sequence[str],
    *,
    url_name: str,
    message: str,
    public: bool = False,
):
    """Answer every other method on ``path`` with the JSON 405 saying ``message`` (the
    framework's own answer is a bare one); ``public`` addresses carry CORS headers on it too.
    ``message`` is translated when the 405 is sent (pass a ``gettext_lazy`` text)."""
    allowed = ", ".join(methods)
    others = [method for method in ALL_METHODS if method not in methods]

    @taking_path_parameters(path)
    def refuse(request: HttpRequest, **parameters):
        response = error_response(405, "method_not_allowed", str(message))
        response["Allow"] = allowed
        return with_cors(response) if public else response

    router.api_operation(others, path, auth=None, url_name=url_name, include_in_schema=False)(
        refuse
    )


def public_read(router: Router, path: str, **options) -> Callable:
    """A public, read-only endpoint: GET and HEAD with CORS open to any origin, an answer to
    preflight ``OPTIONS`` requests and a JSON 405 for other methods. No cookies are honoured
    cross-origin (``Access-Control-Allow-Credentials`` is never sent)."""
    methods = ("GET", "HEAD", "OPTIONS")

    def preflight(request: HttpRequest):
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = ", ".join(methods)
        response["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Accept-Language, If-None-Match"
        )
        response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        response["Allow"] = ", ".join(methods)
        return with_cors(response)

    hidden = {"auth": None, "url_name": options["url_name"], "include_in_schema": False}

    def decorator(view: Callable) -> Callable:
        router.api_operation(["OPTIONS"], path, **hidden)(preflight)
        allow_only(
            router,
            path,
            methods,
            url_name=options["url_name"],
            message="Use GET or HEAD on this address.",
            public=True,
        )

        @functools.wraps(view)
        def open_to_all(request: HttpRequest, *args, **kwargs):
            return with_cors(view(request, *args, **kwargs))

        @functools.wraps(view)
        def head(request: HttpRequest, *args, **kwargs):
            return open_to_all(request, *args, **kwargs)

        router.api_operation(["HEAD"], path, **hidden)(head)
        return router.get(path, auth=None, **options)(open_to_all)

    return decorator


def with_cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag"
    return response


def configured_cors(view: Callable) -> Callable:
    """Answers readable by the web origins in ``GUEST_API_CORS_ORIGINS`` (not by any)."""

    @functools.wraps(view)
    def readable(request: HttpRequest, *args, **kwargs):
        return cors_for_configured_origins(request, view(request, *args, **kwargs))

    return readable


def cors_for_configured_origins(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    origin = request.headers.get("Origin")
    if origin and origin in settings.GUEST_API_CORS_ORIGINS:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = "Retry-After"
        patch_vary_headers(response, ["Origin"])
    return response


def private_paths(router: Router, path: str, methods: Sequence[str], *, url_name: str) -> None:
    """A JSON 405 for every other method on ``path``, and answers to CORS preflight requests
    from the configured origins (bearer tokens, never cookies)."""
    allowed = (*methods, "OPTIONS")

    @taking_path_parameters(path)
    def preflight(request: HttpRequest, **parameters):
        response = HttpResponse(status=204)
        response["Allow"] = ", ".join(allowed)
        if request.headers.get("Origin") in settings.GUEST_API_CORS_ORIGINS:
            response["Access-Control-Allow-Methods"] = ", ".join(allowed)
            response["Access-Control-Allow-Headers"] = (
                "Authorization, Content-Type, Accept-Language"
            )
            response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        return cors_for_configured_origins(request, response)

    hidden = {"auth": None, "url_name": url_name, "include_in_schema": False}
    router.api_operation(["OPTIONS"], path, **hidden)(preflight)
    message = f"Use {' or '.join(methods)} on this address."
    allow_only(router, path, allowed, url_name=url_name, message=message)


# --- Public, cacheable reads ------------------------------------------------------------------

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


# --- The API --------------------------------------------------------------------------------

DESCRIPTION = (
    "Times are ISO 8601 with their offset (the summit is in Asia/Shanghai, +08:00). "
    "Texts that organisers write come in English, Simplified and Traditional Chinese, "
    'keyed "en", "zh-hans" and "zh-hant". Every 4xx is a JSON object (the Error schema).'
)


def build_api(*, routers: Sequence[Router]) -> NinjaAPI:
    """The one ``NinjaAPI`` of ``/api/v1/`` with the apps' routers, its error handlers and
    its OpenAPI document at ``openapi.json`` (public, cacheable, CORS-enabled)."""
    api = NinjaAPI(
        title="Bayline API",
        version="1.0.0",
        description=DESCRIPTION,
        urls_namespace="api",
        parser=JsonBodyParser(),
        openapi_url=None,  # served below, with CORS, caching and the JSON 405
        docs_url=None,
    )
    _add_error_handlers(api)
    for router in routers:
        api.add_router("", router)

    document = Router()
    nowhere = {"auth": None, "url_name": "api-root", "include_in_schema": False}

    @public_read(document, "/openapi.json", url_name="openapi", include_in_schema=False)
    def openapi(request: HttpRequest):
        return cacheable_json(request, openapi_document(api), max_age=3600)

    # Any other address under /api/v1/ is a JSON 404, the API's root included.
    @document.api_operation(list(ALL_METHODS), "/", **nowhere)
    def root(request: HttpRequest):
        return error_response(404, "not_found", _("There is nothing at this address."))

    @document.api_operation(list(ALL_METHODS), "/{path:rest}", **nowhere)
    def elsewhere(request: HttpRequest, rest: str):
        return root(request)

    api.add_router("", document)
    return api


@functools.cache
def openapi_document(api: NinjaAPI) -> dict:
    # Built on the first request of each process: the document changes only with the code.
    return api.get_openapi_schema(path_prefix="/api/v1/")


def _add_error_handlers(api: NinjaAPI) -> None:
    handle = api.exception_handler

    def readable(exception: type[Exception]) -> Callable:
        # Refusals are readable by the configured origins too (a 401 tells an app to sign in).
        def decorator(handler: Callable) -> Callable:
            def answer(request, error):
                return cors_for_configured_origins(request, handler(request, error))

            return handle(exception)(answer)

        return decorator

    api_exception_handler = readable

    @api_exception_handler(ApiError)
    def refused(request, error: ApiError):
        return error.response()

    @api_exception_handler(ValidationError)
    def invalid(request, error: ValidationError):
        # The whole body missing is a body that is not JSON (an empty one).
        if any(item["loc"][0] == "body" and len(item["loc"]) == 2 for item in error.errors):
            return not_json().response()
        return error_response(
            400, "invalid", _("Some fields are not valid."), fields=field_errors(error.errors)
        )

    @api_exception_handler(AuthenticationError)
    def unauthenticated(request, error: AuthenticationError):
        return unauthorized(_("Log in or send a device token.")).response()

    @api_exception_handler(Throttled)
    def throttled(request, error: Throttled):
        return error_response(429, "too_many_requests", _("Too many scans; wait a moment."))

    @api_exception_handler(HttpError)
    def http_error(request, error: HttpError):
        # The framework wraps what the body parser raised (JsonBodyParser's InvalidBody).
        if isinstance(error.__cause__, ApiError):
            return error.__cause__.response()
        return error_response(error.status_code, "error", str(error))

    @api_exception_handler(RawPostDataException)
    def read_as_a_form(request, error: RawPostDataException):
        # The body was read as a form already (by a CSRF check looking for its token field),
        # so it was sent as one: the framework cannot read it as JSON any more.
        return form_body_refused().response()

    @api_exception_handler(RequestDataTooBig)
    def too_large(request, error: RequestDataTooBig):
        return error_response(400, "too_large", "The body is too large.")

    @api_exception_handler(Http404)
    def not_found(request, error: Http404):
        return error_response(404, "not_found", _("Not found."))


def unauthorized(message: str) -> ApiError:
    return ApiError(
        401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="checkin"'}
    )
