"""The guest's badge code, the badges app's part of the guest API (registration/api.py):
what a mini program shows as the guest's QR code at the door."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Router, Schema
from pydantic import Field

from badges.selectors import active_badge
from badges.signing import sign_badge
from registration.api import GUEST
from summit.api import configured_cors, private_paths
from summit.api_errors import ApiError, json_response, responses

router = Router(tags=["guest"])
private_paths(router, "/guest/badge", ["GET"], url_name="guest-badge")


class GuestBadge(Schema):
    badge_id: int
    serial: int
    code: str = Field(description="The text of the badge's QR code, as the door reads it.")


@router.get(
    "/guest/badge",
    url_name="guest-badge",
    operation_id="guestBadge",
    summary="My badge code",
    description="The active badge's code (show it as a QR code); 404 until a badge is issued. "
    "A reissued badge replaces the old code, which the door then answers revoked.",
    auth=GUEST,
    response=responses(401, 404, 405, success={200: GuestBadge}),
)
@configured_cors
@never_cache
def guest_badge(request: HttpRequest):
    registration = request.auth[1]
    badge = active_badge(registration)
    if badge is None:
        raise ApiError(404, "no_badge", _("Your badge is not issued yet."))
    code = sign_badge(badge.pk, badge.serial)
    return json_response({"badge_id": badge.pk, "serial": badge.serial, "code": code})
