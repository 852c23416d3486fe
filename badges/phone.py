"""The guest's badge on the phone: the signed QR code full-screen, offline once seen.

The page shows the very code the printed badge carries (``sign_badge`` of the active badge),
so the door treats both alike. A service worker (``sw.js``, scoped to this page) keeps the
last copy the network gave: offline, the phone shows it; online, every visit fetches the page
again, so a reissued badge replaces the old one the next time the phone is online, and the
copy is dropped when the page answers that there is no badge or asks to log in. The web app
manifest lets the guest add the page to the home screen.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from badges import selectors, services
from badges.signing import sign_badge
from summit.dates import date_range
from summit.selectors import current_summit

# The name of the service worker's cache; a new one (a change of what it stores) drops the old.
CACHE_NAME = "bayline-badge-1"


def qr_svg_path(text: str) -> tuple[int, str]:
    """The QR code of ``text`` as (size in modules, one SVG path of its dark modules), each
    run of dark modules in a row one rectangle: a few kilobytes for a badge code."""
    from badges.qr import qr_matrix

    matrix = qr_matrix(text)
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return len(matrix), "".join(parts)


@never_cache
@login_required
def phone_badge(request):
    summit = current_summit()
    registration = selectors.own_confirmed_registration(request.user, summit) if summit else None
    if registration is None:
        # 404: the service worker drops its copy of a badge that is no longer there.
        return render(request, "badges/phone_badge.html", {"registration": None}, status=404)
    badge = services.issue_badge(registration)
    code = sign_badge(badge.pk, badge.serial)
    size, path = qr_svg_path(code)
    context = {
        "registration": registration,
        "badge": badge,
        "code": code,
        "qr_size": size,
        "qr_view": size + 8,  # a quiet zone of four modules on each side
        "qr_path": path,
        "dates": date_range(summit.starts_on, summit.ends_on),
    }
    response = render(request, "badges/phone_badge.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def manifest(request):
    summit = current_summit()
    name = _("My badge")
    data = {
        "name": f"{name} · {summit.name}" if summit else name,
        "short_name": name,
        "start_url": reverse("badges:phone-badge"),
        "scope": reverse("badges:phone-badge"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b4f6c",
        "icons": [
            {
                "src": static(f"badges/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def service_worker(request):
    response = render(
        request,
        "badges/phone_badge_sw.js",
        {
            "cache_name": CACHE_NAME,
            "page": reverse("badges:phone-badge"),
            "assets": [
                static("badges/phone_badge.css"),
                static("badges/phone_badge.js"),
                static("bayline/favicon.svg"),
                static("badges/icon-192.png"),
                reverse("badges:phone-badge-manifest"),
            ],
        },
        content_type="text/javascript",
    )
    # Browsers look for a new worker at each visit; never from a stale HTTP cache.
    response["Cache-Control"] = "no-cache"
    return response
