"""Room occupancy from entry and exit scans (badges/checkin/occupancy.py).

The clock stands at noon on day 1 (tests/badges/conftest.py).
"""

import io
import uuid

import pytest

from badges.checkin import checkpoints, occupancy, services
from badges.checkin.devices import create_device, device_for_token
from badges.checkin.models import Admission, Checkpoint, Device, Presence, Scan
from tests import factories
from tests.checkin.conftest import code_of
from tests.checkin.occupancy_helpers import hall_with_doors, inside, scan
from tests.factories import at
from tests.openapi import validate_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(summit):
    return hall_with_doors(summit, capacity=3)


@pytest.fixture
def guests(summit):
    return [factories.BadgeFactory(registration__summit=summit) for _ in range(5)]


def test_entry_then_exit_counts_one_then_none(hall, guests):
    room, (north, _south) = hall

    entered = scan(guests[0], north.slug, "entry", at=at(1, 10))
    left = scan(guests[0], north.slug, "exit", at=at(1, 11))

    assert (entered.status, entered.direction, entered.occupancy.inside) == ("ok", "entry", 1)
    assert (left.status, left.direction, left.occupancy.inside) == ("ok", "exit", 0)
    assert inside(room) == 0
    assert list(Scan.objects.order_by("scanned_at").values_list("direction", flat=True)) == [
        "entry",
        "exit",
    ]


def test_exit_without_entry_never_goes_below_zero(hall, guests):
    room, (north, _south) = hall

    answer = scan(guests[0], north.slug, "exit", at=at(1, 10))

    assert (answer.status, answer.occupancy.inside) == ("ok", 0)
    assert inside(room) == 0
    assert Admission.objects.count() == 0


def test_re_entry_and_the_second_door_of_one_room_count_a_guest_once(hall, guests):
    room, (north, south) = hall

    scan(guests[0], north.slug, at=at(1, 9))
    again = scan(guests[0], north.slug, at=at(1, 9, 30))
    other_door = scan(guests[0], south.slug, at=at(1, 10))

    assert (again.status, again.re_entry, again.occupancy.inside) == ("ok", True, 1)
    assert other_door.occupancy.inside == 1
    assert inside(room) == 1
    assert Presence.objects.get().since == at(1, 9)


def test_missed_exit_then_entry_elsewhere_ends_the_presence_in_the_first_room(summit, guests):
    hall_a, (door_a, _) = hall_with_doors(summit, capacity=10, name="Hall A")
    hall_b, (door_b, _) = hall_with_doors(summit, capacity=10, name="Hall B")

    scan(guests[0], door_a.slug, at=at(1, 9))
    scan(guests[0], door_b.slug, at=at(1, 10))

    assert (inside(hall_a), inside(hall_b)) == (0, 1)


def test_exit_at_an_entrance_without_a_room_ends_the_presence(summit, hall, guests):
    room, (north, _) = hall
    factories.CheckpointFactory(
        summit=summit, slug="gate", direction=Checkpoint.Direction.BOTH, room=None
    )
    scan(guests[0], north.slug, at=at(1, 9))

    scan(guests[0], "gate", "exit", at=at(1, 10))

    assert inside(room) == 0


def test_an_offline_scan_older_than_the_latest_does_not_move_the_guest(hall, guests):
    room, (north, south) = hall
    scan(guests[0], north.slug, at=at(1, 11))

    # Uploaded after the 11:00 entry, scanned at 10:30 by a door that was offline.
    [late] = services.record_batch(
        [
            services.BatchItem(
                code=code_of(guests[0]),
                checkpoint=checkpoints.checkpoint_info(south.slug),
                scan_id=uuid.uuid4(),
                scanned_at=at(1, 10, 30),
                offline_result="ok",
                direction="exit",
            )
        ],
        scanner=services.Scanner(),
    )

    assert (late.status, late.direction) == ("ok", "exit")
    assert inside(room) == 1
    assert Scan.objects.filter(direction="exit", offline=True).count() == 1


def test_an_offline_batch_is_placed_by_scan_time_whatever_its_order(hall, guests):
    room, (north, south) = hall
    items = [
        services.BatchItem(
            code=code_of(guests[0]),
            checkpoint=checkpoints.checkpoint_info(slug),
            scan_id=uuid.uuid4(),
            scanned_at=moment,
            offline_result="ok",
            direction=direction,
        )
        for slug, direction, moment in [
            (south.slug, "exit", at(1, 11)),
            (north.slug, "entry", at(1, 10)),
            (north.slug, "entry", at(1, 11, 30)),
        ]
    ]

    services.record_batch(items, scanner=services.Scanner())

    assert inside(room) == 1
    assert Presence.objects.get().since == at(1, 11, 30)


def test_guests_still_inside_are_checked_out_when_the_last_session_ends(
    summit, hall, guests, clock
):
    room, (north, _) = hall
    forum = factories.ForumFactory(summit=summit, room=room)
    factories.SessionFactory(forum=forum, room=room, starts_at=at(1, 9), ends_at=at(1, 12))
    clock.move_to(at(1, 10))
    scan(guests[0], north.slug, at=at(1, 10))
    assert inside(room) == 1

    clock.move_to(at(1, 12, 31))
    written = occupancy.check_out_automatically(summit)

    assert inside(room) == 0
    assert written == 1
    exit_scan = Scan.objects.get(direction="exit")
    assert (exit_scan.automatic, exit_scan.scanned_at) == (True, at(1, 12, 30))


def test_a_presence_from_yesterday_does_not_count_today(summit, hall, guests, clock):
    room, (north, _) = hall
    clock.move_to(at(1, 18))
    scan(guests[0], north.slug, at=at(1, 18))

    clock.move_to(at(2, 8))

    assert inside(room) == 0
    assert occupancy.room_occupancy(room, summit_id=summit.pk).inside == 0


def test_a_full_room_answers_room_full_and_logs_the_scan(hall, guests):
    room, (north, south) = hall
    for badge in guests[:3]:
        scan(badge, north.slug)

    refused = scan(guests[3], south.slug)

    assert (refused.status, refused.occupancy.inside, refused.occupancy.level) == (
        "room_full",
        3,
        "full",
    )
    assert refused.as_json()["message"] == "Room full"
    assert Scan.objects.filter(result="room_full").count() == 1
    assert Admission.objects.filter(registration=guests[3].registration).count() == 0
    assert inside(room) == 3


def test_a_guest_inside_a_full_room_is_never_refused_at_its_other_door(hall, guests):
    room, (north, south) = hall
    for badge in guests[:3]:
        scan(badge, north.slug)

    assert scan(guests[0], south.slug).status == "ok"
    assert inside(room) == 3


def test_an_exit_frees_a_place_in_a_full_room(hall, guests):
    room, (north, south) = hall
    for badge in guests[:3]:
        scan(badge, north.slug)

    scan(guests[0], north.slug, "exit")

    assert scan(guests[3], south.slug).status == "ok"
    assert inside(room) == 3


def test_staff_override_admits_into_a_full_room_and_is_logged(hall, guests):
    _room, (north, _) = hall
    for badge in guests[:3]:
        scan(badge, north.slug)

    answer = scan(guests[3], north.slug, override=True)

    assert (answer.status, answer.override, answer.occupancy.inside) == ("ok", True, 4)
    logged = Scan.objects.get(registration=guests[3].registration)
    assert (logged.override, logged.note) == (True, occupancy.NOTE_OVERRIDE)


def test_a_category_the_organiser_allows_enters_a_full_room(summit, hall, guests):
    _room, (north, _) = hall
    occupancy.save_occupancy_rule(summit.pk, warn_at_percent=90, over_capacity_categories=["vip"])
    occupancy.forget_rules()
    vip = factories.BadgeFactory(registration__summit=summit, registration__category="vip")
    for badge in guests[:3]:
        scan(badge, north.slug)

    assert scan(vip, north.slug).status == "ok"
    assert scan(guests[3], north.slug).status == "room_full"
    assert Scan.objects.get(registration=vip.registration).note == occupancy.NOTE_CATEGORY


def test_the_answer_warns_from_the_organisers_threshold(summit, guests):
    occupancy.save_occupancy_rule(summit.pk, warn_at_percent=50, over_capacity_categories=[])
    occupancy.forget_rules()
    _room, (north, _) = hall_with_doors(summit, capacity=4)

    levels = [scan(badge, north.slug).occupancy.level for badge in guests[:4]]

    assert levels == ["ok", "warn", "warn", "full"]


def test_default_threshold_is_ninety_percent(summit, guests):
    _room, (north, _) = hall_with_doors(summit, capacity=10)
    many = [factories.BadgeFactory(registration__summit=summit) for _ in range(9)]

    levels = [scan(badge, north.slug).occupancy.level for badge in many]

    assert levels == ["ok"] * 8 + ["warn"]


def test_an_entry_scanned_offline_into_a_full_room_is_kept_and_flagged(hall, guests):
    room, (north, _) = hall
    for badge in guests[:3]:
        scan(badge, north.slug)

    answer = scan(guests[3], north.slug, offline=True)

    assert (answer.status, answer.conflict) == ("ok", True)
    assert Scan.objects.get(registration=guests[3].registration).conflict is True
    assert inside(room) == 4


def test_a_direction_the_checkpoint_does_not_count_is_refused(summit, guests):
    factories.CheckpointFactory(summit=summit, slug="in-only")

    with pytest.raises(occupancy.DirectionRefused):
        scan(guests[0], "in-only", "exit")
    assert Scan.objects.count() == 0


def test_a_scanner_bound_to_exits_counts_exits(summit, hall, guests):
    _room, (north, _) = hall
    scan(guests[0], north.slug)
    device, token = create_device("USB scanner, north exit")
    device.direction = "exit"
    device.save()

    answer = services.record_scan(
        code_of(guests[0]),
        checkpoint=checkpoints.checkpoint_info(north.slug),
        scanner=services.Scanner(device=device_for_token(token)),
    )

    assert (answer.direction, answer.occupancy.inside) == ("exit", 0)


def test_the_api_takes_direction_and_override(scan_api, token, summit, hall, guests):
    room, (north, _) = hall
    for badge in guests[:3]:
        scan(badge, north.slug)

    full = scan_api({"code": code_of(guests[3]), "checkpoint": north.slug}, token=token)
    forced = scan_api(
        {"code": code_of(guests[3]), "checkpoint": north.slug, "override": "true"}, token=token
    )
    out = scan_api(
        {"code": code_of(guests[0]), "checkpoint": north.slug, "direction": "exit"}, token=token
    )

    assert full.json()["status"] == "room_full"
    assert full.json()["occupancy"] == {
        "room": "Hall A",
        "room_id": room.pk,
        "inside": 3,
        "capacity": 3,
        "percent": 100,
        "warn_at_percent": 90,
        "level": "full",
    }
    assert (forced.json()["status"], forced.json()["override"]) == ("ok", True)
    assert (out.json()["direction"], out.json()["occupancy"]["inside"]) == ("exit", 3)
    for answer in (full, forced, out):
        validate_answer(answer)


def test_a_retried_scan_at_a_rooms_door_is_answered_with_occupancy_and_override(
    scan_api, token, hall, guests
):
    """A retry after a network error (same scan_id) gets the first answer again: the room's
    figure and the staff override with it."""
    room, (north, _) = hall
    for badge in guests[:3]:
        scan(badge, north.slug)
    body = {
        "code": code_of(guests[3]),
        "checkpoint": north.slug,
        "override": "true",
        "scan_id": str(uuid.uuid4()),
    }

    first = scan_api(body, token=token)
    retry = scan_api(body, token=token)

    assert (first.json()["status"], first.json()["override"]) == ("ok", True)
    assert first.json()["occupancy"] == {
        "room": "Hall A",
        "room_id": room.pk,
        "inside": 4,
        "capacity": 3,
        "percent": 133,
        "warn_at_percent": 90,
        "level": "full",
    }
    assert retry.json() == first.json()
    assert (first.get("X-Scan-Replayed"), retry["X-Scan-Replayed"]) == (None, "1")
    assert Scan.objects.filter(registration=guests[3].registration).count() == 1
    validate_answer(retry)


def test_a_retried_refusal_at_a_rooms_door_is_answered_with_occupancy(
    scan_api, token, hall, guests
):
    _room, (north, _) = hall
    for badge in guests[:3]:
        scan(badge, north.slug)
    body = {"code": code_of(guests[3]), "checkpoint": north.slug, "scan_id": str(uuid.uuid4())}

    first = scan_api(body, token=token)
    retry = scan_api(body, token=token)

    assert (first.json()["status"], first.json()["override"]) == ("room_full", False)
    assert first.json()["occupancy"]["inside"] == 3
    assert retry.json() == first.json()


def test_the_door_reads_its_rooms_occupancy_from_the_api(client, token, hall, guests):
    room, (north, _) = hall
    scan(guests[0], north.slug)

    response = client.get(
        "/api/v1/checkin/occupancy",
        {"checkpoint": north.slug},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    unknown = client.get(
        "/api/v1/checkin/occupancy", {"checkpoint": "nowhere"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 200
    assert response.json()["occupancy"]["inside"] == 1
    assert response.json()["occupancy"]["room_id"] == room.pk
    validate_answer(response)
    validate_answer(unknown)
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_checkpoint")


def test_the_api_refuses_an_exit_at_an_entries_only_checkpoint(scan_api, token, checkpoint, badge):
    response = scan_api(
        {"code": code_of(badge), "checkpoint": checkpoint.slug, "direction": "exit"}, token=token
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["direction"]


def test_the_command_checks_out_guests_of_closed_rooms(summit, hall, guests, clock):
    from django.core.management import call_command

    _room, (north, _) = hall
    clock.move_to(at(1, 18))
    scan(guests[0], north.slug, at=at(1, 18))
    clock.move_to(at(2, 8))

    call_command("check_out_automatically", stdout=io.StringIO())

    exit_scan = Scan.objects.get(direction="exit")
    # No session in the room that day: the guest is checked out at midnight.
    assert (exit_scan.automatic, exit_scan.scanned_at) == (True, at(2, 0))
    assert Presence.objects.get().inside is False


def test_the_task_workers_minute_pass_checks_out_guests_of_closed_rooms(
    summit, hall, guests, clock
):
    from summit.infrastructure import workers

    _room, (north, _) = hall
    clock.move_to(at(1, 18))
    scan(guests[0], north.slug, at=at(1, 18))
    clock.move_to(at(2, 8))

    counts = workers.recover()

    exit_scan = Scan.objects.get(direction="exit")
    assert (exit_scan.automatic, exit_scan.scanned_at) == (True, at(2, 0))
    assert Presence.objects.get().inside is False
    # Not work of a dead worker: nothing counted as recovered.
    assert not any(counts.values())


def test_a_batch_from_a_scanner_bound_to_exits_at_an_entries_only_door_is_refused(
    scan_api, summit, guests
):
    factories.CheckpointFactory(summit=summit, slug="in-only")
    device, token = create_device("USB scanner, exit")
    device.direction = "exit"
    device.save()
    body = {
        "scans": [
            {
                "code": code_of(guests[0]),
                "checkpoint": "in-only",
                "scan_id": str(uuid.uuid4()),
                "scanned_at": at(1, 11).isoformat(),
                "offline_result": "ok",
            }
        ]
    }

    response = scan_api(body, token=token, url="/api/v1/checkin/batch")

    assert response.status_code == 400
    assert list(response.json()["fields"]["scans"]["0"]) == ["direction"]
    assert Scan.objects.count() == 0


def test_an_organiser_binds_a_new_scanner_to_exits(organiser_client, summit):
    response = organiser_client.post(
        "/organiser/checkin/", {"name": "USB scanner, east exit", "direction": "exit"}
    )

    assert response.status_code == 302
    assert Device.objects.get(name="USB scanner, east exit").direction == "exit"
    assert 'USB scanner, east exit <span class="pill">Exit</span>' in (
        organiser_client.get("/organiser/checkin/").text
    )


def test_an_exit_shows_the_room_as_saved_after_its_capacity_changed(
    hall, guests, django_capture_on_commit_callbacks
):
    room, (north, _south) = hall
    scan(guests[0], north.slug, "exit", at=at(1, 10))

    room.capacity, room.name_en = 7, "Hall A (extended)"
    with django_capture_on_commit_callbacks(execute=True):
        room.save()
    answer = scan(guests[1], north.slug, "exit", at=at(1, 11))

    assert (answer.occupancy.capacity, answer.occupancy.room_name) == (7, "Hall A (extended)")


def test_an_entry_that_may_be_admitted_reads_the_capacity_from_the_locked_room(hall, guests):
    room, (north, _south) = hall
    scan(guests[0], north.slug, "exit", at=at(1, 10))

    type(room).objects.filter(pk=room.pk).update(capacity=1)  # no save: nothing forgotten
    first = scan(guests[1], north.slug, at=at(1, 11))
    second = scan(guests[2], north.slug, at=at(1, 11, 5))

    assert (first.status, first.occupancy.capacity) == ("ok", 1)
    assert (second.status, second.occupancy.inside) == ("room_full", 1)
