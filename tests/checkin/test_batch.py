"""POST /api/v1/checkin/batch: scans made offline, uploaded later, counted once, conflicts."""

import json
import uuid

import pytest

from badges.checkin import checkpoints, services
from badges.checkin.devices import create_device
from badges.checkin.models import Admission, Scan
from tests import factories
from tests.checkin.conftest import code_of
from tests.factories import at

pytestmark = pytest.mark.django_db


def offline_scan(badge, *, minute=0, result="ok", checkpoint="main-entrance", scan_id=None):
    return {
        "code": code_of(badge),
        "checkpoint": checkpoint,
        "scan_id": str(scan_id or uuid.uuid4()),
        "scanned_at": at(1, 9, minute).isoformat(),
        "offline_result": result,
    }


@pytest.fixture
def upload(scan_api):
    def post(scans, *, token):
        return scan_api({"scans": scans}, token=token, url="/api/v1/checkin/batch")

    return post


def test_batch_records_each_scan_offline_at_its_own_time(upload, token, checkpoint, summit):
    first, second = factories.BadgeFactory.create_batch(2, registration__summit=summit)
    scans = [offline_scan(first, minute=1), offline_scan(second, minute=2)]

    response = upload(scans, token=token)

    body = response.json()
    assert response.status_code == 200
    assert [result["status"] for result in body["results"]] == ["ok", "ok"]
    assert [result["scan_id"] for result in body["results"]] == [s["scan_id"] for s in scans]
    assert body["conflicts"] == 0
    stored = Scan.objects.order_by("scanned_at")
    assert [(s.offline, s.offline_result, s.conflict) for s in stored] == [
        (True, "ok", False),
        (True, "ok", False),
    ]
    assert [a.admitted_at for a in Admission.objects.order_by("admitted_at")] == [
        at(1, 9, 1),
        at(1, 9, 2),
    ]


def test_batch_uploaded_twice_counts_once(upload, token, checkpoint, badge):
    scans = [
        offline_scan(badge, minute=1),
        offline_scan(badge, minute=5, result="already_checked_in"),
    ]

    first = upload(scans, token=token).json()
    again = upload(scans, token=token).json()

    assert [r["status"] for r in first["results"]] == ["ok", "already_checked_in"]
    assert again == first
    assert Scan.objects.count() == 2
    assert Admission.objects.count() == 1


def test_batch_with_the_same_scan_twice_counts_it_once(upload, token, checkpoint, badge):
    scan = offline_scan(badge)

    body = upload([scan, scan], token=token).json()

    assert [r["status"] for r in body["results"]] == ["ok", "ok"]
    assert Scan.objects.count() == 1


def test_batch_after_online_retry_of_the_same_scan_counts_once(
    upload, scan_api, token, checkpoint, badge
):
    # The device sent the scan online, timed out before the answer, queued it and uploads it.
    scan = offline_scan(badge)
    online = scan_api(
        {k: scan[k] for k in ("code", "checkpoint", "scan_id", "scanned_at")}, token=token
    )

    body = upload([scan], token=token).json()

    assert online.json()["status"] == "ok"
    assert body["results"][0]["status"] == "ok"
    assert Scan.objects.count() == 1


def test_batch_reports_admission_at_two_doors_of_single_entry_checkpoint(
    upload, token, checkpoint, badge
):
    _other_device, other_token = create_device("South door")
    upload([offline_scan(badge, minute=1)], token=token)

    body = upload([offline_scan(badge, minute=3)], token=other_token).json()

    result = body["results"][0]
    assert result["status"] == "already_checked_in"
    assert result["conflict"] is True
    assert result["first_entry"]["door"] == "North door"
    assert body["conflicts"] == 1
    conflict = Scan.objects.get(conflict=True)
    assert (conflict.device.name, conflict.offline_result, conflict.result) == (
        "South door",
        "ok",
        "already_checked_in",
    )


def test_batch_reports_badge_revoked_meanwhile(upload, token, checkpoint, badge):
    badge.revoked_at = at(1, 9, 30)
    badge.save()

    body = upload([offline_scan(badge, minute=40)], token=token).json()

    assert body["results"][0]["status"] == "revoked"
    assert body["results"][0]["conflict"] is True
    assert body["conflicts"] == 1


def test_batch_refusal_agreed_offline_is_no_conflict(upload, token, checkpoint, badge):
    badge.revoked_at = at(1, 7)
    badge.save()

    body = upload([offline_scan(badge, result="revoked")], token=token).json()

    assert body["results"][0]["conflict"] is False
    assert body["conflicts"] == 0


def test_batch_is_processed_in_scan_order(upload, token, checkpoint, badge):
    later = offline_scan(badge, minute=20)
    earlier = offline_scan(badge, minute=10)

    body = upload([later, earlier], token=token).json()

    assert [r["status"] for r in body["results"]] == ["already_checked_in", "ok"]
    assert Admission.objects.get().admitted_at == at(1, 9, 10)


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"scans": []}, {"scans"}),
        ({"scans": "nope"}, {"scans"}),
        ({}, {"scans"}),
    ],
)
def test_batch_without_a_list_of_scans_is_400(scan_api, token, checkpoint, payload, fields):
    response = scan_api(payload, token=token, url="/api/v1/checkin/batch")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == fields


def test_batch_with_one_bad_scan_records_nothing(upload, token, checkpoint, badge):
    good = offline_scan(badge)
    no_id = {**offline_scan(badge), "scan_id": ""}
    nowhere = offline_scan(badge, checkpoint="nowhere")

    response = upload([good, no_id, nowhere, "text"], token=token)

    assert response.status_code == 400
    assert response.json()["fields"]["scans"] == {
        "1": {"scan_id": ["This field is required."]},
        "2": {"checkpoint": ["There is no such checkpoint."]},
        "3": {
            "code": ["This field is required."],
            "scan_id": ["This field is required."],
            "scanned_at": ["This field is required."],
        },
    }
    assert Scan.objects.count() == 0


def test_batch_with_one_scan_id_on_two_different_scans_is_400(upload, token, checkpoint, summit):
    """Answers are keyed by scan_id: a second scan under the first one's id would never be
    recorded, and its guest never counted."""
    first, second, third = factories.BadgeFactory.create_batch(3, registration__summit=summit)
    shared = uuid.uuid4()
    scans = [
        offline_scan(first, minute=1, scan_id=shared),
        offline_scan(third, minute=2),
        offline_scan(second, minute=3, scan_id=shared),
    ]

    response = upload(scans, token=token)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "message": "Some scans are not valid.",
        "fields": {
            "scans": {
                "2": {"scan_id": ["Scan 0 of this batch has this scan_id, with other details."]}
            }
        },
    }
    assert Scan.objects.count() == 0


def test_record_batch_with_one_scan_id_on_two_different_scans_records_nothing(checkpoint, summit):
    first, second = factories.BadgeFactory.create_batch(2, registration__summit=summit)
    shared = uuid.uuid4()
    items = [
        services.BatchItem(
            code=code_of(badge),
            checkpoint=checkpoints.checkpoint_info("main-entrance"),
            scan_id=shared,
            scanned_at=at(1, 9, minute),
            offline_result="ok",
        )
        for minute, badge in [(1, first), (2, second)]
    ]

    with pytest.raises(ValueError, match="Two different scans of one batch have the same scan_id"):
        services.record_batch(items, scanner=services.Scanner())
    assert Scan.objects.count() == 0


def test_batch_of_too_many_scans_is_400(upload, token, checkpoint, badge):
    response = upload([offline_scan(badge) for _ in range(501)], token=token)

    assert response.status_code == 400


def test_batch_without_credentials_is_401(client, checkpoint, badge):
    response = client.post(
        "/api/v1/checkin/batch",
        json.dumps({"scans": [offline_scan(badge)]}),
        content_type="application/json",
    )

    assert response.status_code == 401
