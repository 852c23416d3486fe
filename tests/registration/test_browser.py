"""The whole guest journey in headless Chromium on a phone-sized screen."""

import re

import pytest
from django.core import mail

from registration.models import Enrolment, Registration
from summit.roles import sync_roles
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guest_signs_up_verifies_registers_chooses_forums_and_cancels_one(live_server, phone_page):
    sync_roles()
    summit = factories.SummitFactory(approval_required=False)
    data_forum = factories.ForumFactory(summit=summit, title_en="Digital elements", capacity=50)
    gba_forum = factories.ForumFactory(summit=summit, title_en="Digital GBA", capacity=1)
    page = phone_page

    # Sign up.
    page.goto(f"{live_server.url}/accounts/signup/?next=/register/")
    page.fill("input[name=email]", "ana@example.org")
    page.fill("input[name=password1]", "Bayline-2026!x")
    page.fill("input[name=password2]", "Bayline-2026!x")
    page.click("form.auth-form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    # Verify through the link in the e-mail.
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    page.click("form.auth-form button[type=submit]")
    page.goto(f"{live_server.url}/register/")

    # Register, with two forums.
    page.fill("#id_name", "")
    page.fill("#id_name_latin", "Ana Sofia Gonçalves")
    page.fill("#id_organisation", "Universidade de São José")
    page.select_option("#id_language", "en")
    page.check(f"input[name=forums][value='{data_forum.pk}']")
    page.check(f"input[name=forums][value='{gba_forum.pk}']")
    page.check("#id_consent")
    assert page.viewport_size == {"width": 390, "height": 844}

    # No region is chosen for the guest: sent without one, the form asks for it.
    assert page.input_value("#id_region") == ""
    assert page.locator("#id_region option:checked").inner_text() == "Choose your region"
    page.click("form.registration-form button[type=submit]")
    assert page.locator("#id_region_error").inner_text() == "This field is required."
    assert Registration.objects.count() == 0

    page.select_option("#id_region", "macao")
    page.check("#id_consent")
    page.click("form.registration-form button[type=submit]")
    page.wait_for_url(re.compile(r"/register/me/$"))

    assert page.locator("h1").inner_text() == "My registration"
    assert page.locator(".enrolment").count() == 2
    registration = Registration.objects.get(email="ana@example.org")
    assert registration.status == "confirmed"

    # Cancel one choice (the page asks first).
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".enrolment", has_text="Digital GBA").locator("button").click()
    page.wait_for_url(re.compile(r"/register/me/$"))

    assert page.locator(".enrolment").count() == 1
    statuses = dict(registration.enrolments.values_list("forum_id", "status"))
    assert statuses == {data_forum.pk: "confirmed", gba_forum.pk: Enrolment.Status.CANCELLED}
    # The page is usable on a phone: nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
