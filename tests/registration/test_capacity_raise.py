"""Raising a capacity moves the waiting list into the new seats at once."""

import pytest

from registration.models import Enrolment, Registration
from sessions import services as agenda_services
from summit.services import update_summit
from summit.signals import capacity_raised
from tests import factories

pytestmark = pytest.mark.django_db


def test_raising_a_forum_capacity_promotes_the_first_in_line(
    register, small_forum, django_capture_on_commit_callbacks, mailoutbox
):
    for _ in range(2):
        register(forums=[small_forum])
    first, second, third = (register(forums=[small_forum]) for _ in range(3))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        agenda_services.update_forum(small_forum, capacity=4)

    statuses = [r.enrolments.get().status for r in (first, second, third)]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    small_forum.refresh_from_db()
    assert small_forum.seats_taken == 4
    assert sorted(message.to[0] for message in mailoutbox) == sorted([first.email, second.email])


def test_removing_a_session_limit_promotes_everyone_waiting(
    summit, register, django_capture_on_commit_callbacks
):
    workshop = factories.SessionFactory(forum__summit=summit, requires_enrolment=True, capacity=1)
    register(sessions=[workshop])
    waiting = [register(sessions=[workshop]) for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        agenda_services.update_session(workshop, capacity=None)

    assert [r.enrolments.get().status for r in waiting] == ["confirmed", "confirmed"]
    workshop.refresh_from_db()
    assert workshop.seats_taken == 3


def test_lowering_a_capacity_promotes_no_one(
    register, small_forum, django_capture_on_commit_callbacks
):
    for _ in range(2):
        register(forums=[small_forum])
    waiting = register(forums=[small_forum])
    agenda_services.update_forum(small_forum, capacity=10)
    # (the line above, outside the capture block, sends nothing: on_commit never runs)
    waiting.enrolments.update(status=Enrolment.Status.WAITLISTED)

    raised = []

    def record(sender, **kwargs):
        raised.append(kwargs)

    capacity_raised.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            agenda_services.update_forum(small_forum, capacity=9)
    finally:
        capacity_raised.disconnect(record)

    assert raised == []
    assert waiting.enrolments.get().status == Enrolment.Status.WAITLISTED


def test_raising_the_summit_capacity_confirms_waiting_registrations(
    summit, register, django_capture_on_commit_callbacks
):
    update_summit(summit, capacity=1)
    register()
    waiting = register()
    assert waiting.status == Registration.Status.WAITLISTED

    with django_capture_on_commit_callbacks(execute=True):
        update_summit(summit, capacity=2)

    waiting.refresh_from_db()
    summit.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert summit.seats_taken == 2
