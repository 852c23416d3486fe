"""An invitee on a 360 px phone, in each language: the e-mail's link, the form filled in,
registering, the badge on the phone, offline; and the door admits what the screen shows."""

import contextlib
import io
import json
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from playwright.sync_api import Error as PlaywrightError

from badges import services
from badges.models import Badge
from badges.signing import sign_badge
from registration import invitations
from registration.models import Registration
from tests import factories
from tests.conftest import browser_context, logged_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_360 = {"width": 360, "height": 740}

WORDS = {
    "en": {
        "title": "Register for the summit",
        "region": "Choose your region",
        "category": "VIP",
        "mine": "My registration",
    },
    "zh-hans": {
        "title": "报名参加峰会",
        "region": "请选择您的地区",
        "category": "贵宾",
        "mine": "我的报名",
    },
    "zh-hant": {
        "title": "報名參加峰會",
        "region": "請選擇您的地區",
        "category": "貴賓",
        "mine": "我的報名",
    },
}


def decoded_codes(png: bytes) -> list[str]:
    """The QR codes zxing-cpp reads in a screenshot."""
    import zxingcpp
    from PIL import Image

    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def scan(client, token: str, code: str) -> dict:
    response = client.post(
        "/api/v1/checkin",
        data=json.dumps({"code": code, "checkpoint": "main-entrance"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.json()


@pytest.fixture
def phone_360(browser):
    context = browser_context(
        browser, viewport=PHONE_360, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield context
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_invitee_registers_from_the_link_and_the_badge_opens_offline(
    live_server, phone_360, summit, checkpoint, token, client, language, settings
):
    settings.SITE_URL = live_server.url
    factories.ForumFactory(summit=summit, title_en="Digital GBA", capacity=50)
    invitation = factories.InvitationFactory(
        summit=summit,
        email=f"invitee.{language}@example.org",
        name="陳大文",
        name_latin="Chan Tai Man",
        organisation="Digital Policy Office",
        category="vip",
        language=language,
    )
    invitations.send_invitation(invitation)
    [message] = mail.outbox
    link = re.search(r"https?://\S+/register/invitation/\S+/", message.body).group(0)
    words = WORDS[language]
    page = phone_360.new_page()

    # Open the link: the form, in the invitation's language, filled in.
    assert link.startswith(live_server.url)
    page.goto(link)
    assert page.locator("h1").inner_text() == words["title"]
    assert page.input_value("#id_name") == "陳大文"
    assert page.input_value("#id_name_latin") == "Chan Tai Man"
    assert page.input_value("#id_organisation") == "Digital Policy Office"
    # The invitation knows no region: the invitee answers it (no region is chosen for them).
    assert page.input_value("#id_region") == ""
    assert page.locator("#id_region option:checked").inner_text() == words["region"]
    assert page.locator("input[type=password]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_360["width"]

    # Register: one tap after the missing answers.
    page.select_option("#id_region", "hong_kong")
    page.check("#id_consent")
    page.click("form.registration-form button[type=submit]")
    page.wait_for_url(re.compile(r"/register/me/$"))
    assert page.locator("h1").inner_text() == words["mine"]
    registration = Registration.objects.get(invitation=invitation)
    assert (registration.status, registration.user.has_usable_password()) == ("confirmed", False)

    # The badge on the phone: names, category, the summit's days; ready for offline use.
    page.click("a[href='/me/badge/']")
    page.wait_for_url(re.compile(r"/me/badge/$"))
    page.wait_for_selector("[data-offline-ready=yes]")
    assert page.locator(".phone-badge__name").inner_text() == "陳大文"
    assert page.locator(".phone-badge__latin").inner_text() == "Chan Tai Man"
    assert page.locator(".phone-badge__category").inner_text() == words["category"]
    assert "8" in page.locator(".phone-badge__dates").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_360["width"]
    badge = Badge.objects.get(registration=registration, revoked_at__isnull=True)
    printed_code = sign_badge(badge.pk, badge.serial)
    assert decoded_codes(page.screenshot()) == [printed_code]

    # Offline, the badge opens from the phone. (Reissued meanwhile: what the phone shows is
    # its own copy, not the server's.)
    services.reissue_badge(registration)
    phone_360.set_offline(True)
    page.reload()
    assert page.locator(".phone-badge__name").inner_text() == "陳大文"
    assert page.locator("[data-serial]").get_attribute("data-serial") == "1"
    assert page.locator(".phone-badge__offline").is_visible()
    assert decoded_codes(page.screenshot()) == [printed_code]

    # Online again: the new badge replaces the old one on the phone; the old code is refused.
    phone_360.set_offline(False)
    page.reload()
    assert page.locator("[data-serial]").get_attribute("data-serial") == "2"
    [new_code] = decoded_codes(page.screenshot())
    assert scan(client, token, printed_code)["status"] == "revoked"
    admitted = scan(client, token, new_code)
    assert admitted["status"] == "ok"


def test_a_phone_no_longer_logged_in_forgets_the_badge(live_server, browser, summit):
    registration = factories.RegistrationFactory(summit=summit, name="李明", name_latin="Li Ming")
    context = logged_in_context(
        browser, live_server, registration.user, viewport=PHONE_360, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/me/badge/")
    page.wait_for_selector("[data-offline-ready=yes]")

    # The session ends (logged out elsewhere, or expired): the next visit online is sent to
    # the login page, and the copy kept for offline use goes with it.
    Session.objects.all().delete()
    page.goto(f"{live_server.url}/me/badge/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    context.set_offline(True)
    with contextlib.suppress(PlaywrightError):  # the browser's own "no network" page
        page.goto(f"{live_server.url}/me/badge/")

    assert page.locator(".phone-badge__name").count() == 0
    context.close()
