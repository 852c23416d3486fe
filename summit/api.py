"""Plumbing shared by every JSON endpoint under ``/api/v1/``: errors, CORS, caching.

Errors are JSON objects ``{"error": "<code>", "message": "<English text>", "parameter": …}``
(the ``Error`` schema of the OpenAPI document, summit/openapi.py).
"""

import functools
import hashlib
import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control

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
    cross-origin (``Access-Control-Allow-Credentials`` is never sent)."""
    allowed = (*methods, "OPTIONS")

    def decorator(view: Callable) -> Callable:
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
