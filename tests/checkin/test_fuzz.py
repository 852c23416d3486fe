"""The check-in API against whatever a broken or hostile scanner may send (hypothesis).

Properties, for ``POST /api/v1/checkin`` and ``/api/v1/checkin/batch`` with a valid device
token: never a 500; a refused request is a 4xx with a JSON ``error`` and writes nothing; an
answered one (200: a well-formed body with a code that is not a badge of ours) admits nobody
and logs at most its own scans. Registrations, users and admissions never change.
"""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges.checkin.models import Admission, Scan
from registration.models import Registration
from tests.checkin.conftest import code_of

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=40)
    | st.just("x" * 3000),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def malformed_codes(valid: str):
    """Codes that look like ours: cut, lengthened, one character changed, lower case, noise."""
    return st.one_of(
        st.integers(0, len(valid) - 1).map(lambda n: valid[:n]),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=116, max_size=116),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=", min_size=1, max_size=130),
        st.integers(0, len(valid) - 1).map(
            lambda n: valid[:n] + ("A" if valid[n] != "A" else "B") + valid[n + 1 :]
        ),
        st.just(valid.lower() + "\x00"),
        st.just(valid + "AAAAAAAA"),
        st.text(max_size=200),
        st.just("é" * 116),
        st.just("ß" * 58),  # upper() doubles the length
    )


def scan_objects(valid: str):
    field_values = st.one_of(
        json_values,
        malformed_codes(valid),
        st.uuids().map(str),
        st.datetimes().map(lambda d: d.isoformat()),
        st.sampled_from(["main-entrance", "", "no-such-door", "main-entrance\x00", "大门"]),
    )
    keys = st.sampled_from(["code", "checkpoint", "scan_id", "scanned_at", "offline_result"])
    return st.dictionaries(st.one_of(keys, st.text(max_size=8)), field_values, max_size=6)


def bodies(valid: str):
    scans = scan_objects(valid)
    return st.one_of(
        json_values.map(json.dumps),
        scans.map(json.dumps),
        st.lists(scans, max_size=4).map(lambda items: json.dumps({"scans": items})),
        st.binary(max_size=300),
        st.text(max_size=300),
        st.just('{"code": "' + "A" * 100_000 + '"}'),
        st.just('{"scans": [' + ",".join(["{}"] * 501) + "]}"),
        st.just('{"code": "\\ud800"}'),  # a lone surrogate
        st.just("{" * 5000),
    )


content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "",
    ]
)


def counts() -> dict:
    return {
        "scans": Scan.objects.count(),
        "admissions": Admission.objects.count(),
        "registrations": Registration.objects.count(),
        "users": get_user_model().objects.count(),
    }


def check(response, before: dict, *, most_scans: int) -> None:
    after = counts()
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert after["admissions"] == before["admissions"]
    assert after["registrations"] == before["registrations"]
    assert after["users"] == before["users"]
    if response.status_code == 200:
        answers = body.get("results", [body])
        assert all(answer["status"] != "ok" for answer in answers)
        assert after["scans"] - before["scans"] <= most_scans
    else:
        assert 400 <= response.status_code < 500
        assert isinstance(body["error"], str) and body["message"]
        assert after["scans"] == before["scans"]


def send(client, url: str, body, content_type: str, token: str):
    # generic() sends the bytes as they are (post() would re-encode them for the charset).
    raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    return client.generic(
        "POST", url, raw, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {token}"
    )


@pytest.fixture
def valid_code(badge):
    return code_of(badge)


@FUZZ
@given(data=st.data(), content_type=content_types)
def test_scan_endpoint_never_fails_or_admits(
    client, token, checkpoint, valid_code, data, content_type
):
    body = data.draw(bodies(valid_code))
    before = counts()

    response = send(client, "/api/v1/checkin", body, content_type, token)

    check(response, before, most_scans=1)


@FUZZ
@given(data=st.data(), content_type=content_types)
def test_batch_endpoint_never_fails_or_admits(
    client, token, checkpoint, valid_code, data, content_type
):
    body = data.draw(bodies(valid_code))
    before = counts()

    response = send(client, "/api/v1/checkin/batch", body, content_type, token)

    check(response, before, most_scans=4)


@FUZZ
@given(query=st.text(max_size=300))
def test_search_endpoint_never_fails(client, token, summit, query):
    response = client.get(
        "/api/v1/checkin/search", {"q": query}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    if "\x00" in query:  # refused for every address (summit/infrastructure/middleware.py)
        assert response.status_code == 400 and response.json()["error"] == "invalid"
    else:
        assert response.status_code == 200
        assert isinstance(response.json()["results"], list)


@FUZZ
@given(header=st.text(max_size=200))
def test_any_authorization_header_is_a_clear_401(client, checkpoint, header):
    before = counts()
    response = client.post(
        "/api/v1/checkin", "{}", content_type="application/json", HTTP_AUTHORIZATION=header
    )

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert counts() == before


def test_the_real_code_still_admits(client, token, checkpoint, valid_code):
    """The properties above hold because the API refuses bad input, not because it is broken."""
    body = {"code": valid_code, "checkpoint": "main-entrance", "scan_id": str(uuid.uuid4())}

    response = client.post(
        "/api/v1/checkin", json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip

    assert response.json()["status"] == "ok"
    assert Admission.objects.count() == 1
