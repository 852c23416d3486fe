"""The calendar builder (sessions/calendar.py): every file parsed back with icalendar."""

import datetime

import pytest

from sessions.calendar import agenda_calendar, build_calendar, session_calendar
from sessions.models import Session, SessionSpeaker
from sessions.selectors import published_sessions
from tests import factories
from tests.calendars import LONG_AGO, events_by_uid, parse, publish_change, written_long_ago

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def forum(summit):
    return factories.ForumFactory(
        summit=summit,
        title_en="Digital GBA",
        title_zh_hans="数字湾区",
        title_zh_hant="數字灣區",
        room=factories.RoomFactory(
            summit=summit, name_en="Hall A", name_zh_hans="A厅", name_zh_hant="A廳"
        ),
    )


@pytest.fixture
def session(forum):
    session = factories.SessionFactory(
        forum=forum,
        title_en="Cross-boundary data",
        title_zh_hans="跨境数据",
        title_zh_hant="跨境數據",
        description_en="How data moves across the bay.",
        starts_at=factories.at(1, 9),
        ends_at=factories.at(1, 10, 30),
    )
    written_long_ago(session)
    return session


def only_event(body: bytes):
    events = parse(body).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_times_carry_the_shanghai_zone_and_mean_the_right_instant(summit, session):
    body = agenda_calendar(summit, language="en")

    event = only_event(body)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event["DTEND"].params["TZID"] == "Asia/Shanghai"
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert start.astimezone(UTC) == datetime.datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime.datetime(2026, 12, 8, 2, 30, tzinfo=UTC)
    assert b"DTSTART;TZID=Asia/Shanghai:20261208T090000\r\n" in body


def test_file_carries_a_vtimezone_for_the_iana_zone(summit, session):
    calendar = parse(agenda_calendar(summit, language="en"))

    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Asia/Shanghai"]
    standard = zones[0].walk("STANDARD")
    assert [part["TZOFFSETTO"].td for part in standard] == [datetime.timedelta(hours=8)]
    assert calendar.get_missing_tzids() == set()
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"


def test_feed_properties_are_set(summit, session):
    calendar = parse(agenda_calendar(summit, language="en"))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["PRODID"]) == "-//Bayline//Digital GBA Summit agenda//EN"
    assert str(calendar["X-WR-CALNAME"]) == f"{summit.name_en}: agenda"
    assert calendar.decoded("REFRESH-INTERVAL") == datetime.timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"


def test_single_session_file_has_no_refresh_hints(summit, session):
    calendar = parse(session_calendar(session, summit=summit, language="en"))

    assert "REFRESH-INTERVAL" not in calendar
    assert "X-PUBLISHED-TTL" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "Cross-boundary data"


def test_event_has_uid_sequence_status_location_description_and_url(summit, forum, session):
    speaker = factories.SpeakerFactory(
        summit=summit, name="陳大文", name_latin="Chan Tai Man", affiliation_en="DPO"
    )
    moderator = factories.SpeakerFactory(
        summit=summit, name="李华", name_latin="Li Hua", affiliation_en=""
    )
    factories.SessionSpeakerFactory(session=session, speaker=speaker, position=1)
    factories.SessionSpeakerFactory(
        session=session, speaker=moderator, position=2, role=SessionSpeaker.Role.MODERATOR
    )

    body = agenda_calendar(summit, language="en")

    event = only_event(body)
    url = f"http://127.0.0.1:8000/sessions/{session.uid}/"
    assert str(event["UID"]) == f"{session.uid}@127.0.0.1"
    assert event.decoded("SEQUENCE") == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Cross-boundary data"
    assert str(event["LOCATION"]) == (
        "Hall A, Guangzhou Baiyun International Convention Center, Guangzhou"
    )
    assert str(event["DESCRIPTION"]) == (
        "How data moves across the bay.\n\n"
        "Speakers:\nChan Tai Man, DPO\nLi Hua (Moderator)\n\n"
        f"Forum: Digital GBA\nDetails: {url}"
    )
    assert str(event["URL"]) == url
    assert event["CATEGORIES"].cats == ["Digital GBA"]
    assert event.decoded("LAST-MODIFIED") == LONG_AGO
    assert event.decoded("DTSTAMP") == LONG_AGO
    assert event.decoded("CREATED") == LONG_AGO
    assert b"LAST-MODIFIED:20261001T020000Z\r\n" in body


def test_text_follows_the_requested_language(summit, forum, session):
    factories.SessionSpeakerFactory(
        session=session,
        speaker=factories.SpeakerFactory(summit=summit, name="陳大文", name_latin="Chan Tai Man"),
    )

    english = only_event(agenda_calendar(summit, language="en"))
    simplified = only_event(agenda_calendar(summit, language="zh-hans"))
    traditional = only_event(agenda_calendar(summit, language="zh-hant"))

    assert str(english["SUMMARY"]) == "Cross-boundary data"
    assert str(simplified["SUMMARY"]) == "跨境数据"
    assert str(traditional["SUMMARY"]) == "跨境數據"
    assert english["SUMMARY"].params["LANGUAGE"] == "en"
    assert simplified["SUMMARY"].params["LANGUAGE"] == "zh-Hans"
    assert str(simplified["LOCATION"]) == "A厅，广州白云国际会议中心，广州"
    assert str(traditional["LOCATION"]) == "A廳，廣州白雲國際會議中心，廣州"
    # Speakers by their Chinese names for Chinese readers; labels translated.
    assert "陳大文" in str(traditional["DESCRIPTION"])
    assert "Chan Tai Man" not in str(traditional["DESCRIPTION"])
    assert "論壇：數字灣區" in str(traditional["DESCRIPTION"])
    assert "演講嘉賓：\n陳大文，Digital Policy Office\n" in str(traditional["DESCRIPTION"])
    assert "论坛：数字湾区" in str(simplified["DESCRIPTION"])


def test_commas_semicolons_newlines_and_long_chinese_text_survive(summit, forum):
    title = "Data, rules; and trust\\ 数据，规则；信任"
    description = "第一行, with comma; and semicolon\r\nSecond line\n" + "粤港澳大湾区数字政府" * 40
    factories.SessionFactory(forum=forum, title_en=title, description_en=description)

    body = agenda_calendar(summit, language="en")

    event = only_event(body)
    assert str(event["SUMMARY"]) == title
    assert str(event["DESCRIPTION"]).startswith(description.replace("\r\n", "\n") + "\n\n")
    assert b"SUMMARY;LANGUAGE=en:Data\\, rules\\; and trust\\\\ " in body
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # folding never splits a character
    assert not body.replace(b"\r\n", b"").count(b"\n")  # no bare newline anywhere


def test_uid_is_stable_across_exports_and_edits(summit, session):
    first = events_by_uid(agenda_calendar(summit, language="en"))

    publish_change(
        session, title_en="Renamed", starts_at=factories.at(2, 14), ends_at=factories.at(2, 15)
    )
    second = events_by_uid(agenda_calendar(summit, language="zh-hans"))

    assert list(first) == [f"{session.uid}@127.0.0.1"]
    assert list(second) == list(first)


def test_sequence_and_last_modified_advance_after_an_edit(summit, session):
    before = only_event(agenda_calendar(summit, language="en"))

    publish_change(session, starts_at=factories.at(1, 11), ends_at=factories.at(1, 12))
    after = only_event(agenda_calendar(summit, language="en"))

    assert before.decoded("SEQUENCE") == 0
    assert after.decoded("SEQUENCE") == 1
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")
    assert after.decoded("DTSTAMP") > before.decoded("DTSTAMP")
    assert after.decoded("DTSTART").astimezone(UTC) == datetime.datetime(
        2026, 12, 8, 3, 0, tzinfo=UTC
    )


def test_cancelled_session_stays_marked_cancelled(summit, session):
    publish_change(session, status=Session.Status.CANCELLED)

    english = only_event(agenda_calendar(summit, language="en"))
    simplified = only_event(agenda_calendar(summit, language="zh-hans"))

    assert str(english["STATUS"]) == "CANCELLED"
    assert str(english["SUMMARY"]) == "Cancelled: Cross-boundary data"
    assert str(simplified["SUMMARY"]) == "已取消：跨境数据"
    assert english.decoded("SEQUENCE") == 1


def test_unpublished_sessions_are_left_out(summit, forum, session):
    factories.SessionFactory(forum=forum, is_published=False)

    events = events_by_uid(agenda_calendar(summit, language="en"))

    assert list(events) == [f"{session.uid}@127.0.0.1"]


def test_breaks_do_not_block_time(summit, forum):
    factories.SessionFactory(forum=forum, format=Session.Format.BREAK)

    event = only_event(agenda_calendar(summit, language="en"))

    assert str(event["TRANSP"]) == "TRANSPARENT"


def test_same_data_gives_the_same_bytes(summit, session):
    assert agenda_calendar(summit, language="en") == agenda_calendar(summit, language="en")


def test_empty_calendar_is_valid_and_keeps_its_time_zone(summit):
    calendar = parse(build_calendar([], summit=summit, name="Nothing", language="en"))

    assert calendar.walk("VEVENT") == []
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_builder_runs_no_query_of_its_own(summit, forum, django_assert_num_queries):
    for hour in (9, 10, 11):
        session = factories.SessionFactory(forum=forum, starts_at=factories.at(1, hour))
        factories.SessionSpeakerFactory(session=session)
    sessions = list(published_sessions(summit))

    with django_assert_num_queries(0):
        build_calendar(sessions, summit=summit, name="Agenda", language="zh-hant")
