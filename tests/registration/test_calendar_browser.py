"""The guest's calendar section in headless Chromium, on a phone."""

import re

import pytest
from django.test import Client

from registration.models import Registration
from tests import factories
from tests.calendars import events_by_uid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guest_subscribes_then_resets_the_feed_address(live_server, phone_page):
    summit = factories.SummitFactory()
    forum = factories.ForumFactory(summit=summit)
    session = factories.SessionFactory(forum=forum, title_en="Smart cities")
    registration = factories.RegistrationFactory(summit=summit, language="en")
    factories.EnrolmentFactory(registration=registration, forum=forum)
    client = Client()
    client.force_login(registration.user)
    phone_page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    old_token = registration.calendar_token
    page = phone_page

    page.goto(f"{live_server.url}/register/me/")
    section = page.locator(".calendar-feed")
    webcal = section.get_by_role("link", name="Subscribe (webcal)").get_attribute("href")
    download = section.get_by_role("link", name="Download .ics").get_attribute("href")
    feed = page.request.get(download)

    assert webcal == download.replace("http://", "webcal://")
    assert download.endswith(f"/calendar/feed/{old_token}.ics")
    assert feed.status == 200
    assert list(events_by_uid(feed.body())) == [f"{session.uid}@127.0.0.1"]

    section.locator("summary", has_text="Reset the address").click()
    section.get_by_role("button", name="Reset the address").click()
    page.wait_for_url(re.compile(r"/register/me/$"))

    new_token = Registration.objects.get(pk=registration.pk).calendar_token
    assert new_token != old_token
    assert "Your calendar feed has a new address." in page.locator(".messages").inner_text()
    assert page.locator("#calendar-feed-url").input_value().endswith(f"/{new_token}.ics")
    assert page.request.get(download).status == 404
    assert page.request.get(f"{live_server.url}/calendar/feed/{new_token}.ics").status == 200
