"""Two doors of a nearly full room on PostgreSQL, with real threads and their own connections."""

import threading
import uuid

import pytest
from django.db import connection

from badges.checkin import checkpoints, services
from badges.checkin.models import Presence, Scan
from tests import factories
from tests.checkin.conftest import code_of
from tests.checkin.occupancy_helpers import hall_with_doors, scan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ARRIVALS = 8


def arrive_together(badges, slugs, *, override=False, direction="entry", scan_ids=None):
    """Every badge is scanned at the same moment, alternating between the doors."""
    barrier = threading.Barrier(len(badges))
    statuses, errors = [], []

    def door(badge, slug, scan_id):
        try:
            point = checkpoints.checkpoint_info(slug)
            barrier.wait(timeout=10)
            answer = services.record_scan(
                code_of(badge),
                checkpoint=point,
                scanner=services.Scanner(),
                scan_id=scan_id,
                direction=direction,
                override=override,
            )
            statuses.append(answer.status)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=door,
            args=(badge, slugs[number % len(slugs)], (scan_ids or {}).get(number, uuid.uuid4())),
        )
        for number, badge in enumerate(badges)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return statuses


def test_two_doors_of_a_nearly_full_room_never_admit_beyond_capacity():
    summit = factories.SummitFactory()
    room, doors = hall_with_doors(summit, capacity=10)
    slugs = [door.slug for door in doors]
    for _ in range(8):
        scan(factories.BadgeFactory(registration__summit=summit), slugs[0])
    arrivals = [factories.BadgeFactory(registration__summit=summit) for _ in range(ARRIVALS)]

    statuses = arrive_together(arrivals, slugs)

    assert sorted(statuses) == ["ok"] * 2 + ["room_full"] * (ARRIVALS - 2)
    assert Presence.objects.filter(room=room, inside=True).count() == 10
    assert Scan.objects.filter(result="room_full").count() == ARRIVALS - 2


def test_staff_override_at_both_doors_admits_everyone_and_logs_it():
    summit = factories.SummitFactory()
    room, doors = hall_with_doors(summit, capacity=10)
    slugs = [door.slug for door in doors]
    for _ in range(9):
        scan(factories.BadgeFactory(registration__summit=summit), slugs[0])
    arrivals = [factories.BadgeFactory(registration__summit=summit) for _ in range(ARRIVALS)]

    statuses = arrive_together(arrivals, slugs, override=True)

    assert statuses == ["ok"] * ARRIVALS
    assert Presence.objects.filter(room=room, inside=True).count() == 9 + ARRIVALS
    # The one who took the last place needed no override; every other one is logged.
    assert Scan.objects.filter(override=True).count() == ARRIVALS - 1


def test_a_retried_exit_sent_to_both_doors_at_once_is_logged_and_counted_once():
    summit = factories.SummitFactory()
    room, doors = hall_with_doors(summit, capacity=10)
    slugs = [door.slug for door in doors]
    guest, other = (factories.BadgeFactory(registration__summit=summit) for _ in range(2))
    scan(guest, slugs[0])
    scan(other, slugs[0])
    scan_id = uuid.uuid4()

    statuses = arrive_together(
        [guest] * 4, slugs, direction="exit", scan_ids=dict.fromkeys(range(4), scan_id)
    )

    assert statuses == ["ok"] * 4
    assert Scan.objects.filter(scan_id=scan_id).count() == 1
    assert Presence.objects.filter(room=room, inside=True).count() == 1


def test_a_retried_refusal_sent_to_both_doors_at_once_is_logged_once():
    summit = factories.SummitFactory()
    _room, doors = hall_with_doors(summit, capacity=10)
    slugs = [door.slug for door in doors]
    cancelled = factories.BadgeFactory(
        registration__summit=summit, registration__status="cancelled"
    )
    scan_id = uuid.uuid4()

    statuses = arrive_together([cancelled] * 4, slugs, scan_ids=dict.fromkeys(range(4), scan_id))

    assert statuses == ["cancelled"] * 4
    assert Scan.objects.filter(scan_id=scan_id).count() == 1
