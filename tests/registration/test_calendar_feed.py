"""The guest's private calendar feed: which sessions, in which language, for whom."""

import datetime

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from registration.calendar.selectors import guest_calendar
from registration.models import Enrolment, Registration
from sessions.models import Forum, Session
from tests import factories
from tests.calendars import events_by_uid, parse, publish_change

pytestmark = pytest.mark.django_db


def uid(session) -> str:
    return f"{session.uid}@127.0.0.1"


@pytest.fixture
def programme(summit):
    """A plenary forum and two themed forums, with sessions of every kind."""
    plenary = factories.ForumFactory(summit=summit, kind=Forum.Kind.PLENARY, slug="summit")
    chosen_forum = factories.ForumFactory(summit=summit, slug="services")
    other_forum = factories.ForumFactory(summit=summit, slug="security")
    return {
        "opening": factories.SessionFactory(
            forum=plenary, title_en="Opening", title_zh_hant="開幕式", starts_at=factories.at(1, 9)
        ),
        "plenary_workshop": factories.SessionFactory(
            forum=plenary, requires_enrolment=True, starts_at=factories.at(1, 14)
        ),
        "forum_talk": factories.SessionFactory(forum=chosen_forum, starts_at=factories.at(2, 9)),
        "forum_workshop": factories.SessionFactory(
            forum=chosen_forum, requires_enrolment=True, starts_at=factories.at(2, 14)
        ),
        "forum_masterclass": factories.SessionFactory(
            forum=chosen_forum, requires_enrolment=True, starts_at=factories.at(2, 16)
        ),
        "other_talk": factories.SessionFactory(forum=other_forum, starts_at=factories.at(3, 9)),
        "draft": factories.SessionFactory(
            forum=chosen_forum, is_published=False, starts_at=factories.at(3, 10)
        ),
        "chosen_forum": chosen_forum,
        "other_forum": other_forum,
    }


@pytest.fixture
def registration(summit, programme):
    registration = factories.RegistrationFactory(summit=summit, language="en")
    factories.EnrolmentFactory(registration=registration, forum=programme["chosen_forum"])
    factories.EnrolmentFactory(
        registration=registration, forum=None, session=programme["forum_workshop"]
    )
    factories.EnrolmentFactory(
        registration=registration,
        forum=None,
        session=programme["forum_masterclass"],
        status=Enrolment.Status.WAITLISTED,
    )
    factories.EnrolmentFactory(
        registration=registration, forum=programme["other_forum"], status="waitlisted"
    )
    return registration


def feed_url(registration) -> str:
    return reverse("registration:calendar-feed", kwargs={"token": registration.calendar_token})


def test_feed_url_is_named_and_secret(registration):
    assert feed_url(registration) == f"/calendar/feed/{registration.calendar_token}.ics"
    assert len(registration.calendar_token) >= 32


def test_feed_holds_plenary_forum_and_chosen_sessions_only(client, registration, programme):
    response = client.get(feed_url(registration))

    assert response.status_code == 200
    assert list(events_by_uid(response.content)) == [
        uid(programme["opening"]),
        uid(programme["forum_talk"]),
        uid(programme["forum_workshop"]),
    ]


def test_feed_is_a_private_calendar_download(client, registration):
    response = client.get(feed_url(registration))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="digital-gba-2026-my-sessions.ics"'
    )
    assert response["Cache-Control"] == "private, no-cache"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    calendar = parse(response.content)
    assert str(calendar["X-WR-CALNAME"]) == (
        "My sessions: Digital Government Summit and Forum on Digital GBA"
    )
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_feed_speaks_the_guests_language_whatever_the_browser(client, registration, programme):
    Registration.objects.filter(pk=registration.pk).update(language="zh-hant")

    response = client.get(feed_url(registration), HTTP_ACCEPT_LANGUAGE="en")

    event = events_by_uid(response.content)[uid(programme["opening"])]
    assert str(event["SUMMARY"]) == "開幕式"
    assert str(parse(response.content)["X-WR-CALNAME"]) == (
        "我的日程：數字政府建設峰會暨數字灣區發展論壇"
    )


def test_feed_follows_later_changes(client, registration, programme):
    before = client.get(feed_url(registration))
    publish_change(
        programme["forum_talk"], starts_at=factories.at(2, 10), ends_at=factories.at(2, 11)
    )

    after = client.get(feed_url(registration), HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    event = events_by_uid(after.content)[uid(programme["forum_talk"])]
    assert event.decoded("SEQUENCE") == 1
    assert event.decoded("DTSTART").hour == 10


def test_feed_follows_the_guests_own_choices(client, registration, programme):
    before = client.get(feed_url(registration))
    Enrolment.objects.filter(session=programme["forum_masterclass"]).update(status="confirmed")

    after = client.get(feed_url(registration), HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert uid(programme["forum_masterclass"]) in events_by_uid(after.content)


def test_unchanged_feed_gets_304(client, registration):
    first = client.get(feed_url(registration))

    again = client.get(feed_url(registration), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""


def test_cancelled_session_stays_in_the_feed_marked_cancelled(client, registration, programme):
    publish_change(programme["forum_talk"], status=Session.Status.CANCELLED)

    events = events_by_uid(client.get(feed_url(registration)).content)

    assert str(events[uid(programme["forum_talk"])]["STATUS"]) == "CANCELLED"


def test_chosen_session_cancelled_by_the_agenda_stays_even_after_its_enrolment_is(
    client, registration, programme
):
    workshop = publish_change(programme["forum_workshop"], status=Session.Status.CANCELLED)
    # The registration services free the seats afterwards.
    Enrolment.objects.filter(registration=registration, session=workshop).update(
        status=Enrolment.Status.CANCELLED,
        updated_at=workshop.changed_at + datetime.timedelta(seconds=1),
    )

    events = events_by_uid(client.get(feed_url(registration)).content)

    assert str(events[uid(workshop)]["STATUS"]) == "CANCELLED"


def test_session_dropped_before_it_was_cancelled_leaves_the_feed(client, registration, programme):
    workshop = programme["forum_workshop"]
    Enrolment.objects.filter(registration=registration, session=workshop).update(
        status=Enrolment.Status.CANCELLED,
        updated_at=workshop.changed_at - datetime.timedelta(days=1),
    )
    publish_change(workshop, status=Session.Status.CANCELLED)

    events = events_by_uid(client.get(feed_url(registration)).content)

    assert uid(workshop) not in events


def test_session_the_guest_dropped_leaves_the_feed(client, registration, programme):
    Enrolment.objects.filter(session=programme["forum_workshop"]).update(status="cancelled")

    events = events_by_uid(client.get(feed_url(registration)).content)

    assert uid(programme["forum_workshop"]) not in events


# --- Access rules ------------------------------------------------------------------------------


def test_wrong_token_is_404(client, registration):
    response = client.get(reverse("registration:calendar-feed", kwargs={"token": "not-the-token"}))

    assert response.status_code == 404


def test_another_guests_token_shows_only_their_sessions(client, summit, registration, programme):
    other = factories.RegistrationFactory(summit=summit)
    factories.EnrolmentFactory(registration=other, forum=programme["other_forum"])

    events = events_by_uid(client.get(feed_url(other)).content)

    assert list(events) == [uid(programme["opening"]), uid(programme["other_talk"])]


@pytest.mark.parametrize(
    "status",
    [
        Registration.Status.CANCELLED,
        Registration.Status.REJECTED,
        Registration.Status.PENDING,
        Registration.Status.WAITLISTED,
    ],
)
def test_unconfirmed_registration_gets_an_empty_calendar(client, registration, status):
    Registration.objects.filter(pk=registration.pk).update(status=status)

    response = client.get(feed_url(registration))

    assert response.status_code == 200
    calendar = parse(response.content)
    assert calendar.walk("VEVENT") == []
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_reset_needs_a_login(client, summit, registration):
    old = feed_url(registration)

    response = client.post(reverse("registration:calendar-feed-reset"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get(old).status_code == 200


def test_reset_is_post_only(client, registration):
    client.force_login(registration.user)

    response = client.get(reverse("registration:calendar-feed-reset"))

    assert response.status_code == 405


def test_reset_gives_a_new_address_and_kills_the_old_one(client, registration):
    old = feed_url(registration)
    client.force_login(registration.user)

    response = client.post(
        reverse("registration:calendar-feed-reset"), {"next": "/my-registration/"}
    )

    registration.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == "/my-registration/"
    assert feed_url(registration) != old
    assert client.get(old).status_code == 404
    assert client.get(feed_url(registration)).status_code == 200


def test_reset_changes_only_the_users_own_registration(client, summit, registration):
    other = factories.RegistrationFactory(summit=summit)
    other_token = other.calendar_token
    client.force_login(registration.user)

    client.post(reverse("registration:calendar-feed-reset"))

    other.refresh_from_db()
    assert other.calendar_token == other_token


def test_reset_without_a_registration_is_404(client, summit, guest_user):
    client.force_login(guest_user)

    response = client.post(reverse("registration:calendar-feed-reset"))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "next_url",
    # Off site, and what is no address at all (it was taken for a view's name: a 500).
    ["https://evil.example/", "//evil.example/", "0", "registration:mine", "x" * 3000, "\\x"],
)
def test_reset_never_redirects_off_site(client, registration, next_url):
    client.force_login(registration.user)

    response = client.post(reverse("registration:calendar-feed-reset"), {"next": next_url})

    assert response["Location"] == "/register/me/"


# --- A constant number of queries ----------------------------------------------------------------


@pytest.mark.parametrize("forums", [1, 6])
def test_feed_takes_the_same_queries_however_many_sessions(
    client, summit, forums, django_assert_num_queries
):
    registration = factories.RegistrationFactory(summit=summit)
    for _ in range(forums):
        forum = factories.ForumFactory(summit=summit)
        factories.EnrolmentFactory(registration=registration, forum=forum)
        for hour in range(9, 9 + 2 * forums):
            session = factories.SessionFactory(forum=forum, starts_at=factories.at(1, hour))
            factories.SessionSpeakerFactory(session=session)
            chosen = factories.SessionFactory(
                forum=forum, requires_enrolment=True, starts_at=factories.at(2, hour)
            )
            factories.EnrolmentFactory(registration=registration, forum=None, session=chosen)

    # The registration (and summit), the sessions, their speakers.
    with django_assert_num_queries(3):
        response = client.get(feed_url(registration))

    assert len(events_by_uid(response.content)) == forums * 2 * forums * 2


# --- The confirmation e-mail's .ics, and the page's feed section ----------------------------------


def test_confirmation_email_attachments_include_the_guests_calendar(registration, programme):
    from registration.signals import email_attachments

    answers = email_attachments.send(
        sender=Registration, registration=registration, kind="confirmation"
    )

    files = [file for _receiver, answer in answers for file in answer]
    calendars = [file for file in files if file[2] == "text/calendar"]
    assert len(calendars) == 1
    filename, body, _mimetype = calendars[0]
    assert filename == "digital-gba-2026-my-sessions.ics"
    assert body == guest_calendar(registration, feed=False)
    assert "REFRESH-INTERVAL" not in parse(body)
    assert len(events_by_uid(body)) == 3


def test_other_emails_get_no_calendar(registration):
    from registration.signals import email_attachments

    answers = email_attachments.send(
        sender=Registration, registration=registration, kind="reminder"
    )

    assert [file for _receiver, answer in answers for file in answer if "ics" in file[0]] == []


def test_feed_section_offers_webcal_google_download_and_reset(registration):
    request = RequestFactory().get("/my-registration/")
    html = Template(
        "{% load registration_calendar %}{% guest_calendar_feed registration %}"
    ).render(Context({"request": request, "registration": registration, "csrf_token": "t0k"}))

    token = registration.calendar_token
    assert f'href="webcal://testserver/calendar/feed/{token}.ics"' in html
    assert f'href="http://testserver/calendar/feed/{token}.ics" download' in html
    assert "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Ftestserver" in html
    assert 'action="/calendar/feed/reset/"' in html
    assert 'name="csrfmiddlewaretoken" value="t0k"' in html
    assert 'name="next" value="/my-registration/"' in html


def test_confirmation_email_carries_the_guests_sessions(
    summit, programme, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(
            forums=[programme["chosen_forum"]],
            sessions=[programme["forum_workshop"]],
            details={"language": "zh-hant"},
        )

    [message] = [m for m in mail.outbox if m.to == [registration.email]]
    [(filename, content, mimetype)] = [a for a in message.attachments if a[0].endswith(".ics")]
    assert (filename, mimetype) == ("digital-gba-2026-my-sessions.ics", "text/calendar")
    events = events_by_uid(content.encode())
    assert list(events) == [
        uid(programme["opening"]),
        uid(programme["forum_talk"]),
        uid(programme["forum_workshop"]),
    ]
    assert str(events[uid(programme["opening"])]["SUMMARY"]) == "開幕式"


def test_my_registration_page_offers_the_feed(client, registration):
    client.force_login(registration.user)

    response = client.get(reverse("registration:mine"))

    token = registration.calendar_token
    assert f'href="webcal://testserver/calendar/feed/{token}.ics"' in response.text
    assert 'action="/calendar/feed/reset/"' in response.text


def test_reset_from_my_registration_page_comes_back_to_it(client, registration):
    client.force_login(registration.user)
    page = client.get(reverse("registration:mine"))
    assert 'name="next" value="/register/me/"' in page.text

    response = client.post(reverse("registration:calendar-feed-reset"), {"next": "/register/me/"})

    assert response["Location"] == "/register/me/"
    followed = client.get(response["Location"])
    registration.refresh_from_db()
    assert registration.calendar_token in followed.text
    assert "Your calendar feed has a new address." in followed.text
