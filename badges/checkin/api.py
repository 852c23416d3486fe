"""The check-in API for door devices and door staff (``/api/v1/checkin…``).

Authentication: ``Authorization: Bearer <device token>`` or a door-staff session (with the
CSRF token for POSTs). Errors are JSON ``{"error": code, "message": text, "fields": {…}}``
with 400 (bad input), 401 (no valid token or login), 403 (no permission), 404 (unknown
checkpoint), 405 or 429 (too many requests from one device, with Retry-After). A processed
scan is always 200, whatever its status; see badges/checkin/services.py for the statuses and their
precedence, and badges/checkin/openapi.py for the schema.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from badges.checkin import checkpoints, occupancy, scan_times, services
from badges.checkin.devices import bearer_token, device_for_token
from badges.checkin.models import Scan
from badges.checkin.selectors import guests_matching, offline_data
from summit.api import InvalidBody, form_body_refused, json_object
from summit.infrastructure import ratelimit
from summit.selectors import current_summit

MAX_BATCH = 500
SCAN_PERMISSION = "summit.scan_badges"


class ScanForm(forms.Form):
    code = forms.CharField(max_length=2000)
    checkpoint = forms.SlugField(required=False)
    scan_id = forms.UUIDField(required=False)
    # Checked against the checkpoint's summit once it is known (_scan_time_errors).
    scanned_at = forms.DateTimeField(required=False)
    direction = forms.ChoiceField(choices=Scan.Direction.choices, required=False)
    # Door staff admit into a full room (logged on the scan); a JSON string "true".
    override = forms.ChoiceField(choices=[("true", "true"), ("false", "false")], required=False)


class BatchScanForm(ScanForm):
    scan_id = forms.UUIDField()
    scanned_at = forms.DateTimeField()
    offline_result = forms.ChoiceField(choices=Scan.Result.choices, required=False)


def _error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    body = {"error": code, "message": message}
    if fields:
        body["fields"] = fields
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="checkin"'
    return response


def _json(body: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _checked_form(form_class: type[forms.Form], raw) -> forms.Form:
    """The validated form for one scan object. Every field is a JSON string (or null): other
    types (numbers, booleans, lists, objects) are field errors, never coerced."""
    raw = raw if isinstance(raw, dict) else {}
    wrong = [
        name
        for name in form_class.base_fields
        if raw.get(name) is not None and not isinstance(raw[name], str)
    ]
    form = form_class({name: value for name, value in raw.items() if name not in wrong})
    form.is_valid()
    for name in wrong:
        form.add_error(name, forms.ValidationError(_("Send a string."), code="type"))
    return form


def _field_errors(form: forms.Form) -> dict:
    return {
        name: [error["message"] for error in errors]
        for name, errors in form.errors.get_json_data().items()
    }


def _scanner(request):
    """(Scanner, None) for a device or door-staff member, or (None, error response)."""
    token = bearer_token(request)
    if token is not None:
        device = device_for_token(token)
        if device is None:
            return None, _error(401, "unauthorized", _("This device token is not valid."))
        return services.Scanner(device=device), None
    user = request.user
    if not user.is_authenticated:
        return None, _error(401, "unauthorized", _("Log in or send a device token."))
    if not user.has_perm(SCAN_PERMISSION):
        return None, _error(403, "forbidden", _("You may not scan badges."))
    if request.method == "POST":
        # Session cookies need the CSRF token; bearer tokens cannot be sent by another site.
        try:
            refused = CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})
        except (MultiPartParserError, SuspiciousOperation, BadRequest):
            # The check reads a form body for its token field; only a form body can fail so
            # (JSON is not read), and a form body is refused anyway.
            return None, form_body_refused().response()
        if refused is not None:
            return None, _error(403, "csrf", _("The page has expired; reload it."))
    return services.Scanner(user_id=user.pk), None


def _over_limit(scanner: services.Scanner, scope: str, limit: int) -> JsonResponse | None:
    who = f"device:{scanner.device.id}" if scanner.device else f"user:{scanner.user_id}"
    wait = ratelimit.hit(scope, who, limit=limit, window=60)
    if wait is None:
        return None
    response = _error(429, "too_many_requests", _("Too many scans; wait a moment."))
    response["Retry-After"] = str(wait)
    return response


def _accepted(request, scope: str, per_minute: int):
    """What every check-in POST checks first, in this order: the method, who scans, their rate
    limit, a JSON object. Returns (scanner, payload, None), or a refusal as the third."""
    if request.method != "POST":
        return None, None, _error(405, "method_not_allowed", _("Use POST."))
    scanner, refused = _scanner(request)
    if refused:
        return None, None, refused
    if refused := _over_limit(scanner, scope, per_minute):
        return None, None, refused
    try:
        return scanner, json_object(request), None
    except InvalidBody as refused:
        return None, None, refused.response()


def _scan_time_errors(scanned_at, checkpoint) -> dict | None:
    """Field errors for a scan time no door could have scanned at (scan_times.check_scan_time)."""
    if scanned_at is None:
        return None
    try:
        scan_times.check_scan_time(scanned_at, checkpoint)
    except scan_times.ScanTimeRefused as refused:
        if refused.reason == "future":
            return {"scanned_at": [_("This time is in the future.")]}
        return {"scanned_at": [_("This time is too far from the summit's days.")]}
    return None


def _checkpoint_for(slug: str, scanner: services.Scanner):
    if not slug and scanner.device and scanner.device.checkpoint_id:
        return checkpoints.checkpoint_info_by_id(scanner.device.checkpoint_id)
    if not slug:
        raise checkpoints.CheckpointNotFound("")
    return checkpoints.checkpoint_info(slug)


@csrf_exempt
def scan(request):
    """POST /api/v1/checkin: answer one scan."""
    scanner, payload, refused = _accepted(
        request, "checkin-scan", settings.CHECKIN_SCANS_PER_MINUTE
    )
    if refused:
        return refused
    form = _checked_form(ScanForm, payload)
    if not form.is_valid():
        return _error(400, "invalid", _("Some fields are not valid."), _field_errors(form))
    data = form.cleaned_data
    try:
        checkpoint = _checkpoint_for(data["checkpoint"], scanner)
    except checkpoints.CheckpointNotFound:
        if not data["checkpoint"]:
            message = _("Choose a checkpoint.")
            return _error(400, "invalid", message, {"checkpoint": [message]})
        return _error(404, "unknown_checkpoint", _("There is no such checkpoint."))
    if errors := _scan_time_errors(data["scanned_at"], checkpoint):
        return _error(400, "invalid", _("Some fields are not valid."), errors)
    try:
        answer = services.record_scan(
            data["code"],
            checkpoint=checkpoint,
            scanner=scanner,
            scan_id=data["scan_id"],
            scanned_at=data["scanned_at"],
            direction=data["direction"],
            override=data["override"] == "true",
        )
    except occupancy.DirectionRefused:
        message = _("This checkpoint does not count scans in that direction.")
        return _error(400, "invalid", message, {"direction": [message]})
    response = _json(answer.as_json())
    if answer.replayed:
        response["X-Scan-Replayed"] = "1"
    return response


@csrf_exempt
def batch(request):
    """POST /api/v1/checkin/batch: upload scans made offline; all validated, then recorded."""
    scanner, payload, refused = _accepted(
        request, "checkin-batch", settings.CHECKIN_BATCHES_PER_MINUTE
    )
    if refused:
        return refused
    scans = payload.get("scans")
    if not isinstance(scans, list) or not 1 <= len(scans) <= MAX_BATCH:
        message = _("Send a list of 1 to %(most)d scans.") % {"most": MAX_BATCH}
        return _error(400, "invalid", message, {"scans": [message]})
    items, errors = [], {}
    for index, raw in enumerate(scans):
        form = _checked_form(BatchScanForm, raw)
        if not form.is_valid():
            errors[str(index)] = _field_errors(form)
            continue
        data = form.cleaned_data
        try:
            checkpoint = _checkpoint_for(data["checkpoint"], scanner)
        except checkpoints.CheckpointNotFound:
            errors[str(index)] = {"checkpoint": [_("There is no such checkpoint.")]}
            continue
        if time_errors := _scan_time_errors(data["scanned_at"], checkpoint):
            errors[str(index)] = time_errors
            continue
        try:
            bound = scanner.device.direction if scanner.device else ""
            occupancy.direction_of(checkpoint, data["direction"], bound)
        except occupancy.DirectionRefused:
            message = _("This checkpoint does not count scans in that direction.")
            errors[str(index)] = {"direction": [message]}
            continue
        items.append(
            services.BatchItem(
                code=data["code"],
                checkpoint=checkpoint,
                scan_id=data["scan_id"],
                scanned_at=data["scanned_at"],
                offline_result=data["offline_result"],
                direction=data["direction"],
            )
        )
    if errors:
        return _error(400, "invalid", _("Some scans are not valid."), {"scans": errors})
    answers = services.record_batch(items, scanner=scanner)
    results = [answer.as_json() for answer in answers]
    return _json(
        {
            "results": results,
            "conflicts": sum(1 for answer in answers if answer.conflict),
        }
    )


# Read-only: exempt from the CSRF check so that other methods get the JSON 405 below rather
# than the CSRF middleware's HTML 403.
@csrf_exempt
def offline(request):
    """GET /api/v1/checkin/offline-data: what a scanner needs to keep working offline."""
    if request.method != "GET":
        return _error(405, "method_not_allowed", _("Use GET."))
    _who, refused = _scanner(request)
    if refused:
        return refused
    summit = current_summit()
    if summit is None:
        return _error(404, "no_summit", _("No summit is set up yet."))
    response = _json(offline_data(summit))
    response["Cache-Control"] = "private, no-store"
    return response


@csrf_exempt
def search(request):
    """GET /api/v1/checkin/search?q=…: guests by name, organisation or e-mail (at most 20)."""
    if request.method != "GET":
        return _error(405, "method_not_allowed", _("Use GET."))
    _who, refused = _scanner(request)
    if refused:
        return refused
    summit = current_summit()
    query = request.GET.get("q", "").strip()
    if summit is None or len(query) < 2:
        return _json({"results": []})
    return _json({"results": guests_matching(summit, query)})
