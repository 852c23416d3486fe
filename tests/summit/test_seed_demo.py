import datetime
import io
import json
import re
import zoneinfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from sessions.colours import contrast_ratio
from sessions.models import Forum, Session, SessionSpeaker, Speaker
from sessions.warnings import schedule_warnings
from summit.models import Room, Summit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Moments the demo must work at: before, during and long after the real edition, and late in
# the evening in Shanghai when it is still the day before in UTC.
MOMENTS = {
    "before": datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI),
    "during": datetime.datetime(2026, 12, 9, 10, 30, tzinfo=SHANGHAI),
    "after": datetime.datetime(2027, 1, 15, 10, 0, tzinfo=SHANGHAI),
    "shanghai-morning-utc-evening": datetime.datetime(2027, 3, 2, 7, 30, tzinfo=SHANGHAI),
}


def _seed(*options: str, guests: int = 0) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--guests", str(guests), *options, stdout=out)
    return out.getvalue()


def _travel(time_machine, moment: datetime.datetime) -> None:
    # In UTC: time-machine would otherwise set the process's time zone too.
    time_machine.move_to(moment.astimezone(datetime.UTC), tick=False)


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
    _seed("--real-dates")
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


# --- Dates: the demo works on the day it is loaded ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("moment", MOMENTS.values(), ids=MOMENTS.keys())
def test_seed_demo_summit_starts_today_with_registration_open(time_machine, moment):
    _travel(time_machine, moment)

    _seed()

    summit = Summit.objects.get()
    today = moment.date()
    assert summit.days == [today + datetime.timedelta(days=n) for n in range(3)]
    assert summit.registration_is_open(moment)
    assert summit.registration_closes_at == datetime.datetime.combine(
        summit.ends_on, datetime.time(18), tzinfo=SHANGHAI
    )
    sessions = Session.objects.all()
    assert {s.starts_at.astimezone(SHANGHAI).date() for s in sessions} == set(summit.days)
    assert schedule_warnings(summit) == []


@pytest.mark.django_db
def test_seed_demo_real_dates_is_the_real_edition(time_machine):
    _travel(time_machine, MOMENTS["after"])

    _seed("--real-dates")

    summit = Summit.objects.get()
    assert (summit.starts_on, summit.ends_on) == (
        datetime.date(2026, 12, 8),
        datetime.date(2026, 12, 10),
    )
    assert (summit.registration_opens_at, summit.registration_closes_at) == (
        datetime.datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI),
        datetime.datetime(2026, 12, 7, 18, 0, tzinfo=SHANGHAI),
    )
    assert not summit.registration_is_open(MOMENTS["after"])


@pytest.mark.django_db
def test_seed_demo_on_a_later_day_moves_the_agenda_and_the_doors_along(time_machine):
    from badges.checkin.models import Checkpoint

    _travel(time_machine, MOMENTS["during"])
    _seed()
    first = {s.uid: s.starts_at for s in Session.objects.all()}

    _travel(time_machine, MOMENTS["after"])
    _seed()

    moved = MOMENTS["after"].date() - MOMENTS["during"].date()
    assert {s.uid: s.starts_at for s in Session.objects.all()} == {
        uid: starts_at + moved for uid, starts_at in first.items()
    }
    assert Checkpoint.objects.get(slug="main-entrance-day-1").day == MOMENTS["after"].date()
    assert Checkpoint.objects.get(slug="main-entrance-day-3").day == MOMENTS["after"].date() + (
        datetime.timedelta(days=2)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("moment", MOMENTS.values(), ids=MOMENTS.keys())
def test_demo_journeys_work_on_any_day(client, time_machine, moment):
    """make demo's journeys: a newcomer registers, and the README's check-in example (the
    demo device's token, a demo guest's badge, checkpoint main-entrance-day-1) admits."""
    from badges.checkin import checkpoints, devices
    from badges.models import Badge
    from badges.signing import sign_badge
    from registration.models import Registration
    from tests import factories
    from tests.registration.conftest import form_data

    # Each process remembers checkpoints and devices for a few seconds: not from another test.
    checkpoints.forget_checkpoints()
    devices.forget_devices()
    _travel(time_machine, moment)
    output = _seed(guests=20)

    newcomer = factories.UserFactory(username="newcomer", email="newcomer@example.org")
    client.force_login(newcomer)
    forum = Forum.objects.filter(kind="themed").first()
    response = client.post(reverse("registration:register"), form_data(forums=[forum.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:mine")
    assert Registration.objects.get(user=newcomer).status == Registration.Status.PENDING

    [token] = re.findall(r"Door device token:\s+(\S+)", output)
    badge = Badge.objects.filter(registration__status="confirmed", revoked_at=None).first()
    client.logout()
    response = client.post(
        "/api/v1/checkin",
        data=json.dumps(
            {
                "code": sign_badge(badge.pk, badge.serial),
                "checkpoint": "main-entrance-day-1",
                "scan_id": "7d0c8a51-5d2c-4a53-9f1e-0c6f9d8b8a10",
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "ok"

    # The invitation link said at the end opens the invitee's form, filled in; registering
    # with it is one tap.
    [link] = re.findall(r"Invitation link:\s+(\S+)", output)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}")
    assert page.status_code == 200
    assert page.context["form"]["name_latin"].value() == "Chan Tai Man"
    invited = client.post(f"/{path}", form_data(name="陳大文", name_latin="Chan Tai Man"))
    assert invited.status_code == 302
    assert Registration.objects.get(email="invitee01@guests.bayline.test").status == "confirmed"


@pytest.mark.django_db
def test_seed_demo_has_invitations_waiting_for_an_answer():
    from registration import invitations

    _seed()
    _seed()  # twice: nothing twice

    summit = Summit.objects.get()
    pending = invitations.unanswered(summit)
    assert pending.count() == 8
    assert sorted(set(pending.values_list("language", flat=True))) == ["en", "zh-hans", "zh-hant"]
