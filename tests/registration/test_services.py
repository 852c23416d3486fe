import datetime
import re
import uuid

import pytest
from django.utils import timezone

from registration import changes, services
from registration.models import Enrolment, Registration
from registration.search import search_text_for
from registration.signals import registration_status_changed
from sessions.models import Forum
from summit.models import Summit
from tests import factories
from tests.registration.conftest import guest_details

pytestmark = pytest.mark.django_db


def seats(obj) -> int:
    return type(obj).objects.get(pk=obj.pk).seats_taken


def test_register_without_approval_confirms_and_takes_seats(summit, register, small_forum):
    registration = register(forums=[small_forum])

    assert registration.status == Registration.Status.CONFIRMED
    assert registration.enrolments.get().status == Enrolment.Status.CONFIRMED
    assert seats(summit) == 1
    assert seats(small_forum) == 1
    assert registration.consent_version == services.CONSENT_VERSION
    assert registration.consent_given_at is not None


def test_register_when_approval_required_is_pending_and_takes_no_seat(
    summit, register, small_forum
):
    Summit.objects.filter(pk=summit.pk).update(approval_required=True)
    summit.refresh_from_db()

    registration = register(forums=[small_forum])

    assert registration.status == Registration.Status.PENDING
    assert registration.enrolments.get().status == Enrolment.Status.WAITLISTED
    assert (seats(summit), seats(small_forum)) == (0, 0)


def test_register_when_summit_full_is_waitlisted(summit, register):
    Summit.objects.filter(pk=summit.pk).update(capacity=1)
    summit.refresh_from_db()
    register()

    second = register()

    assert second.status == Registration.Status.WAITLISTED
    assert seats(summit) == 1


def test_register_when_forum_full_waitlists_the_choice(register, small_forum):
    register(forums=[small_forum])
    register(forums=[small_forum])

    third = register(forums=[small_forum])

    assert third.status == Registration.Status.CONFIRMED
    assert third.enrolments.get().status == Enrolment.Status.WAITLISTED
    assert seats(small_forum) == 2


def test_seats_of_a_new_registration_are_taken_by_the_rules_in_lock_order(summit, register):
    """Forums before sessions, each by id; a full one (or one that is gone) is refused and
    the others are taken; a summit without a seat takes nothing. On PostgreSQL in one call
    of registration_take_seats, elsewhere through the ORM."""
    from django.db import transaction

    from registration.capacity import Target, take_seats

    full = factories.ForumFactory(summit=summit, capacity=1, seats_taken=1)
    unlimited = factories.ForumFactory(summit=summit, capacity=None)
    session = factories.SessionFactory(forum=unlimited, requires_enrolment=True, capacity=5)
    targets = {Target("session", session.pk), Target("forum", full.pk)}
    targets |= {Target("forum", unlimited.pk), Target("forum", 10**9)}

    with transaction.atomic():
        seat, refused = take_seats(summit.pk, targets)
    assert (seat, refused) == (True, {Target("forum", full.pk), Target("forum", 10**9)})
    assert [seats(summit), seats(full), seats(unlimited), seats(session)] == [1, 1, 1, 1]

    Summit.objects.filter(pk=summit.pk).update(capacity=1)
    with transaction.atomic():
        assert take_seats(summit.pk, targets) == (False, set())
    assert [seats(summit), seats(full), seats(unlimited), seats(session)] == [1, 1, 1, 1]


def test_a_registration_takes_its_seats_in_one_statement_on_postgresql(summit, register):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("the database function is PostgreSQL's")
    forums = factories.ForumFactory.create_batch(2, summit=summit, capacity=10)
    with CaptureQueriesContext(connection) as queries:
        registration = register(forums=forums)

    assert seats(summit) == 1 and [seats(forum) for forum in forums] == [1, 1]
    assert {e.status for e in registration.enrolments.all()} == {Enrolment.Status.CONFIRMED}
    seat_statements = [q["sql"] for q in queries if re.search("seats_taken|take_seats", q["sql"])]
    assert len(seat_statements) == 1 and "registration_take_seats" in seat_statements[0]


def test_register_outside_window_is_refused(summit, register):
    Summit.objects.filter(pk=summit.pk).update(
        registration_opens_at=timezone.now() - datetime.timedelta(days=10),
        registration_closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    summit.refresh_from_db()

    with pytest.raises(services.RegistrationClosed):
        register()

    assert Registration.objects.count() == 0


def test_register_twice_with_same_submission_key_creates_one(summit, register, small_forum):
    user = factories.UserFactory()
    key = uuid.uuid4()

    first = register(user=user, forums=[small_forum], submission_key=key)
    again = register(user=user, forums=[small_forum], submission_key=key)

    assert again.pk == first.pk
    assert Registration.objects.count() == 1
    assert seats(summit) == 1
    assert seats(small_forum) == 1


def test_register_again_with_new_key_is_refused(register):
    user = factories.UserFactory()
    register(user=user, submission_key=uuid.uuid4())

    with pytest.raises(services.AlreadyRegistered):
        register(user=user, submission_key=uuid.uuid4())


def test_register_again_without_keys_is_refused(register):
    user = factories.UserFactory()
    register(user=user)

    with pytest.raises(services.AlreadyRegistered):
        register(user=user)

    assert Registration.objects.count() == 1


def test_register_with_someone_elses_submission_key_is_refused(register):
    key = uuid.uuid4()
    register(submission_key=key)

    with pytest.raises(services.AlreadyRegistered):
        register(submission_key=key)

    assert Registration.objects.count() == 1


def test_resubmission_after_registration_closed_returns_the_registration(summit, register):
    user = factories.UserFactory()
    key = uuid.uuid4()
    first = register(user=user, submission_key=key)
    Summit.objects.filter(pk=summit.pk).update(
        registration_closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    summit.refresh_from_db()

    again = register(user=user, submission_key=key)

    assert again.pk == first.pk
    with pytest.raises(services.RegistrationClosed):
        register(submission_key=uuid.uuid4())


def test_resubmission_after_forum_withdrawn_returns_the_registration(register, small_forum):
    user = factories.UserFactory()
    key = uuid.uuid4()
    first = register(user=user, forums=[small_forum], submission_key=key)
    Forum.objects.filter(pk=small_forum.pk).update(kind=Forum.Kind.PLENARY)

    again = register(user=user, forums=[small_forum], submission_key=key)

    assert again.pk == first.pk
    with pytest.raises(services.AlreadyRegistered):
        register(user=user, forums=[small_forum], submission_key=uuid.uuid4())


def test_register_with_address_already_registered_is_refused(register):
    register(user=factories.UserFactory(email="twin@example.org"))
    other = factories.UserFactory(email="twin@example.org")

    with pytest.raises(services.EmailAlreadyRegistered):
        register(user=other)


def test_register_plenary_forum_is_not_choosable(summit, register):
    plenary = factories.ForumFactory(summit=summit, kind=Forum.Kind.PLENARY)

    with pytest.raises(services.ChoiceNotAvailable):
        register(forums=[plenary])


def test_register_session_needs_requires_enrolment(summit, register):
    open_session = factories.SessionFactory(forum__summit=summit)
    workshop = factories.SessionFactory(
        forum=open_session.forum, requires_enrolment=True, capacity=1
    )

    with pytest.raises(services.ChoiceNotAvailable):
        register(sessions=[open_session])
    registration = register(sessions=[workshop])

    assert registration.enrolments.get().session == workshop
    assert seats(workshop) == 1


def test_invitation_skips_approval_and_sets_category(summit, register):
    Summit.objects.filter(pk=summit.pk).update(approval_required=True)
    summit.refresh_from_db()
    invitation = factories.InvitationFactory(summit=summit, category="speaker")

    registration = register(invitation=invitation)

    assert registration.status == Registration.Status.CONFIRMED
    assert registration.category == "speaker"
    assert registration.invitation == invitation


def test_invitation_used_once(summit, register):
    invitation = factories.InvitationFactory(summit=summit)
    register(invitation=invitation)

    with pytest.raises(services.InvitationNotValid):
        register(invitation=invitation)


def test_invitation_used_is_said_before_the_address_or_the_choices(summit, register):
    invitation = factories.InvitationFactory(summit=summit)
    first = register(invitation=invitation)
    same_address = factories.UserFactory(email=first.email)
    elsewhere = factories.ForumFactory(summit=factories.SummitFactory(slug="elsewhere"))

    with pytest.raises(services.InvitationNotValid):
        register(invitation=invitation, user=same_address)
    with pytest.raises(services.InvitationNotValid):
        register(invitation=invitation, forums=[elsewhere])
    assert Registration.objects.filter(invitation=invitation).count() == 1


def test_invitation_revoked_or_expired_is_refused(summit, register):
    revoked = factories.InvitationFactory(summit=summit, revoked_at=timezone.now())
    expired = factories.InvitationFactory(
        summit=summit, expires_at=timezone.now() - datetime.timedelta(hours=1)
    )

    with pytest.raises(services.InvitationNotValid):
        register(invitation=revoked)
    with pytest.raises(services.InvitationNotValid):
        register(invitation=expired)


def test_cancel_enrolment_promotes_first_in_line(register, small_forum):
    holder = register(forums=[small_forum])
    register(forums=[small_forum])
    first_waiting = register(forums=[small_forum])
    second_waiting = register(forums=[small_forum])

    changes.cancel_enrolment(holder, holder.enrolments.get().pk, actor=None)

    assert first_waiting.enrolments.get().status == Enrolment.Status.CONFIRMED
    assert first_waiting.enrolments.get().promoted_at is not None
    assert second_waiting.enrolments.get().status == Enrolment.Status.WAITLISTED
    assert seats(small_forum) == 2


def test_waiting_list_order_is_created_at_then_id(register, small_forum):
    holders = [register(forums=[small_forum]) for _ in range(2)]
    later = register(forums=[small_forum])
    earlier = register(forums=[small_forum])
    moment = timezone.now() - datetime.timedelta(minutes=5)
    Enrolment.objects.filter(registration__in=[later, earlier]).update(created_at=moment)

    changes.cancel_enrolment(holders[0], holders[0].enrolments.get().pk, actor=None)

    # Same time: the lower id (registered first) wins.
    assert later.enrolments.get().status == Enrolment.Status.CONFIRMED
    assert earlier.enrolments.get().status == Enrolment.Status.WAITLISTED


def test_waiting_list_order_is_when_guests_joined_not_their_id(register, small_forum):
    holders = [register(forums=[small_forum]) for _ in range(2)]
    joined_later = register(forums=[small_forum])
    joined_first = register(forums=[small_forum])  # a higher id, but waiting longer
    now = timezone.now()
    Enrolment.objects.filter(registration=joined_later).update(
        created_at=now - datetime.timedelta(minutes=5)
    )
    Enrolment.objects.filter(registration=joined_first).update(
        created_at=now - datetime.timedelta(minutes=10)
    )

    changes.cancel_enrolment(holders[0], holders[0].enrolments.get().pk, actor=None)

    assert joined_first.enrolments.get().status == Enrolment.Status.CONFIRMED
    assert joined_later.enrolments.get().status == Enrolment.Status.WAITLISTED


def test_summit_waiting_list_order_is_when_guests_joined_not_their_id(summit, register):
    Summit.objects.filter(pk=summit.pk).update(capacity=1)
    summit.refresh_from_db()
    holder = register()
    joined_later = register()
    joined_first = register()  # a higher id, but waiting longer
    now = timezone.now()
    Registration.objects.filter(pk=joined_later.pk).update(
        created_at=now - datetime.timedelta(minutes=5)
    )
    Registration.objects.filter(pk=joined_first.pk).update(
        created_at=now - datetime.timedelta(minutes=10)
    )

    changes.cancel_registration(holder, actor=None)

    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert (statuses[joined_first.pk], statuses[joined_later.pk]) == ("confirmed", "waitlisted")


def test_pending_guest_on_waiting_list_is_skipped_by_promotion(summit, register, small_forum):
    holder = register(forums=[small_forum])
    register(forums=[small_forum])
    Summit.objects.filter(pk=summit.pk).update(approval_required=True)
    summit.refresh_from_db()
    pending = register(forums=[small_forum])
    Summit.objects.filter(pk=summit.pk).update(approval_required=False)
    summit.refresh_from_db()
    confirmed_waiting = register(forums=[small_forum])

    changes.cancel_enrolment(holder, holder.enrolments.get().pk, actor=None)

    assert pending.enrolments.get().status == Enrolment.Status.WAITLISTED
    assert confirmed_waiting.enrolments.get().status == Enrolment.Status.CONFIRMED


def test_cancel_registration_frees_seats_and_promotes_waiting_registration(summit, register):
    forum = factories.ForumFactory(summit=summit, capacity=1)
    Summit.objects.filter(pk=summit.pk).update(capacity=1)
    summit.refresh_from_db()
    holder = register(forums=[forum])
    waiting = register(forums=[forum])

    changes.cancel_registration(holder, actor=None)

    waiting.refresh_from_db()
    holder.refresh_from_db()
    assert holder.status == Registration.Status.CANCELLED
    assert holder.enrolments.get().status == Enrolment.Status.CANCELLED
    assert waiting.status == Registration.Status.CONFIRMED
    assert waiting.enrolments.get().status == Enrolment.Status.CONFIRMED
    assert (seats(summit), seats(forum)) == (1, 1)


def test_change_choices_adds_removes_and_promotes(summit, register, small_forum):
    other = factories.ForumFactory(summit=summit, capacity=5)
    guest = register(forums=[small_forum])
    register(forums=[small_forum])
    waiting = register(forums=[small_forum])

    changes.change_choices(guest, forum_ids=[other.pk], session_ids=[], actor=None)

    statuses = dict(guest.enrolments.values_list("forum_id", "status"))
    assert statuses == {small_forum.pk: "cancelled", other.pk: "confirmed"}
    assert waiting.enrolments.get().status == Enrolment.Status.CONFIRMED
    assert (seats(small_forum), seats(other)) == (2, 1)


def test_change_choices_rechoosing_queues_behind_who_joined_meanwhile(
    register, small_forum, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    guest = register(forums=[small_forum])
    holder = register(forums=[small_forum])
    register(forums=[small_forum])  # waiting: gets the guest's seat below
    time_machine.shift(60)
    changes.change_choices(guest, forum_ids=[], session_ids=[], actor=None)
    time_machine.shift(60)
    joined_meanwhile = register(forums=[small_forum])
    time_machine.shift(60)
    changes.change_choices(guest, forum_ids=[small_forum.pk], session_ids=[], actor=None)

    changes.cancel_registration(holder, actor=None)

    assert joined_meanwhile.enrolments.get().status == Enrolment.Status.CONFIRMED
    assert guest.enrolments.get().status == Enrolment.Status.WAITLISTED


def test_change_choices_rechoosing_goes_to_back_of_line(register, small_forum):
    guest = register(forums=[small_forum])
    register(forums=[small_forum])
    waiting = register(forums=[small_forum])
    changes.change_choices(guest, forum_ids=[], session_ids=[], actor=None)

    changes.change_choices(guest, forum_ids=[small_forum.pk], session_ids=[], actor=None)

    assert waiting.enrolments.get().status == Enrolment.Status.CONFIRMED
    assert guest.enrolments.get().status == Enrolment.Status.WAITLISTED
    assert Enrolment.objects.filter(registration=guest).count() == 1


def test_change_choices_of_cancelled_registration_is_refused(register, small_forum):
    guest = register()
    changes.cancel_registration(guest, actor=None)

    with pytest.raises(services.NotActive):
        changes.change_choices(guest, forum_ids=[small_forum.pk], session_ids=[], actor=None)


def test_approve_confirms_and_gives_forum_seats(summit, register, small_forum, organiser):
    Summit.objects.filter(pk=summit.pk).update(approval_required=True)
    summit.refresh_from_db()
    pending = register(forums=[small_forum])

    changes.approve_registration(pending, actor=organiser)

    pending.refresh_from_db()
    assert pending.status == Registration.Status.CONFIRMED
    assert pending.decided_by == organiser
    assert pending.enrolments.get().status == Enrolment.Status.CONFIRMED
    assert (seats(summit), seats(small_forum)) == (1, 1)


def test_approve_when_summit_full_waitlists(summit, register, organiser):
    Summit.objects.filter(pk=summit.pk).update(approval_required=True, capacity=0)
    summit.refresh_from_db()
    pending = register()

    changes.approve_registration(pending, actor=organiser)

    pending.refresh_from_db()
    assert pending.status == Registration.Status.WAITLISTED


def test_approve_twice_is_refused(register, organiser):
    confirmed = register()

    with pytest.raises(services.WrongStatus):
        changes.approve_registration(confirmed, actor=organiser)


def test_reject_cancels_choices(summit, register, small_forum, organiser):
    Summit.objects.filter(pk=summit.pk).update(approval_required=True)
    summit.refresh_from_db()
    pending = register(forums=[small_forum])

    changes.reject_registration(pending, actor=organiser)

    pending.refresh_from_db()
    assert pending.status == Registration.Status.REJECTED
    assert pending.enrolments.get().status == Enrolment.Status.CANCELLED


def test_decide_many_approves_pending_and_skips_others(summit, register, organiser):
    confirmed = register()
    Summit.objects.filter(pk=summit.pk).update(approval_required=True)
    summit.refresh_from_db()
    pending = [register() for _ in range(3)]

    done, skipped = changes.decide_many(
        [confirmed.pk, *[r.pk for r in pending]], action="approve", actor=organiser
    )

    assert (done, skipped) == (3, 1)
    assert Registration.objects.filter(status="confirmed").count() == 4


def test_status_change_signal_is_sent_after_commit(register, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, registration, old_status, new_status, **kwargs):
        received.append((registration.pk, old_status, new_status))

    registration_status_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            registration = register()
        assert received == []
        for callback in callbacks:
            callback()
        changes.cancel_registration(registration, actor=None)
    finally:
        registration_status_changed.disconnect(listener)

    assert received[0] == (registration.pk, None, "confirmed")


def test_history_records_each_change(register, small_forum, organiser):
    registration = register(forums=[small_forum])
    changes.cancel_registration(registration, actor=organiser)

    kinds = list(registration.events.values_list("kind", "old_status", "new_status"))

    assert ("status", "", "confirmed") in kinds
    assert ("status", "confirmed", "cancelled") in kinds


def test_search_text_folds_accents_and_case(register):
    registration = register(details={"name": "", "name_latin": "João Conceição"})

    assert "joao conceicao" in registration.search_text


def test_change_details_writes_what_changed_and_one_history_line(register, organiser):
    registration = register()
    details = guest_details(
        name_latin="Chan Siu Man", organisation="數字政策辦公室", accessibility_needs="Ramp"
    )

    changes.change_details(registration, details=details, category="speaker", actor=organiser)

    registration.refresh_from_db()
    assert {name: getattr(registration, name) for name in details} == details
    assert registration.category == "speaker"
    events = list(registration.events.filter(kind="details").values_list("actor", "detail"))
    assert events == [
        (
            organiser.pk,
            "name_latin: “Chan Tai Man” → “Chan Siu Man”; "
            "organisation: “Digital Policy Office” → “數字政策辦公室”; "
            "accessibility_needs; category: “delegate” → “speaker”",
        )
    ]


def test_change_details_keeps_the_search_text(register, organiser):
    registration = register()

    changes.change_details(
        registration,
        details=guest_details(name="", name_latin="João Conceição"),
        category="delegate",
        actor=organiser,
    )

    registration.refresh_from_db()
    assert registration.search_text == search_text_for(registration)
    assert "joao conceicao" in registration.search_text
    assert "chan" not in registration.search_text


def test_change_details_without_a_change_writes_nothing(register, organiser):
    registration = register()
    updated_at = Registration.objects.get(pk=registration.pk).updated_at

    changes.change_details(
        registration, details=guest_details(), category="delegate", actor=organiser
    )

    assert registration.events.filter(kind="details").count() == 0
    assert Registration.objects.get(pk=registration.pk).updated_at == updated_at


def test_register_many_allocates_seats_as_one_by_one_would(summit, small_forum):
    from tests.registration.conftest import guest_details

    Summit.objects.filter(pk=summit.pk).update(capacity=3)
    summit.refresh_from_db()

    def entry(name: str, *, forums=(), needs_approval=False) -> dict:
        user = factories.UserFactory(username=name)
        return {
            "user": user,
            "email": user.email,
            "details": guest_details(),
            "forum_ids": [forum.pk for forum in forums],
            "session_ids": [],
            "needs_approval": needs_approval,
        }

    entries = [
        entry("first", forums=[small_forum]),
        entry("second", forums=[small_forum]),
        entry("pending", forums=[small_forum], needs_approval=True),
        entry("third", forums=[small_forum]),  # small_forum has 2 seats
        entry("fourth", forums=[small_forum]),  # the summit has 3
    ]

    registrations = services.register_many(summit, entries)

    assert [(r.user.username, r.status) for r in registrations] == [
        ("first", "confirmed"),
        ("second", "confirmed"),
        ("pending", "pending"),
        ("third", "confirmed"),
        ("fourth", "waitlisted"),
    ]
    assert [Enrolment.objects.get(registration=r).status for r in registrations] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
        "waitlisted",
    ]
    assert (seats(summit), seats(small_forum)) == (3, 2)
