"""Rules of time: a session that has started is no longer a choice, and once the summit is over
a guest's registration and choices are a record, changed or cancelled by nobody's guest page,
with no seat given to anyone. The clock is moved to moments of the summit (``at``), so each
test reads the same whatever day it runs."""

import datetime
import json

import pytest
from django.urls import reverse

from registration import changes, privacy, services
from registration.capacity import Target
from registration.models import Enrolment, OutgoingEmail, Registration
from sessions.models import Session
from tests import factories
from tests.factories import at
from tests.openapi import validate_answer
from tests.registration.conftest import API
from tests.registration.test_guest_api import bearer

pytestmark = pytest.mark.django_db

BEFORE = at(0, 10)  # the day before the summit
OVER = at(4, 0)  # midnight after the last day, in Shanghai


def move(time_machine, moment: datetime.datetime) -> None:
    # In UTC: time-machine would otherwise set the process's time zone too.
    time_machine.move_to(moment.astimezone(datetime.UTC), tick=False)


@pytest.fixture(autouse=True)
def clock(time_machine):
    """The day before the summit (before the summit and every other fixture is made)."""
    move(time_machine, BEFORE)
    return time_machine


@pytest.fixture
def workshop(summit):
    """A workshop on the first day, 14:00 to 16:00, with its own seats."""
    return factories.SessionFactory(
        forum__summit=summit,
        requires_enrolment=True,
        capacity=38,
        starts_at=at(1, 14),
        ends_at=at(1, 16),
        title_en="Workshop on data",
    )


@pytest.fixture
def later(summit):
    """A workshop on the last day."""
    return factories.SessionFactory(
        forum__summit=summit,
        requires_enrolment=True,
        capacity=1,
        starts_at=at(3, 14),
        ends_at=at(3, 16),
        title_en="Workshop on services",
    )


@pytest.fixture
def guest_client(client, guest_user):
    client.force_login(guest_user)
    return client


def seats_taken(session: Session) -> int:
    return Session.objects.get(pk=session.pk).seats_taken


# --- The summit's end --------------------------------------------------------------------


def test_summit_is_over_from_midnight_after_its_last_day_in_its_time_zone(summit):
    assert summit.ends_at == at(4, 0)
    assert summit.is_over(at(3, 23, 59)) is False
    assert summit.is_over(at(4, 0)) is True
    # 16:00 UTC on the last day is already midnight in Shanghai.
    assert summit.is_over(datetime.datetime(2026, 12, 10, 16, 0, tzinfo=datetime.UTC)) is True


# --- A session that has started -----------------------------------------------------------


@pytest.mark.parametrize("shared_cache", [True, False], ids=["shared-cache", "database"])
def test_a_session_is_choosable_until_it_starts_even_from_the_cache(
    settings, clock, summit, register, workshop, shared_cache
):
    settings.CACHE_IS_SHARED = shared_cache
    move(clock, at(1, 13, 59))
    assert services.valid_targets(summit, [], [workshop.pk]) == {
        Target("session", workshop.pk)
    }  # read, and kept in the cache when it is shared

    move(clock, at(1, 14))  # nothing is saved: only the clock moves

    with pytest.raises(services.ChoiceNotAvailable):
        services.valid_targets(summit, [], [workshop.pk])
    with pytest.raises(services.ChoiceNotAvailable):
        register(sessions=[workshop])
    assert seats_taken(workshop) == 0


def test_a_started_session_is_refused_as_a_new_choice(clock, register, workshop):
    guest = register()
    move(clock, at(3, 10))  # the scenario: 10 December, an 8 December workshop

    with pytest.raises(services.ChoiceNotAvailable):
        changes.change_choices(guest, forum_ids=[], session_ids=[workshop.pk], actor=None)

    assert guest.enrolments.count() == 0
    assert seats_taken(workshop) == 0


def test_pages_offer_only_sessions_that_have_not_started(
    clock, guest_client, guest_user, register, workshop, later
):
    move(clock, at(1, 16, 54))
    offered_to_register = guest_client.get(reverse("registration:register"))
    register(user=guest_user)

    offered_to_change = guest_client.get(reverse("registration:choices"))

    for page in (offered_to_register, offered_to_change):
        assert page.status_code == 200
        assert [s.pk for s in page.context["form"].options["sessions"]] == [later.pk]
        assert "Workshop on data" not in page.text
        assert "Workshop on services" in page.text


def test_a_held_started_session_stays_when_the_other_choices_change(
    clock, summit, guest_client, guest_user, register, workshop
):
    forum = factories.ForumFactory(summit=summit, capacity=10)
    guest = register(user=guest_user, sessions=[workshop])
    move(clock, at(2, 10))

    # The page no longer offers the workshop, so its form does not send it.
    response = guest_client.post(reverse("registration:choices"), {"forums": [forum.pk]})
    # Sent again (an app sends back what it holds), it is kept, not refused.
    changes.change_choices(guest, forum_ids=[forum.pk], session_ids=[workshop.pk], actor=guest_user)

    assert response.status_code == 302
    active = guest.enrolments.filter(status=Enrolment.Status.CONFIRMED)
    assert set(active.values_list("forum_id", "session_id")) == {
        (None, workshop.pk),
        (forum.pk, None),
    }
    assert seats_taken(workshop) == 1


def test_a_started_sessions_choice_cannot_be_cancelled(
    clock, guest_client, guest_user, register, workshop
):
    guest = register(user=guest_user, sessions=[workshop])
    enrolment = guest.enrolments.get()
    move(clock, at(1, 15))

    with pytest.raises(services.SessionStarted):
        changes.cancel_enrolment(guest, enrolment.pk, actor=None)
    page = guest_client.get(reverse("registration:mine"))
    response = guest_client.post(
        reverse("registration:cancel-enrolment", args=[enrolment.pk]), follow=True
    )

    assert "Workshop on data" in page.text
    assert "Cancel this choice" not in page.text
    assert str(services.SessionStarted.message) in response.text
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.CONFIRMED
    assert seats_taken(workshop) == 1


# --- After the summit ---------------------------------------------------------------------


@pytest.fixture
def full_later(register, later):
    """``later`` (one seat) held by one guest, with a second guest waiting for it."""
    holder = register(sessions=[later])
    waiting = register(sessions=[later])
    assert waiting.enrolments.get().status == Enrolment.Status.WAITLISTED
    return holder, waiting


def test_after_the_summit_guests_change_and_cancel_nothing(clock, register, later, full_later):
    holder, waiting = full_later
    other = register()
    move(clock, OVER)

    with pytest.raises(services.SummitOver):
        changes.change_choices(other, forum_ids=[], session_ids=[later.pk], actor=None)
    with pytest.raises(services.SummitOver):
        changes.change_choices(holder, forum_ids=[], session_ids=[], actor=None)
    with pytest.raises(services.SummitOver):
        changes.cancel_enrolment(holder, holder.enrolments.get().pk, actor=None)
    with pytest.raises(services.SummitOver):
        changes.cancel_registration(holder, actor=holder.user, by_guest=True)

    assert Registration.objects.get(pk=holder.pk).status == Registration.Status.CONFIRMED
    assert holder.enrolments.get().status == Enrolment.Status.CONFIRMED
    assert waiting.enrolments.get().status == Enrolment.Status.WAITLISTED
    assert other.enrolments.count() == 0


def test_after_the_summit_a_freed_seat_goes_to_nobody(
    clock, summit, register, later, full_later, django_capture_on_commit_callbacks
):
    holder, waiting = full_later
    summit.capacity = Registration.objects.filter(status="confirmed").count()
    summit.seats_taken = summit.capacity
    summit.save()
    waiting_for_summit = register()  # the summit is full: on its waiting list
    assert waiting_for_summit.status == Registration.Status.WAITLISTED
    move(clock, OVER)

    # An organiser may still cancel (not a guest page), but nobody is promoted.
    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_registration(holder, actor=None)

    assert Registration.objects.get(pk=holder.pk).status == Registration.Status.CANCELLED
    assert waiting.enrolments.get().status == Enrolment.Status.WAITLISTED
    assert Registration.objects.get(pk=waiting_for_summit.pk).status == "waitlisted"
    assert seats_taken(later) == 0
    kinds = set(OutgoingEmail.objects.values_list("kind", flat=True))
    assert "enrolment_promoted" not in kinds
    assert (
        OutgoingEmail.objects.filter(registration=waiting_for_summit, kind="confirmation").exists()
        is False
    )


@pytest.mark.parametrize(
    ("language", "over", "thanks"),
    [
        ("zh-hans", "峰会已经结束，报名及所选项目不能再更改。", "峰会已经结束，感谢您的参与。"),
        ("zh-hant", "峰會已經結束，報名及所選項目不能再更改。", "峰會已經結束，感謝您的參與。"),
        (
            "en",
            "The summit is over: registrations and choices can no longer be changed.",
            "The summit is over. Thank you for taking part.",
        ),
    ],
)
def test_after_the_summit_my_page_is_a_record_without_buttons(
    clock, guest_client, guest_user, register, full_later, later, language, over, thanks
):
    guest = register(user=guest_user, sessions=[])
    forum = factories.ForumFactory(summit=guest.summit, capacity=5)
    changes.change_choices(guest, forum_ids=[forum.pk], session_ids=[], actor=None)
    enrolment = guest.enrolments.get()
    move(clock, OVER)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}

    page = guest_client.get(reverse("registration:mine"), **headers)
    choices = guest_client.get(reverse("registration:choices"), follow=True, **headers)
    chosen = guest_client.post(
        reverse("registration:choices"), {"sessions": [later.pk]}, follow=True, **headers
    )
    dropped = guest_client.post(
        reverse("registration:cancel-enrolment", args=[enrolment.pk]), follow=True, **headers
    )
    cancelled = guest_client.post(reverse("registration:cancel"), follow=True, **headers)

    assert page.status_code == 200
    assert thanks in page.text
    assert "We look forward" not in page.text and "期待" not in page.text
    for url in ("cancel-enrolment", "choices", "cancel"):
        path = reverse(
            f"registration:{url}", args=[enrolment.pk] if url == "cancel-enrolment" else []
        )
        assert path not in page.text
    for response in (choices, chosen, dropped, cancelled):
        assert response.redirect_chain == [(reverse("registration:mine"), 302)]
        assert over in response.text
    assert Registration.objects.get(pk=guest.pk).status == Registration.Status.CONFIRMED
    assert list(guest.enrolments.values_list("forum_id", "session_id", "status")) == [
        (forum.pk, None, "confirmed")
    ]


# --- The guest API ------------------------------------------------------------------------


@pytest.fixture
def api_guest(summit, register):
    user = factories.UserFactory(username="chan", email="chan@example.hk")
    return register(user=user, details={"language": "zh-hans"})


@pytest.fixture
def token(api_guest, sign_in):
    return sign_in("chan@example.hk")


def put_choices(client, token, *, forums=(), sessions=(), **extra):
    body = json.dumps({"forums": list(forums), "sessions": list(sessions)})
    return client.put(
        f"{API}/choices", body, content_type="application/json", **bearer(token), **extra
    )


def test_api_refuses_a_started_session_and_keeps_a_held_one(
    clock, client, api_guest, token, workshop, later
):
    assert put_choices(client, token, sessions=[workshop.pk]).status_code == 200
    move(clock, at(1, 14))

    refused = put_choices(client, token, sessions=[workshop.pk, 987654])
    kept = put_choices(client, token, sessions=[later.pk])
    enrolment = api_guest.enrolments.get(session=workshop)
    not_cancelled = client.delete(f"{API}/choices/{enrolment.pk}", **bearer(token))

    assert refused.status_code == 400
    validate_answer(refused)
    assert kept.status_code == 200
    validate_answer(kept)
    assert sorted(c["id"] for c in kept.json()["choices"]) == [workshop.pk, later.pk]
    assert not_cancelled.status_code == 409
    validate_answer(not_cancelled)
    assert not_cancelled.json()["error"] == "session_started"
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.CONFIRMED


def test_api_after_the_summit_refuses_changes_with_summit_over(
    clock, client, api_guest, token, later, full_later
):
    assert put_choices(client, token, sessions=[later.pk]).status_code == 200  # waiting, 2nd
    enrolment = api_guest.enrolments.get()
    move(clock, OVER)

    changed = put_choices(client, token, HTTP_ACCEPT_LANGUAGE="zh-hans")
    dropped = client.delete(
        f"{API}/choices/{enrolment.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans", **bearer(token)
    )
    read = client.get(f"{API}/registration", **bearer(token))

    for answer in (changed, dropped):
        assert answer.status_code == 409
        validate_answer(answer)
        assert answer.json()["error"] == "summit_over"
        assert answer.json()["message"] == "峰会已经结束，报名及所选项目不能再更改。"
    assert read.status_code == 200
    assert [c["state"] for c in read.json()["choices"]] == ["waiting"]
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.WAITLISTED


def test_after_the_summit_a_guest_may_still_delete_their_account(clock, register, full_later):
    holder, waiting = full_later
    user = holder.user
    move(clock, OVER)

    privacy.delete_account(user)

    assert Registration.objects.get(pk=holder.pk).status == Registration.Status.CANCELLED
    assert Registration.objects.get(pk=holder.pk).user is None
    assert waiting.enrolments.get().status == Enrolment.Status.WAITLISTED
