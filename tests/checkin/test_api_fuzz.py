"""Every JSON endpoint against whatever a hostile or broken client may send (hypothesis).

Endpoints: the check-in API (``/api/v1/checkin``, ``/batch``, ``/offline-data``, ``/search``),
the agenda (``/api/v1/agenda``) and the OpenAPI document, with any method; as a door device,
as door staff (a browser session with its CSRF token) and anonymously. Bodies of any depth,
size and JSON type, as well as bytes that are no JSON at all; scan times from year 1 to 9999
with any offset (or none), written as the API documents them or not; query parameters of any
text.

Properties: never a 5xx; every refusal a JSON 4xx (``error`` and ``message``) that wrote
nothing; an answered scan writes at most its own scans, and only of times a door could have
scanned at; and the offline data is still served afterwards, to every device (a stored time
that cannot be read back would break it: issue 13). Run on SQLite and on PostgreSQL (the
PostgreSQL run of the suite); the example counts keep it to seconds.
"""

import datetime
import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges.checkin import checkpoints, scan_times
from badges.checkin.devices import create_device
from badges.checkin.models import Admission, Scan
from registration.models import OutgoingEmail, Registration
from tests import factories
from tests.checkin.conftest import code_of

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SCAN_URLS = ["/api/v1/checkin", "/api/v1/checkin/batch"]
READ_URLS = [
    "/api/v1/checkin/offline-data",
    "/api/v1/checkin/search",
    "/api/v1/agenda",
    "/api/v1/openapi.json",
]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
# A summit as the factories make it, for strategies built before any test runs.
LIKE_THE_SUMMIT = factories.SummitFactory.build()


# --- Strategies ---------------------------------------------------------------------------------

offsets = st.builds(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes)),
    st.integers(-(24 * 60 - 1), 24 * 60 - 1),
)
# Any moment of years 1-9999, and often one at the ends of the calendar (where converting to
# another offset leaves it), which uniform draws would seldom reach.
EDGE_DAYS = [datetime.date(1, 1, 1), datetime.date(1, 1, 2), datetime.date(1970, 1, 1),
             datetime.date(9999, 12, 30), datetime.date(9999, 12, 31)]  # fmt: skip
EDGE_TIMES = [datetime.time(0, 0), datetime.time(5, 0), datetime.time(23, 59, 59, 999999)]
any_moment = st.one_of(
    st.datetimes(
        min_value=datetime.datetime(1, 1, 1),
        max_value=datetime.datetime(9999, 12, 31, 23, 59, 59, 999999),
    ),
    st.builds(datetime.datetime.combine, st.sampled_from(EDGE_DAYS), st.sampled_from(EDGE_TIMES)),
)


def times(summit) -> st.SearchStrategy[str]:
    """Scan times: anywhere in years 1-9999 with any offset or none; near the summit's days
    (so that some are accepted); and strings that only look like times."""
    first = datetime.datetime.combine(summit.starts_on, datetime.time.min)
    near = st.datetimes(
        min_value=first - datetime.timedelta(days=4), max_value=first + datetime.timedelta(days=8)
    )
    moments = st.one_of(
        st.tuples(any_moment, offsets).map(lambda pair: pair[0].replace(tzinfo=pair[1])),
        any_moment,
        st.tuples(near, offsets).map(lambda pair: pair[0].replace(tzinfo=pair[1])),
        near.map(lambda moment: moment.replace(tzinfo=summit.tzinfo)),
    )
    return st.one_of(
        moments.map(lambda moment: moment.isoformat()),
        moments.map(lambda moment: moment.isoformat().replace("+00:00", "Z")),
        moments.map(lambda moment: moment.strftime("%Y%m%dT%H%M%S")),
        moments.map(lambda moment: moment.date().isoformat()),
        st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0000-01-01",
                         "10000-01-01T00:00:00Z", "2026-02-30T10:00:00Z", "2026-12-08T25:00",
                         "2026-12-08T10:00:00+24:00", "now", ""]),
        st.text(max_size=40),
    )  # fmt: skip


json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**300), max_value=10**300),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=15,
)


def nested(depth: int, opening: str, closing: str, inner: str = "") -> str:
    return opening * depth + inner + closing * depth


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.integers(1, 100_000).map(lambda depth: nested(depth, "[", "]")),
    st.integers(1, 100_000).map(lambda depth: nested(depth, '{"a":', "}", "1")),
    st.integers(1, 50).map(lambda depth: '{"code": ' + nested(depth, "[", "]") + "}"),
    st.sampled_from([2, 1_000_000, 3_000_000]).map(lambda size: '{"code": "' + "x" * size + '"}'),
    st.sampled_from(['{"code": NaN}', '{"code": "\\ud800"}', "{" * 5000, "", "null", "[]"]),
    json_values.map(json.dumps),
)


def scan_objects(summit, code: str):
    fields = {
        "code": st.one_of(st.just(code), json_values, st.text(max_size=60)),
        "checkpoint": st.one_of(st.just("main-entrance"), st.just(""), json_values),
        "scan_id": st.one_of(st.uuids().map(str), json_values),
        "scanned_at": st.one_of(times(summit), json_values),
        "offline_result": st.one_of(st.sampled_from(["ok", "invalid", "", "nope"]), json_values),
    }
    return st.fixed_dictionaries({}, optional=fields)


def scan_bodies(summit, code: str, url: str):
    one = scan_objects(summit, code)
    structured = one if url == SCAN_URLS[0] else st.lists(one, max_size=5).map(
        lambda scans: {"scans": scans}
    )  # fmt: skip
    return st.one_of(structured.map(json.dumps), structured.map(json.dumps), raw_bodies)


content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain;charset=UTF-8", "",
     "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
     "multipart/form-data", "application/json; charset=latin-1"]
)  # fmt: skip


# --- Fixtures and checks ------------------------------------------------------------------------


@pytest.fixture
def world(summit, checkpoint, badge, token, door_staff, settings):
    # Counting requests is not what is fuzzed here.
    settings.CHECKIN_SCANS_PER_MINUTE = settings.CHECKIN_BATCHES_PER_MINUTE = 10**9
    _device, other_token = create_device("South door", checkpoint=None)
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(door_staff)
    staff.get("/door/")
    factories.SessionFactory(forum=factories.ForumFactory(summit=summit))
    return {
        "summit": summit,
        "code": code_of(badge),
        "token": token,
        "other_token": other_token,
        "staff": staff,
        "csrf": staff.cookies["csrftoken"].value,
    }


def counts() -> dict:
    return {
        "scans": Scan.objects.count(),
        "admissions": Admission.objects.count(),
        "registrations": Registration.objects.count(),
        "users": get_user_model().objects.count(),
        "emails": OutgoingEmail.objects.count(),
        "tasks": DBTaskResult.objects.count(),
    }


def as_bytes(body: str | bytes) -> bytes:
    return body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")


def send(world, who: str, method: str, url: str, body: bytes, content_type: str, query=None):
    client = world["staff"] if who == "door-staff" else Client(enforce_csrf_checks=True)
    headers = {}
    if who == "device":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world['token']}"
    elif who == "door-staff":
        headers["HTTP_X_CSRFTOKEN"] = world["csrf"]
    if query:
        return client.generic(method, url + "?" + query, body, content_type, **headers)
    return client.generic(method, url, body, content_type=content_type, **headers)


def check_answer(response, before: dict, *, most_scans: int = 0) -> None:
    after = counts()
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/json", response.content[:300]
        body = json.loads(response.content)
        assert isinstance(body["error"], str) and body["error"]
        assert isinstance(body["message"], str) and body["message"]
        assert after == before
        return
    unchanged = {key: value for key, value in after.items() if key not in ("scans", "admissions")}
    assert unchanged == {key: before[key] for key in unchanged}
    assert after["scans"] - before["scans"] <= most_scans
    assert after["admissions"] - before["admissions"] <= most_scans


def check_offline_data_still_served(world) -> None:
    """For every device, and the stored times are all ones a door could have scanned at."""
    for token in (world["token"], world["other_token"]):
        response = Client().get(
            "/api/v1/checkin/offline-data", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert response.status_code == 200
        assert isinstance(response.json()["roster"], dict)
    info = checkpoints.checkpoint_info("main-entrance")
    for scanned_at in Scan.objects.values_list("scanned_at", flat=True):
        scan_times.check_scan_time(scanned_at, info)


# --- Properties ---------------------------------------------------------------------------------


@FUZZ
@given(data=st.data(), content_type=content_types, who=st.sampled_from(["device", "door-staff"]))
@pytest.mark.parametrize("url", SCAN_URLS)
def test_scan_endpoints_never_fail_and_refusals_write_nothing(world, url, data, content_type, who):
    body = data.draw(scan_bodies(world["summit"], world["code"], url), label="body")
    raw = as_bytes(body)
    before = counts()

    response = send(world, who, "POST", url, raw, content_type)

    check_answer(response, before, most_scans=1 if url == SCAN_URLS[0] else 5)
    check_offline_data_still_served(world)


@FUZZ
@given(
    moment=st.tuples(any_moment, st.one_of(st.none(), offsets)),
    url=st.sampled_from(SCAN_URLS),
)
def test_any_scan_time_of_a_real_badge_is_answered_or_refused_cleanly(world, moment, url):
    """A valid badge at any time of years 1-9999: admitted, or a field error; never a 500."""
    value = moment[0].replace(tzinfo=moment[1]).isoformat()
    scan = {"code": world["code"], "checkpoint": "main-entrance", "scan_id": str(uuid.uuid4()),
            "scanned_at": value, "offline_result": "ok"}  # fmt: skip
    body = json.dumps({"scans": [scan]} if url.endswith("batch") else scan).encode()
    before = counts()

    response = send(world, "device", "POST", url, body, "application/json")

    check_answer(response, before, most_scans=1)
    if response.status_code == 400:
        fields = response.json()["fields"]
        assert list(fields["scans"]["0"] if url.endswith("batch") else fields) == ["scanned_at"]
    check_offline_data_still_served(world)


@FUZZ
@given(
    method=st.sampled_from(METHODS),
    url=st.sampled_from(SCAN_URLS + READ_URLS),
    who=st.sampled_from(["device", "door-staff", "anonymous"]),
    body=raw_bodies,
    query=st.one_of(
        st.none(),
        st.dictionaries(
            st.sampled_from(["day", "forum", "q", "lang", "page", "x"]),
            st.one_of(st.text(max_size=50), times(LIKE_THE_SUMMIT),
                      st.integers(-(10**40), 10**40).map(str)),
            max_size=3,
        ),
    ),
)  # fmt: skip
def test_every_endpoint_with_any_method_and_query_answers_json_never_5xx(
    world, method, url, who, body, query
):
    from urllib.parse import urlencode

    before = counts()

    response = send(
        world, who, method, url, as_bytes(body), "application/json",
        query=urlencode(query) if query else None,
    )  # fmt: skip

    assert response.status_code < 500, response.content[:300]
    if method not in ("HEAD", "OPTIONS") and response.status_code != 304:
        assert response["Content-Type"].startswith("application/json"), (method, url)
        json.loads(response.content)
    if response.status_code >= 400 or method != "POST":
        assert counts() == before
    check_offline_data_still_served(world)


def written_days(summit) -> st.SearchStrategy[str]:
    """The summit's days and their neighbours, in every way ISO 8601 allows and a few more."""
    days = st.integers(-3, 5).map(lambda n: summit.starts_on + datetime.timedelta(days=n))
    return days.flatmap(
        lambda day: st.sampled_from([
            day.isoformat(), day.strftime("%Y%m%d"), day.strftime("%G-W%V-%u"),
            day.strftime("%GW%V%u"), day.strftime("%Y-%j"), day.isoformat() + "T00:00",
            f" {day.isoformat()}", day.strftime("%d/%m/%Y"), day.isoformat().replace("-", "/"),
        ])
    )  # fmt: skip


@FUZZ
@given(day=st.one_of(written_days(LIKE_THE_SUMMIT), st.text(max_size=30), times(LIKE_THE_SUMMIT)))
def test_agenda_day_is_a_summit_day_as_yyyy_mm_dd_or_a_json_400(world, day):
    response = Client().get("/api/v1/agenda", {"day": day})

    summit = world["summit"]
    valid = {each.isoformat() for each in summit.days}
    assert response.status_code == (200 if day in valid else 400), day
    if "\x00" in day:  # refused for every address first (summit/infrastructure/middleware.py)
        assert response.json()["error"] == "invalid"
    elif response.status_code == 400:
        assert list(response.json()["fields"]) == ["day"]
