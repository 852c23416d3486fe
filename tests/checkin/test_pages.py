"""Organisers' check-in pages, the offline data, search, create_device and the demo seed."""

import base64
import datetime
import hashlib
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from badges.checkin.attendance_report.figures import attendance_figures
from badges.checkin.models import Admission, Checkpoint, Device, Scan
from badges.signing import public_keys
from registration.models import Registration
from tests import factories
from tests.checkin.conftest import code_of
from tests.factories import at

pytestmark = pytest.mark.django_db


# --- Offline data and search ------------------------------------------------------------------


def test_offline_data_has_keys_roster_revocations_and_entries(
    client, token, checkpoint, badge, summit, scan_api
):
    enrolment = factories.EnrolmentFactory(registration=badge.registration)
    old = factories.BadgeFactory(registration__summit=summit, revoked_at=at(1, 7))
    scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token)

    response = client.get("/api/v1/checkin/offline-data", HTTP_AUTHORIZATION=f"Bearer {token}")

    data = response.json()
    assert response.status_code == 200
    assert data["keys"] == [
        {"id": key_id, "public_key": base64.b64encode(raw).decode()}
        for key_id, raw in public_keys().items()
    ]
    assert data["revoked"] == [[old.pk, 1]]
    assert data["roster"] == {
        str(badge.pk): {
            "serial": 1,
            "registration_id": badge.registration_id,
            "name": "陳大文",
            "name_latin": "Chan Tai Man",
            "organisation": "Digital Policy Office",
            "category": "delegate",
            "status": "confirmed",
            "forums": [enrolment.forum_id],
            "entered": {"main-entrance": "2026-12-08T12:00:00+08:00"},
        }
    }
    assert [c["slug"] for c in data["checkpoints"]] == ["main-entrance"]
    assert data["checkpoints"][0]["policy"] == "single"
    assert data["summit"]["time_zone"] == "Asia/Shanghai"
    assert data["newest_badge_id"] == old.pk


def test_offline_data_newest_badge_id_counts_every_summits_badges(client, token, badge, summit):
    """A badge of another summit issued after this summit's last one is no newer than the
    list: offline it must not pass for a badge issued after the download."""
    other = factories.SummitFactory(
        slug="digital-gba-2025",
        starts_on=summit.starts_on - datetime.timedelta(days=364),
        ends_on=summit.ends_on - datetime.timedelta(days=364),
    )
    elsewhere = factories.BadgeFactory(registration__summit=other)

    data = client.get("/api/v1/checkin/offline-data", HTTP_AUTHORIZATION=f"Bearer {token}").json()

    assert list(data["roster"]) == [str(badge.pk)]
    assert data["newest_badge_id"] == elsewhere.pk


def test_offline_data_needs_credentials(client, checkpoint):
    assert client.get("/api/v1/checkin/offline-data").status_code == 401


def test_search_finds_guests_by_name_with_reprint_link(client, door_staff, badge, summit):
    factories.RegistrationFactory(summit=summit, name="", name_latin="João Conceição")
    client.force_login(door_staff)

    results = client.get("/api/v1/checkin/search", {"q": "conceição"}).json()["results"]

    assert [r["name_latin"] for r in results] == ["João Conceição"]
    assert results[0]["badge_id"] is None
    assert results[0]["status"] == "confirmed"
    assert "reprint_url" in results[0]


def test_search_by_guest_is_403(client, guest_user, summit):
    client.force_login(guest_user)

    assert client.get("/api/v1/checkin/search", {"q": "chan"}).status_code == 403


# --- The scanning page --------------------------------------------------------------------


def test_door_page_lists_open_checkpoints(client, door_staff, checkpoint, summit):
    factories.CheckpointFactory(summit=summit, name_en="Closed door", is_active=False)
    client.force_login(door_staff)

    response = client.get("/door/")

    assert response.status_code == 200
    assert re.findall(r'<option value="([^"]+)"', response.text) == ["main-entrance"]
    assert 'style="' not in response.text
    assert "<script>" not in response.text


@pytest.mark.parametrize(
    ("language", "day"), [("en", "8 Dec"), ("zh-hans", "12月8日"), ("zh-hant", "12月8日")]
)
def test_door_page_writes_checkpoint_days_in_the_reader_style(
    client, door_staff, summit, language, day
):
    factories.CheckpointFactory(summit=summit, slug="day-1", name_en="Gate", day=at(1, 9).date())
    client.force_login(door_staff)

    response = client.get("/door/", HTTP_ACCEPT_LANGUAGE=language)

    [option] = re.findall(r'<option value="day-1"[^>]*>([^<]+)</option>', response.text)
    assert option.endswith(f" · {day}")


def test_door_page_for_anonymous_redirects_to_login(client, checkpoint):
    response = client.get("/door/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_door_page_for_guest_is_403(client, guest_user, checkpoint):
    client.force_login(guest_user)

    assert client.get("/door/").status_code == 403


def test_door_translations_are_served_as_a_catalogue(client):
    response = client.get("/door/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert json.dumps("准予入场") in response.text  # the catalogue escapes non-ASCII


# --- Organisers: checkpoints and devices ---------------------------------------------------


def test_organiser_registers_a_device_and_sees_its_token_once(organiser_client, checkpoint):
    response = organiser_client.post(
        "/organiser/checkin/", {"name": "West door", "checkpoint": checkpoint.pk}
    )
    shown = organiser_client.get("/organiser/checkin/")
    later = organiser_client.get("/organiser/checkin/")

    assert response.status_code == 302
    token = re.search(r'<code class="token">(bld_[^<]+)</code>', shown.text).group(1)
    device = Device.objects.get(name="West door")
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert device.checkpoint == checkpoint
    assert token not in later.text


def test_organiser_revokes_a_device(
    organiser_client, scan_api, device_and_token, checkpoint, badge
):
    device, token = device_and_token

    organiser_client.post(f"/organiser/checkin/devices/{device.pk}/revoke/")

    device.refresh_from_db()
    assert device.revoked_at is not None
    assert (
        scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token).status_code
        == 401
    )


def test_organiser_creates_a_checkpoint(organiser_client, summit):
    forum = factories.ForumFactory(summit=summit)

    response = organiser_client.post(
        "/organiser/checkin/checkpoints/new/",
        {
            "name_en": "Hall A",
            "slug": "hall-a",
            "kind": "forum",
            "forum": forum.pk,
            "day": "2026-12-09",
            "policy": "reentry",
            "is_active": "on",
            "position": 3,
        },
    )

    assert response.status_code == 302
    checkpoint = Checkpoint.objects.get(slug="hall-a")
    assert (checkpoint.summit, checkpoint.forum, checkpoint.day.isoformat()) == (
        summit,
        forum,
        "2026-12-09",
    )


def test_organiser_cannot_give_a_checkpoint_a_day_outside_the_summit(organiser_client, summit):
    response = organiser_client.post(
        "/organiser/checkin/checkpoints/new/",
        {
            "name_en": "Gate",
            "slug": "gate",
            "kind": "entrance",
            "day": "2026-12-20",
            "policy": "single",
            "position": 0,
        },
    )

    assert response.status_code == 200
    assert "Choose one of the summit&#x27;s days." in response.text
    assert not Checkpoint.objects.exists()


def test_checkin_setup_needs_manage_devices(client, door_staff, summit):
    client.force_login(door_staff)

    assert client.get("/organiser/checkin/").status_code == 403


def test_create_device_command_prints_the_token_once(checkpoint):
    out, err = io.StringIO(), io.StringIO()

    call_command("create_device", "Gate 3", "--checkpoint", "main-entrance", stdout=out, stderr=err)

    token = out.getvalue().strip()
    device = Device.objects.get(name="Gate 3")
    assert token.startswith("bld_")
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert device.token_prefix == token[:8]
    assert device.checkpoint == checkpoint
    assert "shown only now" in err.getvalue()


def test_create_device_command_with_unknown_checkpoint_fails(checkpoint):
    with pytest.raises(CommandError, match="No checkpoint 'nowhere'"):
        call_command("create_device", "Gate 3", "--checkpoint", "nowhere")


# --- Live attendance ------------------------------------------------------------------------


@pytest.fixture
def busy_day(summit, scan_api, token, checkpoint):
    """Three confirmed guests: two arrive (8:05, 8:20), one does not."""
    badges = factories.BadgeFactory.create_batch(3, registration__summit=summit)
    for badge, minute in zip(badges[:2], (5, 20), strict=True):
        scan_api(
            {
                "code": code_of(badge),
                "checkpoint": "main-entrance",
                "scanned_at": at(1, 8, minute).isoformat(),
            },
            token=token,
        )
    scan_api({"code": "FORGED", "checkpoint": "main-entrance"}, token=token)
    return badges


def test_attendance_counts_inside_arrivals_and_no_shows(organiser_client, busy_day):
    data = organiser_client.get("/organiser/attendance/data.json", {"day": "2026-12-08"}).json()

    assert data["totals"] == {
        "confirmed": 3,
        "arrived": 2,
        "arrived_today": 2,
        "no_shows": 1,
        "starts_in_days": None,
        "conflicts": 0,
    }
    assert [(c["slug"], c["inside"], c["refused"]) for c in data["checkpoints"]] == [
        ("main-entrance", 2, 1)
    ]
    assert [b for b in data["arrivals"] if b["count"]] == [
        {"from": "08:00", "count": 1},
        {"from": "08:15", "count": 1},
    ]
    assert data["arrivals"][0]["from"] == "08:00"
    assert data["arrivals"][-1]["from"] == "09:45"
    assert [g["registration_id"] for g in data["no_shows"]] == [busy_day[2].registration_id]


def test_attendance_before_the_summit_claims_no_no_shows(organiser_client, summit, clock):
    factories.BadgeFactory.create_batch(2, registration__summit=summit)
    clock.move_to(at(-2, 18), tick=False)  # three days before the first day, in the evening

    data = organiser_client.get("/organiser/attendance/data.json", {"day": "2026-12-08"}).json()
    page = organiser_client.get("/organiser/attendance/", {"day": "2026-12-08"})
    dashboard = organiser_client.get("/organiser/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert (data["totals"]["no_shows"], data["totals"]["starts_in_days"]) == (None, 3)
    assert data["no_shows"] == []
    assert data["day_has_begun"] is False
    assert "No-shows so far" not in page.text
    assert '<div class="stat__value" data-total="starts_in_days">3</div>' in page.text
    assert "days until the summit starts" in page.text
    assert "This day has not begun yet." in page.text
    assert "天后峰会开始" in dashboard.text


def test_attendance_on_the_first_morning_says_the_summit_starts_today(
    organiser_client, summit, clock
):
    clock.move_to(at(0, 23, 30), tick=False)  # the evening before

    data = organiser_client.get("/organiser/attendance/data.json").json()

    assert data["totals"]["starts_in_days"] == 1
    clock.move_to(at(1, 0, 0), tick=False)
    data = organiser_client.get("/organiser/attendance/data.json").json()
    assert (data["totals"]["starts_in_days"], data["totals"]["no_shows"]) == (None, 0)


def test_attendance_main_summit_counts_every_confirmed_guest(organiser_client, summit):
    plenary = factories.ForumFactory(summit=summit, kind="plenary", capacity=None)
    factories.BadgeFactory.create_batch(3, registration__summit=summit)

    data = organiser_client.get("/organiser/attendance/data.json").json()

    [row] = [row for row in data["forums"] if row["id"] == plenary.pk]
    assert (row["enrolled"], row["inside"]) == (3, 0)


def test_attendance_enrolled_matches_the_report_with_a_guest_in_one_workshop_only(
    organiser_client, summit
):
    forum = factories.ForumFactory(summit=summit)
    workshop = factories.SessionFactory(forum=forum, requires_enrolment=True, capacity=20)
    in_forum, in_workshop, in_both, waiting = (
        factories.RegistrationFactory(summit=summit, user=None, email=f"{n}@example.org")
        for n in range(4)
    )
    factories.EnrolmentFactory(registration=in_forum, forum=forum)
    factories.EnrolmentFactory(registration=in_workshop, forum=None, session=workshop)
    factories.EnrolmentFactory(registration=in_both, forum=forum)
    factories.EnrolmentFactory(registration=in_both, forum=None, session=workshop)
    factories.EnrolmentFactory(
        registration=waiting, forum=None, session=workshop, status="waitlisted"
    )

    data = organiser_client.get("/organiser/attendance/data.json", {"day": "2026-12-08"}).json()
    [report_row] = attendance_figures(summit).forums

    [live_row] = [row for row in data["forums"] if row["id"] == forum.pk]
    assert (live_row["enrolled"], report_row["enrolled"]) == (3, 3)


def test_attendance_page_draws_bars_without_inline_styles(organiser_client, busy_day):
    response = organiser_client.get("/organiser/attendance/", {"day": "2026-12-08"})

    assert response.status_code == 200
    assert '<meter min="0" max="1" value="1">1</meter>' in response.text
    assert 'style="' not in response.text


def test_attendance_needs_view_attendance(client, door_staff, summit):
    client.force_login(door_staff)

    assert client.get("/organiser/attendance/").status_code == 403
    assert client.get("/organiser/attendance/data.json").status_code == 403


def test_dashboard_shows_the_attendance_panel(organiser_client, busy_day):
    response = organiser_client.get("/organiser/")

    assert response.status_code == 200
    assert "Attendance" in response.text
    assert "/organiser/attendance/" in response.text


def test_attendance_lists_offline_conflicts(organiser_client, scan_api, token, checkpoint, badge):
    scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token)
    scan_api(
        {
            "scans": [
                {
                    "code": code_of(badge),
                    "checkpoint": "main-entrance",
                    "scan_id": "8a7f2c1e-0000-4000-8000-000000000001",
                    "scanned_at": at(1, 11).isoformat(),
                    "offline_result": "ok",
                }
            ]
        },
        token=token,
        url="/api/v1/checkin/batch",
    )

    data = organiser_client.get("/organiser/attendance/data.json").json()

    assert data["totals"]["conflicts"] == 1
    assert data["conflicts"][0]["guest"] == "陳大文 / Chan Tai Man"
    assert data["conflicts"][0]["result"] == "Already checked in"


# --- Demo data -----------------------------------------------------------------------------


def test_demo_seed_creates_checkpoints_per_day_and_forum_and_a_device(summit):
    from badges.checkin import demo

    forum = factories.ForumFactory(summit=summit, slug="digital-economy")
    factories.SessionFactory(forum=forum, starts_at=at(2, 14))
    out = io.StringIO()

    demo.seed(guests=0, real_dates=False, stdout=out)
    said = demo.seed(guests=0, real_dates=False, stdout=out)

    assert list(Checkpoint.objects.values_list("slug", "policy", "day")) == [
        ("main-entrance-day-1", "single", at(1, 0).date()),
        ("main-entrance-day-2", "single", at(2, 0).date()),
        ("main-entrance-day-3", "single", at(3, 0).date()),
        ("forum-digital-economy", "reentry", at(2, 0).date()),
    ]
    device = Device.objects.get()
    token = said["Door device token"].split()[0]
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert Scan.objects.count() == Admission.objects.count() == 0
    assert Registration.objects.count() == 0


def test_openapi_document_lists_the_checkin_endpoints_and_every_status():
    from tests.openapi import served_document

    document = served_document()

    assert {path for path in document["paths"] if path.startswith("/api/v1/checkin")} == {
        "/api/v1/checkin",
        "/api/v1/checkin/batch",
        "/api/v1/checkin/offline-data",
        "/api/v1/checkin/search",
        "/api/v1/checkin/occupancy",
    }
    statuses = document["components"]["schemas"]["CheckinScanAnswer"]["properties"]["status"]
    assert statuses["enum"] == list(Scan.Result.values)


def _validate(payload, schema):
    from tests.openapi import validate

    validate(payload, schema)


def _response_schema(path, method="post"):
    from tests.openapi import served_document

    operation = served_document()["paths"][path][method]
    return operation["responses"]["200"]["content"]["application/json"]["schema"]


def test_checkin_answers_match_the_openapi_document(client, scan_api, token, checkpoint, badge):
    ok = scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token).json()
    again = scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token).json()
    forged = scan_api({"code": "FORGED", "checkpoint": "main-entrance"}, token=token).json()
    error = scan_api({"checkpoint": "main-entrance"}, token=token).json()
    batch = scan_api(
        {
            "scans": [
                {
                    "code": code_of(badge),
                    "checkpoint": "main-entrance",
                    "scan_id": "8a7f2c1e-0000-4000-8000-000000000002",
                    "scanned_at": at(1, 11).isoformat(),
                    "offline_result": "ok",
                }
            ]
        },
        token=token,
        url="/api/v1/checkin/batch",
    ).json()
    offline = client.get(
        "/api/v1/checkin/offline-data", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()

    for answer in (ok, again, forged):
        _validate(answer, _response_schema("/api/v1/checkin"))
    _validate(error, {"$ref": "#/components/schemas/Error"})
    _validate(batch, _response_schema("/api/v1/checkin/batch"))
    _validate(offline, _response_schema("/api/v1/checkin/offline-data", "get"))


def test_badge_code_command_prints_the_qr_text_the_door_accepts(
    summit, checkpoint, token, scan_api
):
    badge = factories.BadgeFactory(registration__summit=summit, registration__email="ana@x.org")
    out, err = io.StringIO(), io.StringIO()

    call_command("badge_code", "ana@x.org", stdout=out, stderr=err)

    code = out.getvalue().strip()
    assert code == code_of(badge)
    assert "ana@x.org" in err.getvalue()
    answer = scan_api({"code": code, "checkpoint": "main-entrance"}, token=token).json()
    assert answer["status"] == "ok"


def test_badge_code_command_without_an_address_picks_a_confirmed_guest(summit):
    factories.BadgeFactory(registration__summit=summit, registration__status="cancelled")
    confirmed = factories.BadgeFactory(registration__summit=summit)
    out = io.StringIO()

    call_command("badge_code", stdout=out, stderr=io.StringIO())

    assert out.getvalue().strip() == code_of(confirmed)


def test_badge_code_command_explains_a_guest_without_a_badge(summit):
    factories.RegistrationFactory(summit=summit, email="pending@x.org", status="pending")

    with pytest.raises(
        CommandError,
        match=re.escape("No active badge for pending@x.org: its registration is pending"),
    ):
        call_command("badge_code", "pending@x.org")
