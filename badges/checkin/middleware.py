"""Door devices' scans skip the middleware that serves people's pages.

A scan sent with a device token (``Authorization: Bearer``) needs no session, login, CSRF
check, messages, allauth or static files, and door devices send hundreds a second at the
opening. Placed right after the security middleware, ``DeviceScanMiddleware`` answers such
requests by calling the view itself: it picks the language and adds the headers exactly as
the skipped middleware would (it runs their own methods). Every other request, a door-staff
member's scans with a session included, goes down the whole stack.
"""

from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware

from badges.checkin import api
from badges.checkin.devices import bearer_token

# path_info → view; tests/checkin/test_middleware.py checks that the URLconf agrees.
DEVICE_VIEWS = {
    "/api/v1/checkin": api.scan,
    "/api/v1/checkin/batch": api.batch,
}


class DeviceScanMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.locale = LocaleMiddleware(get_response)
        self.common = CommonMiddleware(get_response)
        self.frame_options = XFrameOptionsMiddleware(get_response)

    def __call__(self, request):
        view = DEVICE_VIEWS.get(request.path_info)
        if view is None or bearer_token(request) is None:
            return self.get_response(request)
        response = self.common.process_request(request)
        if response is None:
            self.locale.process_request(request)
            response = view(request)
            response = self.locale.process_response(request, response)
        response = self.common.process_response(request, response)
        return self.frame_options.process_response(request, response)
