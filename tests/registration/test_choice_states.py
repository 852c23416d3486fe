"""Each choice says what it really is: a seat, awaiting approval, or a place in line."""

import pytest
from django.urls import reverse

from registration import changes
from registration.selectors import choices_of, summit_waiting_position
from tests import factories

pytestmark = pytest.mark.django_db


def states(registration) -> list[tuple[str, str, int | None]]:
    return [(c.title, c.state, c.position) for c in choices_of(registration)]


def test_pending_registration_choices_await_approval_not_the_waiting_list(
    register, summit, small_forum
):
    summit.approval_required = True
    summit.save()

    registration = register(forums=[small_forum])

    assert registration.status == "pending"
    assert states(registration) == [(small_forum.title_en, "awaiting_approval", None)]


def test_confirmed_registration_choice_on_a_full_forum_has_its_place_in_line(register, small_forum):
    register(forums=[small_forum])
    register(forums=[small_forum])
    first_waiting = register(forums=[small_forum])
    second_waiting = register(forums=[small_forum])

    assert states(first_waiting) == [(small_forum.title_en, "waiting", 1)]
    assert states(second_waiting) == [(small_forum.title_en, "waiting", 2)]


def test_place_in_line_moves_up_when_someone_ahead_gives_up(register, small_forum, guest_user):
    register(forums=[small_forum])
    register(forums=[small_forum])
    ahead = register(forums=[small_forum])
    behind = register(forums=[small_forum])

    changes.cancel_enrolment(ahead, ahead.enrolments.get().pk, actor=guest_user)

    assert states(behind) == [(small_forum.title_en, "waiting", 1)]


def test_pending_guests_are_not_counted_ahead_in_line(register, summit, small_forum):
    register(forums=[small_forum])
    register(forums=[small_forum])
    summit.approval_required = True
    summit.save()
    register(forums=[small_forum])  # pending: not in line for a seat
    summit.approval_required = False
    summit.save()

    waiting = register(forums=[small_forum])

    assert states(waiting) == [(small_forum.title_en, "waiting", 1)]


def test_registration_waiting_for_the_summit_has_its_place_and_its_choices_wait_for_it(
    register, summit, small_forum
):
    summit.capacity = 1
    summit.save()
    register()
    first = register(forums=[small_forum])
    second = register()

    assert first.status == "waitlisted"
    assert summit_waiting_position(first) == 1
    assert summit_waiting_position(second) == 2
    assert states(first) == [(small_forum.title_en, "awaiting_summit_place", None)]


def test_my_registration_page_shows_each_choice_state_while_pending(
    client, guest_user, register, summit, small_forum
):
    summit.approval_required = True
    summit.save()
    register(user=guest_user, forums=[small_forum])
    client.force_login(guest_user)

    response = client.get(reverse("registration:mine"))

    assert response.status_code == 200
    assert 'data-choice-state="awaiting_approval">Awaiting approval</span>' in response.text
    assert "waiting list</span>" not in response.text


def test_my_registration_page_in_chinese_shows_the_place_in_line(
    client, guest_user, register, small_forum
):
    register(forums=[small_forum])
    register(forums=[small_forum])
    register(user=guest_user, forums=[small_forum])
    client.force_login(guest_user)

    hans = client.get(reverse("registration:mine"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    hant = client.get(reverse("registration:mine"), HTTP_ACCEPT_LANGUAGE="zh-hant")

    assert 'data-choice-state="waiting">候补名单：第 1 位</span>' in hans.text
    assert 'data-choice-state="waiting">候補名單：第 1 位</span>' in hant.text


def test_change_choices_page_marks_each_held_choice_with_its_state(
    client, guest_user, register, summit, small_forum
):
    summit.approval_required = True
    summit.save()
    other = factories.ForumFactory(summit=summit, capacity=10, slug="economy")
    register(user=guest_user, forums=[small_forum])
    client.force_login(guest_user)

    response = client.get(reverse("registration:choices"))

    assert response.text.count('data-choice-state="awaiting_approval"') == 1
    forum_card = response.text.split(f'value="{small_forum.pk}"')[1].split("</label>")[0]
    other_card = response.text.split(f'value="{other.pk}"')[1].split("</label>")[0]
    assert "Awaiting approval" in forum_card
    assert "data-choice-state" not in other_card


def test_confirmation_email_lists_choices_with_seat_or_place_in_line(
    mailoutbox, register, summit, small_forum, django_capture_on_commit_callbacks
):
    other = factories.ForumFactory(summit=summit, capacity=10, slug="economy", title_en="Economy")
    register(forums=[small_forum])
    register(forums=[small_forum])

    with django_capture_on_commit_callbacks(execute=True):
        register(forums=[small_forum, other], details={"language": "en"})

    [message] = mailoutbox
    assert f"- {small_forum.title_en}: Waiting list: number 1\n" in message.body
    assert "- Economy: Your seat\n" in message.body
