"""The framework of every JSON endpoint under ``/api/v1/`` (django-ninja): the one API, its
error handlers, CORS and caching for public reads, and the JSON refusal of other methods.

What the API refuses and how (the error format, bodies, field errors) is summit/api_errors.py.
Apps add their endpoints with a
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

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, RawPostDataException
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from pydantic import ConfigDict, create_model

from summit.api_errors import (
    ApiError,
    JsonBodyParser,
    error_response,
    field_errors,
    form_body_refused,
    not_json,
    unauthorized,
)

JSON_OPTIONS = {"ensure_ascii": False, "separators": (",", ":")}
PREFLIGHT_MAX_AGE = 24 * 3600
ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


# Keyed by language codes, which are not Python names.
TrilingualText = create_model(
    "TrilingualText",
    __config__=ConfigDict(extra="forbid"),
    __doc__="One text in the three languages; an empty string when not written.",
    **dict.fromkeys(("en", "zh-hans", "zh-hant"), (str, ...)),
)


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
        return error_response(400, "too_large", _("The body is too large."))

    @api_exception_handler(Http404)
    def not_found(request, error: Http404):
        return error_response(404, "not_found", _("Not found."))
