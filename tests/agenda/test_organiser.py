import pytest
from django.urls import reverse

from registration import changes
from registration.models import Enrolment
from sessions import services
from sessions.models import Forum, Session, Speaker
from sessions.signals import session_changed
from summit.models import Room
from tests import factories
from tests.factories import at


@pytest.fixture
def agenda(summit):
    """One of everything, for the pages that show a record."""
    session = factories.SessionFactory(forum__summit=summit, forum__slug="security")
    speaker = factories.SessionSpeakerFactory(session=session).speaker
    return {"session": session, "forum": session.forum, "room": session.room, "speaker": speaker}


def _organiser_urls(agenda):
    urls = [
        reverse("agenda:organiser-overview"),
        reverse("agenda:organiser-forums"),
        reverse("agenda:organiser-forum-create"),
        reverse("agenda:organiser-sessions"),
        reverse("agenda:organiser-session-create"),
        reverse("agenda:organiser-rooms"),
        reverse("agenda:organiser-room-create"),
        reverse("agenda:organiser-speakers"),
        reverse("agenda:organiser-speaker-create"),
    ]
    for kind in ("forum", "session", "room", "speaker"):
        pk = agenda[kind].pk
        urls.append(reverse(f"agenda:organiser-{kind}-edit", args=[pk]))
        urls.append(reverse(f"agenda:organiser-{kind}-delete", args=[pk]))
    return urls


@pytest.mark.django_db
def test_organiser_pages_send_anonymous_visitors_to_login(client, agenda):
    for url in _organiser_urls(agenda):
        response = client.get(url)

        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["door_staff", "guest_user"])
def test_organiser_pages_refuse_people_without_the_permission(client, agenda, role, request):
    client.force_login(request.getfixturevalue(role))

    for url in _organiser_urls(agenda):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url

    assert Session.objects.count() == 1


@pytest.mark.django_db
def test_organiser_pages_open_to_organisers(organiser_client, agenda):
    import re

    forum, session = agenda["forum"].title_en, agenda["session"].title_en
    room, speaker = agenda["room"].name_en, agenda["speaker"].name_latin
    # Each page's heading, and what it lists or edits.
    expected = [
        ("Agenda", ""),
        ("Forums", forum),
        ("New forum", 'name="slug"'),
        ("Sessions", session),
        ("New session", 'name="title_en"'),
        ("Rooms", room),
        ("New room", 'name="capacity"'),
        ("Speakers", speaker),
        ("New speaker", 'name="name_latin"'),
        (f"Edit forum: {forum}", f'value="{forum}"'),
        (f"Delete “{forum}”?", 'method="post"'),
        (f"Edit session: {session}", f'value="{session}"'),
        (f"Delete “{session}”?", 'method="post"'),
        (f"Edit room: {room}", f'value="{room}"'),
        (f"Delete “{room}”?", 'method="post"'),
        (f"Edit speaker: {speaker}", f'value="{speaker}"'),
        (f"Delete “{speaker}”?", 'method="post"'),
    ]

    pages = []
    for url in _organiser_urls(agenda):
        response = organiser_client.get(url)
        [heading] = re.findall(r"<h1[^>]*>(.*?)</h1>", response.text, re.S)
        pages.append((response.status_code, heading.strip()))
        assert expected[len(pages) - 1][1] in response.text, url

    assert pages == [(200, heading) for heading, _shown in expected]


@pytest.mark.django_db
def test_organiser_navigation_links_to_the_agenda_section(organiser_client, summit):
    response = organiser_client.get(reverse("organiser-dashboard"))

    assert reverse("agenda:organiser-overview") in response.text
    assert reverse("agenda:organiser-speakers") in response.text


# --- Forums, rooms, speakers ------------------------------------------------------------------


@pytest.mark.django_db
def test_create_forum_with_trilingual_title(organiser_client, summit):
    response = organiser_client.post(
        reverse("agenda:organiser-forum-create"),
        {
            "title_en": "Digital GBA",
            "title_zh_hans": "数字湾区",
            "title_zh_hant": "數字灣區",
            "slug": "digital-gba",
            "kind": "themed",
            "position": "7",
            "colour": "#00697f",
            "capacity": "600",
        },
    )

    assert response.status_code == 302
    forum = Forum.objects.get(slug="digital-gba")
    assert (forum.title_zh_hant, forum.capacity, forum.summit) == ("數字灣區", 600, summit)


@pytest.mark.django_db
def test_edit_forum_capacity_below_seats_taken_is_a_form_error(organiser_client, agenda):
    forum = agenda["forum"]
    Forum.objects.filter(pk=forum.pk).update(seats_taken=150)

    response = organiser_client.post(
        reverse("agenda:organiser-forum-edit", args=[forum.pk]),
        {
            "title_en": forum.title_en,
            "slug": forum.slug,
            "kind": "themed",
            "position": "0",
            "colour": "#0b6e99",
            "capacity": "100",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == [
        "Guests already hold 150 seats: the capacity cannot be lower."
    ]
    forum.refresh_from_db()
    assert forum.capacity == 200


@pytest.mark.django_db
def test_forum_slug_in_use_is_a_form_error(organiser_client, agenda):
    response = organiser_client.post(
        reverse("agenda:organiser-forum-create"),
        {
            "title_en": "Again",
            "slug": "security",
            "kind": "themed",
            "position": "1",
            "colour": "#123456",
        },
    )

    assert response.status_code == 200
    assert "slug" in response.context["form"].errors


@pytest.mark.django_db
def test_create_edit_and_delete_room(organiser_client, summit):
    organiser_client.post(
        reverse("agenda:organiser-room-create"),
        {
            "name_en": "Room 306",
            "name_zh_hans": "306会议室",
            "slug": "room-306",
            "capacity": "60",
            "position": "9",
        },
    )
    room = Room.objects.get(slug="room-306")

    organiser_client.post(
        reverse("agenda:organiser-room-edit", args=[room.pk]),
        {
            "name_en": "Room 306",
            "slug": "room-306",
            "capacity": "70",
            "position": "9",
            "floor": "3F",
        },
    )
    room.refresh_from_db()
    deleted = organiser_client.post(reverse("agenda:organiser-room-delete", args=[room.pk]))

    assert (room.capacity, room.floor) == (70, "3F")
    assert deleted.status_code == 302
    assert Room.objects.filter(pk=room.pk).exists() is False


@pytest.mark.django_db
def test_delete_room_in_use_is_refused_with_a_message(organiser_client, agenda):
    room = agenda["room"]

    response = organiser_client.post(
        reverse("agenda:organiser-room-delete", args=[room.pk]), follow=True
    )

    assert Room.objects.filter(pk=room.pk).exists()
    assert "move them to another room first" in response.text


@pytest.mark.django_db
def test_create_speaker_with_native_and_latin_names(organiser_client, summit):
    response = organiser_client.post(
        reverse("agenda:organiser-speaker-create"),
        {
            "name": "陳大文",
            "name_latin": "Chan Tai Man",
            "name_zh_hans": "陈大文",
            "slug": "chan-tai-man",
            "affiliation_zh_hant": "數字政策辦公室",
        },
    )

    assert response.status_code == 302
    speaker = Speaker.objects.get(slug="chan-tai-man")
    assert (speaker.name, speaker.name_zh_hans, speaker.affiliation_zh_hant) == (
        "陳大文",
        "陈大文",
        "數字政策辦公室",
    )


@pytest.mark.django_db
def test_create_speaker_without_any_name_is_a_form_error(organiser_client, summit):
    response = organiser_client.post(
        reverse("agenda:organiser-speaker-create"), {"name": "", "name_latin": "", "slug": "x"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Give the name in native script, in Latin letters, or both."
    ]


# --- Sessions ---------------------------------------------------------------------------------


def _session_post(forum, speakers=(), **overrides):
    data = {
        "title_en": "Cross-boundary data flows",
        "title_zh_hans": "跨境数据流动",
        "title_zh_hant": "跨境數據流動",
        "forum": str(forum.pk),
        "format": "talk",
        "starts_at": "2026-12-08T14:00",
        "ends_at": "2026-12-08T14:30",
        "room": str(forum.room_id),
        "capacity": "",
        "status": "scheduled",
        "is_published": "on",
        "speakers-TOTAL_FORMS": str(max(len(speakers), 1)),
        "speakers-INITIAL_FORMS": "0",
        "speakers-MIN_NUM_FORMS": "0",
        "speakers-MAX_NUM_FORMS": "1000",
    }
    for index, (speaker, role, position) in enumerate(speakers):
        data[f"speakers-{index}-speaker"] = str(speaker.pk)
        data[f"speakers-{index}-role"] = role
        data[f"speakers-{index}-position"] = str(position)
    if not speakers:
        data["speakers-0-role"] = "speaker"
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_create_session_with_speakers_in_order(organiser_client, summit):
    forum = factories.ForumFactory(summit=summit)
    first, second = factories.SpeakerFactory.create_batch(2, summit=summit)

    response = organiser_client.post(
        reverse("agenda:organiser-session-create"),
        _session_post(forum, [(first, "speaker", 2), (second, "moderator", 1)]),
    )

    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("agenda:organiser-session-edit", args=[session.pk])
    assert session.starts_at == at(1, 14)
    assert session.title_zh_hant == "跨境數據流動"
    assert list(session.appearances.order_by("position").values_list("speaker", "role")) == [
        (second.pk, "moderator"),
        (first.pk, "speaker"),
    ]


@pytest.mark.django_db
def test_session_form_refuses_the_same_speaker_twice(organiser_client, summit):
    forum = factories.ForumFactory(summit=summit)
    speaker = factories.SpeakerFactory(summit=summit)

    response = organiser_client.post(
        reverse("agenda:organiser-session-create"),
        _session_post(forum, [(speaker, "speaker", 1), (speaker, "host", 2)]),
    )

    assert response.status_code == 200
    assert Session.objects.count() == 0
    assert "Each speaker can be listed once per session." in response.text


@pytest.mark.django_db
def test_session_form_refuses_an_end_before_the_start(organiser_client, summit):
    forum = factories.ForumFactory(summit=summit)

    response = organiser_client.post(
        reverse("agenda:organiser-session-create"),
        _session_post(forum, ends_at="2026-12-08T13:00"),
    )

    assert response.context["form"].errors["ends_at"] == ["A session must end after it starts."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        # Year 0 in UTC: overflowed on SQLite, stored as 1 BC on PostgreSQL, which then broke
        # every page listing sessions.
        ({"starts_at": "0001-01-01T00:00"}, "starts_at"),
        ({"starts_at": "0001-01-01T05:00", "ends_at": "0001-01-01T06:00"}, "starts_at"),
        ({"ends_at": "9999-12-31T23:59"}, "ends_at"),
    ],
)
def test_session_form_refuses_times_out_of_any_summits_calendar(
    organiser_client, summit, changes, field
):
    forum = factories.ForumFactory(summit=summit)

    response = organiser_client.post(
        reverse("agenda:organiser-session-create"), _session_post(forum, **changes)
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        "Choose a date between the years 2000 and 2999."
    ]
    assert Session.objects.count() == 0
    assert organiser_client.get(reverse("agenda:organiser-sessions")).status_code == 200


@pytest.mark.django_db
def test_session_service_refuses_times_out_of_any_summits_calendar(summit):
    import datetime

    from sessions import services
    from sessions.services.errors import InvalidTimes

    forum = factories.ForumFactory(summit=summit)
    year_one = datetime.datetime(1, 1, 1, 12, tzinfo=datetime.UTC)

    with pytest.raises(InvalidTimes) as refused:
        services.create_session(
            forum, title_en="x", starts_at=year_one, ends_at=year_one + datetime.timedelta(hours=1)
        )

    assert refused.value.field == "starts_at"


@pytest.mark.django_db
def test_session_form_shows_warnings_after_saving(organiser_client, agenda):
    existing = agenda["session"]

    response = organiser_client.post(
        reverse("agenda:organiser-session-create"),
        _session_post(existing.forum, starts_at="2026-12-08T09:30", ends_at="2026-12-08T10:30"),
        follow=True,
    )

    assert response.status_code == 200
    assert len(response.context["warnings"]) == 1
    assert "is booked twice at once" in response.text


@pytest.mark.django_db
def test_edit_session_with_notify_checkbox_signals_guests(
    organiser_client, agenda, django_capture_on_commit_callbacks
):
    session = agenda["session"]
    calls = []

    def receiver(sender, session, changed_fields, notify_guests, **kwargs):
        calls.append((changed_fields, notify_guests))

    session_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = organiser_client.post(
                reverse("agenda:organiser-session-edit", args=[session.pk]),
                _session_post(
                    session.forum,
                    [(agenda["speaker"], "speaker", 1)],
                    title_en=session.title_en,
                    title_zh_hans=session.title_zh_hans,
                    title_zh_hant=session.title_zh_hant,
                    starts_at="2026-12-08T10:00",
                    ends_at="2026-12-08T11:00",
                    notify_guests="on",
                ),
                follow=True,
            )
    finally:
        session_changed.disconnect(receiver)

    session.refresh_from_db()
    assert session.sequence == 1
    assert calls == [(frozenset({"time"}), True)]
    assert "enrolled guests will be e-mailed" in response.text


@pytest.mark.django_db
def test_edit_session_capacity_below_seats_taken_is_a_form_error(organiser_client, agenda):
    session = agenda["session"]
    Session.objects.filter(pk=session.pk).update(requires_enrolment=True, capacity=40)
    Session.objects.filter(pk=session.pk).update(seats_taken=35)

    response = organiser_client.post(
        reverse("agenda:organiser-session-edit", args=[session.pk]),
        _session_post(
            session.forum,
            [(agenda["speaker"], "speaker", 1)],
            requires_enrolment="on",
            capacity="30",
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == [
        "Guests already hold 35 seats: the capacity cannot be lower."
    ]
    session.refresh_from_db()
    assert session.capacity == 40


@pytest.mark.django_db
def test_delete_session_with_guests_is_refused(organiser_client, agenda):
    session = agenda["session"]
    Session.objects.filter(pk=session.pk).update(
        requires_enrolment=True, capacity=10, seats_taken=2
    )

    response = organiser_client.post(
        reverse("agenda:organiser-session-delete", args=[session.pk]), follow=True
    )

    assert Session.objects.filter(pk=session.pk).exists()
    assert "cancel it instead" in response.text


@pytest.mark.django_db
@pytest.mark.usefixtures("week_before_the_summit")
def test_delete_session_a_guest_waits_for_is_refused(organiser_client, agenda, pending_guest):
    session = agenda["session"]
    services.update_session(session, requires_enrolment=True, capacity=10)
    changes.change_choices(pending_guest, forum_ids=[], session_ids=[session.pk], actor=None)

    response = organiser_client.post(
        reverse("agenda:organiser-session-delete", args=[session.pk]), follow=True
    )

    assert Session.objects.filter(pk=session.pk).exists()
    assert Enrolment.objects.get(registration=pending_guest).status == Enrolment.Status.WAITLISTED
    assert [str(message) for message in response.context["messages"]] == [
        "Guests hold or wait for seats in this session: cancel it instead of deleting it."
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("week_before_the_summit")
def test_delete_forum_a_guest_waits_for_is_refused(organiser_client, summit, pending_guest):
    forum = factories.ForumFactory(summit=summit)
    changes.change_choices(pending_guest, forum_ids=[forum.pk], session_ids=[], actor=None)

    response = organiser_client.post(
        reverse("agenda:organiser-forum-delete", args=[forum.pk]), follow=True
    )

    assert Forum.objects.filter(pk=forum.pk).exists()
    assert Enrolment.objects.get(registration=pending_guest).status == Enrolment.Status.WAITLISTED
    assert [str(message) for message in response.context["messages"]] == [
        "Guests hold or wait for seats in this forum: "
        "keep it, and cancel its sessions to call it off."
    ]


@pytest.mark.django_db
def test_overview_lists_every_conflict(organiser_client, agenda):
    factories.SessionFactory(forum=agenda["forum"], title_en="Clash", starts_at=at(1, 9))

    response = organiser_client.get(reverse("agenda:organiser-overview"))

    assert len(response.context["warnings"]) == 1
    assert "Clash" in response.text
    assert reverse("agenda:organiser-session-edit", args=[agenda["session"].pk]) in response.text


@pytest.mark.django_db
def test_session_list_marks_sessions_with_warnings(organiser_client, agenda):
    factories.SessionFactory(forum=agenda["forum"], starts_at=at(1, 9))

    response = organiser_client.get(reverse("agenda:organiser-sessions"))

    assert response.text.count("1 warning<") == 2


@pytest.mark.django_db
def test_edit_session_without_changes_keeps_speakers_and_revision(organiser_client, agenda):
    session = agenda["session"]
    data = _session_post(
        session.forum,
        [(agenda["speaker"], "speaker", 1)],
        title_en=session.title_en,
        title_zh_hans=session.title_zh_hans,
        title_zh_hant=session.title_zh_hant,
        starts_at="2026-12-08T09:00",
        ends_at="2026-12-08T10:00",
    )
    data["speakers-INITIAL_FORMS"] = "1"  # as the rendered form says

    response = organiser_client.post(
        reverse("agenda:organiser-session-edit", args=[session.pk]), data
    )

    session.refresh_from_db()
    assert response.status_code == 302
    assert list(session.appearances.values_list("speaker", flat=True)) == [agenda["speaker"].pk]
    assert session.sequence == 0


@pytest.mark.django_db
def test_dashboard_shows_the_agenda_panel_to_organisers(organiser_client, agenda):
    factories.SessionFactory(forum=agenda["forum"], starts_at=at(1, 9))

    response = organiser_client.get(reverse("organiser-dashboard"))

    panel = next(p for p in response.context["panels"] if p.template.startswith("agenda/"))
    assert (panel.context["published"], panel.context["warnings"]) == (2, 1)
