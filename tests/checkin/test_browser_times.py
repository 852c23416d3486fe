"""The door page's offline sync when the phone's clock was wrong for some scans (issue 13).

The server refuses a scan time no door could have scanned at
(badges.checkin.scan_times.check_scan_time) with a field error for that scan of the batch, and
records nothing of the batch; the page drops the refused scans and uploads the others again, so
the good scans are all recorded, once, and none of the impossible times reaches the database.
"""

import datetime
import json

import pytest

from badges.checkin.models import Admission, Scan
from tests import factories
from tests.checkin.conftest import code_of
from tests.checkin.test_browser import door_context, door_phone, wedge  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_offline_batch_with_impossible_times_still_uploads_the_good_scans(
    door_context,  # noqa: F811
    live_server,
    checkpoint,
    summit,
    clock,
):
    from playwright.sync_api import expect

    guests = [factories.BadgeFactory(registration__summit=summit) for _ in range(3)]
    page = door_context.new_page()
    page.goto(f"{live_server.url}/door/?checkpoint=main-entrance")
    expect(page.locator("#door-offline-info")).to_contain_text("Offline list: 3 badges")
    result = page.locator("#door-result")
    uploads = []
    page.on(
        "response",
        lambda response: (
            uploads.append(response) if response.url.endswith("/api/v1/checkin/batch") else None
        ),
    )

    door_context.set_offline(True)
    wedge(page, code_of(guests[0]))
    expect(result).to_have_attribute("data-status", "ok")
    # The phone's clock jumps to year 1, then days ahead, then is right again.
    # (a day into year 1: the page adds its measured offset from the server's clock, which may
    # be a few seconds back)
    door_context.clock.set_system_time(datetime.datetime(1, 1, 2, tzinfo=datetime.UTC))
    wedge(page, code_of(guests[1]))
    expect(page.locator("#door-queue")).to_have_text("2 to upload")
    door_context.clock.set_system_time(factories.at(1, 12) + datetime.timedelta(days=3))
    wedge(page, code_of(guests[1]))
    expect(page.locator("#door-queue")).to_have_text("3 to upload")
    door_context.clock.set_system_time(factories.at(1, 12) + datetime.timedelta(minutes=1))
    wedge(page, code_of(guests[2]))
    expect(page.locator("#door-queue")).to_have_text("4 to upload")
    assert Scan.objects.count() == 0

    door_context.set_offline(False)

    expect(page.locator("#door-queue")).to_be_hidden(timeout=15_000)
    refused = next(response for response in uploads if response.status == 400)
    body = refused.json()
    assert (refused.headers["content-type"], body["error"]) == ("application/json", "invalid")
    assert body["fields"]["scans"] == {
        "1": {"scanned_at": ["This time is too far from the summit's days."]},
        "2": {"scanned_at": ["This time is in the future."]},
    }
    assert [response.status for response in uploads][-1] == 200
    stored = Scan.objects.order_by("scanned_at")
    assert [(scan.badge_id, scan.result, scan.offline) for scan in stored] == [
        (guests[0].pk, "ok", True),
        (guests[2].pk, "ok", True),
    ]
    assert Admission.objects.count() == 2
    assert all(
        abs(scan.scanned_at - factories.at(1, 12)) < datetime.timedelta(hours=1) for scan in stored
    )


def test_a_corrupt_scan_in_the_stored_queue_does_not_block_the_others(
    door_context,  # noqa: F811
    live_server,
    checkpoint,
    summit,
    clock,
):
    """The queue lives in the phone's storage: a scan in it that is not what the page writes
    (another version's, a damaged one: nested values where strings belong) must be refused
    on its own, not hold every scan behind it back for ever."""
    from playwright.sync_api import expect

    guest = factories.BadgeFactory(registration__summit=summit)
    good = {"code": code_of(guest), "checkpoint": "main-entrance",
            "scan_id": "7d4c3a2e-0b1f-4c5d-9e8f-a1b2c3d4e5f6",
            "scanned_at": factories.at(1, 12).isoformat(), "offline_result": "ok"}  # fmt: skip
    nested = [[[[[[[[[[[[["deep"]]]]]]]]]]]]]
    damaged = {**good, "scan_id": {"id": nested}, "code": nested, "checkpoint": nested}
    queue = [damaged, good]
    door_context.add_init_script(
        f"window.localStorage.setItem('bayline.checkin.queue', {json.dumps(json.dumps(queue))});"
    )
    page = door_context.new_page()
    page.goto(f"{live_server.url}/door/?checkpoint=main-entrance")

    expect(page.locator("#door-queue")).to_be_hidden(timeout=15_000)
    [scan] = Scan.objects.all()
    assert (str(scan.scan_id), scan.badge_id, scan.result) == (good["scan_id"], guest.pk, "ok")
