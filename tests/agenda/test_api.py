import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from openapi_spec_validator import validate as validate_spec

from sessions.models import Forum, Session
from tests import factories
from tests.factories import at
from tests.openapi import served_document, validate_named

API = "/api/v1/agenda"


_validate = validate_named


@pytest.fixture
def agenda(summit):
    forum = factories.ForumFactory(
        summit=summit,
        slug="digital-gba",
        title_en="Digital GBA",
        title_zh_hans="数字湾区",
        title_zh_hant="數字灣區",
        colour="#00697f",
        capacity=600,
    )
    Forum.objects.filter(pk=forum.pk).update(seats_taken=100)
    talk = factories.SessionFactory(
        forum=forum,
        title_en="Hengqin and Macao",
        title_zh_hans="横琴与澳门",
        title_zh_hant="橫琴與澳門",
        starts_at=at(3, 9, 30),
        ends_at=at(3, 10),
    )
    speaker = factories.SpeakerFactory(
        summit=summit,
        slug="joao-conceicao",
        name="",
        name_latin="João Conceição",
        affiliation_en="University of Macau",
        affiliation_zh_hans="澳门大学",
        affiliation_zh_hant="澳門大學",
    )
    factories.SessionSpeakerFactory(session=talk, speaker=speaker, role="moderator")
    workshop = factories.SessionFactory(
        forum=forum,
        title_en="Workshop",
        format=Session.Format.WORKSHOP,
        starts_at=at(1, 14),
        requires_enrolment=True,
        capacity=40,
        room=None,
    )
    Session.objects.filter(pk=workshop.pk).update(seats_taken=38)
    factories.SessionFactory(forum=forum, is_published=False, title_en="Draft")
    return {"forum": forum, "talk": talk, "workshop": workshop}


@pytest.mark.django_db
def test_api_agenda_matches_the_schema(client, agenda):
    response = client.get(API)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    _validate(response.json(), "Agenda")


@pytest.mark.django_db
def test_api_agenda_content(client, agenda):
    payload = client.get(API).json()

    assert payload["summit"]["days"] == ["2026-12-08", "2026-12-09", "2026-12-10"]
    assert payload["summit"]["name"]["zh-hant"] == "數字政府建設峰會暨數字灣區發展論壇"
    assert [forum["slug"] for forum in payload["forums"]] == ["digital-gba"]
    assert payload["forums"][0]["seats_left"] == 500
    workshop, talk = payload["sessions"]  # by start time; the draft is left out
    assert talk["uid"] == str(agenda["talk"].uid)
    assert talk["title"] == {
        "en": "Hengqin and Macao",
        "zh-hans": "横琴与澳门",
        "zh-hant": "橫琴與澳門",
    }
    assert (talk["starts_at"], talk["ends_at"]) == (
        "2026-12-10T09:30:00+08:00",
        "2026-12-10T10:00:00+08:00",
    )
    assert talk["speakers"] == [
        {
            "slug": "joao-conceicao",
            "name": "",
            "name_latin": "João Conceição",
            "names": {
                "en": "João Conceição",
                "zh-hans": "João Conceição",
                "zh-hant": "João Conceição",
            },
            "affiliation": {
                "en": "University of Macau",
                "zh-hans": "澳门大学",
                "zh-hant": "澳門大學",
            },
            "role": "moderator",
            "url": "http://127.0.0.1:8000/speakers/joao-conceicao/",
        }
    ]
    assert talk["url"] == f"http://127.0.0.1:8000/sessions/{agenda['talk'].uid}/"
    assert (talk["requires_enrolment"], talk["capacity"], talk["seats_left"]) == (False, 600, 500)
    assert (workshop["requires_enrolment"], workshop["capacity"], workshop["seats_left"]) == (
        True,
        40,
        2,
    )
    assert workshop["room"] is None
    assert talk["room"]["capacity"] == agenda["talk"].room.capacity


@pytest.mark.django_db
def test_api_agenda_is_utf8_json_without_escapes(client, agenda):
    body = client.get(API).content.decode("utf-8")

    assert "橫琴與澳門" in body
    assert "\\u" not in body


@pytest.mark.django_db
def test_api_agenda_filters_by_day_and_forum(client, agenda, summit):
    factories.SessionFactory(forum__summit=summit, forum__slug="security", starts_at=at(3, 9))

    by_day = client.get(API, {"day": "2026-12-10"}).json()
    by_forum = client.get(API, {"forum": "security"}).json()
    both = client.get(API, {"day": "2026-12-08", "forum": "digital-gba"}).json()

    assert len(by_day["sessions"]) == 2
    assert {s["forum"] for s in by_forum["sessions"]} == {"security"}
    assert [f["slug"] for f in by_forum["forums"]] == ["security"]
    assert [s["uid"] for s in both["sessions"]] == [str(agenda["workshop"].uid)]
    _validate(both, "Agenda")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"day": "10/12/2026"}, "day"),
        ({"day": "2026-12-11"}, "day"),
        ({"day": ""}, "day"),
        # ISO 8601 forms that date.fromisoformat takes, but not the YYYY-MM-DD we document.
        ({"day": "20261208"}, "day"),
        ({"day": "2026-W50-2"}, "day"),
        ({"day": "2026-342"}, "day"),
        ({"day": "２０２６-１２-０８"}, "day"),  # full-width digits
        ({"day": "2026-12-08 "}, "day"),
        ({"day": "9" * 5000}, "day"),
        ({"forum": "no-such-forum"}, "forum"),
    ],
)
def test_api_agenda_bad_filters_are_json_400(client, agenda, params, parameter):
    response = client.get(API, params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    payload = response.json()
    assert payload["error"] == "invalid_parameter"
    assert list(payload["fields"]) == [parameter]
    _validate(payload, "Error")


@pytest.mark.django_db
def test_api_agenda_without_a_summit_is_json_404(client):
    response = client.get(API)

    assert response.status_code == 404
    _validate(response.json(), "Error")


@pytest.mark.django_db
def test_api_agenda_includes_cancelled_sessions(client, agenda):
    Session.objects.filter(pk=agenda["talk"].pk).update(status=Session.Status.CANCELLED)

    sessions = client.get(API).json()["sessions"]

    assert [s["status"] for s in sessions] == ["scheduled", "cancelled"]


@pytest.mark.django_db
def test_api_agenda_is_cacheable_with_etag(client, agenda):
    first = client.get(API)
    again = client.get(API, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Cache-Control"] == "public, max-age=60"
    assert first["ETag"].startswith('"') and len(first["ETag"]) == 34
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_api_agenda_etag_changes_when_seats_change(client, agenda):
    first = client.get(API)
    Session.objects.filter(pk=agenda["workshop"].pk).update(seats_taken=39)

    after = client.get(API, HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]


@pytest.mark.django_db
def test_api_agenda_etag_is_the_same_for_the_same_content(client, agenda):
    assert client.get(API)["ETag"] == client.get(API)["ETag"]


@pytest.mark.django_db
def test_api_agenda_allows_any_origin(client, agenda):
    response = client.get(API, HTTP_ORIGIN="https://wanshitong.example")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_api_agenda_answers_cors_preflight(client, agenda):
    response = client.options(
        API,
        HTTP_ORIGIN="https://wanshitong.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "if-none-match"
    assert response["Access-Control-Max-Age"] == "86400"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", [API, "/api/v1/openapi.json"])
def test_api_agenda_refuses_writes_with_json_405(agenda, method, path):
    # A client like a browser or an app: the CSRF check is not switched off as in tests.
    client = Client(enforce_csrf_checks=True)

    response = client.generic(method, path, b'{"a": 1}', content_type="application/json")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    _validate(response.json(), "Error")


@pytest.mark.django_db
def test_api_agenda_times_are_in_the_summit_zone_whatever_the_server_zone(client, agenda, settings):
    settings.TIME_ZONE = "UTC"

    talk = client.get(API).json()["sessions"][1]

    assert datetime.datetime.fromisoformat(talk["starts_at"]).utcoffset() == datetime.timedelta(
        hours=8
    )


@pytest.mark.django_db
def test_openapi_document_is_valid_openapi_3_1():
    document = served_document()

    validate_spec(document)
    assert document["openapi"] == "3.1.0"
    assert {"/api/v1/agenda", "/api/v1/checkin", "/api/v1/checkin/batch"} <= set(document["paths"])


@pytest.mark.django_db
def test_openapi_document_is_served_as_json_with_cors(client):
    response = client.get(reverse("api:openapi"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content)["info"]["title"] == "Bayline API"


@pytest.mark.django_db
def test_every_4xx_of_the_document_is_the_error_schema():
    document = served_document()

    refusals = {
        (path, method, status): answer["content"]["application/json"]["schema"]
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, answer in operation["responses"].items()
        if status.startswith("4")
    }

    assert refusals
    assert set(map(str, refusals.values())) == {str({"$ref": "#/components/schemas/Error"})}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing-here", "/api/v1/checkin/"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_any_other_api_address_is_a_json_404(path, method):
    response = Client(enforce_csrf_checks=True).generic(method, path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "not_found"
    _validate(response.json(), "Error")
