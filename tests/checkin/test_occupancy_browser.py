"""The door page of a room in headless Chromium: occupancy shown at all times, the warning,
a full room and the staff override, one tap to count exits, and the offline count.

Set OCCUPANCY_SCREENS=<directory> to keep screenshots of the door near full and full.
"""

import os
from pathlib import Path

import pytest

from badges.checkin.models import Scan
from tests import factories
from tests.checkin.conftest import code_of
from tests.checkin.occupancy_helpers import hall_with_doors, inside, scan
from tests.checkin.test_browser import door_phone, wedge  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def screenshot(page, name: str) -> None:
    directory = os.environ.get("OCCUPANCY_SCREENS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / name), full_page=True)


@pytest.fixture
def nearly_full(summit):
    """Hall A holds 10; 9 guests are inside; two more wait outside."""
    room, doors = hall_with_doors(summit, capacity=10)
    for _ in range(9):
        scan(factories.BadgeFactory(registration__summit=summit), doors[0].slug)
    waiting = [
        factories.BadgeFactory(registration__summit=summit, registration__name=name)
        for name in ("李嘉欣", "王小明")
    ]
    return room, doors, waiting


def open_room_door(context, live_server, slug):
    from playwright.sync_api import expect

    page = context.new_page()
    page.goto(f"{live_server.url}/door/?checkpoint={slug}")
    expect(page.locator("#door-offline-info")).to_contain_text("Offline list:")
    return page


def test_door_shows_occupancy_warns_refuses_when_full_and_takes_an_override(
    door_phone,  # noqa: F811
    live_server,
    nearly_full,
):
    from playwright.sync_api import expect

    room, doors, waiting = nearly_full
    context = door_phone()
    page = open_room_door(context, live_server, doors[1].slug)
    figure = page.locator("#door-occupancy-figure")
    result = page.locator("#door-result")

    # At all times, before any scan: 9 of 10, nearly full (90 % by default).
    expect(figure.locator("[data-field=inside]")).to_have_text("9")
    expect(figure.locator("[data-field=capacity]")).to_have_text("10")
    expect(figure).to_have_attribute("data-level", "warn")
    expect(figure.locator("[data-field=state]")).to_have_text("Nearly full")
    expect(figure.locator("[data-field=source]")).to_have_text("Live: every door of this room.")
    screenshot(page, "door-near-full.png")

    wedge(page, code_of(waiting[0]))
    expect(result).to_have_attribute("data-status", "ok")
    expect(page.locator("#door-result [data-field=occupancy]")).to_have_text(
        "Hall A: 10 of 10 inside · Full"
    )
    expect(figure).to_have_attribute("data-level", "full")

    wedge(page, code_of(waiting[1]))
    expect(result).to_have_attribute("data-status", "room_full")
    expect(page.locator("#door-result [data-field=status]")).to_have_text("Room full")
    expect(page.locator("#door-override")).to_be_visible()
    screenshot(page, "door-full.png")

    page.locator("#door-override").click()

    expect(result).to_have_attribute("data-status", "ok")
    expect(page.locator("#door-result [data-field=occupancy]")).to_contain_text(
        "Hall A: 11 of 10 inside · Full · Admitted by staff override (logged)"
    )
    assert list(
        Scan.objects.filter(registration=waiting[1].registration)
        .order_by("pk")
        .values_list("result", "override")
    ) == [("room_full", False), ("ok", True)]
    assert inside(room) == 11


def test_one_tap_switches_the_door_to_exits(door_phone, live_server, nearly_full):  # noqa: F811
    from playwright.sync_api import expect

    room, doors, _waiting = nearly_full
    leaving = Scan.objects.filter(checkpoint=doors[0]).order_by("pk").first().badge
    page = open_room_door(door_phone(), live_server, doors[1].slug)
    exit_button = page.locator("#door-direction [data-direction=exit]")

    exit_button.click()
    expect(exit_button).to_have_attribute("aria-pressed", "true")
    wedge(page, code_of(leaving))

    expect(page.locator("#door-result [data-field=status]")).to_have_text("Left")
    expect(page.locator("#door-occupancy-figure [data-field=inside]")).to_have_text("8")
    assert Scan.objects.filter(direction="exit").count() == 1
    assert inside(room) == 8
    # The choice stays with this checkpoint on this device.
    page.reload()
    expect(page.locator("#door-direction [data-direction=exit]")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_offline_the_door_counts_its_own_scans_and_says_so(
    door_phone,  # noqa: F811
    live_server,
    nearly_full,
):
    from playwright.sync_api import expect

    room, doors, waiting = nearly_full
    context = door_phone()
    page = open_room_door(context, live_server, doors[1].slug)
    figure = page.locator("#door-occupancy-figure")
    expect(figure.locator("[data-field=inside]")).to_have_text("9")

    context.set_offline(True)
    wedge(page, code_of(waiting[0]))

    expect(page.locator("#door-result")).to_have_attribute("data-status", "ok")
    expect(figure.locator("[data-field=inside]")).to_have_text("10")
    expect(figure).to_have_attribute("data-source", "local")
    expect(figure.locator("[data-field=source]")).to_have_text(
        "Offline: this device's own count (1 in, 0 out since the last live figure), not the room's."
    )
    page.keyboard.press("Escape")  # the answer gives way to the page and its figure
    expect(page.locator("#door-result")).to_be_hidden()
    screenshot(page, "door-offline-count.png")

    context.set_offline(False)

    expect(page.locator("#door-queue")).to_be_hidden(timeout=15_000)
    expect(figure).to_have_attribute("data-source", "live", timeout=15_000)
    assert inside(room) == 10
    assert list(Scan.objects.filter(offline=True).values_list("direction", "result")) == [
        ("entry", "ok")
    ]


def test_attendance_page_shows_rooms_nearest_full_and_the_days_charts(
    browser, live_server, organiser, summit, clock
):
    from playwright.sync_api import expect

    from tests.conftest import logged_in_context

    _hall_a, (door_a, _) = hall_with_doors(summit, capacity=10, name="Hall A")
    _hall_b, (door_b, _) = hall_with_doors(summit, capacity=4, name="Hall B")
    clock.move_to(factories.at(1, 10))
    for _ in range(3):
        scan(factories.BadgeFactory(registration__summit=summit), door_a.slug)
    for _ in range(3):
        scan(factories.BadgeFactory(registration__summit=summit), door_b.slug)
    context = logged_in_context(
        browser, live_server, organiser, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()

    page.goto(f"{live_server.url}/organiser/attendance/?day=2026-12-08")

    rows = page.locator("[data-rows=rooms] tr")
    # Hall B (3 of 4: 75 %) before Hall A (3 of 10).
    expect(rows.nth(0).locator("th")).to_have_text("Hall B")
    expect(rows.nth(1).locator("th")).to_have_text("Hall A")
    expect(page.locator(".occupancy-chart img")).to_have_count(2)
    expect(page.locator("[data-charts=arrivals] img")).to_have_count(1)
    screenshot(page, "attendance-test.png")

    # It refreshes itself: Hall A fills up.
    for _ in range(7):
        scan(factories.BadgeFactory(registration__summit=summit), door_a.slug)

    expect(rows.nth(0).locator("th")).to_have_text("Hall A", timeout=15_000)
    expect(rows.nth(0)).to_have_attribute("data-level", "full")
    context.close()
