"""With a read replica configured, registering (seats counted, the waiting list) reads and
writes the primary only (summit/infrastructure/databases.py)."""

import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registration.models import Registration
from sessions.models import Forum
from summit.infrastructure.databases import REPLICA
from tests.registration.conftest import form_data

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


def queries(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries]


def test_registration_pages_count_seats_on_the_primary_with_a_replica(
    client, guest_user, register, small_forum, replica
):
    register(forums=[small_forum])
    register(forums=[small_forum])  # the forum is full now
    client.force_login(guest_user)

    with CaptureQueriesContext(replica) as replicated:
        form = client.get(reverse("registration:register"))
        response = client.post(reverse("registration:register"), form_data(forums=[small_forum.pk]))
        page = client.get(reverse("registration:mine"))

    assert (form.status_code, response.status_code, page.status_code) == (200, 302, 200)
    assert queries(replicated) == []
    enrolment = Registration.objects.get(user=guest_user).enrolments.get()
    assert enrolment.status == "waitlisted"
    assert Forum.objects.get(pk=small_forum.pk).seats_taken == 2
