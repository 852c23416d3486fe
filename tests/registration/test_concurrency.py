"""Capacity under real concurrency on PostgreSQL: threads, each with its own connection."""

import threading
import time
import uuid

import pytest
from django.db import close_old_connections, connection

from registration import changes, services
from registration.models import Enrolment, Registration
from sessions.models import Forum
from summit.models import Summit
from tests import factories
from tests.registration.conftest import guest_details

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GUESTS = 24
CAPACITY = 5


def run_at_once(work, items) -> list[BaseException]:
    """Run work(item) for every item in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(items))
    errors: list[BaseException] = []

    def worker(item):
        try:
            barrier.wait()
            work(item)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    close_old_connections()
    return errors


@pytest.fixture
def crowd_setup(db):
    summit = factories.SummitFactory()
    forum = factories.ForumFactory(summit=summit, capacity=CAPACITY)
    users = [factories.UserFactory() for _ in range(GUESTS)]
    return summit, forum, users


def test_concurrent_registrations_never_overbook_a_forum(crowd_setup):
    summit, forum, users = crowd_setup

    def register(user):
        services.register_guest(
            Summit.objects.get(pk=summit.pk),
            user=user,
            email=user.email,
            details=guest_details(),
            forum_ids=[forum.pk],
            submission_key=uuid.uuid4(),
        )

    errors = run_at_once(register, users)

    assert errors == []
    assert Registration.objects.count() == GUESTS
    enrolments = Enrolment.objects.filter(forum=forum)
    assert enrolments.filter(status="confirmed").count() == CAPACITY
    assert enrolments.filter(status="waitlisted").count() == GUESTS - CAPACITY
    assert Forum.objects.get(pk=forum.pk).seats_taken == CAPACITY
    assert Summit.objects.get(pk=summit.pk).seats_taken == GUESTS


def test_concurrent_double_submissions_create_one_registration_each(crowd_setup):
    summit, forum, users = crowd_setup
    keys = {user.pk: uuid.uuid4() for user in users[:8]}
    # Every guest submits the same form three times at the same moment.
    attempts = [user for user in users[:8] for _ in range(3)]

    def submit(user):
        services.register_guest(
            Summit.objects.get(pk=summit.pk),
            user=user,
            email=user.email,
            details=guest_details(),
            forum_ids=[forum.pk],
            submission_key=keys[user.pk],
        )

    errors = run_at_once(submit, attempts)

    assert errors == []
    assert Registration.objects.count() == 8
    assert Forum.objects.get(pk=forum.pk).seats_taken == CAPACITY
    assert Summit.objects.get(pk=summit.pk).seats_taken == 8


def test_concurrent_summit_capacity_waitlists_the_rest(crowd_setup):
    summit, _forum, users = crowd_setup
    Summit.objects.filter(pk=summit.pk).update(capacity=7)

    def register(user):
        services.register_guest(
            Summit.objects.get(pk=summit.pk), user=user, email=user.email, details=guest_details()
        )

    errors = run_at_once(register, users)

    assert errors == []
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert statuses.count("confirmed") == 7
    assert statuses.count("waitlisted") == GUESTS - 7
    assert Summit.objects.get(pk=summit.pk).seats_taken == 7


def test_concurrent_cancellations_promote_waiting_guests_in_order(crowd_setup):
    summit, forum, users = crowd_setup
    registrations = [
        services.register_guest(
            summit, user=user, email=user.email, details=guest_details(), forum_ids=[forum.pk]
        )[0]
        for user in users
    ]
    holders = registrations[:CAPACITY]
    waiting = registrations[CAPACITY:]
    # Holders cancel their choice while some waiting guests cancel theirs and others change
    # their minds about the forum, all at the same moment.
    quitters = waiting[:3]

    def act(registration):
        enrolment = registration.enrolments.get()
        changes.cancel_enrolment(registration, enrolment.pk, actor=None)

    errors = run_at_once(act, holders + quitters)

    assert errors == []
    confirmed = Enrolment.objects.filter(forum=forum, status="confirmed")
    assert confirmed.count() == CAPACITY
    assert Forum.objects.get(pk=forum.pk).seats_taken == CAPACITY
    # The seats went to the first in line who had not quit, in registration order.
    expected = [r.pk for r in waiting[3 : 3 + CAPACITY]]
    assert sorted(confirmed.values_list("registration_id", flat=True)) == expected


def test_concurrent_whole_cancellations_promote_waiting_registrations(crowd_setup):
    summit, forum, users = crowd_setup
    Summit.objects.filter(pk=summit.pk).update(capacity=10)
    summit.refresh_from_db()
    registrations = [
        services.register_guest(
            summit, user=user, email=user.email, details=guest_details(), forum_ids=[forum.pk]
        )[0]
        for user in users
    ]
    leaving = registrations[:6]

    errors = run_at_once(lambda r: changes.cancel_registration(r, actor=None), leaving)

    assert errors == []
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in registrations[6:16]] == ["confirmed"] * 10
    assert [statuses[r.pk] for r in registrations[16:]] == ["waitlisted"] * 8
    assert Summit.objects.get(pk=summit.pk).seats_taken == 10
    confirmed = Enrolment.objects.filter(forum=forum, status="confirmed")
    assert Forum.objects.get(pk=forum.pk).seats_taken == confirmed.count() == CAPACITY
    assert not confirmed.exclude(registration__status="confirmed").exists()


def test_concurrent_choice_changes_across_forums_do_not_deadlock(crowd_setup):
    summit, forum, users = crowd_setup
    other = factories.ForumFactory(summit=summit, capacity=CAPACITY)
    registrations = [
        services.register_guest(
            summit,
            user=user,
            email=user.email,
            details=guest_details(),
            forum_ids=[forum.pk] if n % 2 else [other.pk],
        )[0]
        for n, user in enumerate(users)
    ]

    def swap(registration):
        current = registration.enrolments.get().forum_id
        target = other.pk if current == forum.pk else forum.pk
        changes.change_choices(registration, forum_ids=[target], session_ids=[], actor=None)

    errors = run_at_once(swap, registrations)

    assert errors == []
    for each in (forum, other):
        confirmed = Enrolment.objects.filter(forum=each, status="confirmed").count()
        assert Forum.objects.get(pk=each.pk).seats_taken == confirmed == CAPACITY


def test_concurrent_registrations_and_cancellations_do_not_deadlock(crowd_setup):
    # A registration locks the summit, then forums; a cancellation must take them in the
    # same order, or each waits for the other for ever (PostgreSQL then aborts one).
    summit, forum, users = crowd_setup
    Summit.objects.filter(pk=summit.pk).update(capacity=12)
    summit.refresh_from_db()
    registered = [
        services.register_guest(
            summit, user=user, email=user.email, details=guest_details(), forum_ids=[forum.pk]
        )[0]
        for user in users[:10]
    ]
    leaving, newcomers = registered[:6], users[10:18]

    def act(item):
        kind, who = item
        if kind == "cancel":
            changes.cancel_registration(who, actor=None)
        else:
            services.register_guest(
                summit, user=who, email=who.email, details=guest_details(), forum_ids=[forum.pk]
            )

    errors = run_at_once(act, [("cancel", r) for r in leaving] + [("new", u) for u in newcomers])

    assert errors == []
    summit.refresh_from_db()
    confirmed = Registration.objects.filter(summit=summit, status="confirmed")
    assert summit.seats_taken == confirmed.count() == 12  # 4 stayed, 8 came
    seated = Enrolment.objects.filter(forum=forum, status="confirmed")
    assert Forum.objects.get(pk=forum.pk).seats_taken == seated.count() == CAPACITY
    assert not seated.exclude(registration__status="confirmed").exists()


def test_a_cancellation_waits_for_the_summit_before_it_takes_the_forums(crowd_setup):
    """A registration has taken its summit seat (it holds the summit row) and is about to take
    a forum seat when another guest cancels. The cancellation must wait for the summit while
    holding no forum: had it taken the forums first, each would wait for the other."""
    from django.db import transaction
    from django.db.models import F

    from tests.conftest import someone_waits_for_my_lock

    summit, forum, users = crowd_setup
    [leaving] = [
        services.register_guest(
            summit, user=users[0], email=users[0].email, details=guest_details(),
            forum_ids=[forum.pk],
        )[0]
    ]  # fmt: skip
    seat_taken = threading.Event()
    outcome = {}

    def registration_in_flight():
        try:
            with transaction.atomic():
                # What register_guest does, in its order: the summit seat, then the forum's.
                Summit.objects.filter(pk=summit.pk).update(seats_taken=F("seats_taken"))
                seat_taken.set()
                outcome["cancellation waited"] = someone_waits_for_my_lock()
                list(Forum.objects.select_for_update(no_key=True).filter(pk=forum.pk))
        except Exception as error:
            outcome["registration failed"] = error
        finally:
            connection.close()

    def cancellation():
        try:
            seat_taken.wait(10)
            changes.cancel_registration(leaving, actor=None)
        except Exception as error:
            outcome["cancellation failed"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for work in (registration_in_flight, cancellation)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    close_old_connections()

    assert outcome == {"cancellation waited": True}
    leaving.refresh_from_db()
    assert leaving.status == Registration.Status.CANCELLED
    assert Summit.objects.get(pk=summit.pk).seats_taken == 0
    assert Forum.objects.get(pk=forum.pk).seats_taken == 0


def test_a_summit_promotion_passes_over_a_guest_busy_with_their_registration(crowd_setup):
    """The first in the summit's line is changing their registration (its row is locked) when
    a seat frees: the seat goes to the next in line at once, without waiting for them."""
    from django.db import transaction

    from tests.conftest import someone_waits_for_my_lock

    summit, _forum, users = crowd_setup
    Summit.objects.filter(pk=summit.pk).update(capacity=1)
    holder, busy, next_in_line = (
        services.register_guest(summit, user=user, email=user.email, details=guest_details())[0]
        for user in users[:3]
    )
    busy_locked, promoted = threading.Event(), threading.Event()
    outcome = {}

    def guest_changing_their_registration():
        try:
            with transaction.atomic():
                list(Registration.objects.select_for_update(no_key=True).filter(pk=busy.pk))
                busy_locked.set()
                deadline = time.monotonic() + 20
                while not promoted.is_set() and time.monotonic() < deadline:
                    if someone_waits_for_my_lock(timeout=0.05):
                        outcome["promotion waited"] = True
                        break
        finally:
            connection.close()

    def cancellation():
        try:
            busy_locked.wait(10)
            changes.cancel_registration(holder, actor=None)
            promoted.set()
        except Exception as error:
            outcome["cancellation failed"] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work) for work in (guest_changing_their_registration, cancellation)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    close_old_connections()

    assert outcome == {}
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in (holder, busy, next_in_line)] == [
        "cancelled",
        "waitlisted",
        "confirmed",
    ]


def test_the_summit_lock_lets_rows_that_refer_to_the_summit_be_written(crowd_setup):
    """lock_summit keeps other writers of the summit row out, not guests' new rows that refer
    to it (FOR NO KEY UPDATE): a new registration is written while a cancellation holds it."""
    from django.db import transaction

    from registration import capacity
    from tests.conftest import someone_waits_for_my_lock

    summit, _forum, users = crowd_setup
    locked, written = threading.Event(), threading.Event()
    outcome = {}

    def cancellation_holding_the_summit():
        try:
            with transaction.atomic():
                capacity.lock_summit(summit.pk)
                locked.set()
                deadline = time.monotonic() + 20
                while not written.is_set() and time.monotonic() < deadline:
                    if someone_waits_for_my_lock(timeout=0.05):
                        outcome["new registration waited"] = True
                        break
        finally:
            connection.close()

    def new_registration():
        try:
            locked.wait(10)
            factories.RegistrationFactory(summit=summit, user=users[0], status="pending")
            written.set()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work)
        for work in (cancellation_holding_the_summit, new_registration)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    close_old_connections()

    assert outcome == {}
    assert Registration.objects.filter(summit=summit, user=users[0]).count() == 1
