"""The agenda's refusals hold against a registration changing at the same moment."""

import threading

import pytest
from django.db import connection, transaction

from registration import changes
from registration.models import Enrolment, Registration
from sessions import services
from sessions.models import Session
from tests import factories
from tests.conftest import someone_waits_for_my_lock


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_capacity_change_waits_for_a_seat_being_taken(summit):
    session = factories.SessionFactory(forum__summit=summit, requires_enrolment=True, capacity=40)
    Session.objects.filter(pk=session.pk).update(seats_taken=29)
    locked = threading.Event()
    outcome = {}

    def take_a_seat():
        # What a registration service does: lock the session's row, count one more seat.
        try:
            with transaction.atomic():
                row = Session.objects.select_for_update().get(pk=session.pk)
                locked.set()
                # The organiser's save comes meanwhile, and must wait for this seat.
                outcome["waited"] = someone_waits_for_my_lock()
                row.seats_taken += 1
                row.save(update_fields=["seats_taken"])
        finally:
            connection.close()

    def lower_capacity():
        try:
            locked.wait(5)
            services.update_session(session, capacity=29)
            outcome["result"] = "saved"
        except services.CapacityBelowSeatsTaken:
            outcome["result"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=take_a_seat), threading.Thread(target=lower_capacity)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    session.refresh_from_db()
    assert outcome == {"waited": True, "result": "refused"}
    assert (session.capacity, session.seats_taken) == (40, 30)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("week_before_the_summit")
def test_delete_session_waits_for_a_choice_being_added(summit):
    session = factories.SessionFactory(forum__summit=summit, requires_enrolment=True, capacity=40)
    guest = factories.RegistrationFactory(summit=summit, status=Registration.Status.PENDING)
    locked = threading.Event()
    outcome = {}

    def add_the_session():
        # The guest's change of choices, held open until the organiser's delete waits for it.
        try:
            with transaction.atomic():
                changes.change_choices(guest, forum_ids=[], session_ids=[session.pk], actor=None)
                locked.set()
                outcome["waited"] = someone_waits_for_my_lock()
        finally:
            connection.close()

    def delete_the_session():
        try:
            locked.wait(5)
            services.delete_session(session)
            outcome["result"] = "deleted"
        except services.InUse:
            outcome["result"] = "refused"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=add_the_session),
        threading.Thread(target=delete_the_session),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert outcome == {"waited": True, "result": "refused"}
    assert list(Enrolment.objects.filter(session=session).values_list("status", flat=True)) == [
        Enrolment.Status.WAITLISTED
    ]
