"""One invitation answered from several devices at the very same moment, on PostgreSQL."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from registration.invitation_links import invitation_path
from registration.models import Registration
from tests import factories
from tests.registration.conftest import form_data
from tests.registration.test_concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TAPS = 8


def test_one_invitation_tapped_at_once_registers_once_with_one_account(summit):
    invitation = factories.InvitationFactory(summit=summit, email="vip@example.org")
    forum = factories.ForumFactory(summit=summit, capacity=3)
    path = invitation_path(invitation)
    answers: list[int] = []

    def tap(_n):
        response = Client().post(path, form_data(forums=[forum.pk], submission_key=uuid.uuid4()))
        answers.append(response.status_code)

    errors = run_at_once(tap, list(range(TAPS)))

    assert errors == []
    # One registers (and is sent to their page); the others hear the invitation is used, or
    # that the address has an account now: never a second account or registration.
    assert sorted(answers)[0] == 302
    assert answers.count(302) == 1
    assert set(answers) <= {302, 409, 410}
    assert Registration.objects.filter(invitation=invitation).count() == 1
    assert get_user_model().objects.filter(email__iexact="vip@example.org").count() == 1
    forum.refresh_from_db()
    assert forum.seats_taken == 1
