"""Security headers every response carries.

The Content-Security-Policy allows only our own scripts, styles, images and connections:
pages carry no inline script or style attribute (per-forum colours come from a stylesheet
view), so nothing needs 'unsafe-inline'. The door page uses the camera, hence
Permissions-Policy camera=(self). Requests with a NUL character in the address are refused
(400) before any view sees them.
"""

from django.http import HttpResponseBadRequest, JsonResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def has_nul(request) -> bool:
    """A NUL character in the path or the query: never meant, and PostgreSQL refuses it in
    any text parameter (a lookup by such a code or token would fail with a 500)."""
    query = request.META.get("QUERY_STRING", "")
    return "\x00" in request.path or "%00" in query or "\x00" in query


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            message = "NUL characters are not allowed in addresses."
            if request.path.startswith("/api/"):
                response = JsonResponse({"error": "invalid", "message": message}, status=400)
            else:
                response = HttpResponseBadRequest(message, content_type="text/plain")
        else:
            response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
