import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from registration.models import Enrolment, Registration
from sessions.models import Forum, Session
from summit.models import Summit
from tests import factories

pytestmark = pytest.mark.django_db


def test_seed_demo_guests_realistic_counters_exact_and_idempotent(roles):
    call_command("seed_demo", "--guests", "0", stdout=io.StringIO())
    summit = Summit.objects.get()
    # A session of three seats, so that a waiting list forms whichever sessions the demo's
    # guests draw (the order of the choosable sessions, and so the draw, follows the clock;
    # seed_demo resets the seeded forums' and sessions' capacities on each run).
    factories.SessionFactory(forum__summit=summit, requires_enrolment=True, capacity=3)

    call_command("seed_demo", "--guests", "300", stdout=io.StringIO())
    call_command("seed_demo", "--guests", "300", stdout=io.StringIO())

    statuses = dict(Registration.objects.values_list("status").annotate(n=Count("pk")))
    assert sum(statuses.values()) == 300
    assert statuses["confirmed"] > 200
    assert {"pending", "cancelled", "rejected"} <= set(statuses)
    assert Registration.objects.filter(name_latin__contains="ç").exists()
    assert Registration.objects.filter(region="hong_kong", name__regex=r"[陳黃張劉吳]").exists()
    summit.refresh_from_db()
    assert summit.seats_taken == statuses["confirmed"]
    for model, field in ((Forum, "forum"), (Session, "session")):
        for target in model.objects.all():
            confirmed = Enrolment.objects.filter(**{field: target}, status="confirmed").count()
            assert target.seats_taken == confirmed
            assert target.capacity is None or confirmed <= target.capacity
    waiting = Enrolment.objects.filter(status="waitlisted", registration__status="confirmed")
    assert waiting.exists()
    assert not Enrolment.objects.filter(
        ~Q(registration__status="confirmed"), status="confirmed"
    ).exists()
