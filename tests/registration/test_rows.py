"""Inserting a registration's rows with SQL built once (registration/rows.py)."""

import pytest
from django.db.models.signals import post_save

from registration.models import OutgoingEmail, Registration, RegistrationEvent
from summit import rows

pytestmark = pytest.mark.django_db


def test_insert_sets_ids_and_stores_what_the_fields_prepare(register):
    registration = register()
    emails = [
        OutgoingEmail(
            registration=registration,
            kind="confirmation",
            context={"reason": "registered", "seats": [1, 2]},
            recipient=registration.email,
            language="zh-hant",
        )
        for _ in range(2)
    ]

    rows.insert(emails)

    stored = OutgoingEmail.objects.filter(pk__in=[e.pk for e in emails]).order_by("pk")
    assert [e.pk for e in stored] == sorted(e.pk for e in emails)
    assert [e.context for e in stored] == [{"reason": "registered", "seats": [1, 2]}] * 2
    assert all(e.created_at is not None and e.status == "queued" for e in stored)
    assert all(not e._state.adding for e in emails)


def test_insert_of_many_goes_through_bulk_create(register):
    registration = register()
    events = [
        RegistrationEvent(registration=registration, kind="details", detail=f"{n}")
        for n in range(rows.MOST + 5)
    ]

    rows.insert(events)

    assert all(event.pk is not None for event in events)
    assert RegistrationEvent.objects.filter(kind="details").count() == rows.MOST + 5


def test_create_sends_the_model_signals_of_save(register):
    sent = []

    def record(sender, instance, created, **kwargs):
        sent.append((instance.pk, created))

    post_save.connect(record, sender=Registration)
    try:
        registration = register()
    finally:
        post_save.disconnect(record, sender=Registration)

    assert sent == [(registration.pk, True)]
