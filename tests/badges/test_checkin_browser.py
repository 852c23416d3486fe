"""The scanning page in headless Chromium: keyboard-wedge scans, and an outage."""

import time

import pytest
from django.conf import settings
from django.test import Client

from badges.models import Admission, Scan
from tests import a11y, factories
from tests.badges.conftest import code_of
from tests.conftest import PHONE
from tests.factories import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def door_context(browser, live_server, door_staff, clock):
    """A phone-sized browser logged in as door staff, its clock set to the server's."""
    client = Client()
    client.force_login(door_staff)
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    # The server refuses scan times far from the summit's days (badges.checkin): the phone's
    # clock runs from the server's frozen "now", as a real phone's from the real one.
    context.clock.install(time=clock.moment)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    yield context
    context.close()


def wedge(page, code):
    """A USB scanner in keyboard mode: types the code, then Enter."""
    page.keyboard.type(code, delay=0)
    page.keyboard.press("Enter")


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_door_page_answers_keyboard_wedge_scans(door_context, live_server, checkpoint, summit):
    from playwright.sync_api import expect

    guest = factories.BadgeFactory(registration__summit=summit, registration__category="vip")
    old = factories.BadgeFactory(registration__summit=summit, revoked_at=at(1, 7))
    page = door_context.new_page()
    page.goto(f"{live_server.url}/door/?checkpoint=main-entrance")
    result = page.locator("#door-result")

    wedge(page, code_of(guest))

    expect(result).to_have_attribute("data-status", "ok")
    expect(result).to_be_visible()
    expect(page.locator("#door-result [data-field=status]")).to_have_text("Admitted")
    expect(page.locator("#door-result [data-field=name]")).to_have_text("陳大文")
    expect(page.locator("#door-result [data-field=latin]")).to_have_text("Chan Tai Man")
    expect(page.locator("#door-result [data-field=category]")).to_have_text("VIP")

    # The next badge goes straight in while the answer is still on screen (an "ok" stays
    # 2.5 s): no waiting for it to clear. (A loose bound: a busy CI machine is slow.)
    started = time.monotonic()
    wedge(page, code_of(old))
    expect(result).to_have_attribute("data-status", "revoked")
    assert time.monotonic() - started < 2.0
    wedge(page, code_of(guest))
    expect(result).to_have_attribute("data-status", "already_checked_in")
    expect(page.locator("#door-result [data-field=detail]")).to_contain_text("First entered at")

    assert list(Scan.objects.order_by("received_at").values_list("result", flat=True)) == [
        "ok",
        "revoked",
        "already_checked_in",
    ]


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.mark.parametrize("dismiss", ["tap", "escape", "enter", "timeout"])
def test_every_way_of_dismissing_the_answer_leaves_the_scan_field_ready(
    door_context, live_server, checkpoint, summit, dismiss
):
    """After the answer is dismissed, a USB scanner's next code must land in the scan field:
    typed anywhere else it would be lost."""
    from playwright.sync_api import expect

    first = factories.BadgeFactory(registration__summit=summit)
    second = factories.BadgeFactory(registration__summit=summit, registration__name="李嘉欣")
    page = door_context.new_page()
    # The page's timers (the answer hides itself) run only when the test moves the clock.
    page.clock.install(time=at(1, 12))
    page.goto(f"{live_server.url}/door/?checkpoint=main-entrance")
    page.clock.pause_at(at(1, 12, 1))
    result = page.locator("#door-result")
    wedge(page, code_of(first))
    expect(result).to_have_attribute("data-status", "ok")

    if dismiss == "tap":
        result.tap()
    elif dismiss == "escape":
        page.keyboard.press("Escape")
    elif dismiss == "enter":
        page.keyboard.press("Enter")  # the scan field is empty: nothing to check
    else:
        page.clock.run_for(3000)  # an "ok" stays 2.5 s

    expect(result).to_be_hidden()
    assert focused_id(page) == "door-code"
    wedge(page, code_of(second))
    expect(result).to_be_visible()
    expect(page.locator("#door-result [data-field=name]")).to_have_text("李嘉欣")
    assert Scan.objects.count() == 2


def test_a_tap_on_the_page_then_a_scan_is_still_answered(
    door_context, live_server, checkpoint, summit
):
    from playwright.sync_api import expect

    guest = factories.BadgeFactory(registration__summit=summit)
    page = door_context.new_page()
    page.goto(f"{live_server.url}/door/?checkpoint=main-entrance")
    page.locator("h1, .door__hint").first.evaluate("element => element.closest('main').focus()")
    assert focused_id(page) == "main"

    wedge(page, code_of(guest))

    expect(page.locator("#door-result")).to_have_attribute("data-status", "ok")


def test_repeat_entry_names_the_checkpoint_and_time_not_the_login_name(
    door_context, live_server, checkpoint, summit
):
    from playwright.sync_api import expect

    guest = factories.BadgeFactory(registration__summit=summit)
    page = door_context.new_page()
    page.clock.set_fixed_time(at(1, 12))  # the phone's clock, as the server's (conftest)
    page.goto(f"{live_server.url}/door/?checkpoint=main-entrance")
    result = page.locator("#door-result")
    wedge(page, code_of(guest))
    expect(result).to_have_attribute("data-status", "ok")

    wedge(page, code_of(guest))

    expect(result).to_have_attribute("data-status", "already_checked_in")
    detail = page.locator("#door-result [data-field=detail]")
    expect(detail).to_contain_text(f"First entered at 12:00, {checkpoint.name_en}.")
    assert "(door)" not in detail.inner_text()


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_door_answers_pass_axe_in_each_colour(
    door_context, live_server, checkpoint, summit, language
):
    from playwright.sync_api import expect

    guest = factories.BadgeFactory(registration__summit=summit)
    old = factories.BadgeFactory(registration__summit=summit, revoked_at=at(1, 7))
    door_context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page = door_context.new_page()
    page.goto(f"{live_server.url}/door/?checkpoint=main-entrance")
    result = page.locator("#door-result")
    problems = {"page": a11y.violations(page)}
    for code, status in [
        (code_of(guest), "ok"),
        (code_of(guest), "already_checked_in"),
        (code_of(old), "revoked"),
        ("NOT A BADGE", "invalid"),
    ]:
        wedge(page, code)
        expect(result).to_have_attribute("data-status", status)
        problems[status] = a11y.violations(page)

    assert problems == {
        "page": [],
        "ok": [],
        "already_checked_in": [],
        "revoked": [],
        "invalid": [],
    }


def test_door_page_keeps_scanning_offline_and_uploads_once_back(
    door_context, live_server, checkpoint, summit
):
    from playwright.sync_api import expect

    guest = factories.BadgeFactory(registration__summit=summit)
    old = factories.BadgeFactory(registration__summit=summit, revoked_at=at(1, 7))
    page = door_context.new_page()
    page.goto(f"{live_server.url}/door/?checkpoint=main-entrance")
    expect(page.locator("#door-offline-info")).to_contain_text("Offline list: 1 badges")
    result = page.locator("#door-result")

    door_context.set_offline(True)
    wedge(page, code_of(guest))
    expect(result).to_have_attribute("data-status", "ok")
    expect(page.locator("#door-result [data-field=offline]")).to_have_text(
        "Checked offline: will be uploaded."
    )
    expect(page.locator("#door-result [data-field=name]")).to_have_text("陳大文")
    wedge(page, code_of(guest))
    expect(result).to_have_attribute("data-status", "already_checked_in")
    wedge(page, code_of(old))
    expect(result).to_have_attribute("data-status", "revoked")
    wedge(page, "NOT A BADGE")
    expect(result).to_have_attribute("data-status", "invalid")
    expect(page.locator("#door-queue")).to_have_text("4 to upload")
    assert Scan.objects.count() == 0

    door_context.set_offline(False)

    expect(page.locator("#door-queue")).to_be_hidden(timeout=15_000)
    assert sorted(Scan.objects.values_list("result", "offline", "conflict")) == [
        ("already_checked_in", True, False),
        ("invalid", True, False),
        ("ok", True, False),
        ("revoked", True, False),
    ]
    assert Admission.objects.count() == 1
    # Coming back online once more uploads nothing twice.
    page.reload()
    page.wait_for_timeout(500)
    assert Scan.objects.count() == 4


def test_door_page_verifies_offline_without_webcrypto_ed25519(
    door_context, live_server, checkpoint, summit
):
    from playwright.sync_api import expect

    guest = factories.BadgeFactory(registration__summit=summit)
    good = code_of(guest)
    forged = good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:]
    # Older browsers lack Ed25519 in WebCrypto: the vendored tweetnacl verifies instead.
    door_context.add_init_script(
        "Object.defineProperty(window.crypto, 'subtle', { get: () => undefined });"
    )
    page = door_context.new_page()
    page.goto(f"{live_server.url}/door/?checkpoint=main-entrance")
    expect(page.locator("#door-offline-info")).to_contain_text("Offline list: 1 badges")
    result = page.locator("#door-result")
    door_context.set_offline(True)

    wedge(page, forged)
    expect(result).to_have_attribute("data-status", "invalid")
    wedge(page, good)
    expect(result).to_have_attribute("data-status", "ok")
    assert page.evaluate("typeof window.crypto.subtle") == "undefined"


def test_attendance_page_refreshes_by_itself(browser, live_server, organiser, checkpoint, summit):
    from playwright.sync_api import expect

    from badges import checkin, checkpoints

    badge = factories.BadgeFactory(registration__summit=summit)
    client = Client()
    client.force_login(organiser)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/organiser/attendance/?day=2026-12-08")
    arrived = page.locator("[data-total=arrived_today]")
    expect(arrived).to_have_text("0")

    checkin.record_scan(
        code_of(badge),
        checkpoint=checkpoints.checkpoint_info("main-entrance"),
        scanner=checkin.Scanner(),
        scanned_at=at(1, 8, 40),
    )

    expect(arrived).to_have_text("1", timeout=12_000)
    expect(page.locator("[data-rows=arrivals] tr", has_text="08:30")).to_contain_text("1")
    context.close()
