import datetime
import io

import pytest
from django.core.management import call_command

from sessions.colours import contrast_ratio
from sessions.models import Forum, Session, SessionSpeaker, Speaker
from sessions.warnings import schedule_warnings
from summit.models import Room, Summit


def _seed():
    call_command("seed_demo", guests=0, stdout=io.StringIO())


def _counts():
    return {
        "summits": Summit.objects.count(),
        "rooms": Room.objects.count(),
        "forums": Forum.objects.count(),
        "speakers": Speaker.objects.count(),
        "sessions": Session.objects.count(),
        "appearances": SessionSpeaker.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_creates_the_summit_agenda():
    _seed()

    counts = _counts()
    assert counts["summits"] == 1
    assert counts["forums"] == 8
    assert counts["speakers"] >= 25
    assert counts["sessions"] >= 40


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_data():
    _seed()
    first = _counts()
    uids = set(Session.objects.values_list("uid", flat=True))

    _seed()

    assert _counts() == first
    assert set(Session.objects.values_list("uid", flat=True)) == uids


@pytest.mark.django_db
def test_seed_demo_again_keeps_seat_counters_and_revisions():
    _seed()
    workshop = Session.objects.filter(requires_enrolment=True).first()
    Session.objects.filter(pk=workshop.pk).update(seats_taken=5, sequence=3)

    _seed()

    workshop.refresh_from_db()
    assert (workshop.seats_taken, workshop.sequence) == (5, 3)


@pytest.mark.django_db
def test_seed_demo_has_a_plenary_and_seven_themed_forums_in_three_languages():
    _seed()

    forums = list(Forum.objects.order_by("position"))
    assert [forum.kind for forum in forums] == ["plenary"] + ["themed"] * 7
    for forum in forums:
        assert forum.title_en and forum.title_zh_hans and forum.title_zh_hant, forum.slug
        assert forum.description_zh_hant, forum.slug
        assert forum.room is not None, forum.slug
        assert contrast_ratio(forum.colour, "#ffffff") >= 4.5, forum.slug
    assert len({forum.colour for forum in forums}) == 8


@pytest.mark.django_db
def test_seed_demo_agenda_runs_over_the_three_days_without_conflicts():
    _seed()
    summit = Summit.objects.get()
    tz = summit.tzinfo

    days = {s.starts_at.astimezone(tz).date() for s in Session.objects.all()}
    opening = Session.objects.get(format="ceremony", starts_at__date=datetime.date(2026, 12, 8))

    assert days == {datetime.date(2026, 12, day) for day in (8, 9, 10)}
    assert opening.room.slug == "plenary-hall"
    assert opening.forum.kind == "plenary"
    assert Session.objects.filter(format="keynote", forum__kind="plenary").count() >= 3
    assert schedule_warnings(summit) == []


@pytest.mark.django_db
def test_seed_demo_has_small_workshops_and_one_cancelled_session():
    _seed()

    workshops = Session.objects.filter(requires_enrolment=True)

    assert workshops.count() >= 3
    assert all(w.capacity is not None and w.capacity <= 80 for w in workshops)
    assert Session.objects.filter(status=Session.Status.CANCELLED).count() == 1


@pytest.mark.django_db
def test_seed_demo_speakers_come_from_everywhere_in_both_scripts():
    _seed()

    speakers = list(Speaker.objects.all())

    assert any(s.name == "陳大文" and s.name_latin == "Chan Tai Man" for s in speakers)
    assert any(s.name_latin == "João Conceição" for s in speakers)
    assert all(
        s.affiliation_en and s.affiliation_zh_hans and s.affiliation_zh_hant for s in speakers
    )
    assert SessionSpeaker.objects.values("speaker").distinct().count() == len(speakers)
