"""Fixtures of the registration tests (model data comes from tests/factories.py)."""

import json
import re

import pytest
from django.core import mail

from registration import services
from tests import factories


@pytest.fixture(autouse=True)
def _a_week_before_the_summit(week_before_the_summit):
    """Every registration test starts a week before the summit (``week_before_the_summit``),
    whatever day it runs; a test of another moment moves the clock
    (``time_machine.move_to(factories.at(2, 10))``)."""


def guest_details(**overrides) -> dict:
    details = {
        "name": "陳大文",
        "name_latin": "Chan Tai Man",
        "organisation": "Digital Policy Office",
        "job_title": "Director",
        "region": "hong_kong",
        "phone": "+852 6123 4567",
        "language": "zh-hant",
        "dietary": "none",
        "dietary_notes": "",
        "accessibility_needs": "",
    }
    details.update(overrides)
    return details


@pytest.fixture
def register(summit):
    """Register a new guest (with an account) through the service."""

    def _register(*, forums=(), sessions=(), user=None, summit_=None, **kwargs):
        user = user or factories.UserFactory()
        registration, _created = services.register_guest(
            summit_ or summit,
            user=user,
            email=user.email,
            details=guest_details(**kwargs.pop("details", {})),
            forum_ids=[f.pk for f in forums],
            session_ids=[s.pk for s in sessions],
            **kwargs,
        )
        return registration

    return _register


@pytest.fixture
def small_forum(summit):
    return factories.ForumFactory(summit=summit, capacity=2, slug="security")


def form_data(**overrides) -> dict:
    import uuid

    data = {
        "submission_key": str(uuid.uuid4()),
        "consent": "on",
        **guest_details(),
    }
    data.update(overrides)
    return data


def region_options(html: str) -> list[tuple[str, str, bool]]:
    """The region select's options: value, text and whether it is selected."""
    select = re.search(r'<select name="region".*?</select>', html, flags=re.S).group(0)
    found = re.findall(r'<option value="([^"]*)"( selected)?>(.*?)</option>', select)
    return [(value, text, bool(selected)) for value, selected, text in found]


# --- The guest API ------------------------------------------------------------------------

API = "/api/v1/guest"


def code_from_mail() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


@pytest.fixture
def sign_in(client, django_capture_on_commit_callbacks):
    """Sign in to the guest API by the e-mailed code; returns the token."""
    from tests.openapi import validate_answer

    def _sign_in(email="chan@example.hk") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(
                f"{API}/code", json.dumps({"email": email}), content_type="application/json"
            )
            assert answer.status_code == 202
        answer = client.post(
            f"{API}/token",
            json.dumps({"email": email, "code": code_from_mail()}),
            content_type="application/json",
        )
        validate_answer(answer)
        return answer.json()["token"]

    return _sign_in
