"""The scanning page in headless Chromium: keyboard-wedge scans, an outage, a phone whose
clock runs fast, and scans the server refuses.

The server's clock stands at noon on the first day (``first_day_noon`` in tests/conftest.py);
each browser context starts from it (tests/conftest.py, ``browser_context``), or ahead of it
for a phone whose clock is wrong.
"""

import datetime

import pytest
from django.conf import settings

from badges.checkin.models import Admission, Scan
from tests import a11y, factories
from tests.checkin.conftest import code_of
from tests.conftest import PHONE, logged_in_context
from tests.factories import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BATCH_URL = "**/api/v1/checkin/batch"


@pytest.fixture
def door_phone(browser, live_server, door_staff):
    """door_phone(ahead=…): a phone-sized browser logged in as door staff, its clock
    ``ahead`` of the server's."""
    contexts = []

    def open_context(ahead: datetime.timedelta = datetime.timedelta(0)):
        context = logged_in_context(
            browser,
            live_server,
            door_staff,
            ahead=ahead,
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def door_context(door_phone):
    return door_phone()


def wedge(page, code):
    """A USB scanner in keyboard mode: types the code, then Enter."""
    page.keyboard.type(code, delay=0)
    page.keyboard.press("Enter")


def open_door(context, live_server, *, badges: int):
    """The door page at the main entrance, once its offline list (``badges`` of them) is in."""
    from playwright.sync_api import expect

    page = context.new_page()
    page.goto(f"{live_server.url}/door/?checkpoint=main-entrance")
    expect(page.locator("#door-offline-info")).to_contain_text(f"Offline list: {badges} badges")
    return page


def test_door_page_answers_keyboard_wedge_scans(door_context, live_server, checkpoint, summit):
    from playwright.sync_api import expect

    guest = factories.BadgeFactory(registration__summit=summit, registration__category="vip")
    old = factories.BadgeFactory(registration__summit=summit, revoked_at=at(1, 7))
    page = open_door(door_context, live_server, badges=1)  # the revoked one is not listed
    # The page's clock stands still (a second on): an answer stays on screen until the next scan.
    door_context.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)
    result = page.locator("#door-result")

    wedge(page, code_of(guest))

    expect(result).to_have_attribute("data-status", "ok")
    expect(result).to_be_visible()
    expect(page.locator("#door-result [data-field=status]")).to_have_text("Admitted")
    expect(page.locator("#door-result [data-field=name]")).to_have_text("陳大文")
    expect(page.locator("#door-result [data-field=latin]")).to_have_text("Chan Tai Man")
    expect(page.locator("#door-result [data-field=category]")).to_have_text("VIP")

    # The next badge goes straight in while the answer is still on screen.
    wedge(page, code_of(old))
    expect(result).to_have_attribute("data-status", "revoked")
    wedge(page, code_of(guest))
    expect(result).to_have_attribute("data-status", "already_checked_in")
    expect(page.locator("#door-result [data-field=detail]")).to_contain_text("First entered at")

    assert list(Scan.objects.order_by("received_at", "pk").values_list("result", flat=True)) == [
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
    page = open_door(door_context, live_server, badges=1)
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
    # Opened again, the page uploads nothing twice: its queue is empty. (It starts its upload
    # before it asks for the offline list, so once the list is in, any upload has been sent.)
    uploads = []
    page.route(BATCH_URL, lambda route: (uploads.append(route.request), route.continue_()))
    page.reload()
    expect(page.locator("#door-offline-info")).to_contain_text("Offline list: 1 badges")
    assert uploads == []
    assert page.evaluate("localStorage.getItem('bayline.checkin.queue')") == "[]"
    assert Scan.objects.count() == 4


def test_door_page_offline_sends_another_summits_genuine_badge_to_the_desk(
    door_context, live_server, checkpoint, summit
):
    """Codes carry no summit and one key signs them all: last year's badge is genuine, and
    offline only the roster can tell that it is not this summit's. Only a badge issued after
    the list was downloaded may be missing from it."""
    from playwright.sync_api import expect

    last_year = factories.SummitFactory(
        slug="digital-gba-2025",
        starts_on=summit.starts_on - datetime.timedelta(days=364),
        ends_on=summit.ends_on - datetime.timedelta(days=364),
    )
    old = factories.BadgeFactory(registration__summit=last_year)
    factories.BadgeFactory(registration__summit=summit)
    page = open_door(door_context, live_server, badges=1)
    result = page.locator("#door-result")

    door_context.set_offline(True)
    wedge(page, code_of(old))

    expect(result).to_have_attribute("data-status", "not_listed")
    expect(page.locator("#door-result [data-field=status]")).to_have_text("Not on the list")
    expect(page.locator("#door-result [data-field=detail]")).to_have_text(
        "A genuine code, but not on this summit's list. Do not admit; "
        "send the guest to the registration desk."
    )
    door_context.set_offline(False)
    expect(page.locator("#door-queue")).to_be_hidden(timeout=15_000)
    assert list(Scan.objects.values_list("result", "offline_result", "conflict")) == [
        ("invalid", "invalid", False)
    ]


def test_door_page_offline_admits_a_badge_issued_after_the_list(
    door_context, live_server, checkpoint, summit
):
    from playwright.sync_api import expect

    factories.BadgeFactory(registration__summit=summit)
    page = open_door(door_context, live_server, badges=1)
    new = factories.BadgeFactory(registration__summit=summit, registration__name="李嘉欣")
    result = page.locator("#door-result")

    door_context.set_offline(True)
    wedge(page, code_of(new))

    expect(result).to_have_attribute("data-status", "ok")
    expect(page.locator("#door-result [data-field=detail]")).to_have_text(
        "Genuine badge, not in the offline list yet. Check the guest's identity."
    )
    door_context.set_offline(False)
    expect(page.locator("#door-queue")).to_be_hidden(timeout=15_000)
    assert list(Scan.objects.values_list("result", "offline_result", "conflict")) == [
        ("ok", "ok", False)
    ]


def test_door_page_on_a_phone_whose_clock_runs_fast_keeps_its_offline_scans(
    door_phone, live_server, checkpoint, summit
):
    from playwright.sync_api import expect

    guest = factories.BadgeFactory(registration__summit=summit)
    context = door_phone(ahead=datetime.timedelta(minutes=30))
    page = open_door(context, live_server, badges=1)
    assert page.evaluate("new Date().toISOString()").startswith("2026-12-08T04:30")  # 12:30 +8

    context.set_offline(True)
    wedge(page, code_of(guest))
    expect(page.locator("#door-result")).to_have_attribute("data-status", "ok")
    expect(page.locator("#door-queue")).to_have_text("1 to upload")
    context.set_offline(False)

    expect(page.locator("#door-queue")).to_be_hidden(timeout=15_000)
    [scan] = Scan.objects.all()
    assert (scan.result, scan.offline, scan.conflict) == ("ok", True, False)
    # Stamped with the server's time (learned from the offline list), not the phone's.
    assert abs(scan.scanned_at - at(1, 12)) < datetime.timedelta(minutes=1)
    expect(page.locator("#door-refused")).to_be_hidden()


def test_door_page_keeps_refused_scans_on_screen_until_staff_act(
    door_context, live_server, checkpoint, summit, clock
):
    from playwright.sync_api import expect

    guest = factories.BadgeFactory(registration__summit=summit)
    page = open_door(door_context, live_server, badges=1)
    door_context.set_offline(True)
    wedge(page, code_of(guest))
    expect(page.locator("#door-result")).to_have_attribute("data-status", "ok")
    wedge(page, "NOT A BADGE")
    expect(page.locator("#door-queue")).to_have_text("2 to upload")

    # The server's clock goes back an hour: to it, both scans happen in the future, and it
    # refuses them (recording nothing of the batch).
    clock.move_to(at(1, 11))
    door_context.set_offline(False)

    refused = page.locator("#door-refused")
    expect(refused).to_be_visible(timeout=15_000)
    expect(page.locator("#door-queue")).to_be_hidden()
    items = page.locator("#door-refused-list li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("陳大文 / Chan Tai Man")
    expect(items.nth(0)).to_contain_text("12:00 · Entrance")
    expect(items.nth(0).locator("[data-field=reason]")).to_have_text("This time is in the future.")
    expect(items.nth(1)).to_contain_text("Unknown badge")
    assert Scan.objects.count() == 0

    # They are kept: a reload shows them again.
    page.reload()
    expect(items).to_have_count(2)
    expect(refused).to_be_visible()

    # Staff act: the server's clock is right again, one scan goes up again, one is dismissed.
    clock.move_to(at(1, 12, 5))
    items.nth(0).get_by_role("button", name="Upload again").click()
    expect(items).to_have_count(1)
    items.nth(0).get_by_role("button", name="Dismiss").click()
    expect(refused).to_be_hidden()
    expect(page.locator("#door-queue")).to_be_hidden(timeout=15_000)
    assert list(Scan.objects.values_list("result", "offline")) == [("ok", True)]
    assert abs(Scan.objects.get().scanned_at - at(1, 12)) < datetime.timedelta(minutes=1)
    page.reload()
    expect(page.locator("#door-offline-info")).to_contain_text("Offline list: 1 badges")
    assert page.evaluate("localStorage.getItem('bayline.checkin.refused')") == "[]"
    expect(refused).to_be_hidden()


def test_door_page_verifies_offline_with_the_browsers_ed25519(
    door_context, live_server, checkpoint, summit
):
    from playwright.sync_api import expect

    guest = factories.BadgeFactory(registration__summit=summit)
    good = code_of(guest)
    forged = good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:]
    # Phones verify with WebCrypto's Ed25519. Count its verdicts, and keep the vendored
    # tweetnacl away, so that only the built-in verification can decide.
    door_context.add_init_script(
        """
        window.__verdicts = [];
        const verify = crypto.subtle.verify.bind(crypto.subtle);
        crypto.subtle.verify = (...args) =>
          verify(...args).then((valid) => { window.__verdicts.push(valid); return valid; });
        Object.defineProperty(window, "nacl", { get: () => undefined, set: () => {} });
        """
    )
    page = open_door(door_context, live_server, badges=1)
    result = page.locator("#door-result")
    door_context.set_offline(True)

    wedge(page, forged)
    expect(result).to_have_attribute("data-status", "invalid")
    wedge(page, good)
    expect(result).to_have_attribute("data-status", "ok")
    assert page.evaluate("window.__verdicts") == [False, True]
    assert page.evaluate("typeof window.nacl") == "undefined"


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
    page = open_door(door_context, live_server, badges=1)
    result = page.locator("#door-result")
    door_context.set_offline(True)

    wedge(page, forged)
    expect(result).to_have_attribute("data-status", "invalid")
    wedge(page, good)
    expect(result).to_have_attribute("data-status", "ok")
    assert page.evaluate("typeof window.crypto.subtle") == "undefined"


def test_attendance_page_refreshes_by_itself(browser, live_server, organiser, checkpoint, summit):
    from playwright.sync_api import expect

    from badges.checkin import checkpoints, services

    badge = factories.BadgeFactory(registration__summit=summit)
    context = logged_in_context(
        browser, live_server, organiser, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/organiser/attendance/?day=2026-12-08")
    arrived = page.locator("[data-total=arrived_today]")
    expect(arrived).to_have_text("0")

    services.record_scan(
        code_of(badge),
        checkpoint=checkpoints.checkpoint_info("main-entrance"),
        scanner=services.Scanner(),
        scanned_at=at(1, 8, 40),
    )

    expect(arrived).to_have_text("1", timeout=12_000)
    expect(page.locator("[data-rows=arrivals] tr", has_text="08:30")).to_contain_text("1")
    context.close()
