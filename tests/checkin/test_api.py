"""POST /api/v1/checkin: each status, the precedence between them, retries, errors, auth."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from badges.checkin.devices import revoke_device
from badges.checkin.models import Admission, Checkpoint, Scan
from badges.signing import sign_badge
from registration.models import Registration
from sessions.models import Forum
from tests import factories
from tests.checkin.conftest import code_of
from tests.factories import at

pytestmark = pytest.mark.django_db


def test_scan_ok_admits_and_answers_the_guest(scan_api, token, checkpoint, badge, summit):
    badge.registration.category = "vip"
    badge.registration.save()
    scan_id = uuid.uuid4()

    response = scan_api(
        {"code": code_of(badge), "checkpoint": "main-entrance", "scan_id": str(scan_id)},
        token=token,
    )

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["message"] == "Admitted"
    assert body["scan_id"] == str(scan_id)
    assert body["guest"] == {
        "registration_id": badge.registration_id,
        "badge_id": badge.pk,
        "name": "陳大文",
        "name_latin": "Chan Tai Man",
        "organisation": "Digital Policy Office",
        "category": "vip",
        "category_label": "VIP",
    }
    assert body["first_entry"] is None
    assert body["re_entry"] is False
    assert body["scanned_at"].endswith("+08:00")
    scan = Scan.objects.get()
    assert (scan.scan_id, scan.result, scan.device.name, scan.badge, scan.offline) == (
        scan_id,
        "ok",
        "North door",
        badge,
        False,
    )
    assert Admission.objects.get().scan == scan


def test_scan_repeat_at_single_entry_is_already_checked_in_with_first_entry(
    scan_api, token, checkpoint, badge
):
    first = scan_api(
        {
            "code": code_of(badge),
            "checkpoint": "main-entrance",
            "scanned_at": at(1, 8, 30).isoformat(),
        },
        token=token,
    )

    second = scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token)

    assert first.json()["status"] == "ok"
    body = second.json()
    assert body["status"] == "already_checked_in"
    assert body["message"] == "Already checked in"
    assert body["first_entry"] == {
        "at": "2026-12-08T08:30:00+08:00",
        "checkpoint": "main-entrance",
        "checkpoint_name": checkpoint.name_en,
        "door": "North door",
    }
    assert body["guest"]["name_latin"] == "Chan Tai Man"
    assert Scan.objects.count() == 2
    assert Admission.objects.count() == 1


def test_scan_repeat_at_re_entry_checkpoint_is_ok_again(scan_api, token, checkpoint, badge):
    checkpoint.policy = Checkpoint.Policy.REENTRY
    checkpoint.save()
    scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token)

    again = scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token).json()

    assert again["status"] == "ok"
    assert again["re_entry"] is True
    assert again["first_entry"]["door"] == "North door"
    assert Scan.objects.filter(result="ok").count() == 2
    assert Admission.objects.count() == 1


def test_scan_by_door_staff_names_them_as_the_door(client, door_staff, checkpoint, badge):
    door_staff.first_name, door_staff.last_name = "Mei", "Wong"
    door_staff.save()
    client.force_login(door_staff)
    body = {"code": code_of(badge), "checkpoint": "main-entrance"}
    client.post("/api/v1/checkin", body, content_type="application/json")

    again = client.post("/api/v1/checkin", body, content_type="application/json").json()

    assert again["status"] == "already_checked_in"
    assert again["first_entry"]["door"] == "Mei Wong"
    assert Scan.objects.filter(scanned_by=door_staff).count() == 2


def test_scan_by_door_staff_without_a_name_never_shows_their_login_name(
    client, door_staff, checkpoint, badge
):
    client.force_login(door_staff)
    body = {"code": code_of(badge), "checkpoint": "main-entrance"}
    client.post("/api/v1/checkin", body, content_type="application/json")

    again = client.post("/api/v1/checkin", body, content_type="application/json").json()

    assert again["first_entry"]["door"] == ""
    assert again["first_entry"]["checkpoint_name"] == checkpoint.name_en


@pytest.fixture
def forum_checkpoint(summit):
    forum = factories.ForumFactory(summit=summit)
    return factories.CheckpointFactory(
        summit=summit,
        slug="forum-room",
        kind=Checkpoint.Kind.FORUM,
        forum=forum,
        policy=Checkpoint.Policy.REENTRY,
    )


def test_scan_at_forum_without_enrolment_is_not_enrolled(scan_api, token, forum_checkpoint, badge):
    body = scan_api({"code": code_of(badge), "checkpoint": "forum-room"}, token=token).json()

    assert body["status"] == "not_enrolled"
    assert body["message"] == "Not registered for this forum"
    assert Admission.objects.count() == 0


@pytest.mark.parametrize(
    ("enrolment_status", "expected"), [("confirmed", "ok"), ("waitlisted", "not_enrolled")]
)
def test_scan_at_forum_follows_the_enrolment(
    scan_api, token, forum_checkpoint, badge, enrolment_status, expected
):
    factories.EnrolmentFactory(
        registration=badge.registration, forum=forum_checkpoint.forum, status=enrolment_status
    )

    body = scan_api({"code": code_of(badge), "checkpoint": "forum-room"}, token=token).json()

    assert body["status"] == expected


def test_scan_at_forum_admits_a_guest_enrolled_in_one_of_its_sessions(
    scan_api, token, forum_checkpoint, badge
):
    session = factories.SessionFactory(forum=forum_checkpoint.forum)
    factories.EnrolmentFactory(registration=badge.registration, forum=None, session=session)

    body = scan_api({"code": code_of(badge), "checkpoint": "forum-room"}, token=token).json()

    assert body["status"] == "ok"


def test_scan_at_plenary_forum_admits_every_confirmed_guest(
    scan_api, token, forum_checkpoint, badge
):
    Forum.objects.filter(pk=forum_checkpoint.forum_id).update(kind=Forum.Kind.PLENARY)

    body = scan_api({"code": code_of(badge), "checkpoint": "forum-room"}, token=token).json()

    assert body["status"] == "ok"


@pytest.mark.parametrize("status", ["pending", "waitlisted", "rejected"])
def test_scan_of_unapproved_registration_is_not_approved(
    scan_api, token, checkpoint, badge, status
):
    Registration.objects.filter(pk=badge.registration_id).update(status=status)

    body = scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token).json()

    assert body["status"] == "not_approved"
    assert body["guest"]["registration_id"] == badge.registration_id


def test_scan_of_cancelled_registration_is_cancelled_before_revoked(
    scan_api, token, checkpoint, badge
):
    Registration.objects.filter(pk=badge.registration_id).update(status="cancelled")
    badge.revoked_at = at(1, 7)
    badge.revoked_reason = "cancelled"
    badge.save()

    body = scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token).json()

    assert body["status"] == "cancelled"


def test_scan_of_reissued_badge_is_revoked_and_the_new_one_admits(
    scan_api, token, checkpoint, badge
):
    old_code = code_of(badge)
    badge.revoked_at = at(1, 7)
    badge.revoked_reason = "reissued"
    badge.save()
    new_badge = factories.BadgeFactory(registration=badge.registration, serial=2)

    old = scan_api({"code": old_code, "checkpoint": "main-entrance"}, token=token).json()
    new = scan_api({"code": code_of(new_badge), "checkpoint": "main-entrance"}, token=token).json()

    assert old["status"] == "revoked"
    assert old["message"] == "Badge replaced or revoked"
    assert new["status"] == "ok"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "HELLO",
        "A" * 116,
        # A real code with one character of its signature changed.
        "tampered",
        # Signed by us, but for a badge that does not exist.
        "unknown",
    ],
)
def test_scan_of_unreadable_or_forged_code_is_invalid(scan_api, token, checkpoint, badge, code):
    if code == "tampered":
        good = code_of(badge)
        code = good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:]
    elif code == "unknown":
        code = sign_badge(999_999, 1)
    elif code == "":
        code = " "

    response = scan_api({"code": code, "checkpoint": "main-entrance"}, token=token)

    if code == " ":
        assert response.status_code == 400
        return
    body = response.json()
    assert body["status"] == "invalid"
    assert body["guest"] is None
    scan = Scan.objects.get()
    assert scan.badge is None
    assert len(scan.code_digest) == 64


def test_scan_of_another_summits_badge_is_invalid(scan_api, token, checkpoint):
    other = factories.SummitFactory(slug="another-edition")
    foreign = factories.BadgeFactory(registration__summit=other)

    body = scan_api({"code": code_of(foreign), "checkpoint": "main-entrance"}, token=token).json()

    assert body["status"] == "invalid"


def test_scan_on_another_day_is_wrong_day(scan_api, token, checkpoint, badge, clock):
    clock.move_to(at(2, 1))
    checkpoint.day = at(2, 0).date()
    checkpoint.save()

    wrong = scan_api(
        {
            "code": code_of(badge),
            "checkpoint": "main-entrance",
            "scanned_at": at(1, 23, 59).isoformat(),
        },
        token=token,
    ).json()
    right = scan_api(
        {
            "code": code_of(badge),
            "checkpoint": "main-entrance",
            "scanned_at": at(2, 0, 1).isoformat(),
        },
        token=token,
    ).json()

    assert wrong["status"] == "wrong_day"
    assert wrong["message"] == "Not valid today"
    assert right["status"] == "ok"


def test_scan_day_is_the_summits_whatever_the_offset_of_the_time_sent(
    scan_api, token, checkpoint, badge, clock
):
    # The door page sends UTC times ("…Z"): 00:30 in Shanghai on day 2 is still day 1 in UTC.
    clock.move_to(at(2, 1))
    checkpoint.day = at(2, 0).date()
    checkpoint.save()
    just_after_midnight = at(2, 0, 30).astimezone(datetime.UTC)

    body = scan_api(
        {
            "code": code_of(badge),
            "checkpoint": "main-entrance",
            "scanned_at": just_after_midnight.isoformat().replace("+00:00", "Z"),
        },
        token=token,
    ).json()

    assert body["status"] == "ok"
    assert body["scanned_at"] == "2026-12-09T00:30:00+08:00"


def test_scan_at_closed_checkpoint_is_checkpoint_closed(scan_api, token, checkpoint, badge):
    checkpoint.is_active = False
    checkpoint.save()

    body = scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token).json()

    assert body["status"] == "checkpoint_closed"


@pytest.mark.parametrize(
    ("registration_status", "revoked", "active", "other_day", "expected"),
    [
        ("cancelled", True, False, True, "cancelled"),
        ("confirmed", True, False, True, "revoked"),
        ("pending", False, False, True, "not_approved"),
        ("confirmed", False, False, True, "checkpoint_closed"),
        ("confirmed", False, True, True, "wrong_day"),
        ("confirmed", False, True, False, "not_enrolled"),
    ],
)
def test_scan_status_precedence(
    scan_api,
    token,
    forum_checkpoint,
    badge,
    registration_status,
    revoked,
    active,
    other_day,
    expected,
):
    Registration.objects.filter(pk=badge.registration_id).update(status=registration_status)
    if revoked:
        badge.revoked_at = at(1, 7)
        badge.save()
    forum_checkpoint.is_active = active
    forum_checkpoint.day = at(3, 0).date() if other_day else None
    forum_checkpoint.save()

    body = scan_api(
        {"code": code_of(badge), "checkpoint": "forum-room", "scanned_at": at(1, 9).isoformat()},
        token=token,
    ).json()

    assert body["status"] == expected


def test_scan_retried_with_same_scan_id_is_answered_the_same_and_counted_once(
    scan_api, token, checkpoint, badge
):
    body = {"code": code_of(badge), "checkpoint": "main-entrance", "scan_id": str(uuid.uuid4())}

    first = scan_api(body, token=token)
    retry = scan_api(body, token=token)

    assert first.json()["status"] == "ok"
    assert retry.json() == first.json()
    assert retry["X-Scan-Replayed"] == "1"
    assert Scan.objects.count() == 1
    assert Admission.objects.count() == 1


def test_scan_retried_after_a_refusal_is_answered_the_same(scan_api, token, checkpoint, badge):
    scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token)
    body = {"code": code_of(badge), "checkpoint": "main-entrance", "scan_id": str(uuid.uuid4())}

    first = scan_api(body, token=token)
    retry = scan_api(body, token=token)

    assert first.json()["status"] == "already_checked_in"
    assert retry.json() == first.json()
    assert Scan.objects.count() == 2


def test_scan_uses_the_devices_default_checkpoint(scan_api, checkpoint, badge):
    from badges.checkin.devices import create_device

    _device, token = create_device("Gate 2", checkpoint=checkpoint)

    body = scan_api({"code": code_of(badge)}, token=token).json()

    assert body["status"] == "ok"
    assert body["checkpoint"]["slug"] == "main-entrance"


def test_scan_answers_in_the_requested_language(scan_api, token, checkpoint, badge):
    body = scan_api(
        {"code": code_of(badge), "checkpoint": "main-entrance"},
        token=token,
        HTTP_ACCEPT_LANGUAGE="zh-hant",
    ).json()

    assert body["message"] == "准予入場"
    assert body["guest"]["category_label"] == "代表"


def test_scan_takes_few_queries(scan_api, token, checkpoint, badge):
    code = code_of(badge)
    scan_api({"code": code, "checkpoint": "main-entrance"}, token=token)  # warms the caches
    other = factories.BadgeFactory(registration__summit=badge.registration.summit)

    with CaptureQueriesContext(connection) as first:
        scan_api({"code": code_of(other), "checkpoint": "main-entrance"}, token=token)
    with CaptureQueriesContext(connection) as repeat:
        scan_api({"code": code, "checkpoint": "main-entrance"}, token=token)

    def statements(queries):
        # Savepoints stand for BEGIN and COMMIT here: the test runs inside a transaction.
        return [q["sql"].split()[0] for q in queries if "SAVEPOINT" not in q["sql"]]

    # One read (badge and guest), then on PostgreSQL one statement that logs the scan and
    # admits, or finds the guest admitted before and tells when and where. Elsewhere the
    # scan, the admission, and for a repeat the scan's answer and the first entry.
    if connection.vendor == "postgresql":
        assert statements(first) == ["SELECT", "WITH"]
        assert statements(repeat) == ["SELECT", "WITH"]
    else:
        assert statements(first) == ["SELECT", "INSERT", "INSERT"]
        assert statements(repeat) == ["SELECT", "INSERT", "INSERT", "UPDATE", "SELECT"]


@pytest.mark.postgres
def test_the_scan_statements_are_prepared_once_per_connection(scan_api, token, checkpoint):
    """The hot path's statements are the same text every time, so the connection prepares
    them (DB_PREPARED_STATEMENTS): planned once per connection, not per scan."""
    scan_six_badges_twice(scan_api, token, checkpoint.summit, "main-entrance")

    prepared = prepared_plans()

    # Prepared at the 5th run, then used by each further one (tests/summit/
    # test_prepared_statements.py): 12 reads, 12 admissions tried.
    [state] = [sql for sql in prepared if sql.startswith('SELECT b.id, b."serial"')]
    [admit] = [sql for sql in prepared if sql.startswith("WITH new AS")]
    assert (prepared[state], prepared[admit]) == (7, 7)


@pytest.mark.postgres
def test_a_scan_through_a_rooms_door_is_one_prepared_call(scan_api, token, checkpoint):
    """At a room's door the gate, the log, the admission and the guest's move are one call of
    ``checkin_gate`` (migration checkin 0003), its text the same every time: prepared once."""
    from badges.checkin.models import Presence
    from summit.models import Room

    room = Room.objects.create(summit=checkpoint.summit, slug="hall", name_en="Hall", capacity=50)
    factories.CheckpointFactory(summit=checkpoint.summit, slug="hall-door", room=room)
    scan_six_badges_twice(scan_api, token, checkpoint.summit, "hall-door")

    prepared = prepared_plans()

    assert Presence.objects.filter(room=room).count() == 6
    [gate] = [sql for sql in prepared if "checkin_gate(" in sql]
    assert prepared[gate] == 7


def scan_six_badges_twice(scan_api, token, summit, checkpoint_slug: str) -> None:
    badges = [factories.BadgeFactory(registration__summit=summit) for _ in range(6)]
    for badge in badges * 2:
        scan_api({"code": code_of(badge), "checkpoint": checkpoint_slug}, token=token)


def prepared_plans() -> dict[str, int]:
    """The connection's prepared statements and how often each plan was used."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@pytest.mark.parametrize(
    ("policy", "offline_result", "status", "conflict"),
    [
        (Checkpoint.Policy.SINGLE, "", "already_checked_in", False),
        (Checkpoint.Policy.SINGLE, "ok", "already_checked_in", True),
        (Checkpoint.Policy.REENTRY, "ok", "ok", False),
    ],
)
def test_a_scan_that_finds_the_admission_taken_follows_the_policy(
    device_and_token, badge, summit, policy, offline_result, status, conflict
):
    """Whether a guest was admitted before is decided by the write (the admission's unique
    constraint), not read first: the scan that finds the admission taken answers by the
    policy, with the first entry, and stores that answer."""
    from badges.checkin import checkpoints, services

    factories.CheckpointFactory(summit=summit, slug="gate", policy=policy)
    point = checkpoints.checkpoint_info("gate")
    scanner = services.Scanner(device=device_and_token[0])
    first = services.record_scan(code_of(badge), checkpoint=point, scanner=scanner)

    answer = services.record_scan(
        code_of(badge),
        checkpoint=point,
        scanner=scanner,
        offline=bool(offline_result),
        offline_result=offline_result,
    )

    assert (answer.status, answer.conflict) == (status, conflict)
    assert answer.first_entry == services.FirstEntry(at=first.scanned_at, door="North door")
    stored = Scan.objects.get(scan_id=answer.scan_id)
    assert (stored.result, stored.conflict) == (status, conflict)
    assert Admission.objects.get().scan.scan_id == first.scan_id


# --- Errors -----------------------------------------------------------------------------------


def test_scan_without_credentials_is_401(scan_api, checkpoint, badge):
    response = scan_api({"code": code_of(badge), "checkpoint": "main-entrance"})

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response["WWW-Authenticate"] == 'Bearer realm="checkin"'
    assert Scan.objects.count() == 0


@pytest.mark.parametrize("bad", ["wrong", "", "bld_nope"])
def test_scan_with_unknown_token_is_401(scan_api, checkpoint, badge, bad, client):
    response = client.post(
        "/api/v1/checkin",
        {"code": code_of(badge), "checkpoint": "main-entrance"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {bad}",
    )

    assert response.status_code == 401


def test_scan_with_revoked_device_is_401(scan_api, device_and_token, checkpoint, badge):
    device, token = device_and_token
    revoke_device(device)

    response = scan_api({"code": code_of(badge), "checkpoint": "main-entrance"}, token=token)

    assert response.status_code == 401


def test_scan_by_user_without_permission_is_403(client, guest_user, checkpoint, badge):
    client.force_login(guest_user)

    response = client.post(
        "/api/v1/checkin",
        {"code": code_of(badge), "checkpoint": "main-entrance"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_scan_by_session_needs_the_csrf_token(door_staff, checkpoint, badge):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(door_staff)
    client.get("/door/")
    body = {"code": code_of(badge), "checkpoint": "main-entrance"}

    refused = client.post("/api/v1/checkin", body, content_type="application/json")
    accepted = client.post(
        "/api/v1/checkin",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert refused.status_code == 403
    assert refused.json()["error"] == "csrf"
    assert accepted.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"checkpoint": "main-entrance"}, "code"),
        ({"code": "X", "checkpoint": "not a slug!"}, "checkpoint"),
        ({"code": "X", "checkpoint": "main-entrance", "scan_id": "123"}, "scan_id"),
        ({"code": "X", "checkpoint": "main-entrance", "scanned_at": "yesterday"}, "scanned_at"),
        (
            {"code": "X", "checkpoint": "main-entrance", "scanned_at": "2999-01-01T00:00:00Z"},
            "scanned_at",
        ),
        ({"code": "X"}, "checkpoint"),
    ],
)
def test_scan_with_bad_field_is_400_with_field_errors(scan_api, token, checkpoint, body, field):
    response = scan_api(body, token=token)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert Scan.objects.count() == 0


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "\xff"])
def test_scan_with_unparsable_body_is_400(scan_api, token, checkpoint, raw):
    response = scan_api(raw.encode("latin-1"), token=token)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"


def test_scan_at_unknown_checkpoint_is_404(scan_api, token, badge):
    response = scan_api({"code": code_of(badge), "checkpoint": "nowhere"}, token=token)

    assert response.status_code == 404
    assert response.json()["error"] == "unknown_checkpoint"


def test_scan_with_get_is_405(client, token):
    response = client.get("/api/v1/checkin", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
