import datetime

import pytest

from registration import changes
from registration.models import Enrolment
from sessions import services
from sessions.models import Forum, Session, SessionSpeaker
from sessions.services import SpeakerRole
from sessions.signals import session_changed
from summit.models import Room
from tests import factories
from tests.factories import at


@pytest.fixture
def sent():
    """Every session_changed signal sent during the test, as (session pk, fields, notify)."""
    calls = []

    def receiver(sender, session, changed_fields, notify_guests, **kwargs):
        calls.append((session.pk, changed_fields, notify_guests))

    session_changed.connect(receiver)
    yield calls
    session_changed.disconnect(receiver)


@pytest.fixture
def session(summit):
    return factories.SessionFactory(forum__summit=summit, starts_at=at(1, 9))


def _take_seats(session, count):
    Session.objects.filter(pk=session.pk).update(seats_taken=count)


@pytest.mark.django_db
def test_create_session_keeps_speakers_in_the_given_order(summit):
    forum = factories.ForumFactory(summit=summit)
    first, second = factories.SpeakerFactory.create_batch(2, summit=summit)

    session = services.create_session(
        forum,
        title_en="Panel",
        starts_at=at(1, 14),
        ends_at=at(1, 15),
        speakers=[SpeakerRole(second, "moderator"), SpeakerRole(first)],
    )

    rows = list(session.appearances.order_by("position").values_list("speaker", "role"))
    assert rows == [(second.pk, "moderator"), (first.pk, "speaker")]
    assert session.sequence == 0


@pytest.mark.django_db
def test_create_session_refuses_an_end_before_the_start(summit):
    forum = factories.ForumFactory(summit=summit)

    with pytest.raises(services.InvalidTimes):
        services.create_session(forum, title_en="Backwards", starts_at=at(1, 10), ends_at=at(1, 9))

    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_create_session_refuses_a_room_of_another_summit(summit):
    forum = factories.ForumFactory(summit=summit)
    elsewhere = factories.RoomFactory(summit=factories.SummitFactory(slug="other-2027"))

    with pytest.raises(services.WrongSummit):
        services.create_session(
            forum, title_en="Lost", starts_at=at(1, 9), ends_at=at(1, 10), room=elsewhere
        )


@pytest.mark.django_db
def test_create_session_refuses_unknown_fields(summit):
    forum = factories.ForumFactory(summit=summit)

    with pytest.raises(TypeError):
        services.create_session(
            forum, title_en="x", starts_at=at(1, 9), ends_at=at(1, 10), seats_taken=3
        )


@pytest.mark.django_db
def test_update_session_time_advances_sequence_and_signals_after_commit(
    session, sent, django_capture_on_commit_callbacks
):
    before = session.changed_at

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.update_session(session, starts_at=at(1, 10), ends_at=at(1, 11), notify_guests=True)
        assert sent == []  # nothing before the commit

    for callback in callbacks:
        callback()
    session.refresh_from_db()
    assert session.sequence == 1
    assert session.changed_at > before
    assert sent == [(session.pk, frozenset({"time"}), True)]


@pytest.mark.django_db
def test_update_session_reports_each_kind_of_guest_visible_change(
    session, sent, django_capture_on_commit_callbacks
):
    room = factories.RoomFactory(summit=session.forum.summit)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(session, title_zh_hant="新標題", description_en="New", room=room)

    assert sent == [(session.pk, frozenset({"title", "description", "room"}), False)]


@pytest.mark.django_db
def test_update_session_change_guests_do_not_see_keeps_sequence(
    session, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(session, format=Session.Format.PANEL, capacity=80)

    session.refresh_from_db()
    assert (session.sequence, session.format, session.capacity) == (0, "panel", 80)
    assert sent == []


@pytest.mark.django_db
def test_update_session_same_values_change_nothing(
    session, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(
            session, title_en=session.title_en, starts_at=session.starts_at, speakers=[]
        )

    session.refresh_from_db()
    assert session.sequence == 0
    assert sent == []


@pytest.mark.django_db
def test_update_session_speakers_change_is_guest_visible(
    session, sent, django_capture_on_commit_callbacks
):
    speaker = factories.SpeakerFactory(summit=session.forum.summit)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(session, speakers=[SpeakerRole(speaker, "moderator")])

    assert list(session.appearances.values_list("speaker", "role")) == [(speaker.pk, "moderator")]
    assert sent == [(session.pk, frozenset({"speakers"}), False)]


@pytest.mark.django_db
def test_update_session_leaves_the_callers_session_as_saved(session):
    """The object the caller holds (with its room and speakers loaded) shows the change."""
    room = factories.RoomFactory(summit=session.forum.summit, name_en="Hall B")
    speaker = factories.SpeakerFactory(summit=session.forum.summit)
    session = Session.objects.select_related("room").prefetch_related("speakers").get(pk=session.pk)
    list(session.speakers.all())  # loaded before the change

    services.update_session(session, room=room, speakers=[SpeakerRole(speaker)])

    assert (session.sequence, session.room.name_en) == (1, "Hall B")
    assert list(session.speakers.all()) == [speaker]


@pytest.mark.django_db
def test_update_session_refuses_the_same_speaker_twice(session):
    speaker = factories.SpeakerFactory(summit=session.forum.summit)

    with pytest.raises(services.AgendaError):
        services.update_session(session, speakers=[SpeakerRole(speaker), SpeakerRole(speaker)])


@pytest.mark.django_db
def test_update_session_of_a_draft_keeps_sequence(summit, sent, django_capture_on_commit_callbacks):
    draft = factories.SessionFactory(forum__summit=summit, is_published=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(draft, title_en="Still a draft")
        services.update_session(draft, is_published=True)

    draft.refresh_from_db()
    assert (draft.sequence, draft.is_published) == (0, True)
    assert sent == []


@pytest.mark.django_db
def test_update_session_taken_back_to_draft_is_guest_visible(
    session, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(session, is_published=False)
        services.update_session(session, is_published=True)

    session.refresh_from_db()
    assert session.sequence == 2
    assert sent == [
        (session.pk, frozenset({"published"}), False),
        (session.pk, frozenset({"published"}), False),
    ]


@pytest.mark.django_db
def test_update_session_capacity_cannot_go_below_seats_taken(session):
    services.update_session(session, requires_enrolment=True, capacity=40)
    _take_seats(session, 30)

    with pytest.raises(services.CapacityBelowSeatsTaken) as refused:
        services.update_session(session, capacity=29)

    session.refresh_from_db()
    assert session.capacity == 40
    assert refused.value.field == "capacity"


@pytest.mark.django_db
def test_update_session_capacity_may_equal_seats_taken(session):
    services.update_session(session, requires_enrolment=True, capacity=40)
    _take_seats(session, 30)

    services.update_session(session, capacity=30)

    session.refresh_from_db()
    assert (session.capacity, session.seats_taken) == (30, 30)


@pytest.mark.django_db
def test_update_session_kind_of_seats_is_fixed_once_seats_are_taken(session):
    services.update_session(session, requires_enrolment=True, capacity=40)
    _take_seats(session, 1)

    with pytest.raises(services.InUse):
        services.update_session(session, requires_enrolment=False)


@pytest.mark.django_db
def test_cancel_session_marks_it_cancelled_and_tells_guests(
    session, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session)

    session.refresh_from_db()
    assert (session.status, session.sequence) == (Session.Status.CANCELLED, 1)
    assert sent == [(session.pk, frozenset({"status"}), True)]


@pytest.mark.django_db
def test_update_session_rolled_back_sends_no_signal(session, sent):
    # django_db wraps the test in a transaction that is rolled back: nothing commits.
    services.update_session(session, starts_at=at(2, 9), ends_at=at(2, 10))

    assert sent == []


@pytest.mark.django_db
def test_delete_session_refused_while_guests_hold_seats(session):
    services.update_session(session, requires_enrolment=True, capacity=10)
    _take_seats(session, 2)

    with pytest.raises(services.InUse):
        services.delete_session(session)

    assert Session.objects.filter(pk=session.pk).exists()


@pytest.mark.django_db
def test_delete_session_without_guests_removes_it(session):
    services.delete_session(session)

    assert Session.objects.filter(pk=session.pk).exists() is False


@pytest.mark.django_db
@pytest.mark.usefixtures("week_before_the_summit")
def test_delete_session_refused_while_a_guest_waits_for_it(session, pending_guest):
    services.update_session(session, requires_enrolment=True, capacity=10)
    changes.change_choices(pending_guest, forum_ids=[], session_ids=[session.pk], actor=None)

    with pytest.raises(services.InUse) as refusal:
        services.delete_session(session)

    assert str(refusal.value.message) == (
        "Guests hold or wait for seats in this session: cancel it instead of deleting it."
    )
    assert list(Enrolment.objects.filter(session=session).values_list("status", flat=True)) == [
        Enrolment.Status.WAITLISTED
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("week_before_the_summit")
def test_delete_session_with_only_cancelled_choices_removes_them(session, pending_guest):
    services.update_session(session, requires_enrolment=True, capacity=10)
    changes.change_choices(pending_guest, forum_ids=[], session_ids=[session.pk], actor=None)
    changes.change_choices(pending_guest, forum_ids=[], session_ids=[], actor=None)

    services.delete_session(session)

    assert Session.objects.filter(pk=session.pk).exists() is False
    assert Enrolment.objects.filter(registration=pending_guest).exists() is False


@pytest.mark.django_db
def test_forum_capacity_cannot_go_below_seats_taken(summit):
    forum = factories.ForumFactory(summit=summit, capacity=100)
    Forum.objects.filter(pk=forum.pk).update(seats_taken=90)

    with pytest.raises(services.CapacityBelowSeatsTaken):
        services.update_forum(forum, capacity=89)
    services.update_forum(forum, capacity=None)

    forum.refresh_from_db()
    assert forum.capacity is None


@pytest.mark.django_db
def test_create_forum_refuses_a_slug_in_use(summit):
    factories.ForumFactory(summit=summit, slug="security")

    with pytest.raises(services.SlugTaken):
        services.create_forum(summit, slug="security", title_en="Security again")


@pytest.mark.django_db
def test_delete_forum_with_sessions_is_refused(session):
    with pytest.raises(services.InUse):
        services.delete_forum(session.forum)


@pytest.mark.django_db
@pytest.mark.usefixtures("week_before_the_summit")
def test_delete_forum_refused_while_a_guest_waits_for_it(summit, pending_guest):
    forum = factories.ForumFactory(summit=summit)
    changes.change_choices(pending_guest, forum_ids=[forum.pk], session_ids=[], actor=None)

    with pytest.raises(services.InUse) as refusal:
        services.delete_forum(forum)

    assert str(refusal.value.message) == (
        "Guests hold or wait for seats in this forum: "
        "keep it, and cancel its sessions to call it off."
    )
    assert list(Enrolment.objects.filter(forum=forum).values_list("status", flat=True)) == [
        Enrolment.Status.WAITLISTED
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("week_before_the_summit")
def test_delete_forum_with_only_cancelled_choices_removes_them(summit, pending_guest):
    forum = factories.ForumFactory(summit=summit)
    changes.change_choices(pending_guest, forum_ids=[forum.pk], session_ids=[], actor=None)
    changes.change_choices(pending_guest, forum_ids=[], session_ids=[], actor=None)

    services.delete_forum(forum)

    assert Forum.objects.filter(pk=forum.pk).exists() is False
    assert Enrolment.objects.filter(registration=pending_guest).exists() is False


@pytest.mark.django_db
def test_delete_room_in_use_is_refused_and_free_room_deleted(session):
    free = factories.RoomFactory(summit=session.forum.summit)

    with pytest.raises(services.InUse):
        services.delete_room(session.room)
    services.delete_room(free)

    assert Room.objects.filter(pk=free.pk).exists() is False


@pytest.mark.django_db
def test_update_room_name_advances_its_published_sessions(
    session, sent, django_capture_on_commit_callbacks
):
    draft = factories.SessionFactory(forum=session.forum, is_published=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_room(session.room, name_en="Hall of Harmony")
        services.update_room(session.room, capacity=999)

    session.refresh_from_db()
    draft.refresh_from_db()
    assert (session.sequence, draft.sequence) == (1, 0)
    assert sent == [(session.pk, frozenset({"room"}), False)]


@pytest.mark.django_db
def test_update_speaker_affiliation_advances_their_sessions(
    session, sent, django_capture_on_commit_callbacks
):
    appearance = factories.SessionSpeakerFactory(session=session)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_speaker(appearance.speaker, affiliation_en="University of Macau")
        services.update_speaker(appearance.speaker, bio_en="Not shown in calendars")

    session.refresh_from_db()
    assert session.sequence == 1
    assert sent == [(session.pk, frozenset({"speakers"}), False)]


@pytest.mark.django_db
def test_delete_speaker_removes_them_from_sessions(
    session, sent, django_capture_on_commit_callbacks
):
    appearance = factories.SessionSpeakerFactory(session=session)

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_speaker(appearance.speaker)

    session.refresh_from_db()
    assert SessionSpeaker.objects.filter(session=session).count() == 0
    assert session.sequence == 1
    assert sent == [(session.pk, frozenset({"speakers"}), False)]


@pytest.mark.django_db
def test_create_speaker_needs_a_name(summit):
    with pytest.raises(services.AgendaError):
        services.create_speaker(summit, slug="nobody", name="", name_latin="")


@pytest.mark.django_db
def test_update_session_across_midnight_is_allowed(session):
    services.update_session(
        session, starts_at=at(1, 22), ends_at=at(1, 22) + datetime.timedelta(hours=3)
    )

    session.refresh_from_db()
    assert session.ends_at - session.starts_at == datetime.timedelta(hours=3)


@pytest.mark.django_db
def test_retitling_a_forum_advances_its_published_sessions(django_capture_on_commit_callbacks):
    session = factories.SessionFactory(forum__title_zh_hant="舊名稱")
    draft = factories.SessionFactory(forum=session.forum, is_published=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_forum(session.forum, title_zh_hant="新名稱", colour="#123456")

    session.refresh_from_db()
    draft.refresh_from_db()
    assert (session.sequence, draft.sequence) == (1, 0)


@pytest.mark.django_db
def test_recolouring_a_forum_advances_no_session():
    session = factories.SessionFactory()

    services.update_forum(session.forum, colour="#123456", capacity=500)

    session.refresh_from_db()
    assert session.sequence == 0


@pytest.mark.django_db
def test_renaming_the_venue_advances_every_published_session(django_capture_on_commit_callbacks):
    from summit.services import update_summit

    session = factories.SessionFactory()

    with django_capture_on_commit_callbacks(execute=True):
        update_summit(session.forum.summit, venue_en="Pazhou Complex")

    session.refresh_from_db()
    assert session.sequence == 1
