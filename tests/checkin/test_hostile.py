"""The check-in API against hostile and broken input (issue 13, items 1-3).

Bodies the parser cannot take (nested beyond reason, too large, not UTF-8, not JSON at all) and
times no door could have scanned at (year 1 with any offset, year 9999, no offset, far from the
summit) are refused with a JSON 4xx and nothing written, on ``/api/v1/checkin`` and on
``/api/v1/checkin/batch``; and nothing a device ever stored may break the offline data of the
others.

The clock is frozen at noon on the summit's first day (``first_day_noon``, tests/conftest.py);
every time here is taken relative to the summit and that clock, never to today's date.
"""

import datetime
import json
import uuid

import pytest
from django.db import connection
from django.test import Client

from badges.checkin.models import Admission, Scan
from tests.checkin.conftest import code_of
from tests.openapi import validate_answer

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/v1/checkin", "/api/v1/checkin/batch"]


def post(client, url: str, raw: bytes, token: str, content_type: str = "application/json"):
    return client.generic(
        "POST", url, raw, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def assert_refused(response, status: int, error: str) -> dict:
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (response.status_code, body["error"]) == (status, error)
    assert isinstance(body["message"], str) and body["message"]
    assert Scan.objects.count() == 0
    assert Admission.objects.count() == 0
    documented(response, body)
    return body


def documented(response, body: dict) -> None:
    """The refusal is one the OpenAPI document lists for this address and method, in the
    schema it gives (the contract a move to another API framework must keep)."""
    validate_answer(response)


def scan_body(url: str, **scan) -> dict:
    return {"scans": [scan]} if url.endswith("batch") else scan


# --- 1. Bodies -----------------------------------------------------------------------------

NESTED_ARRAYS = b"[" * 100_000 + b"]" * 100_000
NESTED_OBJECTS = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    [
        NESTED_ARRAYS,
        NESTED_OBJECTS,
        b'{"code": "x", "scans": ' + NESTED_ARRAYS + b"}",
        # Deep enough to parse, deeper than any scan or batch can be.
        b'{"scans": ' + b"[" * 40 + b"]" * 40 + b"}",
        b'{"code": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"}",
    ],
    ids=["arrays", "objects", "inside-an-object", "40-arrays", "40-objects"],
)
def test_deeply_nested_body_is_a_json_400(client, token, checkpoint, url, raw):
    response = post(client, url, raw, token)

    assert_refused(response, 400, "invalid_json")


@pytest.mark.parametrize("url", ENDPOINTS)
def test_body_larger_than_the_upload_limit_is_a_json_400(client, token, checkpoint, settings, url):
    raw = json.dumps({"code": "A" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}).encode()

    response = post(client, url, raw, token)

    assert_refused(response, 400, "too_large")


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    [
        b'{"code": "\xff\xfe"}',  # not UTF-8
        '{"code": "x", "checkpoint": "main-entrance"}'.encode("utf-16"),
        b'{"code": "\\ud800", "checkpoint": "main-entrance"}',  # half a surrogate pair
        b'{"scans": [{"code": "\\udfff"}]}',
        b'{"code": NaN, "checkpoint": "main-entrance"}',  # not JSON (Python's extension)
        b'{"code": Infinity}',
        b"1" * 5000,  # more digits than Python turns into an int
        b"",
    ],
    ids=["latin-1", "utf-16", "surrogate", "batch-surrogate", "nan", "inf", "digits", "empty"],
)
def test_body_that_is_not_json_in_utf_8_is_a_json_400(client, token, checkpoint, url, raw):
    response = post(client, url, raw, token)

    assert_refused(response, 400, "invalid_json")


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"code=x&checkpoint=main-entrance", "application/x-www-form-urlencoded"),
        (b"a=1&" * 5000, "application/x-www-form-urlencoded"),
        (b'--xyz\r\nContent-Disposition: form-data; name="code"\r\n\r\nx\r\n--xyz--\r\n',
         "multipart/form-data; boundary=xyz"),
        (b"--xyz\r\nbroken", "multipart/form-data; boundary=xyz"),
        (b"{}", "multipart/form-data"),
    ],
    ids=["form", "many-fields", "multipart", "broken-multipart", "no-boundary"],
)  # fmt: skip
def test_form_bodies_from_door_staff_are_a_json_415(door_staff, checkpoint, url, raw, content_type):
    # A real browser session, with the CSRF check a real browser goes through (the CSRF check
    # reads form bodies, and a body read as a form can no longer be read as JSON).
    client = Client(enforce_csrf_checks=True)
    client.force_login(door_staff)
    client.get("/door/")
    csrf = client.cookies["csrftoken"].value

    response = client.generic("POST", url, raw, content_type=content_type, HTTP_X_CSRFTOKEN=csrf)

    assert_refused(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("url", ENDPOINTS)
def test_form_bodies_from_devices_are_a_json_415(client, token, checkpoint, url):
    response = post(client, url, b"code=x", token, "application/x-www-form-urlencoded")

    assert_refused(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "hans", "hant"),
    [
        (b"{", "application/json", 400,
         "请求内容不是有效的 UTF-8 编码 JSON。", "請求內容不是有效的 UTF-8 編碼 JSON。"),
        (b"[]", "application/json", 400,
         "请求内容必须是 JSON 对象。", "請求內容必須是 JSON 物件。"),
        (b'{"a":' * 9 + b"1" + b"}" * 9, "application/json", 400,
         "请求内容嵌套层级过深。", "請求內容巢狀層級過深。"),
        (b'{"code": "\\ud800"}', "application/json", 400,
         "请求内容含有无效字符。", "請求內容含有無效字元。"),
        (b"code=x", "application/x-www-form-urlencoded", 415,
         "请以 JSON 格式发送请求内容（Content-Type: application/json）。",
         "請以 JSON 格式傳送請求內容（Content-Type: application/json）。"),
        (b'{"code": "' + b"A" * 3000 + b'"}', "application/json", 400,
         "请求内容过大。", "請求內容過大。"),
    ],
    ids=["not-json", "not-an-object", "too-deep", "invalid-character", "form", "too-large"],
)  # fmt: skip
def test_body_refusals_are_translated(
    client, token, checkpoint, settings, raw, content_type, status, hans, hant
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2500

    answers = {
        language: client.generic(
            "POST", "/api/v1/checkin", raw, content_type=content_type,
            HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=language,
        )
        for language in ("zh-hans", "zh-hant")
    }  # fmt: skip

    assert [(a.status_code, a.json()["message"]) for a in answers.values()] == [
        (status, hans),
        (status, hant),
    ]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_json_without_a_content_type_is_still_read(client, token, checkpoint, badge, url):
    """Simple clients (fetch with a string body) send text/plain or nothing: still JSON."""
    body = scan_body(
        url,
        code=code_of(badge),
        checkpoint="main-entrance",
        scan_id=str(uuid.uuid4()),
        scanned_at=checkpoint.summit.starts_on.isoformat() + "T09:00:00+08:00",
    )

    response = post(client, url, json.dumps(body).encode(), token, "text/plain;charset=UTF-8")

    assert response.status_code == 200
    assert Admission.objects.count() == 1


# --- 2./3. Times -------------------------------------------------------------------------------


def summit_moment(summit, day_offset: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = summit.starts_on + datetime.timedelta(days=day_offset)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=summit.tzinfo)


IMPOSSIBLE_TIMES = [
    "0001-01-01T00:00:00+14:00",  # year 0 in UTC: overflowed in the answer
    "0001-01-01T05:00:00+09:00",
    "0001-01-01T00:00:00-14:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00",  # stored as 1 BC: unreadable afterwards
    "0001-01-01",
    "9999-12-31T23:59:59.999999-14:00",  # year 10000 in UTC
    "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:59:59",
    "1970-01-01T00:00:00Z",
]


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("value", IMPOSSIBLE_TIMES)
def test_impossible_scan_time_is_a_field_error_and_writes_nothing(
    client, token, checkpoint, badge, url, value
):
    body = scan_body(
        url, code=code_of(badge), checkpoint="main-entrance", scan_id=str(uuid.uuid4()),
        scanned_at=value,
    )  # fmt: skip

    response = post(client, url, json.dumps(body).encode(), token)

    refused = assert_refused(response, 400, "invalid")
    fields = refused["fields"]
    errors = fields["scans"]["0"] if url.endswith("batch") else fields
    assert list(errors) == ["scanned_at"]
    # The same scan_id with a sane time goes through afterwards (nothing was kept of it).
    retry = {**body["scans"][0]} if url.endswith("batch") else {**body}
    retry["scanned_at"] = summit_moment(checkpoint.summit, 0, 9).isoformat()
    again = post(client, url, json.dumps(scan_body(url, **retry)).encode(), token)
    assert again.status_code == 200
    assert Scan.objects.count() == 1


def window_cases(summit) -> list[tuple[datetime.datetime, datetime.datetime, bool]]:
    """(now, scanned_at, accepted) at the edges of the window: the summit's days +-2 days in its
    time zone, or the 2 days before now; never more than 10 minutes ahead of now."""
    first = summit_moment(summit, 0, 0)
    end = summit_moment(summit, (summit.ends_on - summit.starts_on).days + 3, 0)
    during, after, before = summit_moment(summit, 0, 12), end + days(30), first - days(10)
    tick, ahead = datetime.timedelta(microseconds=1), datetime.timedelta(minutes=10)
    west, utc = datetime.timezone(datetime.timedelta(hours=-12)), datetime.UTC
    return [
        (during, first - days(2), True),
        (during, first - days(2) - tick, False),
        (during, (first - days(2)).astimezone(west), True),  # the same instants, other offsets
        (during, (first - days(2) - tick).astimezone(utc), False),
        (during, during + ahead, True),
        (during, during + ahead + tick, False),
        (during, end - tick, False),  # the summit's days, but in the future
        # After the summit (a late upload): its days + 2 are still fine, later is not...
        (after, end - tick, True),
        (after, end, False),
        # ... but what the device saw lately always is (a late test scan, a rehearsal).
        (after, after - days(2), True),
        (after, after - days(2) - tick, False),
        (after, after + ahead, True),
        (before, before, True),
        (before, before - days(2) - tick, False),
        (before, first, False),
    ]


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_scan_time_window_follows_the_summit_and_the_clock(client, token, checkpoint, clock, url):
    for now, moment, accepted in window_cases(checkpoint.summit):
        clock.move_to(now, tick=False)
        body = scan_body(
            url, code="NOT A BADGE", checkpoint="main-entrance", scan_id=str(uuid.uuid4()),
            scanned_at=moment.isoformat(),
        )  # fmt: skip
        before = Scan.objects.count()

        response = post(client, url, json.dumps(body).encode(), token)

        assert response.status_code == (200 if accepted else 400), (now, moment)
        assert Scan.objects.count() == before + accepted


def test_batch_with_one_impossible_time_records_none_and_names_it(client, token, checkpoint, badge):
    good = {
        "code": code_of(badge),
        "checkpoint": "main-entrance",
        "scan_id": str(uuid.uuid4()),
        "scanned_at": summit_moment(checkpoint.summit, 0, 9).isoformat(),
    }
    bad = {**good, "scan_id": str(uuid.uuid4()), "scanned_at": "0001-01-01T00:00:00"}

    response = post(client, ENDPOINTS[1], json.dumps({"scans": [good, bad]}).encode(), token)

    body = assert_refused(response, 400, "invalid")
    assert list(body["fields"]["scans"]) == ["1"]
    assert list(body["fields"]["scans"]["1"]) == ["scanned_at"]


def test_offline_data_survives_a_stored_time_out_of_range(client, token, checkpoint, badge, summit):
    """Defence in depth: a row stored before the API refused such times (or written by hand)
    must not take the offline data down for every device."""
    answer = post(
        client,
        ENDPOINTS[0],
        json.dumps({"code": code_of(badge), "checkpoint": "main-entrance"}).encode(),
        token,
    )
    assert answer.json()["status"] == "ok"
    _store_unreadable_time(Admission, "admitted_at")
    _store_unreadable_time(Scan, "scanned_at")

    response = client.get("/api/v1/checkin/offline-data", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    roster = response.json()["roster"]
    assert roster[str(badge.pk)]["entered"] == {}


def _store_unreadable_time(model, column: str) -> None:
    """What the API stored for "0001-01-01T00:00:00" before it refused it: 1 BC on
    PostgreSQL, which psycopg cannot read back; the earliest time there is on SQLite."""
    table = connection.ops.quote_name(model._meta.db_table)
    value = "0001-12-31 23:54:17+00 BC" if connection.vendor == "postgresql" else "0001-01-01"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s", [value])


@pytest.mark.parametrize("url", ["/api/v1/checkin/search", "/api/v1/checkin/occupancy"])
def test_a_nul_in_a_reads_parameter_is_a_documented_400(client, token, url):
    parameter = "q" if url.endswith("search") else "checkpoint"

    response = client.get(f"{url}?{parameter}=%00%00", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_refused(response, 400, "invalid")


# --- Methods ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/checkin/offline-data", "/api/v1/checkin/search"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("who", ["device", "door-staff"])
def test_read_only_endpoints_refuse_writes_with_json_405(
    token, door_staff, checkpoint, url, method, who
):
    client = Client(enforce_csrf_checks=True)  # as browsers and devices are, unlike tests
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if who == "device" else {}
    if who == "door-staff":
        client.force_login(door_staff)

    response = client.generic(method, url, b"{}", content_type="application/json", **headers)

    assert_refused(response, 405, "method_not_allowed")


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_scan_endpoints_refuse_other_methods_with_json_405(door_staff, checkpoint, url, method):
    client = Client(enforce_csrf_checks=True)
    client.force_login(door_staff)

    response = client.generic(method, url, b"{}", content_type="application/json")

    assert_refused(response, 405, "method_not_allowed")


@pytest.mark.parametrize(
    "stored",
    [
        datetime.datetime(9999, 12, 31, 20, tzinfo=datetime.UTC),  # 10000-01-01 in Shanghai
        datetime.datetime(1, 1, 1, 2, tzinfo=datetime.UTC),
    ],
)
def test_answer_about_a_stored_time_out_of_range_never_overflows(
    client, token, checkpoint, badge, stored
):
    """Defence in depth: a retry is answered from the stored scan, whatever time it holds."""
    scan_id = uuid.uuid4()
    Scan.objects.create(
        scan_id=scan_id, checkpoint=checkpoint, badge=badge, registration=badge.registration,
        result=Scan.Result.OK, scanned_at=stored,
    )  # fmt: skip
    retry = {"code": code_of(badge), "checkpoint": "main-entrance", "scan_id": str(scan_id)}

    response = post(client, ENDPOINTS[0], json.dumps(retry).encode(), token)

    assert response.status_code == 200
    assert datetime.datetime.fromisoformat(response.json()["scanned_at"]) == stored


def test_migration_repairs_stored_times_out_of_range(client, token, checkpoint, badge):
    """Rows stored before scan times were checked (1 BC on PostgreSQL, which psycopg cannot
    read back) broke every later scan of that guest at that checkpoint: the migration gives
    them the time the server received the scan."""
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.utils import timezone

    migration = ("badges", "0006_repair_unreadable_scan_times")
    repair = import_module("badges.migrations." + migration[1]).repair
    # The models as they were when the migration ran (check-in was still part of badges).
    apps = MigrationLoader(connection).project_state(migration).apps
    body = {"code": code_of(badge), "checkpoint": "main-entrance"}
    assert post(client, ENDPOINTS[0], json.dumps(body).encode(), token).json()["status"] == "ok"
    _store_unreadable_time(Admission, "admitted_at")
    _store_unreadable_time(Scan, "scanned_at")

    repair(apps, None)

    again = post(client, ENDPOINTS[0], json.dumps(body).encode(), token).json()
    received = Scan.objects.order_by("pk").values_list("received_at", flat=True).first()
    assert again["status"] == "already_checked_in"
    assert datetime.datetime.fromisoformat(again["first_entry"]["at"]) == received
    assert Scan.objects.order_by("pk").first().scanned_at == received
    assert abs(received - timezone.now()) < datetime.timedelta(days=1)
    offline = client.get("/api/v1/checkin/offline-data", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert list(offline.json()["roster"][str(badge.pk)]["entered"]) == ["main-entrance"]
