import datetime

import pytest

from sessions.models import Session
from sessions.warnings import Kind, schedule_warnings, warnings_for_session
from tests import factories
from tests.factories import at


def _kinds(warnings):
    return [(w.kind, tuple(s.pk for s in w.sessions)) for w in warnings]


@pytest.fixture
def forum(summit):
    return factories.ForumFactory(summit=summit, capacity=None)


@pytest.mark.django_db
def test_room_double_booking_is_reported_once_per_pair(summit, forum):
    first = factories.SessionFactory(forum=forum, starts_at=at(1, 9))
    second = factories.SessionFactory(forum=forum, starts_at=at(1, 9, 30), ends_at=at(1, 10, 30))

    warnings = schedule_warnings(summit)

    assert _kinds(warnings) == [(Kind.ROOM_DOUBLE_BOOKED, (first.pk, second.pk))]
    assert warnings[0].room == forum.room


@pytest.mark.django_db
def test_sessions_that_touch_do_not_overlap(summit, forum):
    factories.SessionFactory(forum=forum, starts_at=at(1, 9), ends_at=at(1, 10))
    factories.SessionFactory(forum=forum, starts_at=at(1, 10), ends_at=at(1, 11))

    assert schedule_warnings(summit) == []


@pytest.mark.django_db
def test_cancelled_sessions_free_their_room(summit, forum):
    factories.SessionFactory(forum=forum, starts_at=at(1, 9))
    factories.SessionFactory(forum=forum, starts_at=at(1, 9), status=Session.Status.CANCELLED)

    assert schedule_warnings(summit) == []


@pytest.mark.django_db
def test_speaker_double_booking_across_rooms(summit, forum):
    speaker = factories.SpeakerFactory(summit=summit)
    first = factories.SessionFactory(forum=forum, starts_at=at(2, 14), ends_at=at(2, 16))
    second = factories.SessionFactory(
        forum=forum,
        room=factories.RoomFactory(summit=summit),
        starts_at=at(2, 15),
        ends_at=at(2, 15, 30),
    )
    factories.SessionSpeakerFactory(session=first, speaker=speaker)
    factories.SessionSpeakerFactory(session=second, speaker=speaker)

    warnings = schedule_warnings(summit)

    assert _kinds(warnings) == [(Kind.SPEAKER_DOUBLE_BOOKED, (first.pk, second.pk))]
    assert warnings[0].speaker == speaker


@pytest.mark.django_db
def test_capacity_above_room_capacity(summit):
    room = factories.RoomFactory(summit=summit, capacity=80)
    forum = factories.ForumFactory(summit=summit, room=room, capacity=None)
    workshop = factories.SessionFactory(forum=forum, requires_enrolment=True, capacity=81)
    fits = factories.SessionFactory(
        forum=forum, requires_enrolment=True, capacity=80, starts_at=at(2, 9)
    )

    warnings = schedule_warnings(summit)

    assert _kinds(warnings) == [(Kind.OVER_ROOM_CAPACITY, (workshop.pk,))]
    assert warnings_for_session(fits) == []


@pytest.mark.django_db
def test_open_session_counts_its_forums_capacity_against_the_room(summit):
    small = factories.RoomFactory(summit=summit, capacity=80)
    forum = factories.ForumFactory(summit=summit, capacity=500)
    session = factories.SessionFactory(forum=forum, room=small)

    assert _kinds(schedule_warnings(summit)) == [(Kind.OVER_ROOM_CAPACITY, (session.pk,))]


@pytest.mark.django_db
def test_session_outside_the_summit_days(summit, forum):
    before = factories.SessionFactory(forum=forum, starts_at=at(0, 10))
    late = factories.SessionFactory(forum=forum, room=None, starts_at=at(3, 23), ends_at=at(4, 1))
    until_midnight = factories.SessionFactory(
        forum=forum, room=None, starts_at=at(3, 22), ends_at=at(4, 0)
    )

    warnings = schedule_warnings(summit)

    assert _kinds(warnings) == [
        (Kind.OUTSIDE_SUMMIT_DAYS, (before.pk,)),
        (Kind.OUTSIDE_SUMMIT_DAYS, (late.pk,)),
    ]
    assert warnings_for_session(until_midnight) == []


@pytest.mark.django_db
def test_warning_messages_are_translated(summit, forum):
    factories.SessionFactory(forum=forum, title_en="Opening", title_zh_hans="开幕式")
    factories.SessionFactory(forum=forum, title_en="Keynote", title_zh_hans="主旨演讲")
    from django.utils import translation

    warning = schedule_warnings(summit)[0]
    with translation.override("zh-hans"):
        message = warning.message

    assert "开幕式" in message
    assert "主旨演讲" in message
    assert "Opening" not in message


@pytest.mark.django_db
def test_warnings_for_session_lists_only_its_own(summit, forum):
    first = factories.SessionFactory(forum=forum, starts_at=at(1, 9))
    factories.SessionFactory(forum=forum, starts_at=at(1, 9))
    alone = factories.SessionFactory(forum=forum, starts_at=at(2, 9))

    assert len(warnings_for_session(first)) == 1
    assert warnings_for_session(alone) == []


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 120])
def test_schedule_warnings_run_two_queries_however_many_sessions(
    summit, count, django_assert_num_queries
):
    forum = factories.ForumFactory(summit=summit)
    rooms = factories.RoomFactory.create_batch(2, summit=summit)
    speakers = factories.SpeakerFactory.create_batch(10, summit=summit)
    sessions = [
        Session(
            forum=forum,
            title_en=f"Session {index}",
            room=rooms[index % 2],
            starts_at=at(1, 8) + datetime.timedelta(minutes=17 * index),
            ends_at=at(1, 9) + datetime.timedelta(minutes=17 * index),
        )
        for index in range(count)
    ]
    Session.objects.bulk_create(sessions)
    for index, session in enumerate(Session.objects.filter(forum=forum)):
        factories.SessionSpeakerFactory(session=session, speaker=speakers[index % 10])

    with django_assert_num_queries(2):
        warnings = schedule_warnings(summit)

    assert len(warnings) > 0
