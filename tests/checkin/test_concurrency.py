"""Simultaneous scans on PostgreSQL, with real threads and their own connections."""

import threading
import time
import uuid

import pytest
from django.db import connection, transaction

from badges.checkin import checkpoints, services
from badges.checkin.devices import create_device, device_for_token
from badges.checkin.models import Admission, Checkpoint, Scan
from tests import factories
from tests.checkin.conftest import code_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DOORS = 8


def scan_together(code, slug, tokens, scan_ids, answers=None):
    """Every door scans the code at the same moment; returns their statuses (and collects
    their answers in ``answers``, if given)."""
    barrier = threading.Barrier(len(tokens))
    statuses, errors = [], []
    answers = [] if answers is None else answers

    def door(token, scan_id):
        try:
            scanner = services.Scanner(device=device_for_token(token))
            point = checkpoints.checkpoint_info(slug)
            barrier.wait(timeout=10)
            answer = services.record_scan(code, checkpoint=point, scanner=scanner, scan_id=scan_id)
            statuses.append(answer.status)
            answers.append(answer)
        except Exception as error:  # reported below, with the thread's traceback lost
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=door, args=(token, scan_id))
        for token, scan_id in zip(tokens, scan_ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return statuses


@pytest.fixture
def doors():
    return [create_device(f"Door {number}")[1] for number in range(DOORS)]


def test_simultaneous_scans_at_single_entry_admit_exactly_once(doors):
    summit = factories.SummitFactory()
    factories.CheckpointFactory(summit=summit, slug="gate", policy=Checkpoint.Policy.SINGLE)
    badge = factories.BadgeFactory(registration__summit=summit)

    answers = []

    statuses = scan_together(
        code_of(badge), "gate", doors, [uuid.uuid4() for _ in range(DOORS)], answers
    )

    assert sorted(statuses) == ["already_checked_in"] * (DOORS - 1) + ["ok"]
    [admitted] = [answer for answer in answers if answer.status == "ok"]
    # Every door that lost tells when and where the guest entered, even the ones whose
    # statement began before the winner's admission was committed.
    assert {answer.first_entry.at for answer in answers if answer is not admitted} == {
        admitted.scanned_at
    }
    assert Admission.objects.count() == 1
    assert Scan.objects.filter(result="ok").count() == 1
    assert Scan.objects.count() == DOORS


def test_simultaneous_scans_at_re_entry_admit_every_scan_but_count_one_admission(doors):
    summit = factories.SummitFactory()
    factories.CheckpointFactory(summit=summit, slug="hall", policy=Checkpoint.Policy.REENTRY)
    badge = factories.BadgeFactory(registration__summit=summit)

    statuses = scan_together(code_of(badge), "hall", doors, [uuid.uuid4() for _ in range(DOORS)])

    assert statuses == ["ok"] * DOORS
    assert Admission.objects.count() == 1


def test_simultaneous_retries_of_one_scan_record_it_once(doors):
    summit = factories.SummitFactory()
    factories.CheckpointFactory(summit=summit, slug="gate", policy=Checkpoint.Policy.SINGLE)
    badge = factories.BadgeFactory(registration__summit=summit)
    scan_id = uuid.uuid4()

    statuses = scan_together(code_of(badge), "gate", doors[:4], [scan_id] * 4)

    assert statuses == ["ok"] * 4
    assert Scan.objects.count() == 1
    assert Admission.objects.count() == 1


def test_a_scan_logged_meanwhile_by_another_request_is_answered_from_it():
    """The same scan_id arrives twice at once. This request admits the guest, but the other
    request logs the scan first: the admission now points at a scan that was never written,
    and PostgreSQL refuses the statement at its end (a foreign key violation). Django wraps
    that error as IntegrityError, which record_scan catches where it was written to: nothing
    of this request is kept, and it is answered from the scan the other one stored."""
    summit = factories.SummitFactory()
    factories.CheckpointFactory(summit=summit, slug="gate", policy=Checkpoint.Policy.SINGLE)
    badge = factories.BadgeFactory(registration__summit=summit)
    device, token = create_device("North door")
    scan_id = uuid.uuid4()
    logged, release, answers, errors = threading.Event(), threading.Event(), [], []

    def other_request():
        # Logs the scan (without admitting) and commits only when released.
        try:
            with transaction.atomic():
                Scan.objects.create(
                    scan_id=scan_id,
                    checkpoint=Checkpoint.objects.get(slug="gate"),
                    device=device,
                    badge=badge,
                    registration=badge.registration,
                    result=Scan.Result.NOT_APPROVED,
                    scanned_at=factories.at(1, 12),
                )
                logged.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def this_request():
        try:
            scanner = services.Scanner(device=device_for_token(token))
            point = checkpoints.checkpoint_info("gate")
            answers.append(
                services.record_scan(
                    code_of(badge), checkpoint=point, scanner=scanner, scan_id=scan_id
                )
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    other = threading.Thread(target=other_request)
    other.start()
    assert logged.wait(timeout=30)
    this = threading.Thread(target=this_request)
    this.start()
    # This request's statement waits for the other's uncommitted scan (same scan_id).
    with connection.cursor() as cursor:
        for _ in range(3000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] == 1:
                break
            time.sleep(0.01)
        else:
            pytest.fail("the second request never waited for the first")
    release.set()
    other.join(timeout=30)
    this.join(timeout=30)

    assert errors == []
    [answer] = answers
    assert (answer.status, answer.replayed) == ("not_approved", True)
    assert Scan.objects.get().scan_id == scan_id
    assert Admission.objects.count() == 0
