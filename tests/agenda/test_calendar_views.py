"""The public calendar files over HTTP: agenda, forum, session."""

import time
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from sessions.models import Session
from tests import factories
from tests.calendars import events_by_uid, parse, publish_change, written_long_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(summit):
    return factories.ForumFactory(
        summit=summit, slug="digital-gba", title_en="Digital GBA", title_zh_hant="數字灣區"
    )


@pytest.fixture
def session(forum):
    session = factories.SessionFactory(
        forum=forum, title_en="Opening", title_zh_hans="开幕式", title_zh_hant="開幕式"
    )
    written_long_ago(session)
    return session


@pytest.fixture
def freezer_seconds(monkeypatch):
    """Move the clock of calendar responses (Last-Modified) forward by some seconds."""
    offset = [0]
    clock = SimpleNamespace(time=lambda: time.time() + offset[0])
    monkeypatch.setattr("sessions.calendar_views.time", clock)

    def advance(seconds: int) -> None:
        offset[0] += seconds

    return advance


def uid(session) -> str:
    return f"{session.uid}@127.0.0.1"


def test_urls_are_named_for_templates():
    assert reverse("agenda:calendar-agenda") == "/calendar/agenda.ics"
    assert reverse("agenda:calendar-forum", kwargs={"slug": "gba"}) == "/calendar/forums/gba.ics"
    assert reverse("agenda:calendar-session", kwargs={"pk": 7}) == "/calendar/sessions/7.ics"


def test_agenda_file_is_served_as_a_calendar_download(client, summit, session):
    response = client.get(reverse("agenda:calendar-agenda"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="digital-gba-2026-agenda.ics"'
    assert response["Cache-Control"] == "public, max-age=300"
    assert list(events_by_uid(response.content)) == [uid(session)]


def test_agenda_file_speaks_the_requested_language(client, summit, session):
    by_parameter = client.get(reverse("agenda:calendar-agenda"), {"lang": "zh-hant"})
    by_header = client.get(reverse("agenda:calendar-agenda"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    parameter_wins = client.get(
        reverse("agenda:calendar-agenda"), {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert str(events_by_uid(by_parameter.content)[uid(session)]["SUMMARY"]) == "開幕式"
    assert str(events_by_uid(by_header.content)[uid(session)]["SUMMARY"]) == "开幕式"
    assert str(events_by_uid(parameter_wins.content)[uid(session)]["SUMMARY"]) == "Opening"
    assert str(parse(by_parameter.content)["X-WR-CALNAME"]) == f"{summit.name_zh_hant}：議程"
    assert by_parameter["Content-Language"] == "zh-hant"
    assert by_header["Vary"] == "Accept-Language, Cookie"


def test_forum_file_holds_only_that_forums_published_sessions(client, summit, forum, session):
    factories.SessionFactory(forum=forum, is_published=False)
    factories.SessionFactory(forum=factories.ForumFactory(summit=summit))

    response = client.get(reverse("agenda:calendar-forum", kwargs={"slug": "digital-gba"}))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="digital-gba-2026-digital-gba.ics"'
    )
    assert list(events_by_uid(response.content)) == [uid(session)]
    assert str(parse(response.content)["X-WR-CALNAME"]) == f"{summit.name_en}: Digital GBA"


def test_unknown_forum_is_404(client, summit):
    response = client.get(reverse("agenda:calendar-forum", kwargs={"slug": "nowhere"}))

    assert response.status_code == 404


def test_session_file_holds_one_event(client, summit, session):
    response = client.get(reverse("agenda:calendar-session", kwargs={"pk": session.pk}))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="digital-gba-2026-session-{session.pk}.ics"'
    )
    assert list(events_by_uid(response.content)) == [uid(session)]


def test_cancelled_session_file_says_cancelled(client, summit, session):
    publish_change(session, status=Session.Status.CANCELLED)

    response = client.get(reverse("agenda:calendar-session", kwargs={"pk": session.pk}))

    event = events_by_uid(response.content)[uid(session)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 1


def test_unpublished_or_unknown_session_is_404(client, summit, forum):
    draft = factories.SessionFactory(forum=forum, is_published=False)

    draft_response = client.get(reverse("agenda:calendar-session", kwargs={"pk": draft.pk}))
    unknown_response = client.get(reverse("agenda:calendar-session", kwargs={"pk": 999999}))

    assert draft_response.status_code == 404
    assert unknown_response.status_code == 404


def test_without_a_summit_files_are_404(client, db):
    response = client.get(reverse("agenda:calendar-agenda"))

    assert response.status_code == 404


def test_post_is_refused(client, summit, session):
    response = client.post(reverse("agenda:calendar-agenda"))

    assert response.status_code == 405


# --- Conditional GET ---------------------------------------------------------------------------


def test_same_etag_gets_304_without_a_body(client, summit, session):
    first = client.get(reverse("agenda:calendar-agenda"))

    again = client.get(reverse("agenda:calendar-agenda"), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]


def test_unchanged_since_last_modified_gets_304(client, summit, session):
    first = client.get(reverse("agenda:calendar-agenda"))

    again = client.get(
        reverse("agenda:calendar-agenda"), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )

    assert again.status_code == 304


def test_edit_gives_a_new_etag_and_a_full_answer(client, summit, session):
    first = client.get(reverse("agenda:calendar-agenda"))
    publish_change(session, title_en="Opening ceremony")

    by_etag = client.get(reverse("agenda:calendar-agenda"), HTTP_IF_NONE_MATCH=first["ETag"])

    assert by_etag.status_code == 200
    assert by_etag["ETag"] != first["ETag"]
    assert str(events_by_uid(by_etag.content)[uid(session)]["SUMMARY"]) == "Opening ceremony"


def test_change_that_leaves_changed_at_alone_still_defeats_if_modified_since(
    client, summit, forum, session, freezer_seconds
):
    first = client.get(reverse("agenda:calendar-agenda"))
    # A room renamed: no session's changed_at moves, but the file's LOCATION does.
    forum.room.name_en = "Hall Z"
    forum.room.save()
    freezer_seconds(5)

    again = client.get(
        reverse("agenda:calendar-agenda"), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )

    assert again.status_code == 200
    assert "Hall Z" in str(events_by_uid(again.content)[uid(session)]["LOCATION"])


def test_languages_have_their_own_etags(client, summit, session):
    english = client.get(reverse("agenda:calendar-agenda"), {"lang": "en"})
    chinese = client.get(
        reverse("agenda:calendar-agenda"), {"lang": "zh-hans"}, HTTP_IF_NONE_MATCH=english["ETag"]
    )

    assert chinese.status_code == 200
    assert chinese["ETag"] != english["ETag"]


# --- A constant number of queries ----------------------------------------------------------------


def make_agenda(summit, forums: int, sessions_per_forum: int) -> None:
    for _ in range(forums):
        forum = factories.ForumFactory(summit=summit)
        for index in range(sessions_per_forum):
            session = factories.SessionFactory(
                forum=forum,
                starts_at=factories.at(1 + index % 3, 9 + index % 8),
            )
            factories.SessionSpeakerFactory(session=session)
            factories.SessionSpeakerFactory(session=session)


@pytest.mark.parametrize(("forums", "sessions_per_forum"), [(1, 2), (4, 15)])
def test_agenda_file_takes_the_same_queries_however_many_sessions(
    client, summit, forums, sessions_per_forum, django_assert_num_queries
):
    make_agenda(summit, forums, sessions_per_forum)
    client.get(reverse("agenda:calendar-agenda"))  # the current summit's id is now cached

    # The summit, the sessions (forum and room joined), their speakers.
    with django_assert_num_queries(3):
        response = client.get(reverse("agenda:calendar-agenda"))

    assert len(events_by_uid(response.content)) == forums * sessions_per_forum


@pytest.mark.parametrize("sessions_per_forum", [2, 30])
def test_forum_file_takes_the_same_queries_however_many_sessions(
    client, summit, sessions_per_forum, django_assert_num_queries
):
    make_agenda(summit, 1, sessions_per_forum)
    forum = summit.forums.get()
    url = reverse("agenda:calendar-forum", kwargs={"slug": forum.slug})
    client.get(url)

    # The summit, the forum, the sessions, their speakers.
    with django_assert_num_queries(4):
        response = client.get(url)

    assert len(events_by_uid(response.content)) == sessions_per_forum


# --- "Add to calendar" links ------------------------------------------------------------------


def render(template: str, **context) -> str:
    request = RequestFactory().get("/agenda/")
    return Template("{% load agenda_calendar %}" + template).render(
        Context({"request": request, **context})
    )


def test_agenda_links_offer_webcal_download_and_google(summit):
    with translation.override("zh-hant"):
        html = render("{% agenda_calendar_links %}")

    assert 'href="webcal://testserver/calendar/agenda.ics?lang=zh-hant"' in html
    assert 'href="http://testserver/calendar/agenda.ics?lang=zh-hant" download' in html
    assert (
        'href="https://calendar.google.com/calendar/render?'
        'cid=webcal%3A%2F%2Ftestserver%2Fcalendar%2Fagenda.ics%3Flang%3Dzh-hant"'
    ) in html
    assert "訂閱（webcal）" in html


def test_forum_links_point_at_the_forum_feed(summit, forum):
    with translation.override("en"):
        html = render("{% forum_calendar_links forum %}", forum=forum)

    assert 'href="webcal://testserver/calendar/forums/digital-gba.ics?lang=en"' in html


def test_session_links_offer_a_file_and_a_google_event(summit, session):
    with translation.override("en"):
        html = render(
            "{% session_calendar_links session compact=True %}", session=session, summit=summit
        )

    assert "<details" in html
    assert "webcal://" not in html
    assert f'href="http://testserver/calendar/sessions/{session.pk}.ics?lang=en" download' in html
    assert "action=TEMPLATE&amp;text=Opening&amp;dates=20261208T010000Z%2F20261208T020000Z" in html
    assert "ctz=Asia%2FShanghai" in html


def test_agenda_page_offers_the_agenda_feed(client, summit, session):
    response = client.get(reverse("agenda:agenda"), {"day": "2026-12-08"})

    assert 'href="webcal://testserver/calendar/agenda.ics?lang=en"' in response.text


def test_forum_page_offers_the_forum_feed(client, summit, forum, session):
    response = client.get(reverse("agenda:forum", kwargs={"slug": forum.slug}))

    assert 'href="webcal://testserver/calendar/forums/digital-gba.ics?lang=en"' in response.text


def test_session_page_offers_the_session_file(client, summit, session):
    response = client.get(session.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hant")

    assert f'href="http://testserver/calendar/sessions/{session.pk}.ics?lang=zh-hant"' in (
        response.text
    )
    assert "加入日曆" in response.text


def test_cancelled_session_page_offers_no_file(client, summit, session):
    publish_change(session, status=Session.Status.CANCELLED)

    response = client.get(session.get_absolute_url())

    assert "/calendar/sessions/" not in response.text
