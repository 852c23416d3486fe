"""The check-in API for door devices and door staff (``/api/v1/checkin…``), a django-ninja
router mounted by summit/urls.py.

Authentication: ``Authorization: Bearer <device token>`` (``DeviceToken``) or a door-staff
session (``DoorStaffSession``, with the CSRF token for POSTs). Refusals are the API's ``Error``
(summit/api.py): 400 (bad input, with ``fields``), 401, 403, 404 (unknown checkpoint), 405,
415 (form bodies) or 429 (too many requests from one scanner, with Retry-After). A processed
scan is always 200, whatever its status; see badges/checkin/services.py for the statuses and their
precedence.

The answers' schemas document what the services build: a scan's answer is made once by
``ScanAnswer.as_json`` and sent as is, so door devices get the same bytes as before.
"""

import datetime
import threading
import uuid
from typing import Annotated, Any, Literal

from django import forms
from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import BaseThrottle
from pydantic import BaseModel, Field, SkipValidation, model_validator
from pydantic import ValidationError as SchemaError

from badges.checkin import checkpoints, occupancy, scan_times, services
from badges.checkin.devices import device_for_token
from badges.checkin.models import Scan
from badges.checkin.selectors import guests_matching, offline_data
from summit.api import allow_only
from summit.api_errors import (
    ApiError,
    cleaned_by,
    field_errors,
    form_body_refused,
    json_response,
    responses,
    unauthorized,
)
from summit.infrastructure import ratelimit
from summit.models import Room
from summit.selectors import current_summit

MAX_BATCH = 500
SCAN_PERMISSION = "summit.scan_badges"
RESULTS = tuple(Scan.Result.values)
DIRECTIONS = tuple(Scan.Direction.values)

router = Router(tags=["checkin"])


# --- Who scans --------------------------------------------------------------------------------


class DeviceToken(HttpBearer):
    """A door device's token (shown once when registered; only its SHA-256 is stored)."""

    openapi_description = __doc__

    def authenticate(self, request: HttpRequest, token: str) -> services.Scanner:
        device = device_for_token(token.strip())
        if device is None:
            # A token was sent: a wrong one is refused, whatever else the request carries.
            raise unauthorized(_("This device token is not valid."))
        return services.Scanner(device=device)


class DoorStaffSession(APIKeyCookie):
    """A door-staff login (permission summit.scan_badges); POSTs also need X-CSRFToken."""

    openapi_description = __doc__
    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, after the permission, as JSON

    def __call__(self, request: HttpRequest) -> services.Scanner | None:
        return self.authenticate(request, None)

    def authenticate(self, request: HttpRequest, key: str | None) -> services.Scanner | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if not user.has_perm(SCAN_PERMISSION):
            raise ApiError(403, "forbidden", _("You may not scan badges."))
        if request.method == "POST":
            # Session cookies need the CSRF token; bearer tokens cannot be sent by another site.
            try:
                refused = CsrfViewMiddleware(lambda request: None).process_view(
                    request, None, (), {}
                )
            except (MultiPartParserError, SuspiciousOperation, BadRequest) as error:
                # The check reads a form body for its token field; only a form body can fail
                # so (JSON is not read), and a form body is refused anyway.
                raise form_body_refused() from error
            if refused is not None:
                raise ApiError(403, "csrf", _("The page has expired; reload it."))
        return services.Scanner(user_id=user.pk)


SCANNERS = [DeviceToken(), DoorStaffSession()]


class ScannerThrottle(BaseThrottle):
    """``per_minute`` (a setting's name) requests a minute for each device or door-staff
    member, counted in the shared cache (summit/infrastructure/ratelimit.py)."""

    def __init__(self, scope: str, per_minute: str):
        self.scope, self.per_minute = scope, per_minute
        self.waits = threading.local()  # wait() is asked right after allow_request()

    def allow_request(self, request: HttpRequest) -> bool:
        scanner = request.auth
        who = f"device:{scanner.device.id}" if scanner.device else f"user:{scanner.user_id}"
        limit = getattr(settings, self.per_minute)
        self.waits.seconds = ratelimit.hit(self.scope, who, limit=limit, window=60)
        return self.waits.seconds is None

    def wait(self) -> float | None:
        return getattr(self.waits, "seconds", None)


# --- Schemas ----------------------------------------------------------------------------------


class CheckinScanRequest(BaseModel):
    """One scan. Every field is a JSON string (or null), cleaned as the door's forms do."""

    code: Annotated[str, cleaned_by(forms.CharField(max_length=2000))] = Field(
        max_length=2000, description="The text of the QR code (116 base32 characters)."
    )
    checkpoint: Annotated[str, cleaned_by(forms.SlugField(required=False))] = Field(
        "", description="Checkpoint slug; optional for a device with a default checkpoint."
    )
    scan_id: Annotated[uuid.UUID | None, cleaned_by(forms.UUIDField(required=False))] = Field(
        None,
        description="Chosen by the device; a retry with the same id is answered the same and "
        "counted once.",
    )
    scanned_at: Annotated[
        datetime.datetime | None, cleaned_by(forms.DateTimeField(required=False))
    ] = Field(
        None,
        description="When the badge was scanned (device clock); default: now. Refused (a "
        "field error) unless within the summit's days +-2 days (its time zone) or the 2 days "
        "before now, and at most 10 minutes ahead of now.",
    )
    direction: Annotated[
        str, cleaned_by(forms.ChoiceField(choices=Scan.Direction.choices, required=False))
    ] = Field(
        "",
        json_schema_extra={"enum": [*DIRECTIONS, ""]},
        description="At a door that counts both: entry or exit. Default: the device's bound "
        "direction, else the checkpoint's (entries at a door of both). A direction the "
        "checkpoint does not count is a field error.",
    )
    override: Annotated[
        str,
        cleaned_by(
            forms.ChoiceField(choices=[("true", "true"), ("false", "false")], required=False)
        ),
    ] = Field(
        "",
        json_schema_extra={"enum": ["true", "false", ""]},
        description='"true": door staff admit into a full room (logged on the scan).',
    )


class CheckinBatchScan(CheckinScanRequest):
    """A scan made offline: its id and time are required."""

    scan_id: Annotated[uuid.UUID, cleaned_by(forms.UUIDField())]
    scanned_at: Annotated[datetime.datetime, cleaned_by(forms.DateTimeField())]
    offline_result: Annotated[
        str, cleaned_by(forms.ChoiceField(choices=Scan.Result.choices, required=False))
    ] = Field("", json_schema_extra={"enum": [*RESULTS, ""]})

    @model_validator(mode="before")
    @classmethod
    def an_object(cls, value: Any) -> Any:
        # Anything but an object is a scan without any of its fields.
        return value if isinstance(value, dict) else {}


class CheckinBatchRequest(BaseModel):
    # Validated scan by scan in the view, so that every bad scan is named in one answer.
    scans: SkipValidation[list[CheckinBatchScan]] = Field(min_length=1, max_length=MAX_BATCH)


class CheckinGuest(Schema):
    """Null for invalid codes. No photo, no contact data."""

    registration_id: int
    badge_id: int
    name: str = Field(description="Native script, may be empty")
    name_latin: str
    organisation: str
    category: Literal["vip", "speaker", "media", "delegate", "staff"]
    category_label: str


class CheckinFirstEntry(Schema):
    """For repeats: when and where the guest was first admitted at this checkpoint."""

    at: datetime.datetime
    checkpoint: str
    checkpoint_name: str
    door: str = Field(
        description="Device name, or the door-staff member's name (empty when their account "
        "has none)"
    )


class CheckinCheckpoint(Schema):
    slug: str
    name: str


STATUS_ORDER = (
    "One of a fixed set; when several apply the first in this order wins: invalid (not a code "
    "we signed, unknown badge, another summit's), cancelled (registration cancelled), revoked "
    "(badge replaced by a reprint or revoked), not_approved (pending, waitlisted or rejected), "
    "checkpoint_closed, wrong_day (the checkpoint admits on another day, Asia/Shanghai), "
    "not_enrolled (forum checkpoint; no confirmed place in the forum or one of its sessions), "
    "room_full (an entry into a room at capacity, not admitted unless overridden), "
    "already_checked_in (single-entry checkpoint, admitted before), ok (admitted; at a "
    "re-entry checkpoint a repeat is ok with re_entry=true and first_entry)."
)


class CheckinOccupancy(Schema):
    """Who is in the room now (each guest's latest scan there), against its capacity."""

    room: str
    room_id: int
    inside: int = Field(ge=0)
    capacity: int = Field(ge=0)
    percent: int = Field(ge=0)
    warn_at_percent: int = Field(ge=1, le=100)
    level: Literal["ok", "warn", "full"]


class CheckinScanAnswer(Schema):
    status: Literal[RESULTS] = Field(description=STATUS_ORDER)  # type: ignore[valid-type]
    message: str = Field(description="The status in words, translated.")
    scan_id: uuid.UUID
    scanned_at: datetime.datetime = Field(description="ISO-8601 with the summit's offset.")
    checkpoint: CheckinCheckpoint
    guest: CheckinGuest | None
    first_entry: CheckinFirstEntry | None
    re_entry: bool
    direction: Literal[DIRECTIONS]  # type: ignore[valid-type]
    occupancy: CheckinOccupancy = Field(
        None,
        description="At a room's door only: the room's occupancy after this scan (on a retry "
        "with the same scan_id: now).",
    )
    override: bool = Field(
        None, description="At a room's door only: whether staff admitted into a full room."
    )
    conflict: bool = Field(
        None,
        description="Batch answers only: the device admitted the guest offline, the server "
        "would not have.",
    )


class CheckinBatchAnswer(Schema):
    results: list[CheckinScanAnswer] = Field(description="One answer per scan, in the order sent.")
    conflicts: int


class CheckinOfflineSummit(Schema):
    slug: str
    time_zone: str


class CheckinPublicKey(Schema):
    id: int
    public_key: str = Field(json_schema_extra={"contentEncoding": "base64"})


class CheckinOfflineCheckpoint(Schema):
    slug: str
    name: str
    names: dict[str, str]
    kind: Literal["entrance", "forum"]
    policy: Literal["single", "reentry"]
    forum_id: int | None
    forum_is_plenary: bool
    day: datetime.date | None
    is_active: bool


class CheckinRosterEntry(Schema):
    serial: int
    registration_id: int
    name: str
    name_latin: str
    organisation: str
    category: str
    status: str
    forums: list[int]
    entered: dict[str, datetime.datetime] = Field(description="Checkpoint slug → first entry.")


class CheckinOfflineData(Schema):
    generated_at: datetime.datetime
    summit: CheckinOfflineSummit
    keys: list[CheckinPublicKey]
    categories: dict[str, str]
    checkpoints: list[CheckinOfflineCheckpoint]
    revoked: list[Annotated[list[int], Field(min_length=2, max_length=2)]] = Field(
        description="[badge id, serial] of every badge that no longer admits."
    )
    roster: dict[str, CheckinRosterEntry] = Field(description="Active badges by badge id.")
    newest_badge_id: int = Field(
        ge=0,
        description="The highest badge id of any summit when the roster was read (0: none). "
        "Badge ids grow: a genuine code missing from the roster is a badge issued since only "
        "if its id is higher; any other is not this summit's (invalid online).",
    )


class CheckinGuestFound(Schema):
    registration_id: int
    name: str
    name_latin: str
    organisation: str
    category: str
    category_label: str
    status: str
    status_label: str
    badge_id: int | None
    reprint_url: str | None


class CheckinSearchResults(Schema):
    results: list[CheckinGuestFound]


# --- Endpoints --------------------------------------------------------------------------------

SCAN_REFUSALS = (400, 401, 403, 404, 405, 415, 429)
READ_REFUSALS = (401, 403, 405)
# Reads taking a query parameter also answer 400: a NUL in it is refused before any view
# (summit/infrastructure/middleware.py).
USE_POST, USE_GET = gettext_lazy("Use POST."), gettext_lazy("Use GET.")
DIRECTION_REFUSED = gettext_lazy("This checkpoint does not count scans in that direction.")

allow_only(router, "/checkin", ["POST"], url_name="checkin", message=USE_POST)
allow_only(router, "/checkin/batch", ["POST"], url_name="checkin-batch", message=USE_POST)
allow_only(
    router, "/checkin/offline-data", ["GET"], url_name="checkin-offline-data", message=USE_GET
)
allow_only(router, "/checkin/search", ["GET"], url_name="checkin-search", message=USE_GET)
allow_only(router, "/checkin/occupancy", ["GET"], url_name="checkin-occupancy", message=USE_GET)


@router.post(
    "/checkin",
    url_name="checkin",
    operation_id="checkin",
    summary="Answer one scan",
    description="The answer is 200 whatever the status (X-Scan-Replayed: 1 on a retry). "
    "Bodies: a JSON object in UTF-8 (else 400 invalid_json: also nested deeper than 8 "
    "levels, NaN, half a surrogate pair; too_large beyond 2.5 MB); form bodies are a 415.",
    auth=SCANNERS,
    throttle=[ScannerThrottle("checkin-scan", "CHECKIN_SCANS_PER_MINUTE")],
    response=responses(*SCAN_REFUSALS, success={200: CheckinScanAnswer}),
)
def scan(request: HttpRequest, payload: CheckinScanRequest):
    scanner = request.auth
    try:
        checkpoint = _checkpoint_for(payload.checkpoint, scanner)
    except checkpoints.CheckpointNotFound as missing:
        if not payload.checkpoint:
            message = _("Choose a checkpoint.")
            raise _invalid(message, {"checkpoint": [message]}) from missing
        raise ApiError(404, "unknown_checkpoint", _("There is no such checkpoint.")) from missing
    if errors := _scan_time_errors(payload.scanned_at, checkpoint):
        raise _invalid(_("Some fields are not valid."), errors)
    try:
        answer = services.record_scan(
            payload.code,
            checkpoint=checkpoint,
            scanner=scanner,
            scan_id=payload.scan_id,
            scanned_at=payload.scanned_at,
            direction=payload.direction,
            override=payload.override == "true",
        )
    except occupancy.DirectionRefused as refused:
        message = DIRECTION_REFUSED
        raise _invalid(str(message), {"direction": [str(message)]}) from refused
    response = json_response(answer.as_json())
    if answer.replayed:
        response["X-Scan-Replayed"] = "1"
    return response


@router.post(
    "/checkin/batch",
    url_name="checkin-batch",
    operation_id="checkinBatch",
    summary="Upload scans made offline",
    description="All scans are validated first (any bad one: 400 naming each, nothing "
    "recorded; a scan_id given to two different scans is a field error of the later one), "
    "then recorded in the order they were made, each idempotent by scan_id. A scan "
    "the device admitted that the server refuses (admitted at two doors of a single-entry "
    "checkpoint, badge revoked meanwhile…) is flagged as a conflict, answered with "
    "conflict=true and listed for organisers.",
    auth=SCANNERS,
    throttle=[ScannerThrottle("checkin-batch", "CHECKIN_BATCHES_PER_MINUTE")],
    response=responses(*SCAN_REFUSALS, success={200: CheckinBatchAnswer}),
)
def batch(request: HttpRequest, payload: CheckinBatchRequest):
    scanner, scans = request.auth, payload.scans
    if not isinstance(scans, list) or not 1 <= len(scans) <= MAX_BATCH:
        message = _("Send a list of 1 to %(most)d scans.") % {"most": MAX_BATCH}
        raise _invalid(message, {"scans": [message]})
    items, errors = [], {}
    # The first scan of the batch with each scan_id, and its position. The same scan twice is
    # answered twice and counted once; another scan under its id would never be recorded.
    first_with: dict[uuid.UUID, tuple[int, services.BatchItem]] = {}
    for index, raw in enumerate(scans):
        try:
            item = CheckinBatchScan.model_validate(raw)
        except SchemaError as error:
            errors[str(index)] = field_errors(error.errors())
            continue
        try:
            checkpoint = _checkpoint_for(item.checkpoint, scanner)
        except checkpoints.CheckpointNotFound:
            errors[str(index)] = {"checkpoint": [_("There is no such checkpoint.")]}
            continue
        if time_errors := _scan_time_errors(item.scanned_at, checkpoint):
            errors[str(index)] = time_errors
            continue
        try:
            bound = scanner.device.direction if scanner.device else ""
            occupancy.direction_of(checkpoint, item.direction, bound)
        except occupancy.DirectionRefused:
            errors[str(index)] = {"direction": [str(DIRECTION_REFUSED)]}
            continue
        batch_item = services.BatchItem(
            code=item.code,
            checkpoint=checkpoint,
            scan_id=item.scan_id,
            scanned_at=item.scanned_at,
            offline_result=item.offline_result,
            direction=item.direction,
        )
        first_index, first = first_with.setdefault(item.scan_id, (index, batch_item))
        if first != batch_item:
            message = _("Scan %(index)d of this batch has this scan_id, with other details.")
            errors[str(index)] = {"scan_id": [message % {"index": first_index}]}
            continue
        items.append(batch_item)
    if errors:
        raise _invalid(_("Some scans are not valid."), {"scans": errors})
    answers = services.record_batch(items, scanner=scanner)
    return json_response(
        {
            "results": [answer.as_json() for answer in answers],
            "conflicts": sum(1 for answer in answers if answer.conflict),
        }
    )


@router.get(
    "/checkin/offline-data",
    url_name="checkin-offline-data",
    operation_id="checkinOfflineData",
    summary="What a scanner needs offline",
    description="Public keys (Ed25519, raw, base64) to verify codes; active badges (roster, by "
    "badge id) with display data, registration status, confirmed forum ids and checkpoints "
    "already entered; revoked [badge id, serial] pairs; checkpoints with their rules; the "
    "newest badge id (a genuine code missing from the roster is newer only above it). Codes "
    "are 72 bytes base32: version(1) key id(1) badge id(4, big-endian) serial(2) Ed25519 "
    "signature(64) of b'bayline-badge' + the first 8 bytes.",
    auth=SCANNERS,
    response=responses(404, *READ_REFUSALS, success={200: CheckinOfflineData}),
)
def offline(request: HttpRequest):
    summit = current_summit()
    if summit is None:
        raise ApiError(404, "no_summit", _("No summit is set up yet."))
    response = json_response(offline_data(summit))
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/checkin/search",
    url_name="checkin-search",
    operation_id="checkinSearch",
    summary="Find guests by name, organisation or e-mail (at most 20)",
    auth=SCANNERS,
    response=responses(400, *READ_REFUSALS, success={200: CheckinSearchResults}),
)
def search(request: HttpRequest, q: str = Query("", description="At least 2 characters.")):
    summit = current_summit()
    query = q.strip()
    if summit is None or len(query) < 2:
        return json_response({"results": []})
    return json_response({"results": guests_matching(summit, query)})


class CheckinDoorOccupancy(Schema):
    checkpoint: str
    direction: Literal["entries", "exits", "both"]
    occupancy: CheckinOccupancy | None = Field(description="Null unless the door is a room's.")


@router.get(
    "/checkin/occupancy",
    url_name="checkin-occupancy",
    operation_id="checkinOccupancy",
    summary="The room's occupancy now, for the door",
    auth=SCANNERS,
    response=responses(400, 404, *READ_REFUSALS, success={200: CheckinDoorOccupancy}),
)
def door_occupancy(
    request: HttpRequest, checkpoint: str = Query("", description="Checkpoint slug.")
):
    try:
        found = checkpoints.checkpoint_info(checkpoint)
    except checkpoints.CheckpointNotFound as missing:
        raise ApiError(404, "unknown_checkpoint", _("There is no such checkpoint.")) from missing
    body = {"checkpoint": found.slug, "direction": found.direction, "occupancy": None}
    room = Room.objects.filter(pk=found.room_id).first() if found.room_id else None
    if room is not None:
        body["occupancy"] = occupancy.room_occupancy(room, summit_id=found.summit_id).as_json()
    response = json_response(body)
    response["Cache-Control"] = "private, no-store"
    return response


# --- Helpers ----------------------------------------------------------------------------------


def _invalid(message: str, fields: dict) -> ApiError:
    return ApiError(400, "invalid", message, fields=fields)


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
